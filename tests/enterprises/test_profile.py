import datetime as dt

import pytest
import time_machine

from enterprises.models import Enterprise, YearFigures
from tests.enterprises.conftest import complete, figures_post, profile_post, recognise

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def post_edit(client, **overrides):
    data = {**profile_post(), **figures_post(2025), **figures_post(2024), **figures_post(2023)}
    data.update(overrides)
    return client.post("/enterprise/profile/edit/", data)


def test_the_enterprise_is_created_from_the_account(client, ent_tianhe):
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/profile/").content.decode()
    enterprise = Enterprise.objects.get(account=ent_tianhe)
    assert enterprise.uscc == ent_tianhe.uscc and enterprise.name == "广州天河科技有限公司"
    assert enterprise.region.code == "440106"  # from the code's registration area
    assert "编辑" in body and "注册地" in body and "决定审核的主管部门" in body


def test_an_unrecognised_enterprise_edits_everything(client, ent_tianhe):
    client.force_login(ent_tianhe)
    response = post_edit(client, name="广州天河智造科技有限公司")
    assert response.status_code == 302, response.content.decode()[:2000]
    enterprise = Enterprise.objects.get(account=ent_tianhe)
    assert enterprise.name == "广州天河智造科技有限公司"
    assert enterprise.industry.code == "3311" and enterprise.rd_staff == 20
    assert YearFigures.objects.filter(enterprise=enterprise).count() == 3
    assert str(YearFigures.objects.get(enterprise=enterprise, year=2025).operating_revenue) == "5000.00"
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.org_name == "广州天河智造科技有限公司"


def test_every_change_is_kept_with_who_and_when(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    post_edit(client)
    post_edit(client, address="广州市天河区新地址88号")
    latest, previous = tianhe_enterprise.history.order_by("-history_id")[:2]
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("address", "广州市天河区科韵路1号", "广州市天河区新地址88号")]
    assert latest.history_user == ent_tianhe


@pytest.mark.parametrize(
    "overrides,field_error",
    [
        ({"y2025-operating_revenue": "-1"}, "金额不能为负数"),
        ({"y2025-main_business_revenue": "6000"}, "主营业务收入不能大于营业收入"),
        ({"rd_staff": "200"}, "研发人员数不能超过职工总数"),
        ({"founded_on": "2026-06-16"}, "成立日期不能晚于今天"),
        ({"region": "广东省 广州市"}, "注册地须为区县级行政区划"),
        ({"region": "火星"}, "未找到该行政区划"),
        ({"industry": "C"}, "请至少选择到行业大类"),
        ({"industry": "9999"}, "未找到该行业代码"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(client, ent_tianhe, tianhe_enterprise, overrides, field_error):
    client.force_login(ent_tianhe)
    response = post_edit(client, **overrides)
    assert response.status_code == 200
    body = response.content.decode()
    assert field_error in body
    assert "广州市天河区科韵路1号" in body  # what was typed is shown again
    tianhe_enterprise.refresh_from_db()
    assert tianhe_enterprise.address == ""
    assert not YearFigures.objects.filter(enterprise=tianhe_enterprise).exists()


def test_a_net_loss_is_allowed(client, ent_tianhe):
    client.force_login(ent_tianhe)
    assert post_edit(client, **{"y2025-net_profit": "-120.50"}).status_code == 302


def test_a_city_without_counties_is_a_valid_registered_place(client, ent_tianhe):
    client.force_login(ent_tianhe)
    assert post_edit(client, region="广东省 东莞市").status_code == 302
    assert Enterprise.objects.get(account=ent_tianhe).region.code == "441900"


def test_a_recognised_enterprise_has_no_edit_button_and_cannot_edit(client, ent_tianhe, tianhe_enterprise):
    recognise(tianhe_enterprise)
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/profile/").content.decode()
    assert 'data-testid="edit"' not in body
    assert 'data-testid="update"' not in body  # June: outside the update window
    assert "已认定企业不能编辑基本信息" in body
    assert client.get("/enterprise/profile/edit/")["Location"] == "/enterprise/profile/"
    post_edit(client, address="偷偷修改")
    tianhe_enterprise.refresh_from_db()
    assert tianhe_enterprise.address == ""


def test_the_declaration_card_waits_for_a_complete_profile(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/").content.decode()
    assert 'data-testid="declare-incomplete"' in body
    for label in ["注册地址", "所属行业", "2025年营业收入"]:
        assert label in body
    assert 'data-testid="declare-tiers"' not in body
    complete(tianhe_enterprise, 2025)
    body = client.get("/enterprise/").content.decode()
    assert 'data-testid="declare-tiers"' in body
    assert "/declare/specialized/regions/" in body


def test_last_years_figures_are_part_of_completeness(client, ent_tianhe, tianhe_enterprise):
    complete(tianhe_enterprise, 2024)  # figures of the wrong year
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/").content.decode()
    assert "2025年营业收入" in body


def test_a_natural_person_has_no_enterprise_pages(client, person):
    client.force_login(person)
    for url in ["/enterprise/profile/", "/enterprise/profile/edit/", "/enterprise/changes/",
                "/enterprise/changes/new/"]:
        response = client.get(url)
        assert response.status_code == 403
        assert "自然人账户不能进行优质中小企业申报" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client, db):
    for url in ["/enterprise/profile/", "/enterprise/changes/"]:
        assert client.get(url)["Location"].startswith("/accounts/login/")

"""年度信息更新: 1 January – 30 April (Asia/Shanghai) unless officials set the year's window."""

import datetime as dt

import pytest
import time_machine

from enterprises.models import Enterprise, InfoUpdate, UpdateWindow
from enterprises.selectors import update_status_q
from portal.regions.models import DeclarationRegion
from tests.enterprises.conftest import complete, figures_post, profile_post, recognise

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


@pytest.fixture
def recognised(tianhe_enterprise):
    complete(tianhe_enterprise, 2025)
    recognise(tianhe_enterprise)
    return tianhe_enterprise


def post_update(client, **overrides):
    data = {**profile_post(), **figures_post(2025, operating_revenue="5600.00")}
    data.update(overrides)
    return client.post("/enterprise/profile/update/", data)


@pytest.mark.parametrize(
    "moment,open_",
    [(at(2025, 12, 31, 23, 59, 59), False), (at(2026, 1, 1, 0, 0), True),
     (at(2026, 4, 30, 23, 59), True), (at(2026, 5, 1, 0, 0), False)],
)
def test_the_update_button_shows_only_inside_the_window(client, ent_tianhe, recognised, moment, open_):
    client.force_login(ent_tianhe)
    with time_machine.travel(moment, tick=False):
        body = client.get("/enterprise/profile/").content.decode()
        assert ('data-testid="update"' in body) is open_
        assert 'data-testid="edit"' not in body
        response = client.get("/enterprise/profile/update/")
        assert response.status_code == (200 if open_ else 403)


def test_outside_the_window_the_url_says_when_it_opens(client, ent_tianhe, recognised):
    client.force_login(ent_tianhe)
    with time_machine.travel(at(2026, 5, 1, 0, 0), tick=False):
        response = client.get("/enterprise/profile/update/")
        body = response.content.decode()
        assert "当前不在信息更新期内" in body
        assert "2027年1月1日" in body
        assert post_update(client).status_code == 403
    assert not InfoUpdate.objects.exists()


def test_an_update_in_april_records_last_years_figures_and_the_changes(client, ent_tianhe, recognised):
    client.force_login(ent_tianhe)
    with time_machine.travel(at(2026, 4, 30, 23, 59), tick=False):
        response = post_update(client, address="广州市天河区新址")
        assert response.status_code == 302, response.content.decode()[:3000]
    update = InfoUpdate.objects.get(enterprise=recognised)
    assert (update.year, update.figures_year, update.status) == (2026, 2025, "submitted")
    assert update.changes["address"] == {"label": "注册地址", "before": "广州市天河区科韵路1号",
                                         "after": "广州市天河区新址"}
    assert update.changes["2025.operating_revenue"]["after"] == "5600.00"
    recognised.refresh_from_db()
    assert recognised.address == "广州市天河区新址"


def test_name_and_region_cannot_change_through_an_update(client, ent_tianhe, recognised):
    client.force_login(ent_tianhe)
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        post_update(client, name="新名字有限公司", region="广东省 广州市 越秀区")
    recognised.refresh_from_db()
    assert recognised.name == "广州天河科技有限公司" and recognised.region.code == "440106"


def test_a_submitted_update_waits_for_a_return_before_another(client, ent_tianhe, recognised, tianhe_county):
    client.force_login(ent_tianhe)
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        post_update(client)
        body = client.get("/enterprise/profile/").content.decode()
        assert 'data-testid="update"' not in body and "本年度信息更新已" in body
        assert "已提交" in post_update(client, address="再改").content.decode()
        update = InfoUpdate.objects.get()
        official = client.__class__()
        official.force_login(tianhe_county)
        url = f"/admin/enterprises/infoupdate/{update.pk}/change/"
        assert "退回时必须填写审核意见" in official.post(url, {"opinion": ""}).content.decode()
        assert official.post(url, {"opinion": "研发费用口径有误"}).status_code == 302
        update.refresh_from_db()
        assert update.status == "returned" and update.returned_by == tianhe_county
        assert "研发费用口径有误" in client.get("/enterprise/profile/").content.decode()
        assert post_update(client, address="再改").status_code == 302
        update.refresh_from_db()
        assert update.status == "submitted" and update.changes["address"]["after"] == "再改"


def test_an_unrecognised_enterprise_is_sent_to_edit(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        assert client.get("/enterprise/profile/update/")["Location"] == "/enterprise/profile/edit/"


def test_a_province_window_overrides_the_national_one(client, ent_tianhe, recognised):
    # 广东 moved its 2026 window to 10 May – 10 June (provinces may shift it, domain.md §2.5).
    UpdateWindow.objects.create(year=2026, declaration_region=DeclarationRegion.objects.get(code="440000"),
                                starts_on=dt.date(2026, 5, 10), ends_on=dt.date(2026, 6, 10))
    with time_machine.travel(at(2026, 4, 1, 9), tick=False):
        client.force_login(ent_tianhe)
        body = client.get("/enterprise/profile/update/").content.decode()
        assert "2026年5月10日" in body  # not open yet; says when it opens
    with time_machine.travel(at(2026, 6, 10, 23, 59), tick=False):
        client.force_login(ent_tianhe)
        assert client.get("/enterprise/profile/update/").status_code == 200
    with time_machine.travel(at(2026, 6, 11, 0, 0), tick=False):
        client.force_login(ent_tianhe)
        assert client.get("/enterprise/profile/update/").status_code == 403


def test_enterprises_that_miss_the_window_are_flagged_for_officials(client, ent_tianhe, recognised, ent_yuexiu, gz_city):
    from enterprises.services import enterprise_for_account

    other = complete(enterprise_for_account(user=ent_yuexiu), 2025)
    recognise(other)
    with time_machine.travel(at(2026, 4, 2, 9), tick=False):
        client.force_login(ent_tianhe)
        post_update(client)
        filters = update_status_q(year=2026, on=dt.date(2026, 4, 2))
        assert list(Enterprise.objects.filter(filters["due"])) == [other]
    with time_machine.travel(at(2026, 5, 1, 9), tick=False):
        filters = update_status_q(year=2026, on=dt.date(2026, 5, 1))
        assert list(Enterprise.objects.filter(filters["overdue"])) == [other]
        assert list(Enterprise.objects.filter(filters["updated"])) == [recognised]
        official = client.__class__()
        official.force_login(gz_city)
        body = official.get("/admin/enterprises/enterprise/?update=overdue").content.decode()
        assert "广州越秀制造有限公司" in body and "广州天河科技有限公司" not in body


def test_a_submitted_update_is_shown_read_only_with_its_changes_until_returned(client, ent_tianhe, recognised, tianhe_county):
    client.force_login(ent_tianhe)
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        response = post_update(client, address="广州市天河区新址")
        assert response["Location"] == "/enterprise/profile/update/"
        page = client.get("/enterprise/profile/update/")
        body = page.content.decode()
        assert page.status_code == 200
        assert 'data-testid="update-submitted"' in body and "2026-03-01 09:00" in body
        assert 'name="address"' not in body and 'name="y2025-operating_revenue"' not in body
        changes = body.split('data-testid="update-changes"')[1]
        assert "注册地址" in changes and "广州市天河区科韵路1号" in changes and "广州市天河区新址" in changes
        assert "2025年营业收入" in changes and "5600.00" in changes
        assert 'data-testid="view-update"' in client.get("/enterprise/profile/").content.decode()
        # A POST to the read-only page changes nothing.
        assert post_update(client, address="再改").status_code == 409
        recognised.refresh_from_db()
        assert recognised.address == "广州市天河区新址"
        InfoUpdate.objects.update(status="returned", opinion="请核对")
        body = client.get("/enterprise/profile/update/").content.decode()
        assert 'name="address"' in body and 'data-testid="update-submitted"' not in body


def test_after_the_window_the_submitted_update_stays_readable_and_says_when_the_next_opens(client, ent_tianhe, recognised):
    client.force_login(ent_tianhe)
    with time_machine.travel(at(2026, 4, 30, 12), tick=False):
        post_update(client, address="广州市天河区新址")
    with time_machine.travel(at(2026, 5, 2, 9), tick=False):
        client.force_login(ent_tianhe)  # a new session: the old one has been idle for days
        body = client.get("/enterprise/profile/update/").content.decode()
        assert 'data-testid="update-submitted"' in body and "广州市天河区新址" in body
        assert "2027年1月1日" in body
        assert post_update(client, address="再改").status_code == 409
    recognised.refresh_from_db()
    assert recognised.address == "广州市天河区新址"

"""企业申报信息 through the client: the list, start, the form (save, autosave, preview), submit,
detail; every forbidden case; the dialog's region preselection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import Attempt
from common.tiers import Tier
from common.workflow import events_for
from declarations import services
from declarations.models import Declaration, DeclarationWindow
from enterprises.services import enterprise_for_account
from portal.accounts.decorators import PERSON_CANNOT_DECLARE
from portal.regions.models import DeclarationRegion, Region
from tests.assessment.conftest import submitted
from tests.conftest import enterprise
from tests.declarations.conftest import open_window, ready

pytestmark = pytest.mark.django_db

FEATURES = {"region": "广东省", "total_points": 15, "indicators": [
    {"key": "export", "name": "上年度出口额占营业收入比重", "kind": "number", "unit": "%",
     "max_points": 10, "bands": [{"threshold": "30", "points": 10}, {"threshold": "10", "points": 5}]},
    {"key": "chain", "name": "属于本省重点产业链", "kind": "choice", "max_points": 5,
     "choices": {"是": 5, "否": 0}}]}

IP = {"ip-high_value_class1": "1", "ip-self_developed_class1": "2", "ip-class1": "3", "ip-class2": "4"}
INNOVATION = {"innovation-strategic_emerging_product": "yes", "innovation-honors": ["high_tech"],
              "innovation-rd_institution": "municipal", "innovation-awards_0_level": "provincial",
              "innovation-awards_0_rank": "2"}


def past_window(days_ago: int) -> DeclarationWindow:
    """A closed 创新型 window of 广东 that opened `days_ago` days ago, for one day."""
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return DeclarationWindow.objects.create(
        declaration_region=DeclarationRegion.objects.get(code="440000"), tier=Tier.INNOVATIVE,
        starts_at=starts, ends_at=starts + dt.timedelta(days=1), note=f"{days_ago}天前")


def url(name: str, declaration: Declaration) -> str:
    return reverse(f"declarations:{name}", args=[declaration.public_id])


@pytest.fixture
def draft(ent_tianhe, company, gd_innovative) -> Declaration:
    return services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)


@pytest.fixture
def owner(client, ent_tianhe):
    client.force_login(ent_tianhe)
    return client


def save(client, declaration: Declaration, section: str, data: dict, *, view: str = "edit"):
    return client.post(url(view, declaration), {"section": section, **data})


def fill_all(client, declaration: Declaration) -> None:
    for section, data in (("ip", IP), ("innovation", INNOVATION)):
        assert save(client, declaration, section, data).status_code == 302


@pytest.fixture
def filed(owner, draft) -> Declaration:
    fill_all(owner, draft)
    owner.post(url("submit", draft), {"pledge": "on"})
    draft.refresh_from_db()
    assert draft.status == "at_county"
    return draft


# -- the list --------------------------------------------------------------------------------------------

def test_the_list_offers_to_apply_where_it_may_and_says_why_not_elsewhere(owner, company, gd_innovative):
    body = owner.get(reverse("declarations:list")).content.decode()
    assert f'action="{reverse("declarations:start", args=["innovative"])}"' in body
    assert "申报专精特新中小企业须先完成数字化水平评测" in body and 'href="/assessment/"' in body
    assert "广东省当前未开放专精特新“小巨人”企业申报" in body and 'href="/announcements/"' in body
    assert "暂无申报记录" in body


def test_a_draft_is_continued_not_started_again(owner, draft):
    body = owner.get(reverse("declarations:list")).content.decode()
    assert "继续填写" in body and url("edit", draft) in body
    assert reverse("declarations:start", args=["innovative"]) not in body


def test_the_history_shows_tier_window_status_level_and_links(owner, filed):
    body = owner.get(reverse("declarations:list")).content.decode()
    assert filed.number in body and "创新型中小企业" in body and "广东省 · 2026年第一批" in body
    assert "县级审核中" in body and "<td>县级</td>" in body
    assert url("detail", filed) in body and url("pdf", filed) in body
    assert "同一批次只能申报一次" in body


def test_the_list_is_paginated_and_its_queries_do_not_grow_with_the_history(
        owner, ent_tianhe, company, django_assert_max_num_queries):
    for n in range(25):
        window = past_window(10 + 2 * n)
        Declaration.objects.create(number=f"N{n}", enterprise=company, tier=Tier.INNOVATIVE,
                                   window=window, region=company.region)
    with django_assert_max_num_queries(40):
        first = owner.get(reverse("declarations:list")).content.decode()
    assert first.count('data-testid="declaration-row"') == 20 and "第 1 / 2 页" in first
    second = owner.get(reverse("declarations:list") + "?page=2").content.decode()
    assert second.count('data-testid="declaration-row"') == 5


def test_the_dialogs_region_preselects_the_tier(owner, company, gd_innovative):
    response = owner.get(reverse("declarations:list") + "?tier=innovative&region=440000")
    body = response.content.decode()
    assert 'data-testid="tier-innovative" data-chosen' in body
    assert 'name="region" value="440000"' in body


def test_the_dialogs_region_that_is_not_the_enterprises_own_is_refused(client, ent_shenzhen):
    company = ready(ent_shenzhen)
    company.region = Region.objects.get(code="440305")
    company.save()
    open_window("440000", Tier.INNOVATIVE)
    open_window("440300", Tier.INNOVATIVE)
    client.force_login(ent_shenzhen)
    body = client.get(reverse("declarations:list") + "?tier=innovative&region=440000").content.decode()
    assert "只能向深圳市申报" in body
    assert reverse("declarations:start", args=["innovative"]) not in body
    # The start itself refuses the wrong region too.
    response = client.post(reverse("declarations:start", args=["innovative"]), {"region": "440000"})
    assert response.status_code == 302 and not Declaration.objects.exists()


def test_the_dialog_leads_to_the_list():
    from declarations.views import declare_entry_url

    assert declare_entry_url("giant", "440300") == "/enterprise/declarations/?tier=giant&region=440300"


# -- start -----------------------------------------------------------------------------------------------

def test_start_creates_one_draft_for_a_double_click_and_opens_the_form(owner, company, gd_innovative):
    start = reverse("declarations:start", args=["innovative"])
    first = owner.post(start)
    second = owner.post(start)
    draft = Declaration.objects.get()
    assert first.url == second.url == url("edit", draft)


def test_start_refused_says_why_on_the_list(owner, company):
    response = owner.post(reverse("declarations:start", args=["specialized"]), follow=True)
    assert "当前未开放专精特新中小企业申报" in response.content.decode()
    assert not Declaration.objects.exists()


def test_start_is_post_only_and_knows_its_tiers(owner, company, gd_innovative):
    assert owner.get(reverse("declarations:start", args=["innovative"])).status_code == 405
    assert owner.post(reverse("declarations:start", args=["nonsense"])).status_code == 404


# -- the form -------------------------------------------------------------------------------------------

def test_the_form_shows_every_section_prefilled_with_the_profile_figures(owner, draft):
    body = owner.get(url("edit", draft)).content.decode()
    year = timezone.localdate(draft.window.starts_at).year - 1
    assert f'name="figures-operating_revenue_{year}"' in body and 'value="5000.00"' in body
    for label in ("经营数据", "知识产权", "创新能力", "近三年获得的科技奖励", "评分预览"):
        assert label in body
    assert body.count('name="innovation-awards_') == 6  # three rows of level + rank
    assert 'data-testid="missing"' in body
    assert 'data-testid="evidence-form"' in body  # evidence is attached while filling in


def test_saving_a_section_normalises_it_and_redirects(owner, draft):
    response = save(owner, draft, "innovation", INNOVATION)
    assert response.status_code == 302 and response.url.endswith("#section-innovation")
    draft.refresh_from_db()
    assert draft.form_data["innovation"] == {
        "strategic_emerging_product": True, "honors": ["high_tech"], "rd_institution": "municipal",
        "awards": [{"level": "provincial", "rank": 2}]}
    year = str(timezone.localdate(draft.window.starts_at).year - 1)
    assert draft.form_data["figures"][year]["operating_revenue"] == "5000.00"  # other sections kept


def test_saving_the_figures_keeps_money_as_strings_and_counts_as_ints(owner, draft):
    years = [str(y) for y in range(timezone.localdate(draft.window.starts_at).year - 1,
                                   timezone.localdate(draft.window.starts_at).year - 4, -1)]
    data = {f"figures-{name}_{y}": "" for y in years for name in ("employees",)}
    data.update({f"figures-operating_revenue_{years[0]}": "6000", f"figures-net_profit_{years[0]}": "-12.5",
                 f"figures-employees_{years[0]}": "150", f"figures-rd_staff_{years[0]}": "30"})
    assert save(owner, draft, "figures", data).status_code == 302
    draft.refresh_from_db()
    row = draft.form_data["figures"][years[0]]
    assert row["operating_revenue"] == "6000.00" and row["net_profit"] == "-12.50"
    assert row["employees"] == 150 and row["rd_staff"] == 30 and row["rd_expense"] is None


@pytest.mark.parametrize("section, data, field, message", [
    ("ip", {**IP, "ip-class1": "-1"}, "ip-class1", "数量不能为负数"),
    ("ip", {**IP, "ip-class2": "两件"}, "ip-class2", "请输入整数"),
    ("innovation", {**INNOVATION, "innovation-awards_0_rank": "0"}, "innovation-awards_0_rank", "名次应为不小于1的整数"),
    ("innovation", {**INNOVATION, "innovation-awards_1_rank": "3"}, "innovation-awards_1_level", "填写了排名，请选择奖励级别"),
    ("innovation", {**INNOVATION, "innovation-rd_institution": "galactic"}, "innovation-rd_institution", "请从列表中选择"),
])
def test_bad_input_is_a_chinese_error_at_the_field_and_nothing_is_saved(owner, draft, section, data,
                                                                       field, message):
    before = Declaration.objects.get(pk=draft.pk).form_data
    response = save(owner, draft, section, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-error-for="{field}"><div>{message}' in body
    if field.startswith("ip-"):  # what was typed is still there
        assert f'name="{field}" value="{data[field]}"' in body
    assert Declaration.objects.get(pk=draft.pk).form_data == before


def test_negative_money_and_more_rd_staff_than_employees_are_refused(owner, draft):
    year = timezone.localdate(draft.window.starts_at).year - 1
    response = save(owner, draft, "figures", {f"figures-rd_expense_{year}": "-1",
                                             f"figures-employees_{year}": "10",
                                             f"figures-rd_staff_{year}": "11"})
    body = response.content.decode()
    assert "金额不能为负数" in body and "研发人员数不能大于职工总数" in body
    assert 'value="-1"' in body
    draft.refresh_from_db()
    assert draft.form_data["figures"][str(year)]["rd_expense"] == "260.00"


def test_an_unknown_section_changes_nothing(owner, draft):
    before = Declaration.objects.get(pk=draft.pk).form_data
    assert save(owner, draft, "secrets", {"x": "1"}).status_code == 302
    assert save(owner, draft, "secrets", {"x": "1"}, view="autosave").status_code == 400
    assert Declaration.objects.get(pk=draft.pk).form_data == before


def test_the_features_section_asks_the_windows_indicators(ent_tianhe, owner, company):
    open_window("440000", Tier.SPECIALIZED, features=FEATURES)
    submitted(company, level=3)
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.SPECIALIZED)
    body = owner.get(url("edit", draft)).content.decode()
    assert "上年度出口额占营业收入比重（%）" in body and 'name="features-chain"' in body
    assert "最新评测等级：<strong>三级</strong>" in body
    attempt = Attempt.objects.get(enterprise=company)
    assert reverse("assessment:result", args=[attempt.public_id]) in body
    response = save(owner, draft, "features", {"features-export": "35", "features-chain": "是"},
                    view="autosave")
    assert response.json() == {"saved": True, "errors": {}}
    draft.refresh_from_db()
    assert draft.form_data["features"] == {"export": "35", "chain": "是"}
    preview = owner.get(url("preview", draft)).content.decode()
    assert "落在" in preview and "得10分" in preview


def test_a_window_without_features_says_so(ent_tianhe, owner, company):
    open_window("440000", Tier.SPECIALIZED)
    submitted(company)
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.SPECIALIZED)
    assert "本地区本批次未配置特色化指标" in owner.get(url("edit", draft)).content.decode()


# -- autosave and preview --------------------------------------------------------------------------------

def test_autosave_saves_one_section(owner, draft):
    response = save(owner, draft, "ip", IP, view="autosave")
    assert response.status_code == 200 and response.json()["saved"] is True
    draft.refresh_from_db()
    assert draft.form_data["ip"] == {"high_value_class1": 1, "self_developed_class1": 2,
                                     "class1": 3, "class2": 4}


def test_autosave_answers_the_errors_by_field_and_saves_nothing(owner, draft):
    response = save(owner, draft, "ip", {**IP, "ip-class1": "-3"}, view="autosave")
    assert response.status_code == 200
    assert response.json() == {"saved": False, "errors": {"ip-class1": ["数量不能为负数。"]}}
    assert "ip" not in Declaration.objects.get(pk=draft.pk).form_data


def test_the_preview_changes_with_what_is_saved(owner, draft):
    before = owner.get(url("preview", draft)).content.decode()
    assert "尚未填写" in before and "<html" not in before
    fill_all(owner, draft)
    after = owner.get(url("preview", draft)).content.decode()
    assert 'data-testid="complete"' in after and 'data-testid="missing"' not in after
    assert after != before


# -- a draft survives a new session ----------------------------------------------------------------------

def test_a_draft_survives_logging_out_and_in_again(client, ent_tianhe, draft):
    client.force_login(ent_tianhe)
    save(client, draft, "ip", {**IP, "ip-class2": "17"}, view="autosave")
    client.post(reverse("accounts:logout"))
    assert client.get(url("edit", draft)).status_code == 302  # logged out: to the login page
    client.force_login(ent_tianhe)
    body = client.get(url("edit", draft)).content.decode()
    assert 'name="ip-class2" value="17"' in body


# -- submit ----------------------------------------------------------------------------------------------

def test_submit_without_the_pledge_is_shown_at_the_checkbox(owner, draft):
    fill_all(owner, draft)
    response = owner.post(url("submit", draft))
    assert response.status_code == 200
    assert "请阅读并勾选真实性承诺后再提交" in response.content.decode()
    assert Declaration.objects.get(pk=draft.pk).status == "draft"


def test_submit_with_something_missing_names_it(owner, draft):
    response = owner.post(url("submit", draft), {"pledge": "on"})
    body = response.content.decode()
    assert response.status_code == 200 and "尚不能提交" in body and "以下内容尚未填写" in body
    assert Declaration.objects.get(pk=draft.pk).status == "draft"


def test_submit_files_it_and_lands_on_the_detail(owner, draft):
    fill_all(owner, draft)
    response = owner.post(url("submit", draft), {"pledge": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == url("detail", draft)
    body = response.content.decode()
    assert "申报已提交，当前由县级审核" in body
    draft.refresh_from_db()
    assert draft.status == "at_county" and draft.verification_code in body


def test_a_second_submit_is_refused_and_files_once(owner, filed):
    response = owner.post(url("submit", filed), {"pledge": "on"})
    assert response.status_code == 302 and response.url == url("detail", filed)
    assert [e.action for e in events_for(filed)] == ["start", "submit_to_county"]


def test_a_returned_declaration_shows_the_opinion_and_resubmits(owner, filed, tianhe_county):
    services.declaration_return(declaration=filed, by=tianhe_county, opinion="请补充研发费用明细")
    body = owner.get(url("edit", filed)).content.decode()
    assert "退回意见：请补充研发费用明细" in body and "县级退回修改" in body
    assert ">重新提交</button>" in body
    owner.post(url("submit", filed), {"pledge": "on"})
    filed.refresh_from_db()
    assert filed.status == "at_county"


def many_declarations(company) -> None:
    for n in range(10):
        Declaration.objects.create(number=f"Q{n}", enterprise=company, tier=Tier.INNOVATIVE,
                                   window=past_window(400 + n * 10), region=company.region)


def test_the_specialized_form_and_its_first_submit_stay_within_15_queries_plus_history(
        owner, ent_tianhe, company, django_assert_max_num_queries):
    many_declarations(company)
    open_window("440000", Tier.SPECIALIZED, features=FEATURES)
    submitted(company, level=3)
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.SPECIALIZED)
    for section, data in (("ip", IP), ("specialization", {
            "specialization-niche_years": "10", "specialization-product_field": "other",
            "specialization-quality_items": ["qms_certified"]}),
            ("innovation", {"innovation-rd_institution": "municipal"}),
            ("features", {"features-export": "12", "features-chain": "否"})):
        assert save(owner, draft, section, data).status_code == 302
    with django_assert_max_num_queries(15):
        assert owner.get(url("edit", draft)).status_code == 200
    # 15 for the submission itself, plus its two change-history rows (the declaration's and
    # its event's: 等保 安全审计).
    with django_assert_max_num_queries(17):
        response = owner.post(url("submit", draft), {"pledge": "on"})
    assert response.status_code == 302 and response.url == url("detail", draft)


def test_a_returned_form_and_its_resubmit_stay_within_15_queries_whatever_the_events(
        owner, ent_tianhe, company, filed, tianhe_county, django_assert_max_num_queries):
    many_declarations(company)
    for _ in range(5):
        services.declaration_return(declaration=filed, by=tianhe_county, opinion="再改")
        services.declaration_submit(declaration=filed, by=ent_tianhe, pledge=True)
    services.declaration_return(declaration=filed, by=tianhe_county, opinion="最后一次")
    with django_assert_max_num_queries(15):
        body = owner.get(url("edit", filed)).content.decode()
    assert "退回意见：最后一次" in body
    with django_assert_max_num_queries(15):
        assert owner.post(url("submit", filed), {"pledge": "on"}).status_code == 302


# -- detail ----------------------------------------------------------------------------------------------

def test_the_detail_shows_everything_filed_and_the_timeline(owner, filed, company):
    company.name = "后来改名的公司"
    company.save()
    body = owner.get(url("detail", filed)).content.decode()
    assert "广州天河科技有限公司" in body and "后来改名的公司" not in body  # the frozen profile
    assert "省级（省部级）科技奖励，排名第2" in body and "高新技术企业" in body
    assert 'data-testid="score"' in body and filed.verification_code in body
    assert body.count('data-testid="event"') == 2 and "创建草稿" in body
    assert url("pdf", filed) in body
    assert 'data-testid="evidence"' in body and 'data-testid="evidence-form"' not in body


def test_a_drafts_detail_is_its_form(owner, draft):
    response = owner.get(url("detail", draft))
    assert response.status_code == 302 and response.url == url("edit", draft)


def test_a_filed_declarations_form_leads_to_its_detail(owner, filed):
    response = owner.get(url("edit", filed))
    assert response.status_code == 302 and response.url == url("detail", filed)


# -- who may not ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("view, method", [("edit", "get"), ("autosave", "post"), ("preview", "get"),
                                          ("submit", "post"), ("detail", "get")])
def test_another_enterprise_gets_404_on_every_declaration_url(client, filed, draft, ent_yuexiu,
                                                              view, method):
    client.force_login(ent_yuexiu)
    for target in (draft, filed):
        response = getattr(client, method)(url(view, target), {"section": "ip", **IP, "pledge": "on"})
        assert response.status_code == 404
    assert Declaration.objects.get(pk=draft.pk).form_data.get("ip") == filed.form_data["ip"]


def test_anonymous_visitors_are_sent_to_login(client, draft):
    for name in ("edit", "preview", "detail"):
        response = client.get(url(name, draft))
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    response = client.get(reverse("declarations:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.post(url("autosave", draft), {"section": "ip", **IP})
    assert "ip" not in Declaration.objects.get(pk=draft.pk).form_data


def test_a_person_is_told_faq_2_and_an_official_is_refused(client, person, gd_province, draft):
    client.force_login(person)
    for target in (reverse("declarations:list"), url("edit", draft)):
        response = client.get(target)
        assert response.status_code == 403 and PERSON_CANNOT_DECLARE in response.content.decode()
    client.force_login(gd_province)
    for target in (reverse("declarations:list"), url("edit", draft), url("detail", draft)):
        assert client.get(target).status_code == 403
    assert client.post(url("autosave", draft), {"section": "ip", **IP}).status_code == 403
    assert client.post(reverse("declarations:start", args=["innovative"])).status_code == 403


def test_posting_on_a_filed_declaration_changes_nothing(owner, filed):
    before = Declaration.objects.get(pk=filed.pk)
    response = save(owner, filed, "ip", {**IP, "ip-class1": "99"})
    assert response.status_code == 302 and response.url == url("detail", filed)
    response = save(owner, filed, "ip", {**IP, "ip-class1": "99"}, view="autosave")
    assert response.status_code == 409 and response.json()["saved"] is False
    after = Declaration.objects.get(pk=filed.pk)
    assert after.form_data == before.form_data and after.updated_at == before.updated_at


def test_a_new_enterprise_account_sees_an_empty_list(client):
    user = enterprise("fresh", "440106", 900)
    client.force_login(user)
    body = client.get(reverse("declarations:list")).content.decode()
    assert "企业基本信息不完整" in body and 'href="/enterprise/profile/"' in body
    assert enterprise_for_account(user=user).declarations.count() == 0

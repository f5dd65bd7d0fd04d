"""A declaration's life cycle on the enterprise side: who may start, drafts, submission with
its frozen copy, return by the current processing level and resubmission (services)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from common.tiers import Tier
from common.workflow import events_for
from declarations import selectors, services
from declarations.models import Declaration
from enterprises import services as enterprise_services
from enterprises.models import InfoUpdate, Recognition, YearFigures
from portal.regions.models import Region
from tests.assessment.conftest import submitted
from tests.declarations.conftest import open_window, ready, specialized_title

pytestmark = pytest.mark.django_db


def reasons(company, tier, **kwargs) -> list[str]:
    return [r.reason for r in selectors.start_refusals(enterprise=company, tier=tier, **kwargs)]


def filled(declaration: Declaration, by) -> Declaration:
    """Give every answer the 创新型 form asks."""
    services.declaration_save_section(declaration=declaration, by=by, section="ip", data={
        "high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4})
    return services.declaration_save_section(declaration=declaration, by=by, section="innovation", data={
        "strategic_emerging_product": True, "honors": [], "rd_institution": "municipal",
        "awards": []})


# -- who may start --------------------------------------------------------------------------------

def test_an_enterprise_with_everything_may_start_and_gets_one_draft_for_two_clicks(
        ent_tianhe, company, gd_innovative):
    assert reasons(company, Tier.INNOVATIVE) == []
    first = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    second = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    assert first.pk == second.pk and Declaration.objects.count() == 1
    assert first.status == "draft" and first.window == gd_innovative
    assert first.number.startswith(f"{timezone.localdate().year}440000C")
    assert [e.action for e in events_for(first)] == ["start"]


def test_the_draft_starts_with_the_profile_figures_of_the_three_years(ent_tianhe, company, gd_innovative):
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    n = timezone.localdate(gd_innovative.starts_at).year
    assert draft.form_data["figures"][str(n - 1)]["operating_revenue"] == "5000.00"
    assert draft.form_data["figures"][str(n - 1)]["employees"] == 120
    assert draft.form_data["figures"][str(n - 3)]["rd_expense"] == "260.00"


def test_no_open_window_is_refused_with_the_region_and_a_link(company):
    [refusal] = selectors.start_refusals(enterprise=company, tier=Tier.INNOVATIVE)
    assert "广东省当前未开放创新型中小企业申报" in refusal.reason and refusal.fix_url == "/announcements/"


def test_a_closed_window_is_refused(company):
    window = open_window("440000", Tier.INNOVATIVE)
    with time_machine.travel(window.ends_at + dt.timedelta(seconds=1)):
        assert any("未开放" in r for r in reasons(company, Tier.INNOVATIVE))


def test_a_window_is_open_on_its_last_second(company):
    window = open_window("440000", Tier.INNOVATIVE)
    with time_machine.travel(window.ends_at):
        assert reasons(company, Tier.INNOVATIVE) == []


def test_an_enterprise_in_shenzhen_declares_to_shenzhen_not_guangdong(ent_shenzhen):
    company = ready(ent_shenzhen)
    company.region = Region.objects.get(code="440305")
    company.save()
    open_window("440000", Tier.INNOVATIVE)
    refused = reasons(company, Tier.INNOVATIVE, region_code="440000")
    assert any("只能向深圳市申报" in r for r in refused)
    assert any("深圳市当前未开放" in r for r in refused)
    open_window("440300", Tier.INNOVATIVE)
    assert reasons(company, Tier.INNOVATIVE, region_code="440300") == []


def test_an_incomplete_profile_is_refused_naming_what_is_missing(ent_tianhe, gd_innovative):
    from enterprises.services import enterprise_for_account

    [refusal] = selectors.start_refusals(enterprise=enterprise_for_account(user=ent_tianhe),
                                         tier=Tier.INNOVATIVE)
    assert "所属行业" in refusal.reason and refusal.fix_url == "/enterprise/profile/"


def test_specialized_needs_a_submitted_assessment(company):
    open_window("440000", Tier.SPECIALIZED)
    [refusal] = selectors.start_refusals(enterprise=company, tier=Tier.SPECIALIZED)
    assert "须先完成数字化水平评测" in refusal.reason and refusal.fix_url == "/assessment/"
    submitted(company)
    assert reasons(company, Tier.SPECIALIZED) == []


def test_giant_needs_a_valid_specialized_title(ent_tianhe, company):
    open_window("440000", Tier.GIANT)
    assert any("有效期内的专精特新中小企业" in r for r in reasons(company, Tier.GIANT))
    title = specialized_title(company)
    InfoUpdate.objects.create(enterprise=company, year=timezone.localdate().year,
                              figures_year=timezone.localdate().year - 1,
                              submitted_by=ent_tianhe, submitted_at=timezone.now())
    assert reasons(company, Tier.GIANT) == []
    title.valid_until = timezone.localdate() - dt.timedelta(days=1)
    title.valid_from = title.valid_until - dt.timedelta(days=1000)
    title.save()
    assert any("有效期内的专精特新中小企业" in r for r in reasons(company, Tier.GIANT))


def test_a_second_declaration_in_the_same_window_is_refused_once_the_first_is_filed(
        ent_tianhe, company, gd_innovative):
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert any("同一批次只能申报一次" in r for r in reasons(company, Tier.INNOVATIVE))
    with pytest.raises(ValidationError):
        services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)


def test_innovative_and_specialized_may_run_at_the_same_time(ent_tianhe, company, gd_innovative):
    open_window("440000", Tier.SPECIALIZED)
    submitted(company)
    services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.SPECIALIZED)
    assert Declaration.objects.count() == 2


def revoked(company, by, ground: str, days_ago: int = 0) -> Recognition:
    title = Recognition.objects.create(enterprise=company, tier=Tier.INNOVATIVE,
                                       valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2030, 1, 1))
    with time_machine.travel(timezone.now() - dt.timedelta(days=days_ago), tick=False):
        return enterprise_services.recognition_revoke(
            recognition=title, by=by, ground=ground, document_no="粤工信函〔2024〕1号",
            opinion="经核实")


@pytest.mark.parametrize("days_ago, barred", [(3 * 365 - 5, True), (3 * 365 + 5, False)])
def test_a_cancellation_for_misconduct_bars_declarations_for_three_years(company, gd_innovative,
                                                                        ministry, days_ago, barred):
    revoked(company, ministry, "misconduct", days_ago)
    found = [r for r in reasons(company, Tier.INNOVATIVE) if "数据造假" in r]
    assert bool(found) is barred
    if barred:
        assert "前不得申报" in found[0]


def test_a_cancellation_for_another_reason_does_not_bar(company, gd_innovative, ministry):
    revoked(company, ministry, "change_unqualified")
    assert reasons(company, Tier.INNOVATIVE) == []


def test_a_recognised_enterprise_updates_its_information_before_declaring_another_tier(
        ent_tianhe, company):
    year = timezone.localdate().year
    Recognition.objects.create(enterprise=company, tier=Tier.INNOVATIVE, valid_from=dt.date(year - 1, 1, 1),
                               valid_until=dt.date(year + 2, 1, 1))
    submitted(company)
    open_window("440000", Tier.SPECIALIZED)
    assert any(f"须先完成{year}年信息更新" in r for r in reasons(company, Tier.SPECIALIZED))
    InfoUpdate.objects.create(enterprise=company, year=year, figures_year=year - 1,
                              submitted_by=ent_tianhe, submitted_at=timezone.now())
    assert reasons(company, Tier.SPECIALIZED) == []


def test_a_person_or_another_enterprise_cannot_start_it(person, ent_yuexiu, company, gd_innovative):
    for outsider in (person, ent_yuexiu):
        with pytest.raises(PermissionDenied):
            services.declaration_start(enterprise=company, by=outsider, tier=Tier.INNOVATIVE)
    assert not Declaration.objects.exists()


# -- the review chain's shape -------------------------------------------------------------------------

@pytest.mark.parametrize("code, tier, levels", [
    ("440106", Tier.INNOVATIVE, ["county", "city", "province"]),  # 广州市天河区
    ("440305", Tier.INNOVATIVE, ["county", "province"]),  # 深圳 (计划单列市) 南山区
    ("110101", Tier.SPECIALIZED, ["county", "province"]),  # 北京 东城区: no real city level
    ("441900", Tier.INNOVATIVE, ["city", "province"]),  # 东莞: a city without counties
    ("440106", Tier.GIANT, ["county", "city", "province", "ministry"]),
])
def test_the_review_chain_skips_levels_that_do_not_exist(code, tier, levels):
    assert services.review_levels(region=Region.objects.get(code=code), tier=tier) == levels


def test_a_region_that_switched_county_review_off_starts_at_the_city():
    region = Region.objects.get(code="440106")
    region.declaration_region.county_review = False
    region.declaration_region.save()
    assert services.review_levels(region=region, tier=Tier.INNOVATIVE) == ["city", "province"]


# -- submission ---------------------------------------------------------------------------------------

def test_submission_freezes_the_result_profile_and_code_and_goes_to_the_first_level(
        ent_tianhe, company, gd_innovative):
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    done = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert done.status == "at_county" and done.processing_level_label == "县级"
    assert done.result["tier"] == "innovative" and done.result["verdict"]
    assert done.profile["name"] == "广州天河科技有限公司"
    assert done.verification_code == done.compute_verification_code()
    assert len(done.verification_code) == 11
    # A later profile edit or figure change changes nothing filed.
    company.name = "改名后的公司"
    company.save()
    YearFigures.objects.filter(enterprise=company).update(rd_expense=1)
    done.refresh_from_db()
    assert done.profile["name"] == "广州天河科技有限公司"
    assert done.verification_code == done.compute_verification_code()


def test_the_code_changes_when_anything_filed_changes(ent_tianhe, company, gd_innovative):
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    done = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    done.profile["name"] = "篡改"
    assert done.compute_verification_code() != done.verification_code


def test_a_double_submit_files_once(ent_tianhe, company, gd_innovative):
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    with pytest.raises(ValidationError, match="可能已被他人处理"):
        services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert [e.action for e in events_for(draft)] == ["start", "submit_to_county"]


def test_submission_needs_the_pledge_and_every_answer(ent_tianhe, company, gd_innovative):
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    with pytest.raises(ValidationError) as info:
        services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=False)
    assert "pledge" in info.value.message_dict
    with pytest.raises(ValidationError, match="尚未填写"):
        services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert Declaration.objects.get().status == "draft"


def test_after_the_window_closes_a_draft_cannot_be_submitted(ent_tianhe, company, gd_innovative):
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    with time_machine.travel(gd_innovative.ends_at + dt.timedelta(minutes=1)), \
            pytest.raises(ValidationError, match="申报时间已结束"):
        services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)


def test_a_specialized_declaration_freezes_the_assessment_a_retake_does_not_change_it(ent_tianhe, company):
    open_window("440000", Tier.SPECIALIZED)
    first = submitted(company, level=3)
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.SPECIALIZED)
    assert draft.form_data["specialization"]["niche_years"]
    services.declaration_save_section(declaration=draft, by=ent_tianhe, section="ip", data={
        "high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4})
    services.declaration_save_section(declaration=draft, by=ent_tianhe, section="specialization", data={
        "niche_years": "10.0", "product_field": "other", "quality_items": ["qms_certified"]})
    services.declaration_save_section(declaration=draft, by=ent_tianhe, section="innovation", data={
        "rd_institution": "municipal", "awards": [], "maker_china_rank": None})
    services.declaration_save_section(declaration=draft, by=ent_tianhe, section="features", data={})
    done = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert done.assessment["attempt"] == str(first.public_id)
    submitted(company, level=1)
    done.refresh_from_db()
    assert done.assessment["attempt"] == str(first.public_id) and done.assessment["level"] == 3


# -- return and resubmission ----------------------------------------------------------------------------

@pytest.fixture
def filed(ent_tianhe, company, gd_innovative) -> Declaration:
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    return services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)


def test_only_the_current_processing_level_in_the_region_may_return_it(filed, gz_city, gd_province, yuexiu_county):
    for wrong in (gz_city, gd_province, yuexiu_county):
        with pytest.raises(PermissionDenied):
            services.declaration_return(declaration=filed, by=wrong, opinion="补充材料")
    assert Declaration.objects.get().status == "at_county"


def test_a_return_needs_an_opinion_and_an_open_window(filed, tianhe_county, gd_innovative):
    with pytest.raises(ValidationError):
        services.declaration_return(declaration=filed, by=tianhe_county, opinion=" ")
    with time_machine.travel(gd_innovative.ends_at + dt.timedelta(seconds=1)), \
            pytest.raises(ValidationError, match="申报时间已结束"):
        services.declaration_return(declaration=filed, by=tianhe_county, opinion="补充材料")
    assert Declaration.objects.get().status == "at_county"


def test_returned_it_is_editable_and_resubmission_goes_back_to_the_level_that_returned_it(
        filed, ent_tianhe, tianhe_county):
    Declaration.objects.filter(pk=filed.pk).update(status="at_city")  # the county passed it on
    filed.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.declaration_return(declaration=filed, by=tianhe_county, opinion="不是本级")
    from tests.conftest import official

    city = official("o_gz_2", "city", "440100")
    returned = services.declaration_return(declaration=filed, by=city, opinion="研发费用口径有误")
    assert returned.status == "returned" and returned.returned_level == "city" and returned.editable
    services.declaration_save_section(declaration=returned, by=ent_tianhe, section="ip", data={
        "high_value_class1": 2, "self_developed_class1": 2, "class1": 3, "class2": 4})
    again = services.declaration_submit(declaration=returned, by=ent_tianhe, pledge=True)
    assert again.status == "at_city" and again.returned_level == ""
    assert events_for(filed).get(action="return").opinion == "研发费用口径有误"


def test_a_filed_declaration_cannot_be_edited(filed, ent_tianhe):
    with pytest.raises(ValidationError, match="已提交"):
        services.declaration_save_section(declaration=filed, by=ent_tianhe, section="ip", data={})


# -- access ---------------------------------------------------------------------------------------------

def test_another_enterprise_gets_404_for_the_declaration(filed, ent_tianhe, ent_yuexiu):
    assert selectors.get_declaration_for_user(ent_tianhe, filed.public_id) == filed
    with pytest.raises(Http404):
        selectors.get_declaration_for_user(ent_yuexiu, filed.public_id)
    with pytest.raises(Http404):
        selectors.get_declaration_for_user(ent_tianhe, filed.public_id, write=True)
    with pytest.raises(Http404):
        selectors.get_declaration_for_user(ent_tianhe, "not-a-uuid")


def test_impossible_inputs_that_reached_the_row_are_named_never_a_500(client, ent_tianhe, company, gd_innovative):
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    Declaration.objects.filter(pk=draft.pk).update(form_data={
        **draft.form_data, "ip": {"class1": -3}, "innovation": {"awards": [{"level": "national", "rank": 0}]}})
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert any("不能为负数" in m or "排名" in m for m in info.value.messages)
    client.force_login(ent_tianhe)
    page = client.get(f"/enterprise/declarations/{draft.public_id}/edit/")
    assert page.status_code == 200
    assert client.get(f"/enterprise/declarations/{draft.public_id}/preview/").status_code == 200
    assert Declaration.objects.get().status == "draft"


def test_the_industry_section_is_filed_with_the_declaration(ent_tianhe, company, gd_innovative):
    from enterprises.models import Industry

    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    assert draft.section == ""  # a draft has filed nothing
    done = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert done.section == "C"  # 3311 金属结构制造
    # A later change of 所属行业 leaves what was filed; a resubmission files the new one.
    company.industry = Industry.objects.get(code="6511")
    company.save()
    done.refresh_from_db()
    assert done.section == "C"
    from tests.conftest import official

    returned = services.declaration_return(declaration=done, by=official("o_th_2", "county", "440106"),
                                           opinion="请核对行业")
    again = services.declaration_submit(declaration=returned, by=ent_tianhe, pledge=True)
    assert again.section == "I"

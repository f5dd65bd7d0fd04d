"""Officials: the review chain level by level, 不予推荐, bulk 推荐, 实地抽查 sampling, the admin
queue and detail, and two officials acting at once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from common.tiers import Tier
from common.workflow import events_for
from declarations import services
from declarations.models import Declaration, OnsiteCheck, SamplingRun
from portal.regions.models import Region
from tests.conftest import enterprise, official
from tests.declarations.conftest import open_window, ready

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def file_one(user, tier=Tier.INNOVATIVE, code: str = "") -> Declaration:
    """`user`'s enterprise (registered in `code`, 天河 by default) files a complete 创新型
    declaration."""
    company = ready(user)
    if code:
        company.region = Region.objects.get(code=code)
        company.save()
    draft = services.declaration_start(enterprise=company, by=user, tier=tier)
    services.declaration_save_section(declaration=draft, by=user, section="ip", data={
        "high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4})
    services.declaration_save_section(declaration=draft, by=user, section="innovation", data={
        "strategic_emerging_product": True, "honors": [], "rd_institution": "municipal",
        "awards": []})
    return services.declaration_submit(declaration=draft, by=user, pledge=True)


@pytest.fixture
def gd_window(db):
    return open_window("440000", Tier.INNOVATIVE)


def test_a_guangzhou_county_declaration_goes_county_city_province_and_passes(
        ent_tianhe, gd_window, tianhe_county, gz_city, gd_province):
    filed = file_one(ent_tianhe)
    assert filed.status == "at_county"
    for official_, expected in ((tianhe_county, "at_city"), (gz_city, "at_province"),
                                (gd_province, "recommended")):
        filed = services.declaration_recommend(declaration=filed, by=official_)
        assert filed.status == expected
    assert [e.by_level for e in events_for(filed)][-3:] == ["county", "city", "province"]


def test_a_beijing_district_skips_the_city_level(db):
    open_window("110000", Tier.INNOVATIVE)
    filed = file_one(enterprise("ent_bj", "110101", 71), code="110101")
    county = official("o_dongcheng", "county", "110101")
    filed = services.declaration_recommend(declaration=filed, by=county)
    assert filed.status == "at_province"


def test_a_shenzhen_district_goes_to_shenzhen_as_its_province_level(ent_shenzhen, sz_province, gd_province):
    open_window("440300", Tier.INNOVATIVE)
    filed = file_one(ent_shenzhen, code="440305")
    county = official("o_nanshan", "county", "440305")
    filed = services.declaration_recommend(declaration=filed, by=county)
    assert filed.status == "at_province"
    with pytest.raises(PermissionDenied):  # 广东 is not 深圳's declaration region
        services.declaration_recommend(declaration=filed, by=gd_province)
    assert services.declaration_recommend(declaration=filed, by=sz_province).status == "recommended"


def test_a_region_that_switched_city_review_off_goes_county_to_province(ent_tianhe, gd_window, tianhe_county):
    region = Region.objects.get(code="440106").declaration_region
    region.city_review = False
    region.save()
    filed = file_one(ent_tianhe)
    assert services.declaration_recommend(declaration=filed, by=tianhe_county).status == "at_province"


def test_a_giant_declaration_goes_on_to_the_ministry(ent_tianhe, tianhe_county, gz_city, gd_province, ministry):
    from enterprises.models import InfoUpdate
    from tests.declarations.conftest import specialized_title

    open_window("440000", Tier.GIANT)
    company = ready(ent_tianhe)
    specialized_title(company)
    from django.utils import timezone

    InfoUpdate.objects.create(enterprise=company, year=timezone.localdate().year,
                              figures_year=timezone.localdate().year - 1, submitted_by=ent_tianhe,
                              submitted_at=timezone.now())
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.GIANT)
    Declaration.objects.filter(pk=draft.pk).update(status="at_province")
    draft.refresh_from_db()
    assert services.declaration_recommend(declaration=draft, by=gd_province).status == "at_ministry"
    assert services.declaration_recommend(declaration=draft, by=ministry).status == "recommended"


def test_not_recommended_is_final_with_its_opinion(ent_tianhe, gd_window, tianhe_county):
    filed = file_one(ent_tianhe)
    with pytest.raises(ValidationError):
        services.declaration_not_recommend(declaration=filed, by=tianhe_county, opinion="")
    done = services.declaration_not_recommend(declaration=filed, by=tianhe_county, opinion="研发投入不足")
    assert done.status == "not_recommended"
    assert events_for(done).last().opinion == "研发投入不足"
    with pytest.raises(ValidationError):
        services.declaration_recommend(declaration=done, by=tianhe_county)


def test_a_level_that_is_not_current_cannot_act(ent_tianhe, gd_window, gz_city, gd_province, js_province):
    filed = file_one(ent_tianhe)
    for wrong in (gz_city, gd_province, js_province):
        with pytest.raises(PermissionDenied):
            services.declaration_recommend(declaration=filed, by=wrong)
    assert Declaration.objects.get().status == "at_county"


def test_bulk_recommend_moves_what_it_may_and_names_what_it_may_not(
        ent_tianhe, ent_yuexiu, gd_window, tianhe_county):
    mine = file_one(ent_tianhe)
    other = file_one(ent_yuexiu, code="440104")  # 越秀区: not the 天河 county official's
    moved, refused = services.declarations_recommend(
        declarations=Declaration.objects.filter(pk__in=[mine.pk, other.pk]).order_by("pk"),
        by=tianhe_county)
    assert moved == 1 and len(refused) == 1 and other.number in refused[0]
    assert Declaration.objects.get(pk=mine.pk).status == "at_city"
    assert Declaration.objects.get(pk=other.pk).status == "at_county"


# -- 实地抽查 -------------------------------------------------------------------------------------------

def many_at_county(count: int) -> list[Declaration]:
    found = []
    for i in range(count):
        user = enterprise(f"ent_s{i}", "440106", 500 + i)
        found.append(file_one(user))
    return found


def test_the_sample_is_ten_percent_reproducible_and_logged(gd_window, tianhe_county):
    filed = many_at_county(12)
    run = services.onsite_sample_draw(by=tianhe_county, declarations=Declaration.objects.all(),
                                      seed="seed-2026")
    assert len(run.population) == 12 and len(run.chosen) == 2  # ceil(12 × 10 %)
    assert OnsiteCheck.objects.filter(level="county").count() == 2
    # The same population and seed draw the same sample.
    import random

    assert sorted(random.Random("seed-2026").sample(sorted(d.pk for d in filed), 2)) == run.chosen
    assert SamplingRun.objects.get().drawn_by == tianhe_county


def test_a_sampled_declaration_moves_on_only_after_a_passing_result(ent_tianhe, gd_window, tianhe_county):
    filed = file_one(ent_tianhe)
    run = services.onsite_sample_draw(by=tianhe_county, declarations=[filed], rate=Decimal("1"))
    assert run.chosen == [filed.pk]
    with pytest.raises(ValidationError, match="请先录入实地抽查结果"):
        services.declaration_recommend(declaration=filed, by=tianhe_county)
    check = OnsiteCheck.objects.get()
    services.onsite_record(check=check, by=tianhe_county, result="failed", note="现场无研发场地")
    with pytest.raises(ValidationError, match="实地抽查不符合"):
        services.declaration_recommend(declaration=filed, by=tianhe_county)
    services.onsite_record(check=check, by=tianhe_county, result="passed", note="复查符合")
    assert services.declaration_recommend(declaration=filed, by=tianhe_county).status == "at_city"


def test_a_higher_level_never_draws_what_a_lower_level_drew(ent_tianhe, ent_yuexiu, gd_window, tianhe_county,
                                                            yuexiu_county, gz_city):
    first, second = file_one(ent_tianhe), file_one(ent_yuexiu, code="440104")
    services.onsite_sample_draw(by=tianhe_county, declarations=[first], rate=Decimal("1"))
    services.onsite_record(check=OnsiteCheck.objects.get(), by=tianhe_county, result="passed", note="符合")
    services.declaration_recommend(declaration=first, by=tianhe_county)
    services.declaration_recommend(declaration=second, by=yuexiu_county)
    run = services.onsite_sample_draw(by=gz_city, declarations=Declaration.objects.all(), rate=Decimal("1"))
    assert run.population == [second.pk] and run.chosen == [second.pk]


def test_only_the_drawing_level_records_the_result(ent_tianhe, gd_window, tianhe_county, gz_city):
    filed = file_one(ent_tianhe)
    services.onsite_sample_draw(by=tianhe_county, declarations=[filed], rate=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.onsite_record(check=OnsiteCheck.objects.get(), by=gz_city, result="passed", note="x")
    with pytest.raises(ValidationError):
        services.onsite_record(check=OnsiteCheck.objects.get(), by=tianhe_county, result="passed", note="")


def test_an_enterprise_cannot_draw_a_sample(ent_tianhe, gd_window):
    with pytest.raises(PermissionDenied):
        services.onsite_sample_draw(by=ent_tianhe, declarations=[])


# -- the admin -----------------------------------------------------------------------------------------

ADMIN = "/admin/declarations/declaration/"


def test_the_queue_shows_what_waits_at_my_level_and_the_detail_the_frozen_copy(
        client, ent_tianhe, ent_nanjing, gd_window, tianhe_county, gz_city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    filed = file_one(ent_tianhe)
    services.declaration_return  # noqa: B018 (the table's services are what the form calls)
    client.force_login(gz_city)
    assert filed.number not in client.get(ADMIN).content.decode()  # at the county, not mine
    assert filed.number in client.get(f"{ADMIN}?queue=all").content.decode()
    client.force_login(tianhe_county)
    assert filed.number in client.get(ADMIN).content.decode()
    page = client.get(f"{ADMIN}{filed.pk}/change/").content.decode()
    assert "评分结果（提交时冻结）" in page and "广州天河科技有限公司" in page and "办理记录" in page
    assert "审核通过，推荐至市级" in page and "退回企业修改" in page and "不予推荐" in page
    assert "推荐至省级" not in page  # only the step this declaration's chain takes


def test_the_queue_lists_its_rows_and_windows_in_a_fixed_number_of_queries(
        client, ent_tianhe, ent_yuexiu, gd_window, tianhe_county, gz_city):
    """Each row's enterprise, 申报批次 and status, and the 申报批次 filter named as
    str(window) and its note; the queries do not grow with the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    type(gd_window).objects.filter(pk=gd_window.pk).update(note="2026年第一批")
    gd_window.refresh_from_db()
    client.force_login(gz_city)
    file_one(ent_tianhe)
    client.get(f"{ADMIN}?queue=all")  # what a first request of a process reads once
    with CaptureQueriesContext(connection) as one:
        client.get(f"{ADMIN}?queue=all")
    file_one(ent_yuexiu)
    with CaptureQueriesContext(connection) as two:
        body = client.get(f"{ADMIN}?queue=all").content.decode()
    assert len(one) == len(two)
    assert "广州天河科技有限公司" in body and "广州越秀制造有限公司" in body
    assert f"{gd_window} 2026年第一批" in body  # the filter's choice
    assert body.count(f"{gd_window.declaration_region.name} 2026年第一批") >= 2  # each row


def test_an_official_decides_in_the_admin_and_a_refusal_shows_no_success(client, ent_tianhe, gd_window,
                                                                         tianhe_county):
    filed = file_one(ent_tianhe)
    client.force_login(tianhe_county)
    url = f"{ADMIN}{filed.pk}/change/"
    assert "必须填写审核意见" in client.post(url, {"decision": "return", "opinion": ""}).content.decode()
    assert Declaration.objects.get().status == "at_county"
    client.post(url, {"decision": "return", "opinion": "请补充研发费用明细"})
    done = Declaration.objects.get()
    assert done.status == "returned" and done.returned_level == "county"


def test_officials_of_other_regions_get_404_on_the_declaration_and_its_evidence(
        client, ent_tianhe, gd_window, js_province, yuexiu_county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    company = ready(ent_tianhe)
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    services.evidence_add(declaration=draft, by=ent_tianhe, indicator="",
                          files=[SimpleUploadedFile("营业执照.pdf", PDF)])
    Declaration.objects.filter(pk=draft.pk).update(status="at_county")
    evidence = draft.evidence.get()
    for outsider in (js_province, yuexiu_county):
        client.force_login(outsider)
        assert client.get(f"{ADMIN}{draft.pk}/change/").status_code == 404
        assert client.get(f"{ADMIN}{draft.pk}/evidence/{evidence.pk}/").status_code == 404


def test_the_region_downloads_the_evidence_under_its_chinese_name(client, ent_tianhe, gd_window, gz_city,
                                                                 settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    company = ready(ent_tianhe)
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)
    services.evidence_add(declaration=draft, by=ent_tianhe, indicator="",
                          files=[SimpleUploadedFile("营业执照.pdf", PDF)])
    Declaration.objects.filter(pk=draft.pk).update(status="at_county")
    client.force_login(gz_city)
    response = client.get(f"{ADMIN}{draft.pk}/evidence/{draft.evidence.get().pk}/")
    assert response.status_code == 200 and "filename*=utf-8''%E8%90%A5" in response["Content-Disposition"]


def test_drafts_are_not_shown_to_officials(client, ent_tianhe, gd_window, tianhe_county):
    draft = services.declaration_start(enterprise=ready(ent_tianhe), by=ent_tianhe, tier=Tier.INNOVATIVE)
    client.force_login(tianhe_county)
    assert client.get(f"{ADMIN}{draft.pk}/change/").status_code == 404


# -- two officials at once ----------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officials_acting_at_once_move_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are what is tested: PostgreSQL only")
    open_window("440000", Tier.INNOVATIVE)
    filed = file_one(enterprise("ent_race", "440106", 880))
    first = official("o_race_1", "county", "440106")
    second = official("o_race_2", "county", "440106")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user, action):
        barrier.wait()
        try:
            if action == "recommend":
                services.declaration_recommend(declaration=filed, by=user)
            else:
                services.declaration_not_recommend(declaration=filed, by=user, opinion="不符合")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused:" + exc.messages[0])
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            outcomes.append(f"error:{exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(first, "recommend")),
               threading.Thread(target=act, args=(second, "not_recommend"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[:7] for o in outcomes) == ["ok", "refused"]
    assert "可能已被他人处理" in next(o for o in outcomes if o.startswith("refused"))
    decisions = [e for e in events_for(Declaration.objects.get()) if e.by_level == "county"]
    assert len(decisions) == 1


# -- judgements -----------------------------------------------------------------------------------------

def test_an_official_judges_an_item_with_a_reason_and_both_results_are_kept(ent_tianhe, gd_window,
                                                                            tianhe_county, gz_city):
    filed = file_one(ent_tianhe)
    assert filed.result["verdict"] == "需人工判断"
    with pytest.raises(ValidationError):
        services.judgement_record(declaration=filed, by=tianhe_county,
                                  field="eligibility.registered_sme", value=True, reason=" ")
    with pytest.raises(PermissionDenied):  # not the current processing level
        services.judgement_record(declaration=filed, by=gz_city, field="eligibility.registered_sme",
                                  value=True, reason="已核实营业执照")
    with pytest.raises(ValidationError):
        services.judgement_record(declaration=filed, by=tianhe_county, field="industrial_chain_role",
                                  value=True, reason="创新型没有这一项")
    for name, _label in (("registered_sme", ""), ("not_on_credit_blacklist", ""),
                         ("products_permitted", ""), ("no_major_incident", "")):
        services.judgement_record(declaration=filed, by=tianhe_county, field=f"eligibility.{name}",
                                  value=True, reason="已核实")
    filed.refresh_from_db()
    assert filed.result["verdict"] == "需人工判断"  # as filed, kept
    assert filed.reviewed_result["verdict"] != "需人工判断"
    services.judgement_record(declaration=filed, by=tianhe_county, field="eligibility.no_major_incident",
                              value=False, reason="2025年发生安全生产事故")
    filed.refresh_from_db()
    assert filed.reviewed_result["verdict"] == "不符合"
    assert filed.judgements.count() == 5  # every judgement stays


def test_the_admin_shows_the_judgements_and_records_one(client, ent_tianhe, gd_window, tianhe_county):
    filed = file_one(ent_tianhe)
    client.force_login(tianhe_county)
    url = f"{ADMIN}{filed.pk}/judge/"
    page = client.post(url, {"field": "eligibility.registered_sme", "value": "yes", "reason": ""})
    assert "请填写判断理由" in page.content.decode()
    response = client.post(url, {"field": "eligibility.registered_sme", "value": "yes",
                                 "reason": "已核实营业执照"})
    assert response.status_code == 302
    detail = client.get(f"{ADMIN}{filed.pk}/change/").content.decode()
    assert "已核实营业执照" in detail and "需人工判断" in detail


def test_officials_of_other_regions_cannot_reach_the_judgement_page(client, ent_tianhe, gd_window, js_province):
    filed = file_one(ent_tianhe)
    client.force_login(js_province)
    assert client.get(f"{ADMIN}{filed.pk}/judge/").status_code == 404
    assert client.post(f"{ADMIN}{filed.pk}/judge/", {"field": "eligibility.registered_sme",
                                                      "value": "yes", "reason": "x"}).status_code == 404
    assert not filed.judgements.exists()


def test_a_region_switches_a_level_off_for_one_tier_only(ent_tianhe, gd_window, tianhe_county):
    from declarations.models import ReviewChain
    from tests.conftest import dr

    ReviewChain.objects.create(declaration_region=dr("440000"), tier=Tier.SPECIALIZED,
                               county_review=False)
    region = Region.objects.get(code="440106")
    assert services.review_levels(region=region, tier=Tier.SPECIALIZED) == ["city", "province"]
    assert services.review_levels(region=region, tier=Tier.INNOVATIVE) == ["county", "city", "province"]


def test_a_province_official_sets_its_own_regions_chain_only(client, gd_province):
    from declarations.models import ReviewChain
    from tests.conftest import dr

    client.force_login(gd_province)
    url = "/admin/declarations/reviewchain/add/"
    assert client.post(url, {"declaration_region": dr("320000").pk, "tier": "innovative",
                             "city_review": "on"}).status_code == 200
    assert not ReviewChain.objects.exists()
    assert client.post(url, {"declaration_region": dr("440000").pk, "tier": "innovative",
                             "city_review": "on"}).status_code == 302
    assert ReviewChain.objects.get().county_review is False

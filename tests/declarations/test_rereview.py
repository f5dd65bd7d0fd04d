"""认证到期管理 and 复核 (domain.md §2.5–§2.8, §0.1): eligibility on each condition and its
edges, the 复核 declaration through the same chain, judged by the title's own standard, and
the extension of the same title by 3 years when it passes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from common.tiers import Tier
from common.workflow import events_for
from declarations import selectors, services
from declarations.models import Declaration
from enterprises.models import (
    ChangeType,
    InfoUpdate,
    MajorChange,
    Recognition,
    RecognitionTerm,
    RereviewSetting,
    UpdateWindow,
)
from enterprises.services import enterprise_for_account
from messaging.models import Message
from tests.conftest import dr
from tests.declarations.conftest import open_window, ready
from tests.declarations.test_lifecycle import filled

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10):
    """A moment on `day` (YYYY-MM-DD), Beijing time, for time_machine."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SH)


@pytest.fixture
def company(ent_tianhe):
    return ready(ent_tianhe, 2025)


@pytest.fixture
def title(company) -> Recognition:
    """创新型, recognised 2023-06-01 under the 2022 standard, valid until 2026-05-31: its 复核
    period is 2025-12-01 – 2026-05-31; the 2024 and 2025 updates were due (and made)."""
    title = Recognition.objects.create(enterprise=company, tier=Tier.INNOVATIVE, batch="2023年第一批",
                                       document_no="粤工信〔2023〕1号", certificate_no="C-1",
                                       valid_from=dt.date(2023, 6, 1),
                                       valid_until=dt.date(2026, 5, 31), standard_version="2022")
    RecognitionTerm.objects.create(recognition=title, valid_from=title.valid_from,
                                   valid_until=title.valid_until, source="recognition")
    for year in (2024, 2025):
        updated(company, year)
    return title


def updated(company, year: int) -> InfoUpdate:
    return InfoUpdate.objects.create(enterprise=company, year=year, figures_year=year - 1,
                                     submitted_by=company.account,
                                     submitted_at=dt.datetime(year, 3, 1, tzinfo=SH))


def problems(title: Recognition, day: str) -> list[str]:
    with time_machine.travel(at(day), tick=False):
        return [r.reason for r in selectors.rereview_refusals(recognition=title)]


# --- eligibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "ok"), [("2025-11-30", False), ("2025-12-01", True),
                                         ("2026-05-31", True), ("2026-06-01", False)])
def test_the_period_is_the_last_six_months_of_validity_by_default(title, day, ok):
    if day >= "2026-05-01":
        updated(title.enterprise, 2026)  # the 2026 update was due by 30 April
    found = problems(title, day)
    assert (found == []) is ok, found
    if not ok:
        assert "复核申请" in found[0]
        assert "2025年12月1日至2026年5月31日" in found[0] or "2026年5月31日截止" in found[0]


def test_a_region_sets_its_own_period_and_it_beats_the_national_one(title):
    RereviewSetting.objects.create(tier=Tier.INNOVATIVE, opens_months_before=3)
    assert problems(title, "2026-02-28") == [r for r in problems(title, "2026-02-28")
                                             if "尚未开始" in r] != []
    assert problems(title, "2026-03-01") == []
    RereviewSetting.objects.create(declaration_region=dr("440000"), tier=Tier.INNOVATIVE,
                                   opens_months_before=1, closes_months_after=1)
    updated(title.enterprise, 2026)
    assert any("尚未开始" in p for p in problems(title, "2026-04-30"))
    assert problems(title, "2026-05-01") == []
    assert problems(title, "2026-06-30") == []  # one month after the end
    assert any("截止" in p for p in problems(title, "2026-07-01"))
    # Another tier keeps the default.
    RereviewSetting.objects.filter(tier=Tier.INNOVATIVE).delete()
    assert problems(title, "2025-12-01") == []


def test_a_missed_annual_update_removes_eligibility_naming_the_year(title):
    InfoUpdate.objects.filter(year=2025).delete()
    found = problems(title, "2026-03-01")
    assert found == ["2025年信息更新未在2025年4月30日前完成，按规定取消复核资格。"]


def test_this_years_update_counts_once_its_window_has_closed(title):
    assert problems(title, "2026-04-30") == []  # still open: not missed yet
    assert problems(title, "2026-05-01") == ["2026年信息更新未在2026年4月30日前完成，按规定取消复核资格。"]
    # A province that moved its window: the region's window decides.
    UpdateWindow.objects.create(year=2026, declaration_region=dr("440000"),
                                starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 5, 20))
    assert problems(title, "2026-05-01") == []


def test_a_year_whose_window_opened_before_the_title_was_granted_is_not_due(title):
    # Recognised 2023-06-01: the 2023 window (1 Jan – 30 Apr) was before it.
    assert not InfoUpdate.objects.filter(year=2023).exists()
    assert problems(title, "2026-03-01") == []


def test_a_major_change_reported_late_removes_eligibility(title):
    change = MajorChange.objects.create(
        enterprise=title.enterprise, change_type=ChangeType.RENAME, changed_on=dt.date(2025, 1, 10),
        before="甲", after="乙", reason="更名", status=MajorChange.Status.APPROVED, is_late=True)
    assert problems(title, "2026-03-01") == [
        "重大变更（更名，2025年1月10日）未在3个月内报告，按规定取消复核资格。"]
    change.is_late = False  # reported in time: no effect
    change.save()
    assert problems(title, "2026-03-01") == []


def test_a_late_change_before_the_current_validity_or_still_a_draft_does_not_count(title):
    base = {"enterprise": title.enterprise, "change_type": ChangeType.RENAME, "before": "甲",
            "after": "乙", "reason": "更名", "is_late": True}
    MajorChange.objects.create(changed_on=dt.date(2023, 1, 10), status="approved", **base)
    MajorChange.objects.create(changed_on=dt.date(2025, 1, 10), status="draft", **base)
    assert problems(title, "2026-03-01") == []


def test_a_cancelled_title_cannot_apply(title):
    title.state, title.revoked_at = "revoked", dt.datetime(2025, 10, 1, tzinfo=SH)
    title.revoke_reason = "企业申请"
    title.save()
    assert problems(title, "2026-03-01") == ["该称号已被取消认定，不能申请复核。"]


def test_every_failed_condition_is_listed_at_once(title):
    InfoUpdate.objects.all().delete()
    found = problems(title, "2025-06-01")
    assert len(found) == 3  # not yet open; 2024 and 2025 updates missed
    assert "尚未开始" in found[0] and "2024年信息更新" in found[1] and "2025年信息更新" in found[2]


# --- applying -------------------------------------------------------------------------------------


def test_the_rereview_is_judged_by_the_standard_of_the_original_recognition(ent_tianhe, title):
    with time_machine.travel(at("2026-03-01"), tick=False):
        # A 2026-standard declaration window is open in the region: the 复核 ignores it.
        open_window("440000", Tier.INNOVATIVE, standard_version="2026")
        draft = services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
    assert (draft.kind, draft.window, draft.rereview_of, draft.renews_until) == (
        "rereview", None, title, dt.date(2026, 5, 31))
    assert draft.standard_version == "2022" and draft.tier == Tier.INNOVATIVE
    assert draft.declaration_region == dr("440000") and draft.number.startswith("2026440000CF")
    assert sorted(draft.form_data["figures"]) == ["2023", "2024", "2025"]
    title.standard_version = "2026"
    title.save()
    other = Recognition.objects.create(enterprise=title.enterprise, tier=Tier.SPECIALIZED,
                                       valid_from=dt.date(2023, 6, 1), valid_until=dt.date(2026, 5, 31),
                                       standard_version="2026")
    assert other.standard_version == "2026"


def test_a_double_click_gets_the_same_draft_and_a_second_rereview_of_the_period_is_refused(
        ent_tianhe, title):
    with time_machine.travel(at("2026-03-01"), tick=False):
        first = services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
        again = services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
        row = selectors.rereview_titles(title.enterprise)[0]
    assert first.pk == again.pk and Declaration.objects.filter(kind="rereview").count() == 1
    assert row.current == first and not row.can_apply


def test_an_ineligible_title_is_refused_with_every_reason_and_nothing_is_created(ent_tianhe, title):
    InfoUpdate.objects.filter(year=2025).delete()
    with time_machine.travel(at("2026-03-01"), tick=False), pytest.raises(ValidationError) as refused:
        services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
    assert "2025年信息更新" in refused.value.messages[0]
    assert not Declaration.objects.exists()


def test_only_the_owner_may_apply_for_its_own_title(ent_tianhe, ent_yuexiu, person, title, client):
    other = ready(ent_yuexiu, 2025)
    with time_machine.travel(at("2026-03-01"), tick=False):
        with pytest.raises(PermissionDenied):
            services.rereview_start(enterprise=other, by=ent_yuexiu, recognition=title)
        with pytest.raises(PermissionDenied):
            services.rereview_start(enterprise=title.enterprise, by=ent_yuexiu, recognition=title)
        client.force_login(ent_yuexiu)
        response = client.post(reverse("declarations:rereview_start", args=[title.pk]))
        assert response.status_code == 404
        client.force_login(person)
        assert client.get(reverse("declarations:rereviews")).status_code in (302, 403)
    assert not Declaration.objects.exists()


def test_the_page_offers_the_button_only_when_eligible_and_says_why_not(client, ent_tianhe, title):
    client.force_login(ent_tianhe)
    url = reverse("declarations:rereviews")
    with time_machine.travel(at("2025-06-01"), tick=False):
        page = client.get(url).content.decode()
    assert 'data-testid="apply"' not in page and "尚未开始" in page
    assert "2025-12-01 至 2026-05-31" in page  # the period
    with time_machine.travel(at("2026-03-01"), tick=False):
        client.force_login(ent_tianhe)  # a fresh session: the idle timeout counts real time
        page = client.get(url).content.decode()
        assert 'data-testid="apply"' in page
        response = client.post(reverse("declarations:rereview_start", args=[title.pk]))
        draft = Declaration.objects.get()
        assert response.url == reverse("declarations:edit", args=[draft.public_id])
        page = client.get(url).content.decode()
    assert 'data-testid="continue"' in page and draft.number in page


def test_an_enterprise_without_a_title_sees_an_explanation_and_no_button(client, ent_yuexiu):
    client.force_login(ent_yuexiu)
    page = client.get(reverse("declarations:rereviews")).content.decode()
    assert 'data-testid="no-titles"' in page and "尚未被认定" in page
    assert 'data-testid="apply"' not in page


def test_the_rereview_page_makes_a_bounded_number_of_queries(client, ent_tianhe, title,
                                                             django_assert_max_num_queries):
    client.force_login(ent_tianhe)
    with time_machine.travel(at("2026-03-01"), tick=False), django_assert_max_num_queries(40):
        assert client.get(reverse("declarations:rereviews")).status_code == 200


# --- through the chain to the extension ------------------------------------------------------------


def test_a_rereview_that_passes_extends_the_same_title_by_three_years(
        ent_tianhe, title, tianhe_county, gz_city, gd_province, django_capture_on_commit_callbacks):
    with time_machine.travel(at("2026-03-01"), tick=False):
        draft = services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
        filled(draft, ent_tianhe)
        filed = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
        assert filed.status == "at_county" and filed.standard_version == "2022"
        for official in (tianhe_county, gz_city, gd_province):
            filed = services.declaration_recommend(declaration=filed, by=official)
        assert filed.status == "recommended"
        batch = services.batch_save(by=gd_province, name="2026年复核第一批", tier=Tier.INNOVATIVE,
                                    declaration_region=dr("440000"), objection_contact="中小企业处",
                                    publicity_starts_on=dt.date(2026, 3, 2),
                                    publicity_ends_on=dt.date(2026, 3, 6))
        services.batch_publicize(by=gd_province, batch=batch)
    with time_machine.travel(at("2026-03-10"), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        services.batch_recognise(by=gd_province, batch=batch, document_no="粤工信〔2026〕9号",
                                 recognised_on=dt.date(2026, 3, 9))
    title.refresh_from_db()
    assert (title.valid_from, title.valid_until) == (dt.date(2023, 6, 1), dt.date(2029, 5, 31))
    assert title.certificate_no == "C-1" and Recognition.objects.count() == 1  # the same title
    assert list(title.terms.values_list("valid_from", "valid_until", "source", "document_no")) == [
        (dt.date(2023, 6, 1), dt.date(2026, 5, 31), "recognition", ""),
        (dt.date(2026, 6, 1), dt.date(2029, 5, 31), "rereview", "粤工信〔2026〕9号")]
    done = Declaration.objects.get(pk=draft.pk)
    assert done.status == "recognised"
    assert [e.action for e in events_for(done)][-2:] == ["publicize", "recognise"]
    message = Message.objects.get(recipient=ent_tianhe)
    assert "复核已通过" in message.title and "2029年5月31日" in message.body
    # The next period is the new validity's last 6 months; the old 复核 is history.
    with time_machine.travel(at("2028-12-01"), tick=False):
        for year in (2027, 2028):
            updated(title.enterprise, year)
        row = selectors.rereview_titles(title.enterprise)[0]
    assert row.current is None and row.period.opens_on == dt.date(2028, 12, 1)


def test_a_rereview_not_recommended_leaves_the_title_to_expire(ent_tianhe, title, tianhe_county):
    with time_machine.travel(at("2026-03-01"), tick=False):
        draft = services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
        filled(draft, ent_tianhe)
        filed = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
        services.declaration_not_recommend(declaration=filed, by=tianhe_county, opinion="研发投入不达标")
    title.refresh_from_db()
    assert title.valid_until == dt.date(2026, 5, 31) and title.terms.count() == 1
    with time_machine.travel(at("2026-06-01"), tick=False):
        assert title.status_on(dt.date(2026, 6, 1)) == "已过期"
        row = selectors.rereview_titles(title.enterprise)[0]
    assert row.current.status == "not_recommended" and not row.can_apply


def test_a_rereview_can_be_filed_only_until_its_period_closes(ent_tianhe, title):
    updated(title.enterprise, 2026)
    with time_machine.travel(at("2026-05-31", 23), tick=False):
        draft = filled(services.rereview_start(enterprise=title.enterprise, by=ent_tianhe,
                                               recognition=title), ent_tianhe)
    with time_machine.travel(at("2026-06-01", 0), tick=False), pytest.raises(ValidationError) as late:
        services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert "复核申请时间已结束" in late.value.messages[0]


def test_a_renewal_is_refused_when_the_title_changed_meanwhile(gd_province, title):
    from enterprises.services import Renewal, recognitions_renew

    with pytest.raises(ValidationError):
        recognitions_renew(by=gd_province, renewals=[Renewal(title.pk, dt.date(2026, 4, 30))])
    with pytest.raises(PermissionDenied):  # another province's official
        from tests.conftest import official
        recognitions_renew(by=official("o_js2", "province", "320000"),
                           renewals=[Renewal(title.pk, title.valid_until)])
    title.refresh_from_db()
    assert title.valid_until == dt.date(2026, 5, 31)


def test_the_enterprise_list_of_declarations_shows_a_rereview_as_such(client, ent_tianhe, title):
    with time_machine.travel(at("2026-03-01"), tick=False):
        services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
        client.force_login(ent_tianhe)
        page = client.get(reverse("declarations:list")).content.decode()
    assert "复核（有效期至2026-05-31）" in page


def test_titles_granted_by_a_batch_carry_the_declarations_standard_and_a_first_term(gd_province):
    from tests.declarations.test_recognition import AFTER, MONDAY, build, passed

    passed(1)
    with time_machine.travel(MONDAY, tick=False):
        batch = build(gd_province)
        services.batch_publicize(by=gd_province, batch=batch)
    with time_machine.travel(AFTER, tick=False):
        services.batch_recognise(by=gd_province, batch=batch, document_no="粤工信〔2026〕1号")
    granted = Recognition.objects.get()
    assert granted.standard_version == "2022"
    assert list(granted.terms.values_list("source", "valid_from", "valid_until")) == [
        ("recognition", granted.valid_from, granted.valid_until)]


def test_the_rereview_history_and_titles_are_the_enterprises_own(client, ent_tianhe, ent_yuexiu, title):
    with time_machine.travel(at("2026-03-01"), tick=False):
        services.rereview_start(enterprise=title.enterprise, by=ent_tianhe, recognition=title)
        client.force_login(ent_yuexiu)
        enterprise_for_account(user=ent_yuexiu)
        page = client.get(reverse("declarations:rereviews")).content.decode()
    assert "C-1" not in page and 'data-testid="rereview-row"' not in page


def test_the_rereview_summary_export_reads_each_titles_rereview_and_the_reason_it_failed(
        ent_tianhe, title, tianhe_county):
    from declarations.exports import rereview_rows

    def outcome(day: str) -> tuple[str, str]:
        with time_machine.travel(at(day), tick=False):
            row = next(rereview_rows(Recognition.objects.all(), today=dt.date.fromisoformat(day)))
        return row[-2], row[-1]

    assert outcome("2026-03-01") == ("有效", "")
    with time_machine.travel(at("2026-03-01"), tick=False):
        draft = filled(services.rereview_start(enterprise=title.enterprise, by=ent_tianhe,
                                               recognition=title), ent_tianhe)
        filed = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    assert outcome("2026-03-02") == ("复核中（县级审核中）", "")
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.declaration_not_recommend(declaration=filed, by=tianhe_county,
                                           opinion="研发费用占比不达标")
    assert outcome("2026-03-04") == ("复核未通过", "研发费用占比不达标")


def test_the_printed_rereview_is_titled_as_one(ent_tianhe, title):
    from declarations.report import report_context

    with time_machine.travel(at("2026-03-01"), tick=False):
        draft = filled(services.rereview_start(enterprise=title.enterprise, by=ent_tianhe,
                                               recognition=title), ent_tianhe)
        filed = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    context = report_context(filed)
    assert context["doc_label"] == "复核申请书" and context["region_name"] == "广东省"


def test_only_the_regions_province_or_the_ministry_set_a_rereview_period(
        gd_province, js_province, tianhe_county, ministry):
    from enterprises.services import rereview_setting_save

    values = {"tier": Tier.INNOVATIVE, "opens_months_before": 3, "closes_months_after": 0}
    for wrong, region in ((js_province, dr("440000")), (tianhe_county, dr("440000")),
                          (gd_province, None)):  # the national row is the ministry's
        with pytest.raises(PermissionDenied):
            rereview_setting_save(by=wrong, setting=None, declaration_region=region, **values)
    assert not RereviewSetting.objects.exists()
    mine = rereview_setting_save(by=gd_province, setting=None, declaration_region=dr("440000"),
                                 **values)
    with pytest.raises(PermissionDenied):  # another province may not change it
        rereview_setting_save(by=js_province, setting=mine, declaration_region=dr("320000"),
                              **values)
    national = rereview_setting_save(by=ministry, setting=None, declaration_region=None, **values)
    mine.refresh_from_db()
    assert (mine.declaration_region, national.declaration_region) == (dr("440000"), None)

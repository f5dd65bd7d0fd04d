"""取消认定 and 取消复核资格 (domain.md §2.6, §2.7): only the recognising level decides, through
the one decision mechanism; the enterprise is told and sees it; a cancellation for misconduct
bars declarations for 3 years; a major change's outcome leads officials to the next step."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.models import DecisionEvent
from common.workflow import events_for
from declarations import selectors as declaration_selectors
from enterprises import services
from enterprises.models import Enterprise, MajorChange, Recognition, RevokeGround
from enterprises.services import enterprise_for_account
from messaging.models import Message
from portal.regions.models import Region
from tests.enterprises.conftest import complete

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOC = "粤工信函〔2026〕12号"


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def firms(ent_tianhe, ent_shenzhen, ent_nanjing) -> dict[str, Enterprise]:
    return {"tianhe": enterprise_for_account(user=ent_tianhe),
            "shenzhen": enterprise_for_account(user=ent_shenzhen),
            "nanjing": enterprise_for_account(user=ent_nanjing)}


def title(enterprise: Enterprise, tier: str = "specialized", **extra) -> Recognition:
    return Recognition.objects.create(
        enterprise=enterprise, tier=tier, batch="2024年第一批", document_no="粤工信〔2024〕1号",
        certificate_no=extra.pop("certificate_no", ""), valid_from=dt.date(2024, 6, 1),
        valid_until=dt.date(2027, 5, 31), **extra)


def revoke(recognition: Recognition, by, ground: str = RevokeGround.CHANGE_UNQUALIFIED,
           document_no: str = DOC, opinion: str = "经核实，企业迁出后不再符合认定条件") -> Recognition:
    return services.recognition_revoke(recognition=recognition, by=by, ground=ground,
                                       document_no=document_no, opinion=opinion)


def bar(recognition: Recognition, by, opinion: str = "重大变化逾期报告") -> Recognition:
    return services.recognition_bar_rereview(recognition=recognition, by=by, opinion=opinion)


def unchanged(recognition: Recognition) -> bool:
    recognition.refresh_from_db()
    return (recognition.state == "in_force" and recognition.revoked_at is None
            and recognition.rereview_status == "eligible"
            and not events_for(recognition).exists() and not Message.objects.exists())


# --- who may: each level × tier, in the service itself -------------------------------------------

@pytest.fixture
def officials(ministry, gd_province, js_province, gz_city, tianhe_county):
    return {"ministry": ministry, "province": gd_province, "other_province": js_province,
            "city": gz_city, "county": tianhe_county}


WHO_MAY = [
    # (official, tier, allowed) — 创新型 and 专精特新: the declaration region's province level or
    # the ministry; 小巨人: the ministry only; county and city never; another province never.
    *[(level, tier, False) for level in ("county", "city", "other_province")
      for tier in ("innovative", "specialized", "giant")],
    ("province", "innovative", True), ("province", "specialized", True), ("province", "giant", False),
    ("ministry", "innovative", True), ("ministry", "specialized", True), ("ministry", "giant", True),
]


@pytest.mark.parametrize("decision", [revoke, bar], ids=["revoke", "bar"])
@pytest.mark.parametrize(("level", "tier", "allowed"), WHO_MAY)
def test_only_the_recognising_level_decides(officials, firms, decision, level, tier, allowed,
                                           django_capture_on_commit_callbacks):
    subject = title(firms["tianhe"], tier)
    if not allowed:
        with pytest.raises(PermissionDenied):
            decision(subject, officials[level])
        assert unchanged(subject)
        return
    with django_capture_on_commit_callbacks(execute=True):
        done = decision(subject, officials[level])
    if decision is revoke:
        assert done.state == "revoked" and done.revoked_by == officials[level]
    else:
        assert done.rereview_status == "barred" and done.rereview_barred_by == officials[level]
    assert Message.objects.count() == 1


def test_a_planned_city_decides_for_its_own_enterprises_and_its_province_does_not(
        firms, gd_province, sz_province):
    shenzhen, tianhe = title(firms["shenzhen"]), title(firms["tianhe"])
    with pytest.raises(PermissionDenied):
        revoke(shenzhen, gd_province)  # 深圳 is its own declaration region
    with pytest.raises(PermissionDenied):
        revoke(tianhe, sz_province)
    assert unchanged(shenzhen) and Recognition.objects.get(pk=tianhe.pk).state == "in_force"
    assert revoke(shenzhen, sz_province).state == "revoked"


def test_a_province_loses_the_title_of_an_enterprise_that_moved_away(firms, gd_province, js_province):
    subject = title(firms["tianhe"])
    Enterprise.objects.filter(pk=firms["tianhe"].pk).update(region=Region.objects.get(code="320102"))
    with pytest.raises(PermissionDenied):
        revoke(subject, gd_province)
    assert revoke(subject, js_province).state == "revoked"


# --- the decision: what it writes, what it refuses ------------------------------------------------

def test_revoking_records_the_ground_the_document_and_one_event(firms, gd_province):
    subject = title(firms["tianhe"])
    done = revoke(subject, gd_province, opinion="  经核实不再符合  ")
    assert (done.state, done.revoke_ground, done.revoke_document_no, done.revoke_reason) == (
        "revoked", "change_unqualified", DOC, "经核实不再符合")
    assert done.revoked_at == NOW and done.revoked_for_misconduct is False
    assert done.status_on(dt.date(2026, 3, 10)) == "已取消"
    [event] = events_for(subject)
    assert (event.workflow, event.action, event.action_label, event.from_state, event.to_state,
            event.by, event.by_level, event.opinion) == (
        "recognition_revocation", "revoke", "取消认定", "in_force", "revoked", gd_province,
        "province", "经核实不再符合")
    assert not Recognition.objects.valid_on(dt.date(2026, 3, 10)).exists()


@pytest.mark.parametrize("ground", RevokeGround.values)
def test_only_the_misconduct_ground_flags_the_title(firms, ministry, ground):
    done = revoke(title(firms["tianhe"]), ministry, ground=ground)
    assert done.revoked_for_misconduct is (ground == "misconduct")


@pytest.mark.parametrize(("changes", "field"), [
    ({"document_no": "  "}, "document_no"), ({"document_no": "文" * 61}, "document_no"),
    ({"ground": "bribery"}, "ground"), ({"ground": ""}, "ground"),
    ({"opinion": " "}, "opinion"), ({"opinion": "意" * 501}, "opinion"),
])
def test_a_missing_or_bad_input_is_refused_at_its_field_and_nothing_is_written(
        firms, gd_province, changes, field):
    subject = title(firms["tianhe"])
    with pytest.raises(ValidationError) as info:
        revoke(subject, gd_province, **changes)
    assert field in info.value.message_dict
    assert unchanged(subject)


def test_a_second_revocation_is_refused_with_the_record_moved_on(firms, gd_province, ministry):
    subject = title(firms["tianhe"])
    stale = Recognition.objects.get(pk=subject.pk)  # two officials opened the same title
    revoke(subject, gd_province)
    with pytest.raises(ValidationError, match="已被他人处理"):
        revoke(stale, ministry, ground="misconduct")
    with pytest.raises(ValidationError, match="可能已被他人处理"):
        revoke(Recognition.objects.get(pk=subject.pk), ministry)
    subject.refresh_from_db()
    assert subject.revoked_by == gd_province and subject.revoked_for_misconduct is False
    assert DecisionEvent.objects.filter(workflow="recognition_revocation").count() == 1


def test_barring_a_cancelled_title_is_refused_and_a_second_bar_moved_on(firms, gd_province):
    cancelled, other = title(firms["tianhe"]), title(firms["tianhe"], "innovative")
    revoke(cancelled, gd_province)
    with pytest.raises(ValidationError, match="已取消认定"):
        bar(Recognition.objects.get(pk=cancelled.pk), gd_province)
    stale = Recognition.objects.get(pk=other.pk)
    bar(other, gd_province)
    with pytest.raises(ValidationError, match="已被他人处理"):
        bar(stale, gd_province)
    assert DecisionEvent.objects.filter(workflow="recognition_rereview").count() == 1


def test_a_barred_title_stays_valid_and_may_still_be_cancelled(firms, ministry):
    subject = title(firms["tianhe"])
    bar(subject, ministry, opinion="未按时完成年度信息更新")
    subject.refresh_from_db()
    assert subject.rereview_status == "barred" and subject.rereview_bar_reason == "未按时完成年度信息更新"
    assert subject.status_on(dt.date(2026, 3, 10)) == "有效"
    assert Recognition.objects.valid_on(dt.date(2026, 3, 10)).filter(pk=subject.pk).exists()
    revoke(subject, ministry)
    assert [(e.workflow, e.action_label) for e in events_for(subject)] == [
        ("recognition_rereview", "取消复核资格"), ("recognition_revocation", "取消认定")]


def test_a_cancelled_title_is_not_corrected_through_the_legacy_form(firms, gd_province):
    subject = revoke(title(firms["tianhe"]), gd_province)
    with pytest.raises(ValidationError):
        services.recognition_save(by=gd_province, recognition=subject, enterprise=firms["tianhe"],
                                  tier="specialized", valid_from=dt.date(2024, 6, 1),
                                  valid_until=dt.date(2028, 5, 31))
    subject.refresh_from_db()
    assert subject.valid_until == dt.date(2027, 5, 31) and subject.state == "revoked"


# --- the enterprise is told and sees it ---------------------------------------------------------

def test_the_enterprise_gets_one_cancellation_message_after_commit(
        firms, gd_province, ent_tianhe, django_capture_on_commit_callbacks):
    subject = title(firms["tianhe"], certificate_no="2024440000Z000007")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        revoke(subject, gd_province, ground="misconduct")
    assert not Message.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    message = Message.objects.get()
    assert (message.recipient, message.category, message.kind, message.subject) == (
        ent_tianhe, "revocation", "recognition-revoked", f"recognition:{subject.pk}")
    assert message.title == "您的“专精特新中小企业”称号已被取消认定"
    assert DOC in message.body and "2024440000Z000007" in message.body and "数据造假" in message.body
    assert "2029年3月10日前" in message.body  # the 3-year bar
    assert message.link == reverse("enterprises:profile")
    # Its key is the title: sending again sends nothing.
    assert services.recognition_revoked_notify(recognition_id=subject.pk) == 0
    assert Message.objects.count() == 1


def test_a_non_misconduct_cancellation_message_says_nothing_of_a_bar(
        firms, gd_province, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revoke(title(firms["tianhe"]), gd_province)
    message = Message.objects.get()
    assert "不得再次申报" not in message.body and "重大变化不再符合认定条件" in message.body


def test_an_enterprise_without_an_account_is_cancelled_without_a_message(
        gd_province, django_capture_on_commit_callbacks):
    orphan = Enterprise.objects.create(uscc="91440106MA00000990", name="无账户企业",
                                       region=Region.objects.get(code="440106"))
    with django_capture_on_commit_callbacks(execute=True):
        done = revoke(title(orphan), gd_province)
    assert done.state == "revoked" and not Message.objects.exists()


def test_the_enterprise_sees_the_cancellation_on_its_titles(client, firms, gd_province, ent_tianhe):
    cancelled = title(firms["tianhe"], certificate_no="2024440000Z000007")
    kept = title(firms["tianhe"], "innovative", certificate_no="2024440000C000003")
    revoke(cancelled, gd_province, ground="misconduct")
    bar(kept, gd_province)
    client.force_login(ent_tianhe)
    page = client.get(reverse("enterprises:profile")).content.decode()
    row = page.split(f'data-testid="title-{cancelled.pk}"')[1].split("</tr>")[0]
    assert "已取消" in row and "2026年3月10日" in row and DOC in row and "数据造假" in row
    assert "2029年3月10日前不得申报" in row
    row = page.split(f'data-testid="title-{kept.pk}"')[1].split("</tr>")[0]
    assert "有效" in row and "已取消复核资格" in row and "不再复核延续" in row


def test_another_enterprises_titles_are_not_shown(client, firms, gd_province, ent_shenzhen):
    revoke(title(firms["tianhe"]), gd_province)
    client.force_login(ent_shenzhen)
    page = client.get(reverse("enterprises:profile")).content.decode()
    assert DOC not in page and 'data-testid="titles"' not in page


# --- the declaration gate: 3 years after a cancellation for misconduct ---------------------------

def gate(enterprise: Enterprise) -> list[str]:
    return [r.reason for r in declaration_selectors.start_refusals(enterprise=enterprise,
                                                                   tier="innovative")
            if "不得申报" in r.reason]


@pytest.mark.parametrize(("moment", "barred"), [
    (dt.datetime(2026, 3, 10, 10, 1, tzinfo=CST), True),      # just after
    (dt.datetime(2029, 3, 9, 23, 59, 59, tzinfo=CST), True),  # the last moment of the 3 years
    (dt.datetime(2029, 3, 10, 0, 0, tzinfo=CST), False),      # the anniversary: may declare
    (dt.datetime(2030, 1, 1, 0, 0, tzinfo=CST), False),
])
def test_a_cancellation_for_misconduct_bars_declarations_until_its_third_anniversary(
        firms, ministry, moment, barred):
    company = complete(firms["tianhe"], 2025)
    revoke(title(company), ministry, ground="misconduct")
    with time_machine.travel(moment, tick=False):
        reasons = gate(company)
    assert bool(reasons) is barred
    if barred:
        assert reasons == ["企业于2026年3月10日因“发生重大安全/质量/环境污染事故，或严重失信、偷漏税等"
                           f"违法违规行为，或数据造假”被取消认定（{DOC}），2029年3月10日前不得申报。"]


def test_the_bar_counts_from_the_local_date_of_the_cancellation(firms, ministry):
    company = complete(firms["tianhe"], 2025)
    # 00:30 in Beijing is still the previous day in UTC: the bar follows the Beijing date.
    with time_machine.travel(dt.datetime(2026, 3, 11, 0, 30, tzinfo=CST), tick=False):
        revoke(title(company), ministry, ground="misconduct")
    with time_machine.travel(dt.datetime(2029, 3, 10, 23, 0, tzinfo=CST), tick=False):
        assert gate(company)
    with time_machine.travel(dt.datetime(2029, 3, 11, 0, 0, tzinfo=CST), tick=False):
        assert not gate(company)


@pytest.mark.parametrize("ground", [g for g in RevokeGround.values if g != "misconduct"])
def test_other_grounds_do_not_bar_declarations(firms, ministry, ground):
    company = complete(firms["tianhe"], 2025)
    revoke(title(company), ministry, ground=ground)
    with time_machine.travel(dt.datetime(2026, 3, 11, tzinfo=CST), tick=False):
        assert gate(company) == []


def test_a_bar_on_one_enterprise_does_not_touch_another(firms, ministry):
    revoke(title(firms["tianhe"]), ministry, ground="misconduct")
    assert gate(complete(firms["shenzhen"], 2025)) == []


# --- the admin: the recognition's page and the decision pages ------------------------------------

def change_url(recognition: Recognition) -> str:
    return reverse("admin:enterprises_recognition_change", args=[recognition.pk])


def revoke_url(recognition: Recognition) -> str:
    return reverse("admin:enterprises_recognition_revoke", args=[recognition.pk])


def bar_url(recognition: Recognition) -> str:
    return reverse("admin:enterprises_recognition_bar_rereview", args=[recognition.pk])


FILLED = {"ground": "change_unqualified", "document_no": DOC, "opinion": "经核实不再符合认定条件"}


def test_the_recognising_level_revokes_after_a_confirmation(
        client, firms, gd_province, ent_tianhe, django_capture_on_commit_callbacks):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    page = client.get(change_url(subject)).content.decode()
    assert revoke_url(subject) in page and bar_url(subject) in page
    assert 'name="revoked_at"' not in page and 'name="revoke_reason"' not in page
    assert 'name="revoked_for_misconduct"' not in page
    form = client.get(revoke_url(subject) + "?ground=change_not_reported")
    assert form.status_code == 200
    assert form.context["form"].initial == {"ground": "change_not_reported"}
    confirm = client.post(revoke_url(subject), FILLED)
    assert confirm.status_code == 200 and confirm.context["confirming"]
    assert "请确认：此操作不可撤销" in confirm.content.decode()
    assert unchanged(subject)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(revoke_url(subject), {**FILLED, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == change_url(subject)
    subject.refresh_from_db()
    assert subject.state == "revoked" and subject.revoke_document_no == DOC
    assert Message.objects.get().recipient == ent_tianhe
    page = client.get(change_url(subject)).content.decode()
    assert "办理记录" in page and "经核实不再符合认定条件" in page and "有效 → 已取消" in page
    assert revoke_url(subject) not in page and bar_url(subject) not in page
    assert 'name="valid_until"' not in page  # a cancelled title is a record


def test_a_misconduct_confirmation_warns_of_the_three_years(client, firms, gd_province):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    page = client.post(revoke_url(subject), {**FILLED, "ground": "misconduct"}).content.decode()
    assert "三年内不得再次申报" in page


def test_back_from_the_confirmation_keeps_what_was_typed(client, firms, gd_province):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    page = client.post(revoke_url(subject), {**FILLED, "edit": "1"})
    assert not page.context["confirming"]
    body = page.content.decode()
    assert f'value="{DOC}"' in body and "经核实不再符合认定条件" in body
    assert unchanged(subject)


@pytest.mark.parametrize(("data", "field", "text"), [
    ({**FILLED, "document_no": ""}, "document_no", "请填写取消文号。"),
    ({**FILLED, "ground": ""}, "ground", "请选择取消依据。"),
    ({**FILLED, "ground": "bribery"}, "ground", "请选择列出的取消依据。"),
    ({**FILLED, "opinion": "  "}, "opinion", "请填写取消意见。"),
    ({**FILLED, "document_no": "文" * 61}, "document_no", "取消文号不能超过60个字。"),
])
@pytest.mark.parametrize("confirm", [False, True])
def test_field_errors_are_in_chinese_and_nothing_typed_is_lost(client, firms, gd_province, data,
                                                              field, text, confirm):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    response = client.post(revoke_url(subject), {**data, **({"confirm": "1"} if confirm else {})})
    assert response.status_code == 200 and not response.context["confirming"]
    assert response.context["form"].errors[field] == [text]
    body = response.content.decode()
    assert "<title>错误：" in body
    for name, value in data.items():
        if name != field and value:
            assert value in body
    assert unchanged(subject)


def test_a_double_submit_revokes_once(client, firms, gd_province,
                                      django_capture_on_commit_callbacks):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(revoke_url(subject), {**FILLED, "confirm": "1"})
        second = client.post(revoke_url(subject), {**FILLED, "confirm": "1"}, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "未重复办理" in second.content.decode()
    assert DecisionEvent.objects.filter(workflow="recognition_revocation").count() == 1
    assert Message.objects.count() == 1


def test_a_title_revoked_meanwhile_is_reported_as_moved_on(client, firms, gd_province, ministry,
                                                            monkeypatch):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    real = services.recognition_revoke

    def slower(**kwargs):  # another official confirms between the page's read and the decision
        real(recognition=Recognition.objects.get(pk=subject.pk), by=ministry,
             ground="change_unqualified", document_no=DOC, opinion="部里先办")
        return real(**kwargs)

    monkeypatch.setattr(services, "recognition_revoke", slower)
    response = client.post(revoke_url(subject), {**FILLED, "confirm": "1"}, follow=True)
    assert "已被他人处理" in response.content.decode()
    subject.refresh_from_db()
    assert subject.revoked_by == ministry
    assert DecisionEvent.objects.filter(workflow="recognition_revocation").count() == 1


@pytest.mark.parametrize(("who", "tier", "status"), [
    ("county", "specialized", 403), ("city", "specialized", 403), ("province", "giant", 403),
    ("other_province", "specialized", 404),
])
def test_the_forbidden_write_through_the_admin_changes_nothing(client, officials, firms, who,
                                                               tier, status):
    subject = title(firms["tianhe"], tier)
    client.force_login(officials[who])
    page = client.get(change_url(subject))
    assert page.status_code == (404 if status == 404 else 200)
    if status != 404:
        body = page.content.decode()
        assert revoke_url(subject) not in body and bar_url(subject) not in body
    for url, data in [(revoke_url(subject), FILLED), (bar_url(subject), {"opinion": "逾期报告"})]:
        assert client.get(url).status_code == status
        assert client.post(url, {**data, "confirm": "1"}).status_code == status
    assert unchanged(subject)


def test_the_ministry_revokes_a_giant_through_the_admin(client, firms, ministry):
    subject = title(firms["tianhe"], "giant")
    client.force_login(ministry)
    assert revoke_url(subject) in client.get(change_url(subject)).content.decode()
    client.post(revoke_url(subject), {**FILLED, "confirm": "1"})
    subject.refresh_from_db()
    assert subject.state == "revoked"


def test_the_bar_page_asks_for_a_reason_and_a_confirmation(client, firms, gd_province):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    empty = client.post(bar_url(subject), {"opinion": " ", "confirm": "1"})
    assert empty.context["form"].errors["opinion"] == ["请填写取消复核资格的理由。"]
    assert client.post(bar_url(subject), {"opinion": "逾期报告"}).context["confirming"]
    assert unchanged(subject)
    client.post(bar_url(subject), {"opinion": "逾期报告", "confirm": "1"})
    subject.refresh_from_db()
    assert subject.rereview_status == "barred"
    page = client.get(change_url(subject)).content.decode()
    assert "已取消复核资格" in page and bar_url(subject) not in page
    assert revoke_url(subject) in page  # the title itself may still be cancelled
    again = client.post(bar_url(subject), {"opinion": "逾期报告", "confirm": "1"}, follow=True)
    assert "未重复办理" in again.content.decode()


def test_the_legacy_form_no_longer_writes_a_cancellation(client, firms, gd_province):
    subject = title(firms["tianhe"])
    client.force_login(gd_province)
    client.post(change_url(subject), {
        "enterprise": firms["tianhe"].pk, "tier": "specialized", "batch": "2024年第一批",
        "document_no": "粤工信〔2024〕1号", "certificate_no": "", "valid_from": "2024-06-01",
        "valid_until": "2027-05-31", "revoked_at_0": "2026-03-01", "revoked_at_1": "10:00:00",
        "revoke_reason": "手填", "revoked_for_misconduct": "on", "state": "revoked"})
    assert unchanged(subject)


# --- filters on the recognition list ----------------------------------------------------------------

def listed(client, query: str) -> set[str]:
    response = client.get(reverse("admin:enterprises_recognition_changelist") + query)
    assert response.status_code == 200
    return {str(r.pk) for r in response.context["cl"].result_list}


def late_change(enterprise: Enterprise, *, status: str = "submitted", changed_on=dt.date(2025, 6, 1),
                is_late: bool = True, still_meets=None) -> MajorChange:
    change = MajorChange.objects.create(
        enterprise=enterprise, change_type="relocation", changed_on=changed_on, before="天河",
        after="越秀", reason="搬迁", status=status, is_late=is_late, still_meets=still_meets,
        submitted_at=NOW, review_region=enterprise.region)
    change.evidence.create(file=SimpleUploadedFile("a.pdf", PDF), name="a.pdf", size=len(PDF))
    return change


def test_the_list_filters_cancelled_barred_and_waiting_titles(client, firms, gd_province, ent_yuexiu):
    yuexiu = enterprise_for_account(user=ent_yuexiu)
    cancelled = revoke(title(firms["tianhe"]), gd_province)
    barred = bar(title(firms["tianhe"], "innovative"), gd_province)
    unqualified = title(yuexiu)
    late_change(yuexiu, status="approved", is_late=False, still_meets=False)
    reported_late = title(firms["shenzhen"])
    late_change(firms["shenzhen"])
    still_fine = title(Enterprise.objects.create(uscc="91440106MA00000991", name="仍符合企业",
                                                 region=Region.objects.get(code="440106")))
    late_change(still_fine.enterprise, status="approved", is_late=False, still_meets=True)
    older = title(Enterprise.objects.create(uscc="91440106MA00000992", name="认定前变更企业",
                                            region=Region.objects.get(code="440106")))
    late_change(older.enterprise, changed_on=dt.date(2023, 1, 1))  # before the title began
    late_change(barred.enterprise)  # late, but 复核 eligibility is already removed
    client.force_login(gd_province)
    assert listed(client, "?cancellation=revoked") == {str(cancelled.pk)}
    assert listed(client, "?cancellation=barred") == {str(barred.pk)}
    # 深圳's title is another declaration region's, not in 广东's list at all.
    assert listed(client, "?cancellation=pending") == {str(unqualified.pk)}
    assert listed(client, "?status=revoked") == {str(cancelled.pk)}
    assert str(reported_late.pk) not in listed(client, "")


def test_the_pending_filter_finds_a_late_report_and_forgets_it_once_barred(client, firms, sz_province):
    subject = title(firms["shenzhen"])
    late_change(firms["shenzhen"])
    client.force_login(sz_province)
    assert listed(client, "?cancellation=pending") == {str(subject.pk)}
    bar(subject, sz_province)
    assert listed(client, "?cancellation=pending") == set()


# --- the major change's outcome and the next step it offers ---------------------------------------

def change_admin(change: MajorChange) -> str:
    return reverse("admin:enterprises_majorchange_change", args=[change.pk])


def test_approving_a_change_asks_whether_the_enterprise_still_meets_the_conditions(
        client, firms, tianhe_county, ent_tianhe):
    change = late_change(firms["tianhe"], is_late=False)
    client.force_login(tianhe_county)
    page = client.get(change_admin(change)).content.decode()
    assert "仍符合认定条件（称号及有效期不变）" in page and "不再符合认定条件" in page
    response = client.post(change_admin(change), {"decision": "approve", "opinion": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["outcome"] == [
        "通过时请选择变更后企业是否仍符合认定条件。"]
    change.refresh_from_db()
    assert change.status == "submitted" and change.still_meets is None
    client.post(change_admin(change), {"decision": "approve", "outcome": "no", "opinion": "迁出后不符合"})
    change.refresh_from_db()
    assert change.status == "approved" and change.still_meets is False
    client.force_login(ent_tianhe)
    detail = client.get(reverse("enterprises:change_detail", args=[change.public_id])).content.decode()
    assert "审核结论" in detail and "不再符合认定条件" in detail


def test_the_service_refuses_an_approval_without_an_outcome(firms, tianhe_county):
    change = late_change(firms["tianhe"], is_late=False)
    with pytest.raises(ValidationError) as info:
        services.change_approve(change=change, by=tianhe_county, still_meets=None)
    assert "still_meets" in info.value.message_dict
    change.refresh_from_db()
    assert change.status == "submitted" and not events_for(change).exists()


def test_a_return_needs_no_outcome(client, firms, tianhe_county):
    change = late_change(firms["tianhe"], is_late=False)
    client.force_login(tianhe_county)
    client.post(change_admin(change), {"decision": "return", "opinion": "请补充材料"})
    change.refresh_from_db()
    assert change.status == "returned" and change.still_meets is None


def test_the_outcome_reaches_the_enterprise_in_the_message(firms, tianhe_county, ent_tianhe):
    change = late_change(firms["tianhe"], is_late=False)
    services.change_approve(change=change, by=tianhe_county, still_meets=True)
    assert "仍符合认定条件（称号及有效期不变）" in Message.objects.get(recipient=ent_tianhe).body


def offers(client, change: MajorChange) -> str:
    page = client.get(change_admin(change)).content.decode()
    return page.split('data-testid="cancellation-offers"')[1].split("</div>")[0] \
        if 'data-testid="cancellation-offers"' in page else ""


def test_a_change_no_longer_meeting_the_conditions_offers_the_cancellation(
        client, firms, gd_province, tianhe_county):
    specialized, giant = title(firms["tianhe"]), title(firms["tianhe"], "giant")
    revoke(title(firms["tianhe"], "innovative"), gd_province)  # not in force: not offered
    change = late_change(firms["tianhe"], status="approved", is_late=False, still_meets=False)
    client.force_login(gd_province)
    box = offers(client, change)
    assert f'{revoke_url(specialized)}?ground=change_unqualified' in box
    assert revoke_url(giant) not in box and "请报工业和信息化部取消认定" in box
    assert "取消复核资格" not in box.split("</table>")[0]  # reported in time: no 复核 column
    assert box.count("<tr>") == 3  # the header and the two titles in force
    client.force_login(tianhe_county)
    box = offers(client, change)
    assert "/revoke/" not in box and "由认定部门（省级中小企业主管部门）取消认定" in box
    assert "由认定部门（工业和信息化部）取消认定" in box


def test_a_late_change_offers_the_cancellation_and_the_removal_of_eligibility(
        client, firms, gd_province, ministry):
    specialized, giant = title(firms["tianhe"]), title(firms["tianhe"], "giant")
    change = late_change(firms["tianhe"])  # still waiting for its decision
    client.force_login(gd_province)
    box = offers(client, change)
    assert f'{revoke_url(specialized)}?ground=change_not_reported' in box
    assert bar_url(specialized) in box and bar_url(giant) not in box
    assert "请报工业和信息化部取消认定" in box and "请报工业和信息化部取消复核资格" in box
    client.force_login(ministry)
    box = offers(client, change)
    assert bar_url(giant) in box and f'{revoke_url(giant)}?ground=change_not_reported' in box
    bar(giant, ministry)
    assert bar_url(giant) not in offers(client, change) and "已取消复核资格" in offers(client, change)


def test_a_change_that_still_meets_the_conditions_offers_nothing(client, firms, gd_province):
    title(firms["tianhe"])
    change = late_change(firms["tianhe"], status="approved", is_late=False, still_meets=True)
    client.force_login(gd_province)
    assert offers(client, change) == ""
    assert "仍符合认定条件（称号及有效期不变）" in client.get(change_admin(change)).content.decode()


def test_the_list_and_its_filters_make_the_same_queries_whatever_the_number_of_titles(
        client, firms, gd_province):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> list[int]:
        found = []
        for query in ("", "?cancellation=pending", "?cancellation=revoked", "?cancellation=barred"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("admin:enterprises_recognition_changelist") + query
                                  ).status_code == 200
            found.append(len(queries))
        return found

    client.force_login(gd_province)
    revoke(title(firms["tianhe"]), gd_province)
    late_change(firms["tianhe"])
    few = counts()
    for n in range(30):
        firm = Enterprise.objects.create(uscc=f"91440106MB{n:08d}", name=f"企业{n}",
                                         region=Region.objects.get(code="440106"))
        subject = title(firm)
        late_change(firm)
        if n % 3 == 0:
            revoke(subject, gd_province)
        elif n % 3 == 1:
            bar(subject, gd_province)
    assert counts() == few


# --- what 复核 reads -----------------------------------------------------------------------------

def test_a_barred_title_may_not_apply_for_rereview_and_is_not_renewed(firms, gd_province):
    from enterprises import selectors

    subject = bar(title(firms["tianhe"]), gd_province, opinion="重大变化逾期报告")
    assert "该称号已被取消复核资格（重大变化逾期报告）。" in selectors.rereview_problems(
        subject, dt.date(2027, 3, 1))
    with pytest.raises(ValidationError, match="已被取消复核资格"):
        services.recognitions_renew(by=gd_province, renewals=[
            services.Renewal(recognition_id=subject.pk, renews_until=subject.valid_until)])
    subject.refresh_from_db()
    assert subject.valid_until == dt.date(2027, 5, 31)


def test_a_cancelled_title_may_not_apply_for_rereview_and_is_not_renewed(firms, gd_province):
    from enterprises import selectors

    subject = revoke(title(firms["tianhe"]), gd_province)
    assert selectors.rereview_problems(subject, dt.date(2027, 3, 1)) == [
        "该称号已被取消认定，不能申请复核。"]
    with pytest.raises(ValidationError, match="已被取消"):
        services.recognitions_renew(by=gd_province, renewals=[
            services.Renewal(recognition_id=subject.pk, renews_until=subject.valid_until)])

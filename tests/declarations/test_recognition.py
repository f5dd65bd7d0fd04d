"""公示 and 认定: batches built by the recognising level, the 公示 announcement, objections,
recognition in bulk with certificate numbers and validity, 不予认定, scope, and the admin pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from announcements.models import Announcement
from common.models import DecisionEvent
from common.tiers import Tier
from common.workflow import decide_many, events_for
from declarations import services
from declarations.models import Declaration, DeclarationWindow, Objection, RecognitionBatch
from enterprises.models import Enterprise, Recognition
from enterprises.services import Title, recognitions_grant, valid_until_for
from portal.accounts.models import User
from portal.regions.models import Region
from tests.conftest import dr, make_uscc, official

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MONDAY = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH)  # 公示 2026-06-01 (Mon) – 06-05 (Fri)
AFTER = dt.datetime(2026, 6, 8, 9, 0, tzinfo=SH)
CONTACT = "广东省工业和信息化厅中小企业处，020-83133000"


def window(code: str = "440000", tier: str = Tier.INNOVATIVE) -> DeclarationWindow:
    return DeclarationWindow.objects.create(
        declaration_region=dr(code), tier=tier, note="2026年第一批",
        starts_at=dt.datetime(2026, 3, 1, tzinfo=SH), ends_at=dt.datetime(2026, 3, 31, tzinfo=SH))


def passed(count: int, *, region_code: str = "440106", window_code: str = "440000",
           tier: str = Tier.INNOVATIVE, status: str = "recommended", start: int = 0) -> list[Declaration]:
    """`count` declarations that passed review (审核通过), straight into the database."""
    win = DeclarationWindow.objects.filter(declaration_region__code=window_code, tier=tier).first() \
        or window(window_code, tier)
    region = Region.objects.get(code=region_code)
    found = []
    for i in range(start, start + count):
        account = User.objects.create(username=f"acct{region_code}{i}", kind="enterprise",
                                      uscc=make_uscc(region_code, 9000 + i))
        company = Enterprise.objects.create(uscc=make_uscc(region_code, 9000 + i), account=account,
                                            name=f"测试企业{region_code}-{i}有限公司", region=region)
        found.append(Declaration.objects.create(
            number=f"T{region_code}{tier[0]}{i:06d}", enterprise=company, tier=tier, window=win,
            region=region, status=status, submitted_at=dt.datetime(2026, 3, 5, tzinfo=SH)))
    return found


def build(by, tier: str = Tier.INNOVATIVE, code: str | None = "440000", **extra) -> RecognitionBatch:
    return services.batch_save(by=by, name="2026年第一批", tier=tier,
                               declaration_region=dr(code) if code else None,
                               objection_contact=CONTACT, **extra)


def letter(name: str = "异议书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def objection(by, batch, declaration, **changes) -> Objection:
    fields = {"filed_by": "person", "filer_name": "李四", "filer_contact": "13900000000",
              "received_on": dt.date(2026, 6, 3), "summary": "研发费用数据不实",
              "letter": letter()}
    fields.update(changes)
    return services.objection_record(by=by, batch=batch, declaration=declaration, **fields)


# --- building the batch ------------------------------------------------------------------------


def test_the_province_builds_a_batch_of_the_declarations_that_passed_in_its_region(gd_province):
    mine = passed(3)
    passed(1, region_code="440305", window_code="440300", start=10)  # 深圳: its own region
    passed(1, status="at_province", start=20)  # not passed yet
    passed(1, tier=Tier.SPECIALIZED, start=30)  # another tier
    with time_machine.travel(MONDAY, tick=False):
        batch = build(gd_province)
    assert sorted(batch.declarations.values_list("pk", flat=True)) == [d.pk for d in mine]
    assert (batch.publicity_starts_on, batch.publicity_ends_on) == (dt.date(2026, 6, 1),
                                                                    dt.date(2026, 6, 5))
    with pytest.raises(ValidationError):  # nothing left to put in a second batch
        build(gd_province)
    assert RecognitionBatch.objects.count() == 1


def test_publicity_lasts_five_working_days_by_default_and_is_editable(gd_province):
    assert services.publicity_end(dt.date(2026, 6, 4)) == dt.date(2026, 6, 10)  # Thu → Wed
    assert services.publicity_end(dt.date(2026, 6, 6)) == dt.date(2026, 6, 12)  # Sat → Fri
    passed(1)
    batch = build(gd_province, publicity_starts_on=dt.date(2026, 6, 1),
                  publicity_ends_on=dt.date(2026, 6, 7))
    assert batch.publicity_ends_on == dt.date(2026, 6, 7)
    with pytest.raises(ValidationError) as refused:
        services.batch_save(by=gd_province, batch=batch, name="2026年第一批",
                            objection_contact=CONTACT, publicity_starts_on=dt.date(2026, 6, 8),
                            publicity_ends_on=dt.date(2026, 6, 1))
    assert "publicity_ends_on" in refused.value.message_dict


def test_another_province_a_city_or_the_ministry_cannot_build_our_batch(
        js_province, gz_city, ministry, gd_province):
    passed(2)
    for wrong in (js_province, gz_city, ministry):
        with pytest.raises(PermissionDenied):
            build(wrong)
    with pytest.raises(PermissionDenied):  # 小巨人 is the ministry's
        build(gd_province, tier=Tier.GIANT, code=None)
    assert not RecognitionBatch.objects.exists()
    assert not Declaration.objects.filter(batch__isnull=False).exists()


def test_a_province_batch_never_takes_another_provinces_declarations(js_province):
    passed(2)  # 广东
    with pytest.raises(ValidationError):  # nothing of 江苏's passed
        build(js_province, code="320000")
    assert not Declaration.objects.filter(batch__isnull=False).exists()


def test_the_ministry_builds_the_national_giant_batch(ministry):
    passed(2, tier=Tier.GIANT)
    passed(1, region_code="320102", window_code="320000", tier=Tier.GIANT, start=5)
    batch = build(ministry, tier=Tier.GIANT, code=None)
    assert batch.declarations.count() == 3 and batch.declaration_region is None


# --- 公示 ----------------------------------------------------------------------------------------


def test_opening_publicity_moves_every_declaration_and_publishes_the_list(gd_province):
    members = passed(3)
    with time_machine.travel(MONDAY, tick=False):
        batch = services.batch_publicize(by=gd_province, batch=build(gd_province))
    assert batch.status == "publicizing"
    assert set(Declaration.objects.values_list("status", flat=True)) == {"publicized"}
    assert [e.action for e in events_for(members[0])] == ["publicize"]
    announcement = Announcement.objects.visible().get()
    assert announcement == batch.announcement
    assert (announcement.kind, announcement.level, announcement.issuing_region.code) == (
        "publicity", "province", "440000")
    for declaration in members:
        company = declaration.enterprise
        assert company.name in announcement.body and company.uscc in announcement.body
    assert "创新型中小企业" in announcement.body and CONTACT in announcement.body
    assert "匿名异议不予受理" in announcement.body
    with pytest.raises(ValidationError):  # twice: it has moved on
        services.batch_publicize(by=gd_province, batch=batch)
    assert Announcement.objects.count() == 1


def test_another_province_cannot_open_our_publicity(gd_province, js_province, gz_city):
    passed(2)
    batch = build(gd_province)
    for wrong in (js_province, gz_city):
        with pytest.raises(PermissionDenied):
            services.batch_publicize(by=wrong, batch=batch)
    assert set(Declaration.objects.values_list("status", flat=True)) == {"recommended"}
    assert not Announcement.objects.exists()


# --- objections ----------------------------------------------------------------------------------


@pytest.fixture
def publicized(gd_province) -> RecognitionBatch:
    passed(3)
    with time_machine.travel(MONDAY, tick=False):
        return services.batch_publicize(by=gd_province, batch=build(gd_province))


@pytest.mark.parametrize(("changes", "field"), [
    ({"filed_by": "anonymous"}, "filed_by"),
    ({"filer_name": "匿名"}, "filer_name"),
    ({"filer_name": "  "}, "filer_name"),
    ({"letter": None}, "letter"),
    ({"letter": letter("异议书.pdf", b"not a pdf at all")}, "letter"),
    ({"letter": letter("异议书.docx", PDF)}, "letter"),
    ({"received_on": dt.date(2026, 6, 9)}, "received_on"),
])
def test_an_anonymous_or_incomplete_objection_is_refused_at_its_field(
        gd_province, publicized, changes, field):
    with pytest.raises(ValidationError) as refused:
        objection(gd_province, publicized, publicized.declarations.first(), **changes)
    assert field in refused.value.message_dict
    assert not Objection.objects.exists()


def test_an_objection_is_recorded_with_its_letter_and_handled(gd_province, js_province, publicized):
    target = publicized.declarations.first()
    with pytest.raises(PermissionDenied):
        objection(js_province, publicized, target)
    sealed = objection(gd_province, publicized, target, filed_by="organisation",
                       filer_name="某某科技有限公司（盖章）")
    assert sealed.letter.name.startswith("private/objections/") and sealed.letter_name == "异议书.pdf"
    with pytest.raises(ValidationError):
        services.objection_handle(by=gd_province, objection=sealed, result="dismissed", note="")
    handled = services.objection_handle(by=gd_province, objection=sealed, result="dismissed",
                                        note="经核实，数据与审计报告一致")
    assert handled.result == "dismissed" and handled.handled_by == gd_province


# --- 认定 ----------------------------------------------------------------------------------------


def test_recognising_gives_each_enterprise_a_numbered_title_valid_three_years(
        gd_province, publicized, monkeypatch, django_capture_on_commit_callbacks):
    with time_machine.travel(MONDAY, tick=False), pytest.raises(ValidationError):  # 公示 not over
        services.batch_recognise(by=gd_province, batch=publicized, document_no="粤工信〔2026〕1号")
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(ValidationError):  # 认定文号 required
            services.batch_recognise(by=gd_province, batch=publicized, document_no=" ")
        with pytest.raises(PermissionDenied):
            services.batch_recognise(by=official("o_js2", "province", "320000"), batch=publicized,
                                     document_no="苏工信〔2026〕1号")
        with django_capture_on_commit_callbacks(execute=True):
            batch = services.batch_recognise(by=gd_province, batch=publicized,
                                             document_no="粤工信〔2026〕1号")
    assert batch.status == "recognised" and batch.recognised_on == dt.date(2026, 6, 8)
    assert set(Declaration.objects.values_list("status", flat=True)) == {"recognised"}
    titles = list(Recognition.objects.order_by("certificate_no"))
    assert [t.certificate_no for t in titles] == [f"2026440000C{n:06d}" for n in (1, 2, 3)]
    for title in titles:
        assert (title.tier, title.batch, title.document_no) == ("innovative", "2026年第一批",
                                                                "粤工信〔2026〕1号")
        assert (title.valid_from, title.valid_until) == (dt.date(2026, 6, 8), dt.date(2029, 6, 7))
    # Each enterprise gets one 认定通知, sent after commit; sending again adds nothing.
    from messaging.models import Message

    notices = Message.objects.filter(category="recognition")
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted(
        batch.declarations.values_list("enterprise__account_id", flat=True))
    assert all("粤工信〔2026〕1号" in m.body for m in notices)
    assert services.notify_recognised(list(batch.declarations.all()), batch=batch) == 0
    assert DecisionEvent.objects.filter(workflow="declaration", action="recognise").count() == 3


def test_a_second_batch_of_the_year_continues_the_certificate_serial(gd_province, publicized):
    with time_machine.travel(AFTER, tick=False):
        services.batch_recognise(by=gd_province, batch=publicized, document_no="粤工信〔2026〕1号")
        passed(2, start=50)
        second = services.batch_publicize(by=gd_province, batch=services.batch_save(
            by=gd_province, name="2026年第二批", tier=Tier.INNOVATIVE,
            declaration_region=dr("440000"), objection_contact=CONTACT))
    with time_machine.travel(AFTER + dt.timedelta(days=10), tick=False):
        services.batch_recognise(by=gd_province, batch=second, document_no="粤工信〔2026〕9号")
    assert sorted(Recognition.objects.filter(batch="2026年第二批")
                  .values_list("certificate_no", flat=True)) == ["2026440000C000004",
                                                                 "2026440000C000005"]


def test_a_declaration_not_recognised_keeps_its_reason_and_gets_no_title(gd_province, publicized):
    excluded, *others = publicized.declarations.order_by("number")
    with pytest.raises(ValidationError):
        services.declaration_not_recognise(declaration=excluded, by=gd_province, opinion="")
    services.declaration_not_recognise(declaration=excluded, by=gd_province,
                                       opinion="公示期间异议经核实成立")
    with time_machine.travel(AFTER, tick=False):
        services.batch_recognise(by=gd_province, batch=publicized, document_no="粤工信〔2026〕1号")
    excluded.refresh_from_db()
    assert excluded.status == "not_recognised"
    assert events_for(excluded).last().opinion == "公示期间异议经核实成立"
    assert not Recognition.objects.filter(enterprise=excluded.enterprise).exists()
    assert Recognition.objects.count() == len(others)


def test_recognition_waits_for_every_objection_to_be_handled(gd_province, publicized):
    target = publicized.declarations.first()
    filed = objection(gd_province, publicized, target)
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(ValidationError, match="未处理的异议"):
            services.batch_recognise(by=gd_province, batch=publicized, document_no="文号1")
        services.objection_handle(by=gd_province, objection=filed, result="upheld", note="属实")
        with pytest.raises(ValidationError, match="不予认定"):  # an upheld one is excluded first
            services.batch_recognise(by=gd_province, batch=publicized, document_no="文号1")
        services.declaration_not_recognise(declaration=target, by=gd_province, opinion="异议成立")
        services.batch_recognise(by=gd_province, batch=publicized, document_no="文号1")
    assert Recognition.objects.count() == 2


def test_the_ministry_recognises_giants_numbered_by_their_declaration_region(ministry):
    passed(1, tier=Tier.GIANT)
    passed(1, region_code="320102", window_code="320000", tier=Tier.GIANT, start=5)
    with time_machine.travel(MONDAY, tick=False):
        batch = services.batch_publicize(by=ministry, batch=build(ministry, tier=Tier.GIANT, code=None))
    assert Announcement.objects.get().level == "ministry"
    with time_machine.travel(AFTER, tick=False):
        services.batch_recognise(by=ministry, batch=batch, document_no="工信部企业函〔2026〕1号")
    assert sorted(Recognition.objects.values_list("certificate_no", flat=True)) == [
        "2026320000J000001", "2026440000J000001"]


def test_validity_ends_the_day_before_the_third_anniversary():
    assert valid_until_for(dt.date(2026, 6, 8)) == dt.date(2029, 6, 7)
    assert valid_until_for(dt.date(2028, 2, 29)) == dt.date(2031, 2, 27)


# --- the one recognition service -----------------------------------------------------------------


def test_the_recognition_service_refuses_an_enterprise_outside_the_scope(gd_province):
    outside = Enterprise.objects.create(uscc=make_uscc("320102", 1), name="南京企业",
                                        region=Region.objects.get(code="320102"))
    inside = Enterprise.objects.create(uscc=make_uscc("440106", 1), name="天河企业",
                                       region=Region.objects.get(code="440106"))
    title = {"tier": "innovative", "valid_from": dt.date(2026, 1, 1),
             "valid_until": dt.date(2028, 12, 31)}
    with pytest.raises(PermissionDenied):
        recognitions_grant(by=gd_province, titles=[Title(enterprise_id=inside.pk, **title),
                                                   Title(enterprise_id=outside.pk, **title)])
    assert not Recognition.objects.exists()


def test_the_admin_add_and_change_forms_refuse_an_out_of_scope_enterprise(client, gd_province):
    outside = Enterprise.objects.create(uscc=make_uscc("320102", 1), name="南京企业",
                                        region=Region.objects.get(code="320102"))
    inside = Enterprise.objects.create(uscc=make_uscc("440106", 1), name="天河企业",
                                       region=Region.objects.get(code="440106"))
    client.force_login(gd_province)
    data = {"tier": "specialized", "valid_from": "2025-01-01", "valid_until": "2027-12-31",
            "batch": "2024年", "document_no": "", "certificate_no": "", "revoke_reason": ""}
    response = client.post(reverse("admin:enterprises_recognition_add"),
                           {**data, "enterprise": outside.pk})
    assert "enterprise" in response.context["adminform"].form.errors
    assert not Recognition.objects.exists()
    client.post(reverse("admin:enterprises_recognition_add"), {**data, "enterprise": inside.pk})
    title = Recognition.objects.get()
    response = client.post(reverse("admin:enterprises_recognition_change", args=[title.pk]),
                           {**data, "enterprise": outside.pk})
    assert "enterprise" in response.context["adminform"].form.errors
    title.refresh_from_db()
    assert title.enterprise == inside


# --- decide_many -----------------------------------------------------------------------------------


def test_decide_many_moves_each_row_once_with_one_event_each(gd_province):
    rows = passed(3)
    Declaration.objects.filter(pk=rows[0].pk).update(status="publicized")  # moved meanwhile
    queryset = Declaration.objects.filter(pk__in=[d.pk for d in rows])
    moved = decide_many(workflow=services.WORKFLOW, queryset=queryset, source="recommended",
                        action="publicize", by=gd_province)
    assert moved == sorted(d.pk for d in rows[1:])
    assert decide_many(workflow=services.WORKFLOW, queryset=queryset, source="recommended",
                       action="publicize", by=gd_province) == []
    assert DecisionEvent.objects.filter(action="publicize").count() == 2


# --- the admin ----------------------------------------------------------------------------------


def changelist(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_queue_and_the_batch_pages_make_a_constant_number_of_queries(client, gd_province):
    passed(3)
    passed(1, status="at_province", start=300)
    with time_machine.travel(MONDAY, tick=False):
        batch = build(gd_province)
    client.force_login(gd_province)
    pages = [reverse("admin:declarations_declaration_changelist"),
             reverse("admin:declarations_declaration_changelist") + f"?queue=all&batch={batch.pk}",
             reverse("admin:declarations_recognitionbatch_changelist"),
             reverse("admin:declarations_recognitionbatch_change", args=[batch.pk])]
    [changelist(client, url) for url in pages]  # warm: per-process caches (content types)
    few = [changelist(client, url) for url in pages]
    passed(40, start=100)
    passed(40, status="at_province", start=200)
    Declaration.objects.filter(batch__isnull=True, status="recommended").update(batch=batch)
    many = [changelist(client, url) for url in pages]
    assert many == few
    assert max(many) <= 12, many


def test_the_batch_admin_builds_publicizes_and_recognises(client, gd_province):
    passed(2)
    client.force_login(gd_province)
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(reverse("admin:declarations_recognitionbatch_add"), {
            "name": "2026年第一批", "tier": "innovative", "declaration_region": dr("440000").pk,
            "publicity_starts_on": "", "publicity_ends_on": "", "objection_contact": CONTACT})
        assert response.status_code == 302, response.context["adminform"].form.errors
        batch = RecognitionBatch.objects.get()
        client.post(reverse("admin:declarations_recognitionbatch_changelist"), {
            "action": "publicize_selected", helpers.ACTION_CHECKBOX_NAME: [batch.pk], "index": "0"})
    batch.refresh_from_db()
    assert batch.status == "publicizing" and batch.publicity_ends_on == dt.date(2026, 6, 5)
    with time_machine.travel(AFTER, tick=False):
        client.force_login(gd_province)  # a week later: a new session
        change = reverse("admin:declarations_recognitionbatch_change", args=[batch.pk])
        response = client.post(change, {"objection_contact": CONTACT,
                                         "document_no": "粤工信〔2026〕1号",
                                         "recognised_on": "2026-06-08"})
        assert response.status_code == 302, response.context["adminform"].form.errors
        response = client.post(reverse("admin:declarations_recognitionbatch_changelist"), {
            "action": "recognise_selected", helpers.ACTION_CHECKBOX_NAME: [batch.pk], "index": "0"},
            follow=True)
        assert "已认定" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "recognised" and Recognition.objects.count() == 2


def test_the_batch_admin_refuses_bad_input_at_the_field(client, gd_province):
    client.force_login(gd_province)
    response = client.post(reverse("admin:declarations_recognitionbatch_add"), {
        "name": "2026年第一批", "tier": "innovative", "declaration_region": dr("440000").pk,
        "publicity_starts_on": "2026-06-08", "publicity_ends_on": "2026-06-01",
        "objection_contact": ""})
    errors = response.context["adminform"].form.errors
    assert "objection_contact" in errors
    assert not RecognitionBatch.objects.exists()


def test_the_recogniser_may_decide_not_recognised_in_the_declaration_admin(client, gd_province,
                                                                           gz_city, publicized):
    target = publicized.declarations.first()
    url = reverse("admin:declarations_declaration_change", args=[target.pk])
    client.force_login(gz_city)
    client.post(url, {"decision": "not_recognise", "opinion": "不符合"})
    target.refresh_from_db()
    assert target.status == "publicized"
    client.force_login(gd_province)
    client.post(url, {"decision": "not_recognise", "opinion": "异议成立"})
    target.refresh_from_db()
    assert target.status == "not_recognised"


def test_an_objection_is_recorded_in_the_admin_with_its_letter(client, gd_province, publicized):
    client.force_login(gd_province)
    target = publicized.declarations.first()
    data = {"batch": publicized.pk, "declaration": target.pk, "filed_by": "person",
            "filer_name": "匿名", "filer_contact": "139", "received_on": "2026-06-02",
            "summary": "数据不实"}
    response = client.post(reverse("admin:declarations_objection_add"), {**data, "letter": letter()})
    assert "filer_name" in response.context["adminform"].form.errors
    assert not Objection.objects.exists()
    response = client.post(reverse("admin:declarations_objection_add"),
                           {**data, "filer_name": "李四", "letter": letter()})
    assert response.status_code == 302
    row = Objection.objects.get()
    download = client.get(reverse("admin:declarations_objection_letter", args=[row.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_an_objection_letter_changed_on_disk_is_refused_and_logged(
        client, gd_province, publicized, settings, tmp_path, caplog):
    from tests.conftest import refused_and_logged, tamper

    settings.MEDIA_ROOT = tmp_path
    row = objection(gd_province, publicized, publicized.declarations.first())
    url = reverse("admin:declarations_objection_letter", args=[row.pk])
    client.force_login(gd_province)
    assert client.get(url).status_code == 200
    tamper(row.letter)
    assert refused_and_logged(client.get(url), caplog)

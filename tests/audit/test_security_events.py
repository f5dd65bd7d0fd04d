"""Every security event type leaves a SecurityEvent row (等保 2.0 安全审计 a–b): date-time,
user, client address, event, object, result and request id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import SecurityEvent
from audit.services import mask_identifier, security_event
from common.tiers import Tier
from declarations import services
from tests.accounts.helpers import post_login
from tests.common.zips import PDF
from tests.conftest import PASSWORD, make_id_number
from tests.declarations.test_lifecycle import filled

pytestmark = pytest.mark.django_db

Event = SecurityEvent.Event


def events(event: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(event=event).order_by("id"))


def only(event: str) -> SecurityEvent:
    rows = events(event)
    assert len(rows) == 1, [(r.event, r.username, r.object_id) for r in rows]
    return rows[0]


# --- the public function ---------------------------------------------------------------------


def test_security_event_fills_address_and_request_id_from_the_request(rf, ent_tianhe):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = ent_tianhe
    request.request_id = "abcdef123456"
    row = security_event(event=Event.OTP_ENROL, request=request, obj=("device", 7))
    row.refresh_from_db()
    assert (row.user_id, row.username, row.ip_address, row.request_id) == (
        ent_tianhe.pk, "ent_tianhe", "10.1.2.3", "abcdef123456")
    assert (row.object_type, row.object_id, row.result) == ("device", "7", "success")
    assert row.at.utcoffset() is not None


def test_security_event_without_a_request_records_what_it_is_given(ent_tianhe):
    row = security_event(event=Event.OTP_FAILURE, user=ent_tianhe, result="failure",
                         obj=ent_tianhe)
    assert (row.ip_address, row.request_id, row.object_type) == (None, "", "accounts.user")
    assert row.object_id == str(ent_tianhe.pk)


@pytest.mark.parametrize(("typed", "kept"), [
    ("110101199003071234", "110***********1234"),
    ("11010119900307123X", "110***********123X"),
    ("13812345678", "138****5678"),
    ("ent_tianhe", "ent_tianhe"),
    ("91440106MA00000011", "91440106MA00000011"),  # a 统一社会信用代码 is public
])
def test_a_typed_id_number_or_mobile_is_masked(typed, kept):
    assert mask_identifier(typed) == kept


# --- request ids -----------------------------------------------------------------------------


def test_every_response_carries_a_request_id_and_a_good_incoming_one_is_kept(client):
    generated = client.get("/")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/", HTTP_X_REQUEST_ID="proxy-req-0001")["X-Request-ID"] == "proxy-req-0001"


@pytest.mark.parametrize("bad", ["short", "x" * 65, "evil\nline-injected", "a b c d e f g h"])
def test_a_malformed_incoming_request_id_is_replaced(client, bad):
    assert client.get("/", HTTP_X_REQUEST_ID=bad)["X-Request-ID"] != bad


# --- authentication --------------------------------------------------------------------------


def test_a_login_is_recorded_with_the_address_and_the_request_id(client, ent_tianhe):
    response = client.post("/accounts/login/", {
        "username": ent_tianhe.username, "password": PASSWORD, "captcha_0": "t",
        "captcha_1": "PASSED"}, REMOTE_ADDR="10.9.8.7", HTTP_X_REQUEST_ID="login-request-1")
    assert response.status_code == 302
    row = only(Event.LOGIN)
    assert (row.user_id, row.ip_address, row.result, row.request_id) == (
        ent_tianhe.pk, "10.9.8.7", "success", "login-request-1")


def test_an_officials_admin_login_is_recorded(client, gd_province):
    client.post(reverse("admin:login"), {"username": "o_gd", "password": PASSWORD,
                                         "captcha_0": "t", "captcha_1": "PASSED"})
    assert only(Event.LOGIN).user_id == gd_province.pk


def test_a_failed_login_is_recorded_with_the_typed_name_masked(client, person):
    post_login(client, person.id_number, "Wrong@2026pass", REMOTE_ADDR="10.0.0.5")
    row = only(Event.LOGIN_FAILED)
    assert row.result == "failure" and row.user_id is None and row.ip_address == "10.0.0.5"
    assert row.username == mask_identifier(person.id_number) != person.id_number
    assert person.id_number not in str(SecurityEvent.objects.values_list())


def test_the_fifth_failure_records_a_lockout(client, ent_tianhe):
    for _ in range(5):
        post_login(client, ent_tianhe.username, "Wrong@2026pass", REMOTE_ADDR="10.0.0.6")
    assert len(events(Event.LOGIN_FAILED)) == 5
    lock = events(Event.LOCKOUT)[0]
    assert (lock.username, lock.ip_address, lock.result) == ("ent_tianhe", "10.0.0.6", "failure")
    # A login attempt while locked is refused and recorded again.
    post_login(client, ent_tianhe.username, PASSWORD, REMOTE_ADDR="10.0.0.6")
    assert len(events(Event.LOCKOUT)) >= 2
    assert not events(Event.LOGIN)


def test_a_logout_is_recorded(client, ent_tianhe):
    client.force_login(ent_tianhe)
    client.post("/accounts/logout/")
    assert only(Event.LOGOUT).user_id == ent_tianhe.pk


def test_an_anonymous_logout_records_nothing(client):
    client.post("/accounts/logout/")
    assert not events(Event.LOGOUT)


def test_a_password_change_is_recorded_on_the_account_whatever_path_saves_it(ent_tianhe):
    ent_tianhe.set_password("Fresh#2027word")
    ent_tianhe.save()
    row = only(Event.PASSWORD_CHANGE)
    assert (row.object_type, row.object_id, row.user_id) == (
        "accounts.user", str(ent_tianhe.pk), ent_tianhe.pk)


def test_saving_an_account_without_a_new_password_records_no_change(ent_tianhe):
    ent_tianhe.person_name = "王五"
    ent_tianhe.save()
    assert not events(Event.PASSWORD_CHANGE)


def test_an_official_lifting_a_lock_is_recorded(client, ent_tianhe, tianhe_county):
    for _ in range(5):
        post_login(client, ent_tianhe.username, "Wrong@2026pass", REMOTE_ADDR="10.0.0.7")
    client.force_login(tianhe_county)
    client.post("/admin/accounts/user/", {"action": "unlock_accounts",
                                          "_selected_action": [ent_tianhe.pk]})
    row = only(Event.UNLOCK)
    assert (row.user_id, row.object_id) == (tianhe_county.pk, str(ent_tianhe.pk))


# --- refused access ----------------------------------------------------------------------------


def test_another_enterprises_declaration_is_a_404_and_is_recorded(client, ent_tianhe, ent_yuexiu,
                                                                  company, gd_innovative):
    declaration = services.declaration_start(enterprise=company, by=ent_tianhe,
                                             tier=Tier.INNOVATIVE)
    client.force_login(ent_yuexiu)
    path = reverse("declarations:detail", args=[declaration.public_id])
    assert client.get(path).status_code == 404
    row = only(Event.ACCESS_DENIED)
    assert (row.user_id, row.object_type, row.object_id, row.result, row.detail) == (
        ent_yuexiu.pk, "url", path, "failure", "GET 404")


def test_an_out_of_scope_admin_id_is_recorded(client, ent_nanjing, gd_province):
    client.force_login(gd_province)
    path = reverse("admin:accounts_user_change", args=[ent_nanjing.pk])
    assert client.get(path).status_code == 404
    assert only(Event.ACCESS_DENIED).object_id == path


def test_a_403_is_recorded(client, gd_province):
    client.force_login(gd_province)
    assert client.get(reverse("admin:audit_securityevent_changelist")).status_code == 403
    assert only(Event.ACCESS_DENIED).detail == "GET 403"


def test_an_anonymous_404_records_nothing(client):
    assert client.get("/no-such-page/").status_code == 404
    assert not events(Event.ACCESS_DENIED)


# --- exports and downloads ---------------------------------------------------------------------


def test_an_export_is_recorded_with_its_filters(client, gd_province, gd_rows, gd_window):
    client.force_login(gd_province)
    response = client.get(reverse("admin:declarations_export_recommend"),
                          {"window__id__exact": gd_window.pk})
    assert response.status_code == 200
    row = only(Event.EXPORT)
    assert row.user_id == gd_province.pk and row.object_id == "recommend"
    assert f"window__id__exact={gd_window.pk}" in row.detail and "2 行" in row.detail


def test_an_assessment_export_is_recorded(client, gd_province):
    client.force_login(gd_province)
    assert client.get(reverse("admin:assessment_attempt_export")).status_code == 200
    assert only(Event.EXPORT).object_id == "assessment_attempts"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def evidence(media, ent_tianhe, company, gd_innovative):
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    [item] = services.evidence_add(declaration=draft, by=ent_tianhe, indicator="1", files=[
        SimpleUploadedFile("证书.pdf", PDF, content_type="application/pdf")])
    # Filed, so that the officials of its region see it.
    services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    return item


def test_the_owner_downloading_evidence_is_recorded(client, ent_tianhe, evidence):
    client.force_login(ent_tianhe)
    path = f"/enterprise/declarations/{evidence.declaration.public_id}/evidence/{evidence.pk}/"
    assert client.get(path).status_code == 200
    row = only(Event.DOWNLOAD)
    assert (row.user_id, row.object_type, row.object_id) == (
        ent_tianhe.pk, "declarations.declarationevidence", str(evidence.pk))


def test_an_official_downloading_evidence_is_recorded(client, tianhe_county, evidence):
    client.force_login(tianhe_county)
    path = reverse("admin:declarations_declaration_evidence",
                   args=[evidence.declaration_id, evidence.pk])
    assert client.get(path).status_code == 200
    assert only(Event.DOWNLOAD).user_id == tianhe_county.pk


def test_an_out_of_scope_official_downloads_nothing_and_the_refusal_is_recorded(
        client, js_province, evidence):
    client.force_login(js_province)
    path = reverse("admin:declarations_declaration_evidence",
                   args=[evidence.declaration_id, evidence.pk])
    assert client.get(path).status_code == 404
    assert not events(Event.DOWNLOAD)
    assert only(Event.ACCESS_DENIED).user_id == js_province.pk


def test_downloading_the_declaration_pdf_is_recorded(client, monkeypatch, ent_tianhe, company,
                                                     gd_innovative):
    monkeypatch.setattr("declarations.report.render_declaration_pdf", lambda d: b"%PDF-1.7")
    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    declaration = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    client.force_login(ent_tianhe)
    assert client.get(reverse("declarations:pdf", args=[declaration.public_id])).status_code == 200
    row = only(Event.DOWNLOAD)
    assert row.object_type == "declarations.declaration" and declaration.number in row.detail


def test_the_archive_times_carry_the_beijing_offset(ent_tianhe):
    from audit.archive import event_record

    row = security_event(event=Event.LOGIN, user=ent_tianhe)
    at = dt.datetime.fromisoformat(event_record(row)["at"])
    assert at.utcoffset() == dt.timedelta(hours=8)


def test_a_person_account_id_number_never_reaches_the_log(client, person):
    client.force_login(person)
    client.get(reverse("declarations:list"))
    text = str(list(SecurityEvent.objects.values_list()))
    assert person.id_number not in text and make_id_number("440106") not in text

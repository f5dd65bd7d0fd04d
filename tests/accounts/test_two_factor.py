"""The second factor of admin accounts (等保 2.0 身份鉴别 d, ASVS 6.3.3): enrolment with a QR
code and backup codes, verification at every login, the lock, the reset, and the refusals."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import SecurityEvent
from portal.accounts.models import User
from portal.accounts.two_factor import backup_code_digest
from portal.admin_site import PortalAdminSite
from portal.regions.models import Region
from tests.conftest import PASSWORD, login_password_only

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
SETUP, VERIFY = reverse("accounts:otp_setup"), reverse("accounts:otp_verify")
CODES = reverse("accounts:otp_backup_codes")
T0 = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=CST)  # 5 s into a 30-second step


def code_of(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=offset):06d}"


def events(kind: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(event=kind))


def password_login(user: User) -> Client:
    client = Client()
    login_password_only(client, user)
    return client


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def error_text(response) -> str:
    return " ".join(response.context["form"].errors.get("token", []))


# --- enrolment ---------------------------------------------------------------------------------


def test_an_official_without_an_authenticator_is_sent_to_enrol_before_the_admin(gd_province):
    client = password_login(gd_province)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_the_enrolment_page_shows_a_local_svg_qr_code_and_the_key_to_type(gd_province):
    client = password_login(gd_province)
    page = client.get(SETUP)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=gd_province, confirmed=False)
    assert "<svg" in html and "<img" not in html.split('data-testid="otp-qr"')[1][:200]
    key = page.context["key"].replace(" ", "")
    from base64 import b32decode

    assert b32decode(key) == device.bin_key
    # A reload keeps the key the user may have just scanned.
    assert client.get(SETUP).context["key"] == page.context["key"]
    assert TOTPDevice.objects.filter(user=gd_province).count() == 1


def test_a_wrong_enrolment_code_is_refused_in_chinese_and_recorded(gd_province):
    with time_machine.travel(T0, tick=False):
        client = password_login(gd_province)
        client.get(SETUP)
        device = TOTPDevice.objects.get(user=gd_province)
        wrong = f"{(int(code_of(device)) + 1) % 10**6:06d}"
        response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    assert "验证码不正确，还可尝试4次" in error_text(response)
    device.refresh_from_db()
    assert not device.confirmed
    assert [e.result for e in events("otp_failure")] == ["failure"]
    assert client.get("/admin/").status_code == 302


def test_enrolment_confirms_the_device_shows_ten_backup_codes_once_then_opens_the_admin(
        gd_province):
    with time_machine.travel(T0, tick=False):
        client = password_login(gd_province)
        client.get(f"{SETUP}?next=/admin/declarations/")
        device = TOTPDevice.objects.get(user=gd_province)
        response = client.post(SETUP, {"token": code_of(device), "next": "/admin/declarations/"})
        assert response.status_code == 302 and response["Location"].startswith(CODES)
        page = client.get(response["Location"])
        codes = page.context["codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(code in page.content.decode() for code in codes)
        # 我已保存 must be ticked.
        refused = client.post(CODES, {"next": "/admin/declarations/"})
        assert "请确认已保存备用码" in refused.content.decode()
        done = client.post(CODES, {"saved": "on", "next": "/admin/declarations/"})
        assert done["Location"] == "/admin/declarations/"
        # Shown once: the page now only counts them.
        again = client.get(CODES)
        assert "codes" not in again.context and again.context["left"] == 10
        assert not any(code in again.content.decode() for code in codes)
        assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=gd_province).count() == 10
    assert [e.user_id for e in events("otp_enrol")] == [gd_province.pk]


def test_an_enrolled_official_opening_the_enrolment_page_is_sent_to_verification(gd_province):
    enrolled(gd_province)
    client = password_login(gd_province)
    assert client.get(SETUP)["Location"] == VERIFY
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


# --- verification at each login ------------------------------------------------------------------


def test_a_second_login_asks_for_the_code_and_accepts_the_authenticators(gd_province):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False):
        client = password_login(gd_province)
        assert client.get("/admin/")["Location"].startswith(VERIFY)
        response = client.post(VERIFY, {"token": code_of(device), "next": "/admin/"})
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
    assert [e.detail for e in events("otp_success")] == ["身份验证器"]


def test_a_code_of_the_previous_step_is_accepted_but_not_one_two_steps_away(gd_province):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False):
        assert password_login(gd_province).post(
            VERIFY, {"token": code_of(device, -1)}).status_code == 302
    other = enrolled(User.objects.create(username="o_other", kind="official",
                                         official_level="ministry", is_staff=True))
    with time_machine.travel(T0, tick=False):
        client = password_login(other.user)
        assert client.post(VERIFY, {"token": code_of(other, -3)}).status_code == 200


def test_a_wrong_code_is_refused_with_a_chinese_message(gd_province):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False):
        client = password_login(gd_province)
        wrong = f"{(int(code_of(device)) + 1) % 10**6:06d}"
        response = client.post(VERIFY, {"token": wrong})
        assert response.status_code == 200
        assert "验证码不正确，还可尝试4次" in error_text(response)
        assert client.post(VERIFY, {"token": ""}).context["form"].errors["token"] == [
            "请输入验证码。"]
        assert client.get("/admin/").status_code == 302
    assert len(events("otp_failure")) == 1


def test_a_code_is_not_accepted_twice(gd_province):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False):
        code = code_of(device)
        assert password_login(gd_province).post(VERIFY, {"token": code}).status_code == 302
        # The same code at once from another login (a watcher, a replay): refused.
        assert password_login(gd_province).post(VERIFY, {"token": code}).status_code == 200


def test_a_backup_code_works_once_and_never_again(gd_province):
    enrolled(gd_province)
    static = StaticDevice.objects.create(user=gd_province, name="备用码", confirmed=True)
    StaticToken.objects.create(device=static, token=backup_code_digest(gd_province.pk, "abcd2345"))
    first = password_login(gd_province)
    assert first.post(VERIFY, {"token": "ABCD 2345"}).status_code == 302  # typed loosely
    assert first.get("/admin/").status_code == 200
    second = password_login(gd_province)
    response = second.post(VERIFY, {"token": "abcd2345"})
    assert response.status_code == 200 and "验证码不正确" in error_text(response)
    assert [e.detail for e in events("otp_success")] == ["备用码"]


def test_another_accounts_code_does_not_open_this_one(gd_province, js_province):
    enrolled(gd_province)
    theirs = enrolled(js_province)
    static = StaticDevice.objects.create(user=js_province, name="备用码", confirmed=True)
    StaticToken.objects.create(device=static, token=backup_code_digest(js_province.pk, "zzzz2345"))
    with time_machine.travel(T0, tick=False):
        client = password_login(gd_province)
        assert client.post(VERIFY, {"token": code_of(theirs)}).status_code == 200
        assert client.post(VERIFY, {"token": "zzzz2345"}).status_code == 200
        assert client.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(
        token=backup_code_digest(js_province.pk, "zzzz2345")).exists()  # not used up either


# --- the lock ----------------------------------------------------------------------------------


def _fail(client: Client, device: TOTPDevice) -> object:
    wrong = f"{(int(code_of(device)) + 500000) % 10**6:06d}"
    return client.post(VERIFY, {"token": wrong})


def test_five_failures_lock_for_30_minutes_even_the_right_code_then_it_opens(gd_province):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False) as traveller:
        client = password_login(gd_province)
        for _ in range(4):
            _fail(client, device)
        fifth = _fail(client, device)
        assert "已锁定" in error_text(fifth) and "09:30" in error_text(fifth)
        assert len(events("lockout")) == 1
        traveller.shift(dt.timedelta(minutes=29, seconds=50))
        locked = client.post(VERIFY, {"token": code_of(device)})
        assert locked.status_code == 200 and "已锁定" in error_text(locked)
        assert len(events("otp_failure")) == 5  # attempts while locked are not counted
        traveller.shift(dt.timedelta(seconds=10))
        assert client.post(VERIFY, {"token": code_of(device)}).status_code == 302


def test_failures_older_than_15_minutes_and_before_a_success_do_not_count(gd_province):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False) as traveller:
        client = password_login(gd_province)
        for _ in range(4):
            _fail(client, device)
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        assert "还可尝试4次" in error_text(_fail(client, device))  # the first four slid out
        traveller.shift(dt.timedelta(seconds=30))
        assert client.post(VERIFY, {"token": code_of(device)}).status_code == 302
    with time_machine.travel(T0 + dt.timedelta(minutes=17), tick=False):
        again = password_login(gd_province)
        assert "还可尝试4次" in error_text(_fail(again, device))  # the success cleared them


def test_an_unlock_by_an_official_lifts_the_second_factor_lock(client, gd_province, ministry):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False) as traveller:
        locked = password_login(gd_province)
        for _ in range(5):
            _fail(locked, device)
        traveller.shift(dt.timedelta(minutes=1))
        client.force_login(ministry)
        client.post(reverse("admin:accounts_user_changelist"),
                    {"action": "unlock_accounts", "_selected_action": [gd_province.pk]})
        assert locked.post(VERIFY, {"token": code_of(device)}).status_code == 302


# --- backup codes regenerated ------------------------------------------------------------------


def test_regenerating_backup_codes_needs_a_confirmation_and_voids_the_old_ones(client,
                                                                                gd_province):
    client.force_login(gd_province)  # verified (tests/conftest.py)
    static = StaticDevice.objects.create(user=gd_province, name="备用码", confirmed=True)
    StaticToken.objects.create(device=static, token=backup_code_digest(gd_province.pk, "old12345"))
    refused = client.post(CODES, {})
    assert "请确认原有备用码将作废" in refused.content.decode()
    assert StaticToken.objects.filter(token=backup_code_digest(gd_province.pk, "old12345")).exists()
    assert client.post(CODES, {"confirm": "on"})["Location"] == CODES
    codes = client.get(CODES).context["codes"]
    assert len(codes) == 10
    # The database keeps keyed hashes only: no code, in any case, is in the token table.
    stored = set(StaticToken.objects.filter(device__user=gd_province).values_list("token", flat=True))
    assert stored == {backup_code_digest(gd_province.pk, code) for code in codes}
    assert not stored & {c for code in codes for c in (code, code.lower(), code.upper())}
    assert not StaticToken.objects.filter(token=backup_code_digest(gd_province.pk, "old12345")).exists()
    assert [e.user_id for e in events("otp_backup_codes")] == [gd_province.pk]


# --- reset -------------------------------------------------------------------------------------


def test_manage_reset_otp_removes_the_devices_and_is_recorded_as_the_operator(client,
                                                                             gd_province):
    client.force_login(gd_province)
    assert client.get("/admin/").status_code == 200
    StaticDevice.objects.create(user=gd_province, name="备用码", confirmed=True)
    out = StringIO()
    call_command("reset_otp", gd_province.username, stdout=out)
    assert "已重置" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=gd_province).exists()
    assert not StaticDevice.objects.filter(user=gd_province).exists()
    event = SecurityEvent.objects.get(event="otp_reset")
    assert (event.username, event.user_id, event.object_id) == ("operator", None,
                                                                  str(gd_province.pk))
    # The session verified with the removed device is verified no more: enrol again.
    assert client.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_reset_otp_of_an_unknown_account_fails_and_records_nothing():
    with pytest.raises(CommandError, match="不存在"):
        call_command("reset_otp", "nobody")
    assert not events("otp_reset")


# --- who is asked, who is refused --------------------------------------------------------------


def test_enterprise_and_person_accounts_are_never_asked_and_refused_on_the_otp_pages(
        client, ent_tianhe, person):
    for account in (ent_tianhe, person):
        client.force_login(account)
        assert client.get(reverse("enterprise_home")).status_code in (200, 403)
        assert client.get(reverse("enterprise_home")).status_code != 302
        for url in (SETUP, VERIFY, CODES, reverse("accounts:admin_password")):
            assert client.get(url).status_code == 403
            assert client.post(url, {"token": "123456", "saved": "on",
                                     "confirm": "on"}).status_code == 403
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    assert not events("otp_failure")


def test_the_operator_roles_need_the_second_factor_too(db):
    from tests.audit.conftest import role_account

    client = password_login(role_account("r_sec2", "security"))
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_an_unverified_official_cannot_post_an_admin_form_or_action(gd_province, ent_tianhe):
    client = password_login(gd_province)
    users = User.objects.count()
    add = client.post(reverse("admin:accounts_user_add"), {
        "username": "o_new_city", "password1": "Xy@2026newpass", "password2": "Xy@2026newpass",
        "official_level": "city", "region": Region.objects.get(code="440100").pk})
    assert add.status_code == 302 and add["Location"] == SETUP
    action = client.post(reverse("admin:accounts_user_changelist"),
                         {"action": "unlock_accounts", "_selected_action": [ent_tianhe.pk]})
    assert action.status_code == 302 and action["Location"] == SETUP
    assert User.objects.count() == users
    assert not events("unlock")


def test_the_admin_site_itself_refuses_an_unverified_session():
    site = PortalAdminSite()
    official = User(username="o_x", kind="official", official_level="ministry", is_staff=True,
                    is_active=True)
    request = RequestFactory().get("/admin/")
    request.user = official
    official.is_verified = lambda: False
    assert not site.has_permission(request)
    official.is_verified = lambda: True
    assert site.has_permission(request)
    del official.is_verified  # no OTP middleware ran: refused, never a 500
    assert not site.has_permission(request)


def test_logging_out_stays_possible_before_the_second_factor(gd_province):
    client = password_login(gd_province)
    assert client.post(reverse("accounts:logout"))["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_the_verification_only_follows_links_on_this_site(gd_province):
    device = enrolled(gd_province)
    with time_machine.travel(T0, tick=False):
        client = password_login(gd_province)
        response = client.post(VERIFY, {"token": code_of(device),
                                        "next": "https://evil.example.com/"})
    assert response["Location"] == "/admin/"


def test_the_qr_code_names_the_platform_and_the_account(gd_province):
    client = password_login(gd_province)
    client.get(SETUP)
    url = TOTPDevice.objects.get(user=gd_province).config_url
    assert re.search(r"issuer=%E4%BC%98", url) and "o_gd" in url
    assert PASSWORD not in client.get(SETUP).content.decode()

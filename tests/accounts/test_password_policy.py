"""Passwords of admin accounts (等保 2.0 身份鉴别 a): changed every 90 Beijing days, none of the
last 5 again, and a password set by someone else changed at first login."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from audit.models import SecurityEvent
from portal.accounts.models import PasswordHistory, User
from portal.accounts.policy import password_expired, password_expires_on
from portal.accounts.services import official_create
from portal.regions.models import Region
from tests.conftest import PASSWORD, official

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
CHANGE = reverse("accounts:admin_password")
# Set at 23:30 Beijing time on 1 January (15:30 UTC, still 1 January in UTC too) …
SET_AT = dt.datetime(2026, 1, 1, 23, 30, tzinfo=CST)
# … and late on a Beijing day that is the previous day in UTC (00:30 CST = 16:30 UTC).
SET_EARLY = dt.datetime(2026, 1, 2, 0, 30, tzinfo=CST)


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """`day` Beijing days after 1 January 2026 (day 90 = 1 April)."""
    return dt.datetime(2026, 1, 1, hour, minute, tzinfo=CST) + dt.timedelta(days=day)


def aged(user: User, when: dt.datetime) -> User:
    User.objects.filter(pk=user.pk).update(password_changed_at=when)
    user.refresh_from_db()
    return user


def change(client: Client, old: str, new: str, **extra) -> object:
    return client.post(CHANGE, {"old_password": old, "new_password1": new,
                                "new_password2": new, **extra})


# --- 90 days, counted in Beijing calendar days -------------------------------------------------


@pytest.mark.parametrize(("day", "hour", "minute", "expired"), [
    (89, 23, 59, False),  # day 89: the last day it works, to its last minute
    (90, 0, 0, True),  # day 90 from 00:00 Beijing time
    (90, 12, 0, True),
    (91, 8, 0, True),
])
def test_an_officials_password_runs_out_on_day_90_in_beijing_time(gd_province, day, hour,
                                                                 minute, expired):
    aged(gd_province, SET_AT)
    with time_machine.travel(at(day, hour, minute), tick=False):
        assert password_expired(gd_province) is expired
        client = Client()
        client.force_login(gd_province)
        response = client.get("/admin/")
        if expired:
            assert response.status_code == 302
            assert response["Location"] == f"{CHANGE}?next=%2Fadmin%2F"
            page = client.get(CHANGE)
            assert "已使用满90天" in page.content.decode()
        else:
            assert response.status_code == 200


def test_the_day_is_the_beijing_day_not_the_utc_one(gd_province):
    # Set at 00:30 on 2 January in Beijing, which is still 1 January in UTC: the 90 days count
    # from 2 January, so 1 April (day 89 from 2 January) still works.
    aged(gd_province, SET_EARLY)
    assert password_expires_on(gd_province) == dt.datetime(2026, 4, 2, tzinfo=CST)
    assert not password_expired(gd_province, at(90, 23, 59))
    assert password_expired(gd_province, at(91))


def test_every_official_page_and_action_waits_for_the_change(gd_province, ent_tianhe):
    aged(gd_province, SET_AT)
    with time_machine.travel(at(95), tick=False):
        client = Client()
        client.force_login(gd_province)
        for url in ("/admin/accounts/user/", "/admin/declarations/declaration/", "/"):
            assert client.get(url)["Location"].startswith(CHANGE)
        refused = client.post(reverse("admin:accounts_user_changelist"),
                              {"action": "unlock_accounts", "_selected_action": [ent_tianhe.pk]})
        assert refused["Location"] == CHANGE
        assert not SecurityEvent.objects.filter(event="unlock").exists()
        done = change(client, PASSWORD, "Fresh@2026pass", next="/admin/accounts/user/")
        assert done["Location"] == "/admin/accounts/user/"
        assert client.get("/admin/accounts/user/").status_code == 200  # still logged in
        gd_province.refresh_from_db()
        assert gd_province.password_changed_at == at(95)
        assert SecurityEvent.objects.filter(event="password_change", user=gd_province).exists()


def test_enterprise_and_person_passwords_never_run_out(client, ent_tianhe, person):
    for account in (ent_tianhe, person):
        aged(account, SET_AT)
        with time_machine.travel(at(400), tick=False):
            assert not password_expired(account)
            client.force_login(account)
            assert client.get(reverse("enterprise_home")).status_code != 302


# --- the change page ------------------------------------------------------------------------------


def test_a_wrong_old_password_is_an_error_at_its_field_and_changes_nothing(client, gd_province):
    client.force_login(gd_province)
    before = User.objects.get(pk=gd_province.pk).password
    response = change(client, "Wrong@2026pass", "Fresh@2026pass")
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"] == ["原密码不正确。"]
    assert User.objects.get(pk=gd_province.pk).password == before


def test_the_current_and_the_last_five_passwords_are_refused_the_sixth_is_allowed(
        client, gd_province):
    client.force_login(gd_province)
    passwords = [PASSWORD] + [f"Round{i}@2026pass" for i in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new).status_code == 302
    current = passwords[-1]
    # The last five (the current one included) are refused, at the field, in Chinese.
    for reused in passwords[1:]:
        response = change(client, current, reused)
        assert response.context["form"].errors["new_password1"] == [
            "新密码不能与最近5次使用过的密码相同。"]
    # The sixth back (the first one) may be used again.
    assert change(client, current, PASSWORD).status_code == 302


def test_only_hashes_of_old_passwords_are_kept_and_only_the_last_five(client, gd_province):
    client.force_login(gd_province)
    old = PASSWORD
    for i in range(7):
        new = f"Keep{i}@2026pass"
        assert change(client, old, new).status_code == 302
        old = new
    rows = list(PasswordHistory.objects.filter(user=gd_province))
    assert len(rows) == 5
    assert not any(row.password.endswith("Keep6@2026pass") for row in rows)
    assert check_password("Keep6@2026pass", rows[0].password)
    assert all(row.password.startswith(("md5$", "pbkdf2", "argon2")) for row in rows)


def test_mismatched_new_passwords_and_weak_ones_are_errors_at_their_field(client, gd_province):
    client.force_login(gd_province)
    mismatch = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": "Fresh@2026pass",
                                    "new_password2": "Fresh@2026pasz"})
    assert mismatch.context["form"].errors["new_password2"] == ["两次输入的密码不一致。"]
    weak = change(client, PASSWORD, "abcdefgh")
    assert any("至少3类" in e for e in weak.context["form"].errors["new_password1"])


# --- a password set by someone else --------------------------------------------------------------


def test_an_official_created_by_another_must_set_his_own_at_first_login(client, gd_province):
    created = official_create(by=gd_province, username="o_new_gz", password="Given@2026pass",
                              level="city", region=Region.objects.get(code="440100"))
    assert created.must_change_password
    client.force_login(created)  # password and second factor done
    response = client.get("/admin/")
    assert response["Location"] == f"{CHANGE}?next=%2Fadmin%2F"
    page = client.get(CHANGE)
    assert "首次登录须设置自己的密码" in page.content.decode()
    assert change(client, "Given@2026pass", "Mine@2026pass")["Location"] == "/admin/"
    created.refresh_from_db()
    assert not created.must_change_password
    assert client.get("/admin/").status_code == 200


def test_the_admins_add_official_form_imposes_a_change(client, gd_province):
    client.force_login(gd_province)
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "o_added_gz", "password1": "Given@2026pass", "password2": "Given@2026pass",
        "official_level": "city", "region": Region.objects.get(code="440100").pk,
        "person_name": "新", "mobile": "",
        "email": ""})
    assert response.status_code == 302
    assert User.objects.get(username="o_added_gz").must_change_password


def test_the_second_factor_comes_before_the_imposed_change(gd_province):
    from tests.conftest import login_password_only

    User.objects.filter(pk=gd_province.pk).update(must_change_password=True)
    client = Client()
    login_password_only(client, gd_province)
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:otp_setup"))
    assert client.get(CHANGE)["Location"].startswith(reverse("accounts:otp_setup"))


def test_a_password_set_through_the_recovery_link_clears_the_imposed_change(client, db):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    account = official("o_rec", "ministry")
    User.objects.filter(pk=account.pk).update(must_change_password=True)
    account.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    url = reverse("accounts:recover_confirm",
                  kwargs={"uidb64": uid, "token": default_token_generator.make_token(account)})
    form_url = client.get(url)["Location"]
    client.post(form_url, {"new_password1": "Own@2026passw", "new_password2": "Own@2026passw"})
    account.refresh_from_db()
    assert account.check_password("Own@2026passw") and not account.must_change_password


def test_create_role_account_imposes_a_change(db):
    from audit.services import role_account_create

    account = role_account_create(username="r_new", role="audit", password="Role@2026pass")
    assert account.must_change_password


# --- create_official ----------------------------------------------------------------------------


def test_create_official_generates_a_strong_password_and_shows_it_once(db):
    out = StringIO()
    call_command("create_official", "o_gen", "--level", "ministry", "--generate", stdout=out)
    text = out.getvalue()
    password = text.split("初始密码（只显示这一次）：")[1].strip()
    account = User.objects.get(username="o_gen")
    assert len(password) == 16 and account.check_password(password)
    assert account.must_change_password
    assert text.count(password) == 1
    assert "首次登录须绑定身份验证器并修改初始密码" in text


def test_create_official_asks_twice_and_refuses_a_mismatch(db, monkeypatch):
    answers = iter(["Typed@2026pass", "Typed@2026pasz"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="两次输入的密码不一致"):
        call_command("create_official", "o_typed", "--level", "ministry")
    assert not User.objects.filter(username="o_typed").exists()
    answers = iter(["Typed@2026pass", "Typed@2026pass"])
    call_command("create_official", "o_typed", "--level", "ministry", stdout=StringIO())
    account = User.objects.get(username="o_typed")
    assert account.check_password("Typed@2026pass") and account.must_change_password


def test_create_official_refuses_both_a_password_and_generate(db):
    with pytest.raises(CommandError, match="只能选一个"):
        call_command("create_official", "o_both", "--level", "ministry", "--generate",
                     "--password", "Typed@2026pass")
    assert not User.objects.filter(username="o_both").exists()

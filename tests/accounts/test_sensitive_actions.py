"""Sensitive actions of enterprise and 自然人 accounts: changing the password or the login e-mail
needs a one-time code sent by SMS or e-mail (valid 10 minutes, 5 tries, once, stored hashed,
at most one a minute and 5 an hour)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from audit.models import SecurityEvent
from portal.accounts.models import ActionCode, SmsMessage, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 5, 6, 10, 0, tzinfo=CST)
PASSWORD_URL = reverse("accounts:password_change")
EMAIL_URL = reverse("accounts:email_change")
NEW = "Fresh@2026pass"


def send(client, url=PASSWORD_URL, channel="sms"):
    return client.post(url, {"send": "1", "channel": channel})


def sms_code() -> str:
    return re.search(r"验证码：(\d{6})", SmsMessage.objects.latest("id").text).group(1)


def mailed_code() -> str:
    return re.search(r"验证码：(\d{6})", mail.outbox[-1].body).group(1)


def change_password(client, code, old=PASSWORD, new=NEW):
    return client.post(PASSWORD_URL, {"old_password": old, "new_password1": new,
                                      "new_password2": new, "code": code})


def code_errors(response) -> list[str]:
    return response.context["form"].errors.get("code", [])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# --- 账户安全 -----------------------------------------------------------------------------------


def test_the_security_page_shows_masked_contacts_and_links_the_three_changes(client, ent_tianhe):
    client.force_login(ent_tianhe)
    html = client.get(reverse("accounts:security")).content.decode()
    assert "138****0000" in html and "en***@example.cn" in html
    assert "13800000000" not in html and ent_tianhe.email not in html
    for name in ("accounts:password_change", "accounts:email_change", "accounts:phone"):
        assert reverse(name) in html
    # Reached from the enterprise area and the header.
    profile = client.get(reverse("enterprises:profile")).content.decode()
    assert reverse("accounts:security") in profile


@pytest.mark.parametrize("url", [reverse("accounts:security"), PASSWORD_URL, EMAIL_URL])
def test_anonymous_visitors_log_in_and_admin_accounts_are_refused(client, gd_province, url):
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    client.force_login(gd_province)
    assert client.get(url).status_code == 403
    assert client.post(url, {"send": "1", "channel": "sms"}).status_code == 403
    assert not ActionCode.objects.exists() and not SmsMessage.objects.exists()


# --- sending ------------------------------------------------------------------------------------


def test_a_code_goes_by_sms_to_the_bound_mobile_and_only_its_hash_is_kept(client, ent_tianhe):
    client.force_login(ent_tianhe)
    assert send(client)["Location"] == PASSWORD_URL
    message = SmsMessage.objects.get()
    assert message.to == ent_tianhe.mobile and message.recipient == ent_tianhe
    assert "修改登录密码" in message.text
    code = sms_code()
    stored = ActionCode.objects.get()
    assert (stored.purpose, stored.channel) == ("password", "sms")
    assert stored.code_hash != code and len(stored.code_hash) == 64  # an HMAC-SHA256
    assert SecurityEvent.objects.filter(event="code_sent", user=ent_tianhe).exists()


def test_a_code_goes_by_mail_to_the_address_on_file(client, ent_tianhe,
                                                    django_capture_on_commit_callbacks):
    client.force_login(ent_tianhe)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, EMAIL_URL, channel="email")
    assert mail.outbox[-1].to == [ent_tianhe.email]
    assert "修改登录邮箱" in mail.outbox[-1].body and len(mailed_code()) == 6


def test_one_code_a_minute_and_five_an_hour(client, ent_tianhe):
    client.force_login(ent_tianhe)
    with time_machine.travel(T0, tick=False) as traveller:
        assert send(client).status_code == 302
        traveller.shift(dt.timedelta(seconds=59))
        too_soon = send(client)
        assert "请1分钟后再试" in too_soon.content.decode()
        for _ in range(4):
            traveller.shift(dt.timedelta(seconds=61))
            assert send(client).status_code == 302
        traveller.shift(dt.timedelta(seconds=61))
        sixth = send(client)
        assert "次数已达上限" in sixth.content.decode()
        assert ActionCode.objects.count() == 5
        traveller.shift(dt.timedelta(hours=1))
        assert send(client).status_code == 302


def test_an_unknown_channel_sends_nothing(client, ent_tianhe):
    client.force_login(ent_tianhe)
    response = send(client, channel="fax")
    assert response.status_code == 200 and not ActionCode.objects.exists()


# --- the password ----------------------------------------------------------------------------------


def test_the_password_changes_with_the_right_code_and_the_session_stays(client, ent_tianhe):
    client.force_login(ent_tianhe)
    send(client)
    response = change_password(client, sms_code())
    assert response["Location"] == reverse("accounts:security")
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.check_password(NEW)
    assert client.get(reverse("enterprise_home")).status_code == 200
    assert SecurityEvent.objects.filter(event="password_change", user=ent_tianhe).exists()


def test_a_wrong_code_counts_and_five_burn_it(client, ent_tianhe):
    client.force_login(ent_tianhe)
    send(client)
    code = sms_code()
    for left in (4, 3, 2, 1):
        assert code_errors(change_password(client, wrong(code))) == [f"验证码不正确，还可尝试{left}次。"]
    assert code_errors(change_password(client, wrong(code))) == ["验证码错误次数过多，请重新获取。"]
    assert code_errors(change_password(client, code)) == ["验证码错误次数过多，请重新获取。"]
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.check_password(PASSWORD)


def test_a_code_works_until_just_before_10_minutes_then_expires(client, ent_tianhe, person):
    for account, delay, works in ((ent_tianhe, dt.timedelta(minutes=9, seconds=59), True),
                                  (person, dt.timedelta(minutes=10), False)):
        client.force_login(account)
        with time_machine.travel(T0, tick=False) as traveller:
            send(client)
            traveller.shift(delay)
            response = change_password(client, sms_code())
        account.refresh_from_db()
        assert account.check_password(NEW) is works
        if not works:
            assert code_errors(response) == ["验证码已过期，请重新获取。"]


def test_a_code_is_used_once(client, ent_tianhe):
    client.force_login(ent_tianhe)
    send(client)
    code = sms_code()
    assert change_password(client, code).status_code == 302
    again = change_password(client, code, old=NEW, new="Other@2026pass")
    assert code_errors(again) == ["请先获取验证码。"]


def test_a_wrong_old_password_or_a_reused_one_keeps_the_code(client, ent_tianhe):
    client.force_login(ent_tianhe)
    send(client)
    code = sms_code()
    bad_old = change_password(client, code, old="Wrong@2026pass")
    assert bad_old.context["form"].errors["old_password"] == ["原密码不正确。"]
    reused = change_password(client, code, new=PASSWORD)
    assert reused.context["form"].errors["new_password1"] == [
        "新密码不能与最近5次使用过的密码相同。"]
    stored = ActionCode.objects.get()
    assert stored.used_at is None and stored.tries == 0
    assert change_password(client, code).status_code == 302


def test_a_new_code_voids_the_earlier_one(client, ent_tianhe):
    client.force_login(ent_tianhe)
    with time_machine.travel(T0, tick=False) as traveller:
        send(client)
        first = sms_code()
        traveller.shift(dt.timedelta(minutes=2))
        send(client)
        second = sms_code()
        if first != second:
            assert code_errors(change_password(client, first))
        assert change_password(client, second).status_code == 302


def test_another_accounts_code_and_a_code_for_another_action_do_not_work(client, ent_tianhe,
                                                                        ent_yuexiu):
    client.force_login(ent_yuexiu)
    send(client)
    theirs = sms_code()
    send(client, EMAIL_URL)  # a code for the e-mail, not the password … of ent_yuexiu
    client.force_login(ent_tianhe)
    assert code_errors(change_password(client, theirs)) == ["请先获取验证码。"]
    send(client, EMAIL_URL)
    email_code = sms_code()
    assert code_errors(change_password(client, email_code)) == ["请先获取验证码。"]
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.check_password(PASSWORD)


def test_a_natural_person_changes_the_password_too(client, person):
    client.force_login(person)
    send(client)
    assert change_password(client, sms_code()).status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW)


# --- the login e-mail ------------------------------------------------------------------------------


def test_the_email_changes_with_the_code_and_the_old_address_is_told(
        client, ent_tianhe, django_capture_on_commit_callbacks):
    client.force_login(ent_tianhe)
    old = ent_tianhe.email
    with django_capture_on_commit_callbacks(execute=True):
        send(client, EMAIL_URL, channel="email")
    code = mailed_code()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EMAIL_URL, {"new_email": "new@example.cn", "code": code})
    assert response["Location"] == reverse("accounts:security")
    assert User.objects.get(pk=ent_tianhe.pk).email == "new@example.cn"
    assert mail.outbox[-1].to == [old] and "登录邮箱已修改" in mail.outbox[-1].subject
    assert SecurityEvent.objects.filter(event="email_change", user=ent_tianhe).exists()


def test_the_email_is_kept_on_a_wrong_code_or_the_same_address(client, ent_tianhe):
    client.force_login(ent_tianhe)
    send(client, EMAIL_URL)
    code = sms_code()
    bad = client.post(EMAIL_URL, {"new_email": "new@example.cn", "code": wrong(code)})
    assert code_errors(bad) == ["验证码不正确，还可尝试4次。"]
    assert bad.context["form"]["new_email"].value() == "new@example.cn"  # kept as typed
    same = client.post(EMAIL_URL, {"new_email": ent_tianhe.email.upper(), "code": code})
    assert same.context["form"].errors["new_email"] == ["新邮箱与当前邮箱相同。"]
    invalid = client.post(EMAIL_URL, {"new_email": "not-an-address", "code": code})
    assert invalid.context["form"].errors["new_email"] == ["请输入有效的电子邮箱地址。"]
    assert User.objects.get(pk=ent_tianhe.pk).email == ent_tianhe.email
    assert not SecurityEvent.objects.filter(event="email_change").exists()

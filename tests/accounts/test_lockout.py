"""Login lockout rules (portal/accounts/lockout.py): pair, account from several addresses,
address across accounts; a sliding 15-minute window; 30-minute locks."""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.utils import timezone

from tests.accounts.helpers import CAPTCHA_OK, post_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "Wrong@2026pass"
STRANGER = "10.0.0.1"
OWNER = "10.0.0.200"


def fail(client, identifier, times, ip=STRANGER):
    for _ in range(times):
        response = post_login(client, identifier, WRONG, REMOTE_ADDR=ip)
        assert response.status_code in (200, 429)  # 429: this failure set a lock


def can_log_in(client, user, ip) -> bool:
    response = post_login(client, user.username, PASSWORD, REMOTE_ADDR=ip)
    if response.status_code == 302:
        client.post("/accounts/logout/")
        return True
    assert response.status_code == 429
    assert "锁定30分钟" in response.content.decode()
    return False


def test_five_failures_lock_the_account_from_that_address_even_with_the_right_password(
    client, ent_tianhe
):
    fail(client, ent_tianhe.username, 4)
    assert can_log_in(client, ent_tianhe, STRANGER)  # 4 is fine
    fail(client, ent_tianhe.username, 5)
    assert not can_log_in(client, ent_tianhe, STRANGER)


def test_a_stranger_typing_the_public_code_wrongly_does_not_lock_the_owner_out(
    client, ent_tianhe
):
    fail(client, ent_tianhe.uscc, 5, ip=STRANGER)
    assert not can_log_in(client, ent_tianhe, STRANGER)
    assert can_log_in(client, ent_tianhe, OWNER)


def test_failures_from_two_addresses_do_not_lock_the_account(client, ent_tianhe):
    fail(client, ent_tianhe.uscc, 4, ip="10.0.0.1")
    fail(client, ent_tianhe.uscc, 4, ip="10.0.0.2")
    assert can_log_in(client, ent_tianhe, OWNER)


def test_failures_from_three_addresses_lock_the_account_whichever_identifier_is_typed(
    client, ent_tianhe
):
    fail(client, ent_tianhe.username, 3, ip="10.0.0.1")
    fail(client, ent_tianhe.uscc, 1, ip="10.0.0.2")
    fail(client, ent_tianhe.uscc.lower(), 1, ip="10.0.0.3")
    assert not can_log_in(client, ent_tianhe, OWNER)
    response = post_login(client, ent_tianhe.uscc, PASSWORD, REMOTE_ADDR="10.0.0.4")
    assert response.status_code == 429


def test_twenty_failures_from_one_address_lock_it_for_every_account(client, ent_yuexiu):
    for n in range(5):
        fail(client, f"nobody{n}", 4, ip="10.9.9.9")
    assert not can_log_in(client, ent_yuexiu, "10.9.9.9")
    assert can_log_in(client, ent_yuexiu, "10.9.9.8")


def test_nineteen_failures_across_accounts_do_not_lock_the_address(client, ent_yuexiu):
    for n in range(4):
        fail(client, f"nobody{n}", 4, ip="10.9.9.9")
    fail(client, "nobody9", 3, ip="10.9.9.9")
    assert can_log_in(client, ent_yuexiu, "10.9.9.9")


def test_failures_older_than_15_minutes_no_longer_count(client, ent_tianhe):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail(client, ent_tianhe.username, 4)
        traveller.shift(dt.timedelta(minutes=16))
        fail(client, ent_tianhe.username, 1)
        assert can_log_in(client, ent_tianhe, STRANGER)


def test_five_failures_within_15_minutes_lock(client, ent_tianhe):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail(client, ent_tianhe.username, 4)
        traveller.shift(dt.timedelta(minutes=14, seconds=59))
        fail(client, ent_tianhe.username, 1)
        assert not can_log_in(client, ent_tianhe, STRANGER)


def test_the_window_slides_failure_by_failure(client, ent_tianhe):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail(client, ent_tianhe.username, 2)
        traveller.shift(dt.timedelta(minutes=10))
        fail(client, ent_tianhe.username, 2)
        traveller.shift(dt.timedelta(minutes=6))  # the first two are now 16 minutes old
        fail(client, ent_tianhe.username, 2)
        assert can_log_in(client, ent_tianhe, STRANGER)


def test_the_lock_lifts_30_minutes_after_the_fifth_failure(client, ent_tianhe):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail(client, ent_tianhe.username, 5)
        traveller.shift(dt.timedelta(minutes=29, seconds=59))
        assert not can_log_in(client, ent_tianhe, STRANGER)
        traveller.shift(dt.timedelta(seconds=2))
        assert can_log_in(client, ent_tianhe, STRANGER)


def test_attempts_while_locked_do_not_extend_the_lock(client, ent_tianhe):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail(client, ent_tianhe.username, 5)
        traveller.shift(dt.timedelta(minutes=20))
        for _ in range(5):
            response = post_login(client, ent_tianhe.username, WRONG, REMOTE_ADDR=STRANGER)
            assert response.status_code == 429
        traveller.shift(dt.timedelta(minutes=10, seconds=1))
        assert can_log_in(client, ent_tianhe, STRANGER)


def test_a_success_resets_the_failure_count(client, ent_tianhe):
    fail(client, ent_tianhe.username, 4)
    assert can_log_in(client, ent_tianhe, STRANGER)
    fail(client, ent_tianhe.username, 4)
    assert can_log_in(client, ent_tianhe, STRANGER)


def lock_the_account(client, user) -> None:
    for n in range(3):
        fail(client, user.uscc, 2, ip=f"10.0.1.{n}")
    assert not can_log_in(client, user, OWNER)


def test_an_official_unlocks_an_account_in_the_admin(client, ent_tianhe, tianhe_county):
    lock_the_account(client, ent_tianhe)
    assert AccessAttempt.objects.filter(username=ent_tianhe.username).exists()
    admin = client.__class__()
    admin.force_login(tianhe_county)
    response = admin.post("/admin/accounts/user/", {
        "action": "unlock_accounts", "_selected_action": [ent_tianhe.pk],
    })
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=ent_tianhe.username).exists()
    assert can_log_in(client, ent_tianhe, OWNER)
    assert can_log_in(client, ent_tianhe, "10.0.1.0")


def test_the_owner_unlocks_the_account_through_the_e_mail_recovery_link(
    client, ent_tianhe, django_capture_on_commit_callbacks
):
    lock_the_account(client, ent_tianhe)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/recover/", {"code": ent_tianhe.uscc, "person_name": "张三",
                                           "email": ent_tianhe.email, **CAPTCHA_OK})
    path = re.search(r"http://[^/]+(/accounts/recover/\S+/)", mail.outbox[-1].body).group(1)
    page = client.get(path, follow=True)
    new_password = "Fresh#2027word"
    response = client.post(page.redirect_chain[-1][0], {"new_password1": new_password,
                                                        "new_password2": new_password})
    assert response.status_code == 302
    response = post_login(client, ent_tianhe.uscc, new_password, REMOTE_ADDR=OWNER)
    assert response.status_code == 302


def test_the_lockout_page_names_the_e_mail_route(client, ent_tianhe):
    fail(client, ent_tianhe.username, 5)
    response = post_login(client, ent_tianhe.username, PASSWORD, REMOTE_ADDR=STRANGER)
    body = response.content.decode()
    assert response.status_code == 429
    assert "/accounts/recover/" in body and "锁定即解除" in body

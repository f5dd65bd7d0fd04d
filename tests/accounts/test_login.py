import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from tests.accounts.helpers import post_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(client) -> bool:
    return client.get("/enterprise/").status_code == 200


@pytest.mark.parametrize("identifier", ["username", "uscc", "uscc_lower", "uscc_spaced"])
def test_an_enterprise_logs_in_with_login_name_or_code(client, ent_tianhe, identifier):
    typed = {
        "username": ent_tianhe.username,
        "uscc": ent_tianhe.uscc,
        "uscc_lower": ent_tianhe.uscc.lower(),
        "uscc_spaced": f" {ent_tianhe.uscc[:9]} {ent_tianhe.uscc[9:]} ",
    }[identifier]
    response = post_login(client, typed, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/enterprise/"
    assert logged_in(client)


def test_a_natural_person_logs_in_with_the_id_number(client, person):
    response = post_login(client, person.id_number, PASSWORD)
    assert response.status_code == 302
    assert "自然人账户不能进行优质中小企业申报" in client.get("/enterprise/").content.decode()


def test_an_official_logging_in_on_the_public_page_lands_in_the_admin(client, gd_province):
    response = post_login(client, gd_province.username, PASSWORD)
    assert response["Location"] == "/admin/"


def test_a_wrong_password_says_so_and_warns_of_the_lockout(client, ent_tianhe):
    response = post_login(client, ent_tianhe.username, "Wrong@2026pass")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    assert not logged_in(client)


def test_the_captcha_is_required(client, ent_tianhe):
    response = post_login(client, ent_tianhe.username, PASSWORD, captcha_1="WRONG")
    assert "验证码不正确" in response.content.decode()
    assert not logged_in(client)


def test_a_next_address_on_another_site_is_ignored(client, ent_tianhe):
    response = post_login(client, ent_tianhe.username, PASSWORD, next="https://evil.example/")
    assert response["Location"] == "/enterprise/"


def fail(client, identifier, times, ip="10.0.0.1"):
    for _ in range(times):
        post_login(client, identifier, "Wrong@2026pass", REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_even_with_the_right_password(client, ent_tianhe):
    fail(client, ent_tianhe.username, 4)
    assert post_login(client, ent_tianhe.username, PASSWORD).status_code == 302  # 4 is fine
    client.post("/accounts/logout/")
    fail(client, ent_tianhe.username, 5)
    response = post_login(client, ent_tianhe.username, PASSWORD)
    assert response.status_code == 429
    assert "锁定30分钟" in response.content.decode()
    assert not logged_in(client)


def test_the_lock_holds_whichever_identifier_is_typed(client, ent_tianhe):
    fail(client, ent_tianhe.username, 3, ip="10.0.0.1")
    fail(client, ent_tianhe.uscc, 2, ip="10.0.0.2")
    response = post_login(client, ent_tianhe.uscc, PASSWORD, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429


def test_five_failures_from_one_ip_lock_that_ip_for_every_account(client, ent_tianhe, ent_yuexiu):
    for name in ["nobody1", "nobody2", "nobody3", "nobody4", "nobody5"]:
        post_login(client, name, "Wrong@2026pass", REMOTE_ADDR="10.9.9.9")
    assert post_login(client, ent_yuexiu.username, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert post_login(client, ent_yuexiu.username, PASSWORD, REMOTE_ADDR="10.9.9.8").status_code == 302


def test_the_lock_lifts_after_30_minutes(client, ent_tianhe):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        fail(client, ent_tianhe.username, 5)
        traveller.shift(dt.timedelta(minutes=29, seconds=59))
        assert post_login(client, ent_tianhe.username, PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(seconds=2))
        assert post_login(client, ent_tianhe.username, PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(client, ent_tianhe):
    fail(client, ent_tianhe.username, 4)
    assert post_login(client, ent_tianhe.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    fail(client, ent_tianhe.username, 4)
    assert post_login(client, ent_tianhe.username, PASSWORD).status_code == 302


def test_an_official_unlocks_an_account_in_the_admin(client, ent_tianhe, tianhe_county):
    fail(client, ent_tianhe.username, 5)
    assert AccessAttempt.objects.filter(username=ent_tianhe.username).exists()
    admin = client.__class__()
    admin.force_login(tianhe_county)
    response = admin.post("/admin/accounts/user/", {
        "action": "unlock_accounts", "_selected_action": [ent_tianhe.pk],
    })
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=ent_tianhe.username).exists()
    assert post_login(client, ent_tianhe.username, PASSWORD).status_code == 302


def test_logout_ends_the_session(client, ent_tianhe):
    post_login(client, ent_tianhe.username, PASSWORD)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/enterprise/").status_code == 302


def test_a_session_ends_after_30_minutes_idle(client, ent_tianhe):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        post_login(client, ent_tianhe.username, PASSWORD)
        traveller.shift(dt.timedelta(minutes=29))
        assert logged_in(client)  # activity renews the 30 minutes
        traveller.shift(dt.timedelta(minutes=29))
        assert logged_in(client)
        traveller.shift(dt.timedelta(minutes=30, seconds=1))
        response = client.get("/enterprise/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_an_idle_official_is_sent_to_the_admin_login(client, gd_province):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(gd_province)
        assert client.get("/admin/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_logging_in_again_restarts_the_idle_clock(client, ent_tianhe):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_login(client, ent_tianhe.username, PASSWORD)
        assert logged_in(client)
        traveller.shift(dt.timedelta(hours=5))
        # The old session may still be in the store (a cache keeps its own clock): a fresh
        # login must not be undone by the previous session's last request.
        client.force_login(ent_tianhe)
        assert logged_in(client)

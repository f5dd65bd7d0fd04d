import datetime as dt

import pytest
import time_machine
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


def test_the_session_is_written_at_most_once_a_minute_and_still_ends_within_the_minute(
        client, ent_tianhe):
    from django.contrib.sessions.models import Session

    def saved_at() -> dt.datetime:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(ent_tianhe)
        assert logged_in(client)
        first = saved_at()
        traveller.shift(dt.timedelta(seconds=59))
        assert logged_in(client)
        assert saved_at() == first  # within the minute: no write
        traveller.shift(dt.timedelta(seconds=1))
        assert logged_in(client)
        assert saved_at() == first + dt.timedelta(seconds=60)  # a minute on: written once
        # The last request was 30 s after that write: the session ends 30 minutes after the
        # write, 29 min 30 s after the last request — within the minute, never later.
        traveller.shift(dt.timedelta(seconds=30))
        assert logged_in(client)
        traveller.shift(dt.timedelta(minutes=29, seconds=31))
        assert client.get("/enterprise/").status_code == 302

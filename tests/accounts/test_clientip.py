"""The client address behind our proxies (portal/accounts/clientip.py), for lockout and rate
limits alike."""

import pytest
from django.test import RequestFactory, override_settings

from portal.accounts.clientip import client_ip
from tests.accounts.helpers import CAPTCHA_OK
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
behind_one_proxy = override_settings(BEHIND_PROXY=True, PROXY_COUNT=1)


def address(xff: str | None, remote: str = PROXY) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_a_proxy_the_forwarded_header_is_ignored():
    assert address("203.0.113.7", remote="198.51.100.1") == "198.51.100.1"


@behind_one_proxy
def test_behind_one_proxy_the_address_it_appended_is_the_client():
    assert address("203.0.113.7") == "203.0.113.7"


@behind_one_proxy
def test_entries_the_client_wrote_itself_are_ignored():
    assert address("6.6.6.6, 1.1.1.1, 203.0.113.7") == "203.0.113.7"


@override_settings(BEHIND_PROXY=True, PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_second_from_the_right():
    assert address("6.6.6.6, 203.0.113.7, 10.0.0.4") == "203.0.113.7"


@behind_one_proxy
def test_a_request_without_the_header_keys_on_its_peer():
    assert address(None) == PROXY


def login(client, username, password, xff):
    return client.post(
        "/accounts/login/", {"username": username, "password": password, **CAPTCHA_OK},
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff,
    )


@behind_one_proxy
def test_behind_a_proxy_one_client_failing_locks_only_itself(client, ent_tianhe, ent_yuexiu):
    # 20 failures across accounts lock the client's address (4 per name: no pair locks first).
    for name in ["nobody1", "nobody2", "nobody3", "nobody4", ent_tianhe.username] * 4:
        login(client, name, "Wrong@2026pass", "203.0.113.66")
    assert login(client, ent_yuexiu.username, PASSWORD, "203.0.113.66").status_code == 429
    assert login(client, ent_tianhe.username, PASSWORD, "203.0.113.7").status_code == 302


def test_without_a_proxy_a_forged_header_does_not_escape_the_lock(client, ent_tianhe):
    for n in range(5):
        login(client, ent_tianhe.username, "Wrong@2026pass", f"203.0.113.{n}")
    assert login(client, ent_tianhe.username, PASSWORD, "203.0.113.99").status_code == 429


def register(client, xff):
    return client.post("/accounts/register/", {"kind": "enterprise", "username": "x"},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


LIMITED = "注册请求过于频繁"


@behind_one_proxy
def test_behind_a_proxy_the_registration_limit_is_per_client(client):
    for _ in range(20):
        assert LIMITED not in register(client, "203.0.113.66").content.decode()
    assert LIMITED in register(client, "203.0.113.66").content.decode()
    assert LIMITED not in register(client, "203.0.113.7").content.decode()


def test_without_a_proxy_a_forged_header_does_not_escape_the_registration_limit(client):
    for n in range(20):
        register(client, f"203.0.113.{n}")
    assert LIMITED in register(client, "203.0.113.99").content.decode()

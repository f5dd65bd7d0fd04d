"""The captcha pool: a login page reads a pooled captcha instead of inserting one; each is
still single-use and still expires."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.captchas import captcha_pick, captcha_pool_refill
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SHOWN_AT_LEAST = dt.timedelta(minutes=10)  # CAPTCHA_GET_FROM_POOL_TIMEOUT
LIFETIME = dt.timedelta(minutes=20)  # CAPTCHA_TIMEOUT


@pytest.fixture(autouse=True)
def real_captcha(monkeypatch, settings):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)
    settings.CAPTCHA_POOL_SIZE = 20


def shown_key(client, url: str = "/accounts/login/") -> str:
    body = client.get(url).content.decode()
    return re.search(r'name="captcha_0" value="([0-9a-f]{40})"', body).group(1)


def login(client, user, key, answer):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD,
                                             "captcha_0": key, "captcha_1": answer})


def test_the_settings_keep_a_shown_captcha_valid_10_minutes_and_at_most_20():
    assert captcha_settings.CAPTCHA_GET_FROM_POOL
    assert int(captcha_settings.CAPTCHA_GET_FROM_POOL_TIMEOUT) == 10
    assert int(captcha_settings.CAPTCHA_TIMEOUT) == 20


def test_a_refill_tops_the_pool_up_in_one_insert_and_deletes_the_expired():
    old = CaptchaStore.objects.create(challenge="ABCD", response="abcd",
                                      expiration=timezone.now() - dt.timedelta(seconds=1))
    with CaptureQueriesContext(connection) as queries:
        assert captcha_pool_refill() == 20
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 1
    assert not CaptchaStore.objects.filter(pk=old.pk).exists()
    assert CaptchaStore.objects.count() == 20
    assert captcha_pool_refill() == 0  # full: nothing made
    keys = set(CaptchaStore.objects.values_list("hashkey", flat=True))
    assert len(keys) == 20 and all(re.fullmatch(r"[0-9a-f]{40}", k) for k in keys)
    assert all(r == c.lower() for c, r in CaptchaStore.objects.values_list("challenge", "response"))


def test_the_login_page_reads_a_pooled_captcha_and_inserts_nothing(client):
    captcha_pool_refill()
    client.get("/accounts/login/")
    with CaptureQueriesContext(connection) as queries:
        key = shown_key(client)
    assert not [q for q in queries if q["sql"].upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert CaptchaStore.objects.filter(hashkey=key).exists()
    assert CaptchaStore.objects.count() == 20


def test_an_empty_pool_is_refilled_by_the_first_page_that_needs_one(client):
    assert not CaptchaStore.objects.exists()
    key = shown_key(client)
    assert CaptchaStore.objects.count() == 20 and CaptchaStore.objects.filter(hashkey=key).exists()


def test_a_pool_of_size_zero_still_shows_a_captcha(settings):
    settings.CAPTCHA_POOL_SIZE = 0
    key = captcha_pick()
    assert CaptchaStore.objects.filter(hashkey=key).exists()


def test_a_pooled_captcha_passes_once_then_is_refused(client, ent_tianhe):
    captcha_pool_refill()
    key = shown_key(client)
    answer = CaptchaStore.objects.get(hashkey=key).response
    assert login(client, ent_tianhe, key, answer).status_code == 302
    client.post("/accounts/logout/")
    response = login(client, ent_tianhe, key, answer)
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_answer_uses_the_pooled_captcha_up(client, ent_tianhe):
    captcha_pool_refill()
    key = shown_key(client)
    answer = CaptchaStore.objects.get(hashkey=key).response
    assert "验证码不正确" in login(client, ent_tianhe, key, "zzzz").content.decode()
    assert not CaptchaStore.objects.filter(hashkey=key).exists()
    assert "验证码不正确" in login(client, ent_tianhe, key, answer).content.decode()


def test_a_pooled_captcha_expires_20_minutes_after_it_was_made(client, ent_tianhe):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        captcha_pool_refill()
        key = shown_key(client)
        answer = CaptchaStore.objects.get(hashkey=key).response
    with time_machine.travel(start + LIFETIME, tick=False):  # the edge: expired
        response = login(client, ent_tianhe, key, answer)
    assert "验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_pooled_captcha_is_still_good_just_before_it_expires(client, ent_tianhe):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        captcha_pool_refill()
        key = shown_key(client)
        answer = CaptchaStore.objects.get(hashkey=key).response
    with time_machine.travel(start + LIFETIME - dt.timedelta(seconds=1), tick=False):
        assert login(client, ent_tianhe, key, answer).status_code == 302


def test_a_captcha_with_10_minutes_or_less_left_is_no_longer_shown():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        captcha_pool_refill(size=1)
        [old] = CaptchaStore.objects.values_list("hashkey", flat=True)
    with time_machine.travel(start + LIFETIME - SHOWN_AT_LEAST - dt.timedelta(seconds=1),
                             tick=False):
        assert captcha_pick() == old  # 10 minutes and a second left: shown
    with time_machine.travel(start + LIFETIME - SHOWN_AT_LEAST, tick=False):
        fresh = captcha_pick()  # exactly 10 left: a new one is made instead
        assert fresh != old
        assert CaptchaStore.objects.get(hashkey=fresh).expiration == timezone.now() + LIFETIME


def test_picks_spread_over_the_whole_pool():
    captcha_pool_refill(size=20)
    picked = {captcha_pick() for _ in range(300)}
    assert len(picked) >= 15  # uniform over 20 keys: missing 6 in 300 draws is ~never


def test_a_random_point_past_the_last_key_picks_the_first(monkeypatch):
    captcha_pool_refill(size=5)
    keys = sorted(CaptchaStore.objects.values_list("hashkey", flat=True))
    monkeypatch.setattr("portal.accounts.captchas.secrets.token_hex", lambda n: "f" * 40)
    assert captcha_pick() == keys[0]
    monkeypatch.setattr("portal.accounts.captchas.secrets.token_hex", lambda n: keys[2])
    assert captcha_pick() == keys[2]

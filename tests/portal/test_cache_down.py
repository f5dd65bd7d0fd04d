"""Redis (the cache) down: pages still answer, sessions hold, and the rate-limited forms are not
refused as "too frequent" because the counter cannot be read (the captcha still guards them)."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches

from tests.portal.test_recognition_query import ask, company, open_query  # noqa: F401

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}}}
    # Django's setting_changed handler rebuilds the cache connections from the setting.
    assert caches["default"].get("anything") is None


def test_the_recognition_query_answers_with_redis_down(client, company, open_query,  # noqa: F811
                                                        redis_down):
    response = ask(client, "广州天河精工科技有限公司", company.uscc)
    body = response.content.decode()
    assert response.status_code == 200 and "查询过于频繁" not in body
    assert 'data-testid="title-row"' in body


def test_a_wrong_captcha_is_still_refused_with_redis_down(client, company, open_query,  # noqa: F811
                                                         redis_down):
    response = ask(client, "广州天河精工科技有限公司", company.uscc, captcha="WRONG")
    assert response.status_code == 200 and 'data-testid="title-row"' not in response.content.decode()


def test_the_home_page_and_a_logged_in_page_answer_with_redis_down(client, ent_tianhe, redis_down):
    assert client.get("/").status_code == 200
    client.force_login(ent_tianhe)
    assert client.get("/enterprise/").status_code == 200
    assert client.get("/enterprise/messages/").status_code == 200

import json
import os

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def health(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_it_is_up_on_the_embedded_defaults(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok" and body["down"] == []
    assert body["parts"]["database"] == "ok" and body["parts"]["cache"] == "ok"
    assert body["parts"]["broker"].startswith("not configured")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="runs where REDIS_URL is configured")
def test_it_is_up_with_redis_as_cache_and_broker(client, settings):
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                   "LOCATION": os.environ["REDIS_URL"],
                                   "OPTIONS": {"IGNORE_EXCEPTIONS": True}}}
    status, body = health(client)
    assert status == 200, body
    assert body["parts"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_a_dead_cache_answers_503_naming_it(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": DEAD_REDIS,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5}}}
    status, body = health(client)
    assert status == 503
    assert body["down"] == ["cache"]
    assert body["parts"]["database"] == "ok"


def test_a_dead_broker_answers_503_naming_it(client, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    status, body = health(client)
    assert status == 503
    assert body["down"] == ["broker"]


def test_a_dead_database_answers_503_naming_it(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "memory://"

    class DeadConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("portal.health.connection", DeadConnection())
    status, body = health(client)
    assert status == 503
    assert body["down"] == ["database"]

"""/healthz: the state of each configured part, 503 naming the parts that are down."""

from __future__ import annotations

import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 — any failure means "down"
        return False


def check_cache() -> bool:
    # A round trip: django-redis swallows errors (IGNORE_EXCEPTIONS), so read back what was set.
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
        return ok
    except Exception:  # noqa: BLE001
        return False


def check_broker() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    parts = {"database": check_database(), "cache": check_cache()}
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        parts["broker"] = check_broker()
    down = [name for name, ok in parts.items() if not ok]
    body = {
        "status": "down" if down else "ok",
        "parts": {name: ("ok" if ok else "down") for name, ok in parts.items()},
        "down": down,
    }
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        body["parts"]["broker"] = "not configured (tasks run in-process)"
    return JsonResponse(body, status=503 if down else 200, json_dumps_params={"ensure_ascii": False})

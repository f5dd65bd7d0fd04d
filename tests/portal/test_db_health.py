"""The PostgreSQL health check without a round trip (portal/db/base.py).

Each test works on its own copy of the connection, outside the test's transaction: the check
is about a connection kept idle between two requests.
"""

from __future__ import annotations

import select
import time

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def kept():
    """A second connection, as a server process keeps it between requests."""
    other = connection.copy()
    other.ensure_connection()
    yield other
    other.close()


@pytest.fixture
def round_trips(monkeypatch):
    """How many times Django's own check (`SELECT 1`) was asked."""
    asked = []
    original = PostgresWrapper.is_usable

    def counted(self):
        asked.append(1)
        return original(self)

    monkeypatch.setattr(PostgresWrapper, "is_usable", counted)
    return asked


def wait_readable(conn, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if select.select([conn.connection.pgconn.socket], [], [], 0.05)[0]:
            return
    raise AssertionError("the server never ended the connection")


def test_the_product_uses_it():
    assert settings.DATABASES["default"]["ENGINE"] == "portal.db"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert type(connections["default"]).__module__ == "portal.db.base"


def test_an_idle_healthy_connection_costs_no_round_trip(kept, round_trips):
    assert kept.is_usable() is True
    assert round_trips == []


def test_a_connection_ended_by_the_server_is_found_unusable(kept):
    pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_readable(kept)
    assert kept.is_usable() is False


def test_the_next_request_after_a_server_restart_has_no_error(kept):
    """What a request does first (close_old_connections) replaces the dead connection."""
    old_pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    wait_readable(kept)
    kept.close_if_unusable_or_obsolete()     # request_started
    with kept.cursor() as cursor:            # the request's first query
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]
    assert new_pid != old_pid


def test_something_to_read_on_a_live_connection_asks_the_server(kept, round_trips):
    """A notice the server sent unasked (here a NOTIFY) is not mistaken for its end: the
    `SELECT 1` decides, and the connection stays."""
    with kept.cursor() as cursor:
        cursor.execute("LISTEN portal_health_test")
    with connection.cursor() as cursor:
        cursor.execute("NOTIFY portal_health_test")
    wait_readable(kept)
    assert kept.is_usable() is True
    assert round_trips == [1]


def test_inside_a_transaction_the_server_is_asked(kept, round_trips):
    kept.set_autocommit(False)
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert kept.is_usable() is True
    assert round_trips == [1]
    kept.rollback()
    kept.set_autocommit(True)


def test_a_closed_connection_is_unusable(kept):
    kept.connection.close()
    assert kept.is_usable() is False

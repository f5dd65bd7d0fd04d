"""A real `celery -A portal worker` against the test database (PostgreSQL) and REDIS_URL, for
the tests that check the broker path end to end (tests/portal/test_calendar.py,
tests/declarations/test_exports.py). The suite otherwise runs tasks in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database (test_…), as the worker's DATABASE_URL."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(queue: str, **env: str) -> subprocess.Popen:
    """A one-process worker consuming only `queue` (a name of the test's own, so no other
    worker on the broker takes its tasks), in its own process group."""
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_VISIBILITY_TIMEOUT": "2",
           "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue, "-c", "1",
         "-P", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-l", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")

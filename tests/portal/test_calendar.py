"""The calendar as a whole: the beat schedule reaches django-celery-beat, `run_calendar` runs
every job (the embedded mode), and a real worker on Redis killed mid-job sends exactly once."""

import datetime as dt
import os
import signal
import time
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from enterprises.models import EnterpriseCount, EnterpriseCountState, RecognitionTierCount
from enterprises.services import enterprise_for_account
from enterprises.tasks import recognition_expiry_remind
from messaging.models import Message
from portal.celery import app
from tests.celery_worker import start_worker, stop_worker, wait_for
from tests.enterprises.conftest import recognise

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the scheduler closes stale connections itself
def test_the_schedule_in_code_is_written_into_django_celery_beat():
    DatabaseScheduler(app=app, lazy=True).setup_schedule()
    tasks = dict(PeriodicTask.objects.values_list("name", "task"))
    assert tasks["认定到期提醒"] == "enterprises.tasks.recognition_expiry_remind"
    assert tasks["信息更新提醒"] == "enterprises.tasks.info_update_remind"
    assert tasks["申报提醒"] == "declarations.tasks.window_remind_task"
    assert tasks["消息副本发送"] == "messaging.tasks.deliver_copies"
    expiry = PeriodicTask.objects.get(name="认定到期提醒").crontab
    assert (expiry.hour, expiry.minute, str(expiry.timezone)) == ("1", "0", "Asia/Shanghai")
    counts = PeriodicTask.objects.get(name="统计汇总")
    assert counts.task == "declarations.tasks.statistics_refresh"
    assert (counts.crontab.minute, counts.crontab.hour) == ("*/10", "*")


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks


def test_run_calendar_runs_every_job_once_per_message(ent_tianhe):
    recognise(enterprise_for_account(user=ent_tianhe), start=dt.date(2024, 6, 1))
    out = StringIO()
    call_command("run_calendar", "--today", "2027-05-25", stdout=out)
    call_command("run_calendar", "--today", "2027-05-25", stdout=out)
    assert "认定到期提醒：1 条" in out.getvalue() and "认定到期提醒：0 条" in out.getvalue()
    assert sorted(Message.objects.values_list("kind", flat=True)) == ["expiry-7", "info-update-overdue"]


def test_run_calendar_rebuilds_the_statistics_and_a_dry_run_does_not(ent_tianhe):
    recognise(enterprise_for_account(user=ent_tianhe), start=timezone.localdate())
    out = StringIO()
    call_command("run_calendar", "--dry-run", stdout=out)
    assert not EnterpriseCountState.objects.exists() and "统计汇总" not in out.getvalue()
    call_command("run_calendar", stdout=out)
    assert ("统计汇总：3 行 {'enterprises': 1, 'title_tiers': 1, 'title_batches': 1, "
            "'declaration_tiers': 0, 'declaration_statuses': 0, 'declaration_sections': 0, "
            "'declaration_windows': 0}") in out.getvalue()
    assert EnterpriseCountState.objects.get().refreshed_at is not None
    assert sum(EnterpriseCount.objects.values_list("enterprises", flat=True)) == 1
    assert RecognitionTierCount.objects.get().valid == 1


def test_the_statistics_can_be_rebuilt_by_hand(ent_tianhe, ent_nanjing):
    enterprise_for_account(user=ent_tianhe)
    enterprise_for_account(user=ent_nanjing)
    out = StringIO()
    call_command("refresh_statistics", stdout=out)
    call_command("refresh_statistics", stdout=out)
    assert out.getvalue() == "统计数据已汇总：2 组企业，0 + 0 + 0 + 0 组申报，0 + 0 组认定。\n" * 2
    assert EnterpriseCount.objects.count() == 2


# --- a real worker on Redis -------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="runs where REDIS_URL is configured "
                    "(a real Celery worker needs a broker)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_runs_it_again_and_sends_exactly_once(ent_tianhe, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: needs PostgreSQL, DATABASE_URL is SQLite")
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # through the broker, for real
    recognise(enterprise_for_account(user=ent_tianhe), start=dt.date(2024, 6, 1))
    queue = f"test-calendar-{uuid.uuid4().hex}"
    s = connection.settings_dict
    # Another session holds the messages table: the job reads, then blocks on its insert —
    # the worker is killed there, mid-job, before anything is sent or acknowledged.
    blocker = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432,
                              user=s["USER"], password=s["PASSWORD"] or None, dbname=s["NAME"])
    workers = []
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE messaging_message IN EXCLUSIVE MODE")

            def waiting() -> list[int]:
                cursor.execute("SELECT pid FROM pg_locks WHERE NOT granted AND "
                               "relation = 'messaging_message'::regclass")
                return [row[0] for row in cursor.fetchall()]

            workers.append(start_worker(queue))
            recognition_expiry_remind.apply_async(args=["2027-05-25"], queue=queue)
            wait_for(lambda: bool(waiting()), 60, "the job to reach its insert")
            stuck = waiting()
            os.killpg(workers[0].pid, signal.SIGKILL)
            workers[0].wait(10)
            # The database notices the dead client; its half-done transaction goes away.
            for pid in stuck:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        blocker.rollback()
        assert Message.objects.count() == 0  # killed before anything was sent
        time.sleep(2.5)  # past the visibility timeout: the unacknowledged job is due again
        workers.append(start_worker(queue))
        wait_for(lambda: Message.objects.count() > 0, 60, "the restarted worker to run the job")
        # Run it once more on purpose: the unique key keeps it to one message.
        recognition_expiry_remind.apply_async(args=["2027-05-25"], queue=queue)
        time.sleep(3)
        assert list(Message.objects.values_list("recipient__username", "kind")) == [
            ("ent_tianhe", "expiry-7")]
    finally:
        blocker.close()
        for worker in workers:
            stop_worker(worker)

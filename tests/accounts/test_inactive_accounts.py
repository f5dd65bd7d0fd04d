"""等保 访问控制 c): officials' and operators' accounts unused for more than
INACTIVE_ACCOUNT_DAYS days are deactivated by the calendar, each one a security event."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings

from audit.models import SecurityEvent
from audit.services import role_account_create
from portal.accounts.models import User
from portal.accounts.services import inactive_accounts_disable
from tests.accounts.helpers import post_login
from tests.conftest import PASSWORD, enterprise, official

pytestmark = pytest.mark.django_db

BJ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 30)
# 90 days before 2026-06-30 is 2026-04-01: used on or after its midnight (Beijing) = still active.
CUTOFF = dt.datetime(2026, 4, 1, 0, 0, tzinfo=BJ)


def _used(user: User, at: dt.datetime | None, joined: dt.datetime | None = None) -> User:
    User.objects.filter(pk=user.pk).update(
        last_login=at, date_joined=joined or dt.datetime(2025, 1, 1, tzinfo=BJ))
    user.refresh_from_db()
    return user


def _active(user: User) -> bool:
    return User.objects.get(pk=user.pk).is_active


def test_the_edge_is_the_beijing_midnight_ninety_days_back():
    kept = _used(official("gd_kept", "province", "440000"), CUTOFF)
    gone = _used(official("gd_gone", "province", "440000"),
                 CUTOFF - dt.timedelta(seconds=1))
    assert inactive_accounts_disable(today=TODAY) == {"account_disabled": 1}
    assert _active(kept)
    assert not _active(gone)


def test_a_day_later_the_kept_account_goes_too():
    kept = _used(official("gd_kept", "province", "440000"), CUTOFF)
    assert inactive_accounts_disable(today=TODAY) == {"account_disabled": 0}
    assert inactive_accounts_disable(today=TODAY + dt.timedelta(days=1)) == {"account_disabled": 1}
    assert not _active(kept)


def test_never_used_accounts_count_from_their_creation():
    old = _used(official("gz_old", "city", "440100"), None,
                joined=CUTOFF - dt.timedelta(minutes=1))
    new = _used(official("gz_new", "city", "440100"), None, joined=CUTOFF)
    inactive_accounts_disable(today=TODAY)
    assert not _active(old)
    assert _active(new)


def test_operators_go_too_but_not_superusers_enterprises_or_people():
    operator = _used(role_account_create(username="sec_op", role="security", password=PASSWORD),
                     CUTOFF - dt.timedelta(days=30))
    root = User.objects.create_superuser("root_op", password=PASSWORD)
    _used(root, CUTOFF - dt.timedelta(days=400))
    firm = _used(enterprise("gd_firm", "440106", 1), CUTOFF - dt.timedelta(days=400))
    assert inactive_accounts_disable(today=TODAY) == {"account_disabled": 1}
    assert not _active(operator)
    assert _active(root)
    assert _active(firm)


def test_each_deactivation_is_one_security_event_and_a_second_run_changes_nothing():
    gone = _used(official("gd_gone", "province", "440000"), CUTOFF - dt.timedelta(days=1))
    inactive_accounts_disable(today=TODAY)
    inactive_accounts_disable(today=TODAY)
    events = SecurityEvent.objects.filter(event=SecurityEvent.Event.ACCOUNT_DISABLED)
    assert events.count() == 1
    event = events.get()
    assert event.user_id == gone.pk
    assert event.username == "gd_gone"
    assert event.result == SecurityEvent.Result.SUCCESS
    assert "90" in event.detail


def test_dry_run_counts_and_changes_nothing():
    gone = _used(official("gd_gone", "province", "440000"), CUTOFF - dt.timedelta(days=1))
    assert inactive_accounts_disable(today=TODAY, dry_run=True) == {"account_disabled": 1}
    assert _active(gone)
    assert not SecurityEvent.objects.filter(event=SecurityEvent.Event.ACCOUNT_DISABLED).exists()


@override_settings(INACTIVE_ACCOUNT_DAYS=30)
def test_the_period_is_a_setting():
    recent = _used(official("gd_recent", "province", "440000"),
                   dt.datetime(2026, 5, 31, 0, 0, tzinfo=BJ))
    older = _used(official("gd_older", "province", "440000"),
                  dt.datetime(2026, 5, 30, 23, 59, tzinfo=BJ))
    inactive_accounts_disable(today=TODAY)
    assert _active(recent)
    assert not _active(older)


def test_a_deactivated_official_can_no_longer_log_in(client):
    _used(official("gd_gone", "province", "440000"), CUTOFF - dt.timedelta(days=1))
    inactive_accounts_disable(today=TODAY)
    response = post_login(client, "gd_gone", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_command_and_the_calendar_run_it():
    from portal.celery import app

    _used(official("gd_gone", "province", "440000"), CUTOFF - dt.timedelta(days=1))
    out = StringIO()
    call_command("disable_inactive_accounts", "--today", "2026-06-30", "--dry-run", stdout=out)
    assert "将停用 1 个账户" in out.getvalue()
    call_command("disable_inactive_accounts", "--today", "2026-06-30", stdout=out)
    assert "已停用 1 个账户" in out.getvalue()
    assert not User.objects.get(username="gd_gone").is_active
    app.loader.import_default_modules()  # the worker's task discovery
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "portal.accounts.tasks.inactive_accounts_disable" in schedule
    assert "portal.accounts.tasks.inactive_accounts_disable" in app.tasks

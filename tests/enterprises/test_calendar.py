"""The enterprise calendar: 认定到期 (90/30/7 days, then 已过期) and 信息更新 (opens, 30/7 days
before it closes, overdue) — on their dates, twice without duplicates, by hand with --dry-run
and --today, and two runs at once on PostgreSQL."""

import datetime as dt
import threading
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from enterprises.models import InfoUpdate, Recognition, UpdateWindow
from enterprises.services import (
    enterprise_for_account,
    info_update_remind,
    recognition_expiry_remind,
)
from enterprises.tasks import info_update_remind as info_update_task
from enterprises.tasks import recognition_expiry_remind as expiry_task
from messaging.models import Message
from tests.conftest import dr
from tests.enterprises.conftest import recognise

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
ENDS = dt.date(2027, 5, 31)


def kinds(user=None) -> list[str]:
    messages = Message.objects.filter(recipient=user) if user else Message.objects.all()
    return sorted(messages.values_list("kind", flat=True))


@pytest.fixture
def title(tianhe_enterprise) -> Recognition:
    return recognise(tianhe_enterprise, start=dt.date(2024, 6, 1))  # valid until 2027-06-01


def test_no_reminder_before_90_days(title, ent_tianhe):
    assert recognition_expiry_remind(today=dt.date(2027, 3, 2)) == {}
    assert kinds() == []


@pytest.mark.parametrize(("today", "kind"), [
    (dt.date(2027, 3, 3), "expiry-90"),   # 90 days before 2027-06-01
    (dt.date(2027, 4, 20), "expiry-90"),  # still the 90-day stage
    (dt.date(2027, 5, 2), "expiry-30"),
    (dt.date(2027, 5, 25), "expiry-7"),
    (dt.date(2027, 6, 1), "expiry-7"),    # the last valid day
    (dt.date(2027, 6, 2), "expired"),
])
def test_each_stage_sends_its_reminder_on_its_dates(title, ent_tianhe, today, kind):
    with time_machine.travel(dt.datetime.combine(today, dt.time(1), tzinfo=CST), tick=False):
        expiry_task.delay()
    assert kinds(ent_tianhe) == [kind]
    assert Message.objects.get().category == "expiry"


def test_every_stage_once_over_the_whole_run_up_and_a_second_run_sends_nothing(title, ent_tianhe):
    day = dt.date(2027, 2, 1)
    while day <= dt.date(2027, 7, 1):
        recognition_expiry_remind(today=day)
        recognition_expiry_remind(today=day)
        day += dt.timedelta(days=1)
    assert kinds(ent_tianhe) == ["expired", "expiry-30", "expiry-7", "expiry-90"]


def test_a_title_past_its_validity_reads_expired(title):
    assert title.status_on(dt.date(2027, 6, 1)) == "有效"
    assert title.status_on(dt.date(2027, 6, 2)) == "已过期"


def test_the_admin_lists_expired_titles(client, title, gd_province):
    # An official whose password is not yet 90 days old on that day (policy.py).
    type(gd_province).objects.filter(pk=gd_province.pk).update(
        password_changed_at=dt.datetime(2027, 5, 1, tzinfo=CST))
    with time_machine.travel(dt.datetime(2027, 6, 2, 9, tzinfo=CST), tick=False):
        client.force_login(gd_province)
        body = client.get("/admin/enterprises/recognition/?status=expired").content.decode()
        assert "已过期" in body and "广州天河科技有限公司" in body
        valid = client.get("/admin/enterprises/recognition/?status=valid").content.decode()
    assert "广州天河科技有限公司" not in valid


def test_revoked_titles_and_enterprises_without_an_account_are_not_reminded(title, tianhe_enterprise):
    Recognition.objects.filter(pk=title.pk).update(state="revoked",
                                                   revoked_at=dt.datetime(2026, 1, 1, tzinfo=CST))
    assert recognition_expiry_remind(today=dt.date(2027, 5, 25)) == {}


def test_the_command_dry_run_counts_and_sends_nothing(title):
    out = StringIO()
    call_command("remind_expiry", "--dry-run", "--today", "2027-05-25", stdout=out)
    assert "将发送 1 条" in out.getvalue() and not Message.objects.exists()
    call_command("remind_expiry", "--today", "2027-05-25", stdout=out)
    call_command("remind_expiry", "--today", "2027-05-25", stdout=out)
    assert "已发送 1 条" in out.getvalue() and "已发送 0 条" in out.getvalue()
    assert Message.objects.count() == 1


def test_the_command_refuses_a_bad_date(title):
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("remind_expiry", "--today", "2027-13-45")


# --- 信息更新 ----------------------------------------------------------------------------------


@pytest.fixture
def recognised(title, ent_tianhe, ent_yuexiu):
    recognise(enterprise_for_account(user=ent_yuexiu))
    return [ent_tianhe, ent_yuexiu]


def test_the_window_opening_tells_recognised_enterprises(recognised, ent_nanjing):
    enterprise_for_account(user=ent_nanjing)  # not recognised: not told
    assert info_update_remind(today=dt.date(2026, 1, 1)) == {"info-update-open": 2}
    assert kinds() == ["info-update-open", "info-update-open"]


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 3, 30), {"info-update-open"}),
    (dt.date(2026, 3, 31), {"info-update-open", "info-update-30"}),  # 30 days before 30 April
    (dt.date(2026, 4, 22), {"info-update-open", "info-update-30"}),
    (dt.date(2026, 4, 23), {"info-update-open", "info-update-7"}),
    (dt.date(2026, 5, 1), {"info-update-overdue"}),
])
def test_reminders_before_the_close_and_the_overdue_notice(recognised, ent_tianhe, today, expected):
    with time_machine.travel(dt.datetime.combine(today, dt.time(1, 10), tzinfo=CST), tick=False):
        info_update_task.delay()
    assert set(kinds(ent_tianhe)) == expected


def test_enterprises_that_updated_are_not_reminded_nor_flagged(recognised, ent_tianhe, ent_yuexiu,
                                                               tianhe_enterprise):
    InfoUpdate.objects.create(enterprise=tianhe_enterprise, year=2026, figures_year=2025,
                              submitted_by=ent_tianhe, submitted_at=dt.datetime(2026, 2, 1, tzinfo=CST))
    info_update_remind(today=dt.date(2026, 4, 25))
    info_update_remind(today=dt.date(2026, 5, 2))
    assert kinds(ent_tianhe) == []
    assert kinds(ent_yuexiu) == ["info-update-7", "info-update-open", "info-update-overdue"]
    assert "取消复核资格" in Message.objects.get(kind="info-update-overdue").body


def test_a_regions_own_window_decides_its_dates(recognised, ent_tianhe, ent_nanjing):
    UpdateWindow.objects.create(year=2026, declaration_region=dr("440000"),
                                starts_on=dt.date(2026, 5, 10), ends_on=dt.date(2026, 6, 10))
    assert sum(info_update_remind(today=dt.date(2026, 5, 2)).values()) == 0  # 广东 not open yet
    assert info_update_remind(today=dt.date(2026, 5, 10))["info-update-open"] == 2


def test_the_whole_year_twice_over_sends_each_notice_once(recognised, ent_tianhe):
    day = dt.date(2026, 1, 1)
    while day <= dt.date(2026, 6, 30):
        info_update_remind(today=day)
        info_update_remind(today=day)
        day += dt.timedelta(days=3)
    assert kinds(ent_tianhe) == ["info-update-30", "info-update-7", "info-update-open",
                                 "info-update-overdue"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_on_postgresql_send_each_message_once(ent_tianhe, ent_yuexiu, ent_shenzhen):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (two connections writing at once); DATABASE_URL is SQLite")
    for account in (ent_tianhe, ent_yuexiu, ent_shenzhen):
        recognise(enterprise_for_account(user=account), start=dt.date(2024, 6, 1))
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            recognition_expiry_remind(today=dt.date(2027, 5, 25))
            info_update_remind(today=dt.date(2026, 4, 25))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Per enterprise: expiry-7, info-update-open and info-update-7 — each once.
    assert sorted(Message.objects.values_list("kind", flat=True)) == sorted(
        ["expiry-7", "info-update-open", "info-update-7"] * 3)

"""申报提醒 from the calendar: a window opening tells its region; 3 days before it closes, drafts."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from common.tiers import Tier
from declarations.models import Declaration, DeclarationWindow
from declarations.tasks import window_remind, window_remind_task
from messaging.models import Message
from portal.regions.models import DeclarationRegion, Region

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def window(db) -> DeclarationWindow:
    return DeclarationWindow.objects.create(
        declaration_region=DeclarationRegion.objects.get(code="440000"), tier=Tier.INNOVATIVE,
        starts_at=dt.datetime(2026, 7, 1, 9, tzinfo=CST),
        ends_at=dt.datetime(2026, 7, 31, 23, 59, 59, tzinfo=CST), note="2026年第一批")


def draft(window, user, status=Declaration.Status.DRAFT) -> Declaration:
    from enterprises.services import enterprise_for_account

    company = enterprise_for_account(user=user)
    return Declaration.objects.create(number=f"D{user.pk}", enterprise=company, tier=window.tier,
                                      window=window, region=Region.objects.get(code="440106"),
                                      status=status)


def recipients(kind: str) -> list[str]:
    return sorted(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_nothing_before_the_window_opens(window, ent_tianhe):
    assert sum(window_remind(today=dt.date(2026, 6, 30)).values()) == 0


def test_the_opening_tells_the_enterprises_of_its_region_only(window, ent_tianhe, ent_yuexiu,
                                                              ent_shenzhen, ent_nanjing, person):
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, 5, tzinfo=CST), tick=False):
        window_remind_task.delay()
        window_remind_task.delay()
    # 深圳 declares to 深圳 (a 计划单列市), 南京 to 江苏; a natural person cannot declare.
    assert recipients("window-open") == ["ent_tianhe", "ent_yuexiu"]
    message = Message.objects.filter(kind="window-open").first()
    assert message.category == "declaration" and "广东省创新型中小企业申报已开始" in message.title
    assert "2026年7月31日 23:59" in message.body


def test_three_days_before_the_close_drafts_are_reminded_once(window, ent_tianhe, ent_yuexiu, ent_nanjing):
    mine = draft(window, ent_tianhe)
    draft(window, ent_yuexiu, status=Declaration.Status.AT_COUNTY)  # filed: nothing to remind
    assert window_remind(today=dt.date(2026, 7, 27))["window-closing"] == 0
    for day in (28, 29, 30, 31):
        window_remind(today=dt.date(2026, 7, day))
    assert recipients("window-closing") == ["ent_tianhe"]
    assert Message.objects.get(kind="window-closing").link == f"/enterprise/declarations/{mine.public_id}/"


def test_a_returned_declaration_is_reminded_too(window, ent_tianhe):
    draft(window, ent_tianhe, status=Declaration.Status.RETURNED)
    assert window_remind(today=dt.date(2026, 7, 30))["window-closing"] == 1


def test_nothing_after_the_close(window, ent_tianhe):
    draft(window, ent_tianhe)
    assert sum(window_remind(today=dt.date(2026, 8, 1)).values()) == 0


def test_the_command_dry_run_and_today(window, ent_tianhe):
    out = StringIO()
    call_command("remind_declaration_windows", "--dry-run", "--today", "2026-07-02", stdout=out)
    assert "2026-07-02 将发送 1 条" in out.getvalue() and not Message.objects.exists()
    call_command("remind_declaration_windows", "--today", "2026-07-02", stdout=out)
    assert Message.objects.count() == 1

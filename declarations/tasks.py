"""申报提醒 from the calendar: a window opening, and its close 3 days ahead for drafts.

The job (`window_remind`) reads the windows and drafts in bulk and sends through messaging's
one service; its unique key (recipient, kind, subject, period) makes a second run, or two at
once, send nothing twice. The task is thin; `manage.py remind_declaration_windows` runs the
same job by hand.

统计汇总 (every 10 minutes) rebuilds the statistics page's summary tables
(`services.statistics_refresh`; `manage.py refresh_statistics` by hand).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from common.jobs import job_date
from messaging.models import Category
from messaging.services import Outgoing, message_send
from portal.accounts.models import User

from . import services
from .models import Declaration, DeclarationWindow

CLOSING_DAYS = 3  # drafts are reminded from 3 days before the window closes


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def window_remind(*, today: dt.date, dry_run: bool = False) -> dict[str, int]:
    """Windows open on `today` (Asia/Shanghai): the enterprise accounts of the window's region
    are told it is open; from 3 days before it closes, the enterprises with a draft (or a
    returned declaration) in it are reminded to submit. Returns new messages per kind."""
    start, end = _day_bounds(today)
    windows = (DeclarationWindow.objects.filter(starts_at__lt=end, ends_at__gte=start)
               .select_related("declaration_region").order_by("pk"))
    counts = {"window-open": 0, "window-closing": 0}
    link = reverse("declarations:list")
    for window in windows:
        closes = timezone.localtime(window.ends_at)
        closes_text = f"{closes:%Y年%-m月%-d日 %H:%M}"
        tier = window.get_tier_display()
        note = f"（{window.note}）" if window.note else ""
        accounts = User.objects.filter(
            kind=User.Kind.ENTERPRISE, is_active=True,
            region__declaration_region_id=window.declaration_region_id,
        ).values_list("pk", flat=True)
        counts["window-open"] += message_send(
            category=Category.DECLARATION, kind="window-open", dry_run=dry_run,
            outgoing=(Outgoing(
                recipient_id=pk, subject=f"window:{window.pk}", link=link,
                title=f"{window.declaration_region}{tier}申报已开始{note}",
                body=f"{window.declaration_region}{tier}申报入口已开放，截止时间为{closes_text}。"
                     "符合条件的企业请在【企业申报信息】中申报。")
                for pk in accounts.iterator()))
        if (closes.date() - today).days > CLOSING_DAYS:
            continue
        drafts = (Declaration.objects
                  .filter(window=window, status__in=Declaration.EDITABLE_STATES,
                          enterprise__account__isnull=False)
                  .values_list("pk", "public_id", "enterprise__account_id"))
        counts["window-closing"] += message_send(
            category=Category.DECLARATION, kind="window-closing", dry_run=dry_run,
            outgoing=[Outgoing(
                recipient_id=account_id, subject=f"declaration:{pk}", period=f"window:{window.pk}",
                link=reverse("declarations:detail", args=[public_id]),
                title=f"您的{tier}申报尚未提交，将于{closes_text}截止",
                body=f"您在{window.declaration_region}{tier}申报{note}中有尚未提交的申报，"
                     f"申报将于{closes_text}截止，请尽快完善并提交。")
                for pk, public_id, account_id in drafts])
    return counts


@shared_task(acks_late=True, reject_on_worker_lost=True)
def window_remind_task(today: str | None = None) -> dict[str, int]:
    return window_remind(today=job_date(today))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def statistics_refresh() -> dict[str, int]:
    return services.statistics_refresh()

"""Shared by the calendar's tasks and their `manage.py` commands: which day a job runs for,
the command shape (`--dry-run`, `--today YYYY-MM-DD`), and `enqueue`, the one way a request
hands work to Celery."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any) -> bool:
    """Send `task(*args)` to the broker; False (logged, never raised) when the broker is down.

    Called after commit: the row the task works on is already saved, so a refused send must not
    turn the user's finished request into a 500. Each caller leaves a way back — the copies'
    beat entry picks pending rows up again; an export job is marked failed with 稍后重试.
    """
    try:
        task.apply_async(args=args, retry=False)
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("broker unavailable, %s not queued: %r", task.name, exc)
        return False
    return True


def job_date(value: str | dt.date | None) -> dt.date:
    """The day a job runs for: the given ISO date, else today in Asia/Shanghai."""
    if value is None or value == "":
        return timezone.localdate()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


class JobCommand(BaseCommand):
    """A calendar job by hand: `job(today=…, dry_run=…)` returns the new messages per kind."""

    job: Callable[..., dict[str, int]]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would be sent, send nothing")
        parser.add_argument("--today", metavar="YYYY-MM-DD",
                            help="run as on this day (default: today, Asia/Shanghai)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = job_date(options["today"])
        except ValueError:
            raise CommandError(f"--today 应为 YYYY-MM-DD 格式的日期：{options['today']}") from None
        counts = type(self).job(today=today, dry_run=options["dry_run"])
        verb = "将发送" if options["dry_run"] else "已发送"
        total = sum(counts.values())
        detail = "，".join(f"{kind} {n}" for kind, n in counts.items()) or "无"
        self.stdout.write(f"{today.isoformat()} {verb} {total} 条消息（{detail}）")

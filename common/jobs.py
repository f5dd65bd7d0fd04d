"""Shared by the calendar's tasks and their `manage.py` commands: which day a job runs for,
and the command shape (`--dry-run`, `--today YYYY-MM-DD`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


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

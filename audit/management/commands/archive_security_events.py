"""manage.py archive_security_events --before YYYY-MM-DD --out FILE.jsonl"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import archive
from audit.services import Event, security_event


class Command(BaseCommand):
    help = ("把早于指定日期（北京时间 0 时）的安全事件归档为带 SHA-256 链的 JSON Lines 文件，"
            f"然后从数据库删除；至少保留最近 {archive.RETENTION_DAYS} 天。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, type=date.fromisoformat,
                            help="归档此日期之前的事件，YYYY-MM-DD")
        parser.add_argument("--out", required=True, type=Path, help="输出文件（不得已存在）")

    def handle(self, *args: Any, before: date, out: Path, **options: Any) -> None:
        try:
            done = archive.archive(before=before, out=out)
        except (ValueError, archive.TamperedArchive) as exc:
            raise CommandError(str(exc)) from exc
        # The final hash stays in the database: a forged, re-chained file shows against it.
        security_event(event=Event.ARCHIVE, obj=("file", out.name),
                       detail=f"{done.count} 条，早于 {before.isoformat()}，末行哈希 {done.final_hash}")
        self.stdout.write(f"已归档 {done.count} 条安全事件至 {out}，末行哈希 {done.final_hash}")

"""Delete export files past their 7 days (safe to run twice or at once: each job is claimed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from declarations.exports import export_jobs_expire


class Command(BaseCommand):
    help = "删除超过保留期限（7天）的导出文件。"

    def handle(self, *args: Any, **options: Any) -> None:
        removed = export_jobs_expire()
        self.stdout.write(f"已删除 {removed} 个过期导出文件。")

"""Rebuild the statistics page's enterprise counts now (the calendar does it every 10 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from enterprises.services import enterprise_counts_refresh


class Command(BaseCommand):
    help = "重新汇总统计分析页的企业数（日程任务每10分钟汇总一次）；可重复运行。"

    def handle(self, *args: Any, **options: Any) -> None:
        groups = enterprise_counts_refresh()
        self.stdout.write(f"企业数已汇总：{groups} 组。")

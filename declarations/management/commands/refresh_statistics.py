"""Rebuild the statistics page's summary tables now (the calendar does it every 10 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from declarations.services import statistics_refresh


class Command(BaseCommand):
    help = "重新汇总统计分析页的企业数、申报数和认定数（日程任务每10分钟汇总一次）；可重复运行。"

    def handle(self, *args: Any, **options: Any) -> None:
        rows = statistics_refresh()
        declarations = " + ".join(str(n) for name, n in rows.items()
                                  if name.startswith("declaration_"))
        titles = " + ".join(str(n) for name, n in rows.items() if name.startswith("title_"))
        self.stdout.write(f"统计数据已汇总：{rows['enterprises']} 组企业，{declarations} 组申报，"
                          f"{titles} 组认定。")

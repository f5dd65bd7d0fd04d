"""Fill the database with national-scale load data (PostgreSQL COPY; small sizes elsewhere)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from portal.loaddata import LoadDataError, Plan, check, generate


class Command(BaseCommand):
    help = ("生成压力测试数据：企业及其法人账户、认定称号、申报与消息，按省份、门类、层级、状态与年度"
            "分布。PostgreSQL 用 COPY 批量写入；SQLite 只接受小规模。数据库非空时需 --append。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=1000, help="企业数（每家一个法人账户）")
        parser.add_argument("--declarations", type=int, default=3000, help="申报数")
        parser.add_argument("--messages", type=int, default=20000, help="消息数")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--batch", type=int, default=50000, help="每批写入的行数")
        parser.add_argument("--regions", help="只在这些区县生成（逗号分隔的区县级代码），默认全国")
        parser.add_argument("--append", action="store_true", help="数据库已有数据时仍追加生成")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan(enterprises=options["enterprises"], declarations=options["declarations"],
                    messages=options["messages"], seed=options["seed"], batch=options["batch"],
                    append=options["append"], log=self.stdout.write,
                    regions=options["regions"].split(",") if options["regions"] else None)
        try:
            check(plan)
            t0 = time.perf_counter()
            counts = generate(plan)
        except LoadDataError as exc:
            raise CommandError(str(exc)) from exc
        size = ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                size = f"，数据库大小 {cursor.fetchone()[0]}"
        self.stdout.write(self.style.SUCCESS(
            "已生成：" + "，".join(f"{k} {v}" for k, v in counts.items())
            + f"；用时 {time.perf_counter() - t0:.1f} 秒{size}。"))

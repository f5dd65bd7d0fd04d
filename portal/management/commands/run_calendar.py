"""Every calendar job at once, for today — the embedded mode's calendar (no Redis, no beat).

`manage.py run_calendar` runs them once; `--every 3600` keeps running them, once an hour, in
this process (`make run` starts it when REDIS_URL is unset). Jobs are idempotent, so running
them hourly sends each message once.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from common.jobs import job_date

# The same jobs as portal/celery.py's beat schedule, as (label, service).
JOBS = [
    ("认定到期提醒", "enterprises.services.recognition_expiry_remind"),
    ("信息更新提醒", "enterprises.services.info_update_remind"),
    ("申报提醒", "declarations.tasks.window_remind"),
    ("长期未登录账户停用", "portal.accounts.services.inactive_accounts_disable"),
]


class Command(BaseCommand):
    help = ("运行全部日程任务（认定到期、信息更新、申报提醒）、消息副本发送及企业数统计汇总；"
            "--every 秒数 为循环运行")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计，不发送")
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="按指定日期运行")
        parser.add_argument("--every", type=int, metavar="SECONDS", default=0,
                            help="每隔多少秒重复运行（0 = 只运行一次）")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            self.run_once(options)
            if options["every"] <= 0:
                return
            time.sleep(options["every"])

    def run_once(self, options: dict[str, Any]) -> None:
        from declarations.services import statistics_refresh
        from messaging.services import deliver_copies
        from portal.accounts.captchas import captcha_pool_refill

        today = job_date(options["today"])
        for label, dotted in JOBS:
            counts = import_string(dotted)(today=today, dry_run=options["dry_run"])
            self.stdout.write(f"{today.isoformat()} {label}：{sum(counts.values())} 条 {counts}")
        if not options["dry_run"]:
            self.stdout.write(f"消息副本：{deliver_copies()} 条")
            rows = statistics_refresh()
            self.stdout.write(f"统计汇总：{sum(rows.values())} 行 {rows}")
            self.stdout.write(f"验证码池补充：{captcha_pool_refill()} 个")

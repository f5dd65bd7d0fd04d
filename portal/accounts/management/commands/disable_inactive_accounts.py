"""等保 访问控制 c): deactivate officials' and operators' accounts unused for longer than
INACTIVE_ACCOUNT_DAYS days (the calendar runs it every night at 02:00)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from common.jobs import JobCommand, job_date
from portal.accounts.services import inactive_accounts_disable


class Command(JobCommand):
    help = "停用连续 INACTIVE_ACCOUNT_DAYS 天以上未登录的管理端及运维账户；可重复运行"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = job_date(options["today"])
        except ValueError:
            raise CommandError(f"--today 应为 YYYY-MM-DD 格式的日期：{options['today']}") from None
        counts = inactive_accounts_disable(today=today, dry_run=options["dry_run"])
        verb = "将停用" if options["dry_run"] else "已停用"
        self.stdout.write(f"{today.isoformat()} {verb} {counts['account_disabled']} 个账户"
                          f"（连续 {settings.INACTIVE_ACCOUNT_DAYS} 天以上未登录）")

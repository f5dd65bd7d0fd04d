"""manage.py reset_otp USERNAME — remove an account's second factor (a lost phone)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.accounts.models import User
from portal.accounts.two_factor import otp_device_reset


class Command(BaseCommand):
    help = ("重置账户的双因素认证（身份验证器和备用码全部作废，下次登录时重新绑定）。"
            "记入安全审计，操作人为 operator。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="登录名")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"登录名 {username} 不存在。")
        removed = otp_device_reset(user=user, by=None)
        self.stdout.write(self.style.SUCCESS(
            f"已重置 {user.username} 的双因素认证（删除 {removed} 个设备），下次登录时须重新绑定。"))

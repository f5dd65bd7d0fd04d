"""manage.py create_role_account NAME --role system|security|audit"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import ROLES, role_account_create


class Command(BaseCommand):
    help = ("创建三权分立的管理员账户：system 系统管理员 / security 安全管理员 / audit 审计管理员。"
            "不指定 --password 时生成一个随机密码，只显示这一次。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="登录名")
        parser.add_argument("--role", required=True, choices=list(ROLES))
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password", default="", help="初始密码（不填则随机生成）")

    def handle(self, *args: Any, username: str, role: str, name: str, password: str,
               **options: Any) -> None:
        generated = not password
        password = password or secrets.token_urlsafe(12) + "#9a"
        try:
            account = role_account_create(username=username, role=role, password=password,
                                          person_name=name)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建{ROLES[role]}账户 {account.username}。"))
        if generated:
            self.stdout.write(f"初始密码（只显示这一次）：{password}")

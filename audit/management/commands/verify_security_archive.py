"""manage.py verify_security_archive FILE.jsonl"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import archive


class Command(BaseCommand):
    help = "校验安全事件归档文件的 SHA-256 链：任何一行被改动、删除、插入或截断都会报错。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            count = archive.verify(file)
        except archive.TamperedArchive as exc:
            raise CommandError(f"{file}：校验失败，{exc}") from exc
        except OSError as exc:
            raise CommandError(f"{file}：无法读取（{exc.strerror}）。") from exc
        self.stdout.write(f"{file}：校验通过，共 {count} 条安全事件。")

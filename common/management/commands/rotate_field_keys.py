"""Re-encrypt every 身份证号 and 手机号 under the first key of FIELD_ENCRYPTION_KEYS.

Key rotation (common/crypto.py): put the new key first in FIELD_ENCRYPTION_KEYS (the old ones
after it), restart the processes, run this command, then remove the old keys. It also
recomputes the keyed hashes (after a change of FIELD_HASH_KEY) and seals any clear text.
Safe to run twice or while the site is up: each batch is rewritten under row locks.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser

from common import crypto
from common.fields import EncryptedCharField, reseal_rows


class Command(BaseCommand):
    help = "用 FIELD_ENCRYPTION_KEYS 的第一个密钥重新加密全部个人信息字段，并重算检索摘要。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key", action="store_true",
                            help="只打印一个新生成的密钥（放在 FIELD_ENCRYPTION_KEYS 的首位）。")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(crypto.new_key())
            return
        kid = crypto.encryption_keys()[0][0]
        for model in apps.get_models():
            if not any(isinstance(f, EncryptedCharField) for f in model._meta.concrete_fields):
                continue
            count = reseal_rows(model, batch_size=options["batch_size"])
            self.stdout.write(f"{model._meta.label}: {count} 行已用密钥 {kid} 重新加密")

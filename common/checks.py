"""System checks for the keys of personal data at rest (common/crypto.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@checks.register(checks.Tags.security)
def field_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    hash_key = getattr(settings, "FIELD_HASH_KEY", "") or ""
    if not keys:
        errors.append(checks.Error("FIELD_ENCRYPTION_KEYS 未配置：身份证号、手机号无法加密存储。",
                                   id="common.E010"))
    for index, key in enumerate(keys):
        try:
            crypto.decode_key(key)
        except ImproperlyConfigured:
            errors.append(checks.Error(
                f"FIELD_ENCRYPTION_KEYS 第{index + 1}个密钥不是 32 字节随机数的 base64 编码。",
                id="common.E011"))
    try:
        crypto.decode_key(hash_key)
    except ImproperlyConfigured:
        errors.append(checks.Error("FIELD_HASH_KEY 未配置或不是 32 字节随机数的 base64 编码。",
                                   id="common.E012"))
    if hash_key and hash_key in keys:
        errors.append(checks.Error("FIELD_HASH_KEY 不得与加密密钥相同。", id="common.E013"))
    return errors


@checks.register(checks.Tags.security, deploy=True)
def field_keys_not_dev_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The fixed development keys are public (they are in the source): never in production."""
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    if crypto.DEV_ENCRYPTION_KEY in keys or settings.FIELD_HASH_KEY == crypto.DEV_HASH_KEY:
        return [checks.Error("生产环境使用了开发用的字段加密密钥（源码中公开），请配置自己的密钥。",
                             id="common.E014")]
    return []

"""Personal data at rest (等保 数据保密性 a–b, 个人信息保护法 第五十一条): 身份证号 and 手机号.

Values are encrypted with AES-256-GCM (`cryptography`), a fresh 96-bit nonce each time, the
column's name as associated data (a ciphertext copied into another column does not decrypt).
Keys come from the environment: `FIELD_ENCRYPTION_KEYS` is a list — the first key encrypts,
any key decrypts — so a key is rotated by putting a new one first and running
`manage.py rotate_field_keys`, which rewrites every value under the first key; then the old
key can be dropped. A keyed hash (HMAC-SHA256 with its own key, `FIELD_HASH_KEY`) of the
normalised value is stored beside a value that must be unique or looked up (login and the
registration's "already registered" check by 身份证号); it never changes on key rotation.

Stored form: ``enc1:<key id>:<urlsafe base64 of nonce ‖ ciphertext ‖ tag>`` where the key id
is the first 8 hex digits of SHA-256 of the key (which key to try first, not a secret).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"
NONCE_BYTES = 12

# Used only when DEBUG is on or under the test settings (portal/settings.py); production
# refuses to start without its own keys, and the system check refuses these.
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="
DEV_HASH_KEY = "ZGV2LW9ubHktaGFzaC1rZXktbm90LWZvci1wcm9kISE="


class DecryptionError(Exception):
    """A stored value no configured key opens (wrong keys, or the row was altered)."""


def decode_key(text: str) -> bytes:
    """A key as configured: URL-safe base64 of 32 random bytes."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ImproperlyConfigured("字段加密密钥须为 32 字节随机数的 base64 编码。") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("字段加密密钥须为 32 字节随机数的 base64 编码。")
    return raw


def new_key() -> str:
    """A fresh key in the configured form (for operators: `rotate_field_keys --new-key`)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@cache
def _keys(configured: tuple[str, ...]) -> tuple[tuple[str, AESGCM], ...]:
    if not configured:
        raise ImproperlyConfigured("未配置 FIELD_ENCRYPTION_KEYS，无法加密个人信息。")
    return tuple((key_id(raw), AESGCM(raw)) for raw in map(decode_key, configured))


def encryption_keys() -> tuple[tuple[str, AESGCM], ...]:
    """(key id, cipher) per configured key, the encrypting one first."""
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


@cache
def _hash_key(configured: str) -> bytes:
    if not configured:
        raise ImproperlyConfigured("未配置 FIELD_HASH_KEY，无法计算个人信息的检索摘要。")
    return decode_key(configured)


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def encrypt(plain: str, *, context: str) -> str:
    kid, cipher = encryption_keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plain.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}{kid}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(stored: str, *, context: str) -> str:
    """The clear text of a stored value. A value without the prefix is clear text written
    before encryption was introduced (the migration and `rotate_field_keys` encrypt it)."""
    if not is_encrypted(stored):
        return stored
    try:
        kid, body = stored[len(PREFIX):].split(":", 1)
        blob = base64.urlsafe_b64decode(body.encode("ascii"))
    except (ValueError, binascii.Error) as exc:
        raise DecryptionError("加密字段格式错误。") from exc
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    keys = encryption_keys()
    # The key named by the id first, then the others (an id collision costs one more try).
    for _kid, cipher in sorted(keys, key=lambda item: item[0] != kid):
        try:
            return cipher.decrypt(nonce, sealed, context.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            continue
    raise DecryptionError("没有可用的密钥能解密该字段（密钥配置错误或数据被改动）。")


def needs_rotation(stored: str | None) -> bool:
    """True when a stored value is clear text or sealed under a key other than the first."""
    if not stored:
        return False
    if not is_encrypted(stored):
        return True
    return not stored.startswith(f"{PREFIX}{encryption_keys()[0][0]}:")


def blind_index(value: str | None) -> str | None:
    """HMAC-SHA256 of the normalised value (upper case, no spaces), hex; None for no value."""
    if value is None or value == "":
        return None
    normalised = "".join(value.split()).upper()
    key = _hash_key(settings.FIELD_HASH_KEY)
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()

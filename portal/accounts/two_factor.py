"""The second factor of admin accounts (等保 2.0 身份鉴别 d, ASVS 6.3.3), on django-otp.

An admin account (officials, the three operator roles, superusers: `User.is_admin_account`)
enrols one TOTP authenticator on its first login (a QR code drawn here as SVG with segno, no
outside service, and the key to type by hand), confirms it with a code and receives 10 one-time
backup codes (django-otp's static device: a used code is deleted, so it never works again).
Every later login asks for a code from the authenticator or a backup code.

Failures lock like password failures (portal/accounts/lockout.py): AXES_FAILURE_LIMIT (5)
failures inside LOGIN_FAILURE_WINDOW (15 minutes) lock the second factor for AXES_COOLOFF_TIME
(30 minutes); attempts while locked are refused without being counted. The count is read from
the security log itself (every failure is an OTP_FAILURE SecurityEvent); a success, an
enrolment, an unlock (解除登录锁定) or a device reset starts it again.

Every step is a SecurityEvent: enrol, success, failure, lock, backup codes regenerated, reset.
"""

from __future__ import annotations

from base64 import b32encode
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import SecurityEvent
from audit.services import Event, Result, security_event
from common.crypto import blind_index

from .lockout import _lock_start
from .models import User

DEVICE_NAME = "身份验证器"
BACKUP_NAME = "备用码"

# What starts the failure count again.
_CLEARED_BY_USER = (Event.OTP_SUCCESS, Event.OTP_ENROL)
_CLEARED_ON_ACCOUNT = (Event.UNLOCK, Event.OTP_RESET)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same key until it is confirmed (a reload of the
    enrolment page must not change the QR code the user has just scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no image request, nothing for the CSP to allow)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="身份验证器二维码")


def manual_key(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for authenticators without a camera."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def _normalise(token: str) -> str:
    return "".join((token or "").split()).lower()


# --- the failure count -------------------------------------------------------------------------

def _failures(user: User, now: datetime) -> list[tuple[datetime, None]]:
    since = now - settings.AXES_COOLOFF_TIME - settings.LOGIN_FAILURE_WINDOW
    recent = SecurityEvent.objects.filter(at__gt=since)
    cleared = recent.filter(
        Q(user_id=user.pk, event__in=_CLEARED_BY_USER)
        | Q(object_type=User._meta.label_lower, object_id=str(user.pk),
            event__in=_CLEARED_ON_ACCOUNT)
    ).aggregate(last=Max("at"))["last"]
    failures = recent.filter(user_id=user.pk, event=Event.OTP_FAILURE)
    if cleared is not None:
        failures = failures.filter(at__gt=cleared)
    return [(at, None) for at in failures.order_by("at").values_list("at", flat=True)]


def locked_until(user: User, now: datetime | None = None) -> datetime | None:
    """When the second-factor lock of `user` ends, or None when a code may be tried."""
    now = now or timezone.now()
    start = _lock_start(_failures(user, now), limit=settings.AXES_FAILURE_LIMIT)
    if start is not None and start > now - settings.AXES_COOLOFF_TIME:
        return start + settings.AXES_COOLOFF_TIME
    return None


def _locked_error(until: datetime) -> ValidationError:
    return ValidationError({"token": (
        f"验证码连续错误{settings.AXES_FAILURE_LIMIT}次，双因素认证已锁定，"
        f"请于{timezone.localtime(until):%H:%M}后再试，或联系安全管理员。")})


def _fail(user: User, detail: str) -> ValidationError:
    """Record one failure; the error to show (the lock, when this failure sets it)."""
    security_event(event=Event.OTP_FAILURE, user=user, result=Result.FAILURE, detail=detail)
    until = locked_until(user)
    if until is not None:
        security_event(event=Event.LOCKOUT, user=user, result=Result.FAILURE,
                       detail="双因素认证连续失败")
        return _locked_error(until)
    now = timezone.now()
    inside = [at for at, _ in _failures(user, now) if at > now - settings.LOGIN_FAILURE_WINDOW]
    left = settings.AXES_FAILURE_LIMIT - len(inside)
    return ValidationError({"token": f"验证码不正确，还可尝试{left}次。"})


def _refuse_if_locked(user: User) -> None:
    until = locked_until(user)
    if until is not None:
        raise _locked_error(until)


# --- enrol, verify, backup codes, reset ----------------------------------------------------------

def backup_code_digest(user_id: int, code: str) -> str:
    """What the database keeps of a backup code: a keyed hash (HMAC-SHA256 with FIELD_HASH_KEY,
    bound to the account), cut to the 16 characters of django-otp's token column. The codes
    themselves are shown once and never stored, so a copy of the database cannot log in."""
    return (blind_index(f"otp-backup:{user_id}:{_normalise(code)}") or "")[:16]


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=backup_code_digest(user.pk, code))
                                     for code in codes])
    return codes


def otp_enrol(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator being enrolled with a code from it; returns the new backup
    codes (shown once). A wrong code is a failure like any other."""
    _refuse_if_locked(user)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(
            pk=device.pk, user=user, confirmed=False).first()
        if locked is None:
            raise ValidationError({"token": "该身份验证器已绑定或已失效，请重新打开绑定页面。"})
        if locked.verify_token(_normalise(token)):
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            # One authenticator per account: any other left over from an earlier attempt goes.
            TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
            codes = _new_backup_codes(user)
            security_event(event=Event.OTP_ENROL, user=user, obj=user)
            device.confirmed = True
            return codes
    raise _fail(user, "绑定时验证码错误")


def otp_verify(*, user: User, token: str) -> Any:
    """The device that accepts `token` (the authenticator, or a backup code, which is used up);
    raises a ValidationError on the `token` field otherwise."""
    _refuse_if_locked(user)
    token = _normalise(token)
    with transaction.atomic():
        for device in (*TOTPDevice.objects.filter(user=user, confirmed=True),
                       *StaticDevice.objects.filter(user=user, confirmed=True)):
            given = backup_code_digest(user.pk, token) if isinstance(device, StaticDevice) else token
            if token and device.verify_token(given):
                kind = "备用码" if isinstance(device, StaticDevice) else "身份验证器"
                security_event(event=Event.OTP_SUCCESS, user=user, detail=kind)
                return device
    raise _fail(user, "验证码错误")


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """Ten new backup codes; every earlier one stops working."""
    if not is_enrolled(user):
        raise ValidationError("尚未绑定身份验证器。")
    codes = _new_backup_codes(user)
    security_event(event=Event.OTP_BACKUP_CODES, user=user, obj=user)
    return codes


@transaction.atomic
def otp_device_reset(*, user: User, by: User | None = None) -> int:
    """Remove every second-factor device of `user` (lost phone): the next login enrols again.

    `by` is the 安全管理员 acting in the admin, or None for an operator's `manage.py reset_otp`
    (the event's actor is then "operator"). Sessions verified with a removed device stop being
    verified at their next request (django-otp looks the device up each time).
    """
    totp, _ = TOTPDevice.objects.filter(user=user).delete()
    static, _ = StaticDevice.objects.filter(user=user).delete()
    if by is None:
        security_event(event=Event.OTP_RESET, username="operator", obj=user,
                       detail=f"manage.py reset_otp {user.username}")
    else:
        security_event(event=Event.OTP_RESET, user=by, obj=user,
                       detail=f"管理端重置 {user.username}")
    return totp + static

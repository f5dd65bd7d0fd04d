"""What an admin account must do before anything else (等保 2.0 身份鉴别 a and d).

In this order: enrol a second factor (first login), pass it (every login), then set a new
password when the one it has was imposed by someone else (`must_change_password`) or is
PASSWORD_MAX_AGE_DAYS old. `StaffSecurityMiddleware` sends every request of such an account to
the page that does it; enterprise and 自然人 accounts are never asked.

The age counts Beijing calendar days: a password set on day D (Asia/Shanghai) works through
day D+89 and must be changed from 00:00 on day D+90, whatever the time of day it was set.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from .models import User


def password_expires_on(user: User) -> datetime:
    """The moment (00:00 Beijing time) from which the password must be changed."""
    changed = timezone.localdate(user.password_changed_at)
    day = changed + timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def password_expired(user: User, now: datetime | None = None) -> bool:
    if not user.is_admin_account:
        return False
    return (now or timezone.now()) >= password_expires_on(user)


def must_change_password(user: User, now: datetime | None = None) -> bool:
    return user.is_admin_account and (user.must_change_password or password_expired(user, now))


def admin_gate(user: User) -> str | None:
    """The URL name the account must go to first, or None when it may go anywhere."""
    if not user.is_authenticated or not user.is_admin_account:
        return None
    if not user.is_verified():
        from .two_factor import is_enrolled

        return "accounts:otp_verify" if is_enrolled(user) else "accounts:otp_setup"
    if must_change_password(user):
        return "accounts:admin_password"
    return None

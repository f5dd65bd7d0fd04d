"""Login lockout: which failures lock what, and for how long.

Failures are counted inside a sliding window (LOGIN_FAILURE_WINDOW, 15 minutes: a failure older
than that no longer counts) and a lock lasts AXES_COOLOFF_TIME (30 minutes) from the failure
that set it. Attempts refused while locked are not counted, so they never extend a lock.

* (account, address): AXES_FAILURE_LIMIT (5) failures lock that account *from that address*.
  The 统一社会信用代码 is public: a stranger who types it wrongly locks only themselves.
* account alone: the same number of failures coming from at least LOGIN_ACCOUNT_LOCK_ADDRESSES
  (3) distinct addresses lock the account everywhere. One owner uses one or two addresses
  (office, mobile), so three means several parties are guessing; a guesser with two addresses
  gets at most 10 tries per window, a spread-out attack is stopped after 5.
* address alone: LOGIN_IP_FAILURE_LIMIT (20) failures across any accounts lock the address.
  Higher than 5, because a company network or a carrier NAT puts many honest users behind one
  address.

A successful login clears its (account, address) count; an official's 解除登录锁定 and a
password set through 账号找回 (the e-mail link) clear every count of the account.

django-axes does the plumbing (the backend refusing locked logins, the lockout page, its
access records, the client address through portal.accounts.clientip); its own counter cannot
slide or count addresses, so this handler answers its "is this locked?" question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .models import LoginFailure

Failure = tuple[datetime, str | None]


def _lock_start(failures: Sequence[Failure], *, limit: int, addresses: int = 1) -> datetime | None:
    """The latest failure that completed `limit` failures (from at least `addresses` distinct
    addresses) inside one window, or None. `failures` are oldest first."""
    window = settings.LOGIN_FAILURE_WINDOW
    for end in range(len(failures) - 1, limit - 2, -1):
        at = failures[end][0]
        inside = [ip for when, ip in failures[: end + 1] if when > at - window]
        if len(inside) >= limit and len(set(inside)) >= addresses:
            return at
    return None


def lock_reason(*, username: str | None, ip_address: str | None, now: datetime) -> str | None:
    """Which rule locks a login by `username` from `ip_address` at `now`: "pair", "account",
    "address", or None when the login may be tried."""
    lock = settings.AXES_COOLOFF_TIME
    since = now - lock - settings.LOGIN_FAILURE_WINDOW
    limit = settings.AXES_FAILURE_LIMIT

    def active(start: datetime | None) -> bool:
        return start is not None and start > now - lock

    if username:
        account = list(
            LoginFailure.objects.filter(username=username, at__gt=since)
            .order_by("at")
            .values_list("at", "ip_address")
        )
        pair = [failure for failure in account if failure[1] == ip_address]
        if active(_lock_start(pair, limit=limit)):
            return "pair"
        if active(_lock_start(
            account, limit=limit, addresses=settings.LOGIN_ACCOUNT_LOCK_ADDRESSES
        )):
            return "account"
    if ip_address:
        by_address = list(
            LoginFailure.objects.filter(ip_address=ip_address, at__gt=since)
            .order_by("at")
            .values_list("at", "ip_address")
        )
        if active(_lock_start(by_address, limit=settings.LOGIN_IP_FAILURE_LIMIT)):
            return "address"
    return None


def failures_clear(*, username: str | None = None, ip_address: str | None = None) -> int:
    """Forget the counted failures of an account, an address, or the pair of both."""
    if not username and not ip_address:
        return 0
    failures = LoginFailure.objects.all()
    if username:
        failures = failures.filter(username=username)
    if ip_address:
        failures = failures.filter(ip_address=ip_address)
    count, _ = failures.delete()
    return count


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with the rules above (settings.AXES_HANDLER)."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        return lock_reason(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            now=timezone.now(),
        ) is not None

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # axes compares this number with AXES_FAILURE_LIMIT to decide that the failure it is
        # handling locks; the rules decide instead.
        if self.is_locked(request, credentials):
            return get_failure_limit(request, credentials)
        return 0

    def user_login_failed(
        self, sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        # Recorded before axes looks at it, so this failure counts towards its own lock. A
        # login refused because it is locked is not a new failure.
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and not self.is_whitelisted(request, credentials)
        ):
            now = timezone.now()
            LoginFailure.objects.filter(
                at__lte=now - settings.AXES_COOLOFF_TIME - settings.LOGIN_FAILURE_WINDOW
            ).delete()
            LoginFailure.objects.create(
                username=get_client_username(request, credentials) or "",
                ip_address=request.axes_ip_address or None,
                at=now,
            )
        super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        super().user_logged_in(sender, request, user, **kwargs)
        if request is not None and getattr(request, "axes_ip_address", None):
            failures_clear(username=user.get_username(), ip_address=request.axes_ip_address)

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        count = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        if ip_or_username:
            count += failures_clear(username=username) + failures_clear(ip_address=ip_address)
        else:
            count += failures_clear(username=username, ip_address=ip_address)
        return count

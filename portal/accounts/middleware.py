"""Idle timeout (等保 2.0 身份鉴别 b) 登录连接超时自动退出).

The session store also expires idle sessions, but a cache in front of it (cached_db) keeps its
own clock; this check makes the 30 minutes exact to the minute whatever the store.

The last-seen time is written into the session at most once a minute (`SEEN_RESOLUTION`), so
a logged-in page costs a session write once a minute, not on every request
(SESSION_SAVE_EVERY_REQUEST is off). The stored time is then at most a minute old, and a
session ends between 29 and 30 minutes after its last request — never later than 30.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LAST_SEEN = "_last_seen"
SEEN_RESOLUTION = 60  # seconds: how stale the stored last-seen time may be


def mark_seen(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """On every login (user_logged_in): the idle clock starts now, not at an older session's
    last request (login keeps the session's data when it cycles the key)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(timezone.now().timestamp())


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, "您已超过30分钟未操作，系统已自动退出登录，请重新登录。")
                admin_prefix = reverse("admin:index")
                login_url = (
                    reverse("admin:login") if request.path.startswith(admin_prefix) else None
                )
                return redirect_to_login(request.get_full_path(), login_url)
            if last is None or now - last >= SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now  # modified: the session is saved
        return self.get_response(request)


def _private_cache_by_choice(response: HttpResponse) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return "private" in directives and "max-age" in directives


class PrivateNoStoreMiddleware:
    """Nothing shown to a logged-in user is kept by the browser or a proxy.

    Every response to an authenticated request (pages, and every private file download:
    evidence, authorisation letters, reports, exports, which all require a login) gets
    `Cache-Control: no-store`, so a shared computer's back button or cache cannot show it to
    the next person. Anonymous public pages keep whatever caching their views set.

    One exception, on purpose: a view that itself says `Cache-Control: private, max-age=…`
    serves data that is the same for every user and holds nothing personal (the reference
    trees of /enterprise/options/), so the browser may keep it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _private_cache_by_choice(response):
            add_never_cache_headers(response)
        return response


class StaffSecurityMiddleware:
    """An admin account that has not passed its second factor, or must change its password,
    reaches only the page that does it (and logging out): every other request — admin pages,
    admin actions (a POST is refused before it runs), the site's pages — is sent there, with
    the page it asked for as `next`. See portal/accounts/policy.py."""

    ALWAYS_OPEN = ("accounts:logout", "admin:logout", "accounts:otp_setup", "accounts:otp_verify",
                   "accounts:otp_backup_codes", "accounts:admin_password", "favicon", "healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: frozenset[str] | None = None

    def _open_paths(self) -> frozenset[str]:
        if self._open is None:
            self._open = frozenset(reverse(name) for name in self.ALWAYS_OPEN)
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .policy import admin_gate

        user = request.user
        if user.is_authenticated and request.path not in self._open_paths():
            gate = admin_gate(user)
            if gate is not None and not request.path.startswith(settings.STATIC_URL):
                target = reverse(gate)
                next_url = request.get_full_path() if request.method == "GET" else ""
                if next_url and next_url != "/":
                    target += "?" + urlencode({"next": next_url})
                return HttpResponseRedirect(target)
        return self.get_response(request)

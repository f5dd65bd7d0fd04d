"""Per-account page cache: an enterprise's pages are rendered once per change, not per view.

An enterprise page (企业申报首页, 企业信息, 企业申报信息 …) shows the account's own rows and a few
site-wide ones (windows, settings, questionnaires). Rendering it costs 3–17 ms of CPU; serving it
again costs a cache read. `@account_page` keeps the rendered HTML under a key made of:

* the account, the page (path and query string) and the browser's CSRF secret (the page's
  forms carry a token derived from it, so another browser of the same account has its own copy);
* the Beijing date (deadlines and "还剩 N 天" change at midnight);

and stores it with the account's **version** and the **site version** it was rendered under:
two tokens in the cache, replaced whenever something the pages show changes (`pages_changed`,
`site_pages_changed`). The versions and the entry are read in one round trip; the entry is
served only while both versions are still the ones it was rendered under.

An entry lives `PAGE_CACHE_SECONDS` (120) at most, and never past the next opening or closing
of a declaration window (a window opens at a minute, not at midnight).

What changes a version (at once, and again when the transaction commits, so a page rendered
meanwhile from the old rows is stored under a version already retired):

* a row saved or deleted (`post_save`, `post_delete`) of a model in the table given to
  `connect` (portal/pagecache.py): an account's own rows bump that account, reference rows
  the site; every model of the project is classified there, and a test holds that;
* the writes that send no signal — bulk decisions (`common.workflow.decide_many`), bulk title
  grants, messages written in one INSERT, messages marked read — call `pages_changed` themselves;
* any POST (or other unsafe request) a logged-in account makes bumps that account when it
  is answered (`PageCacheMiddleware`): whatever it changed, its own pages are rendered again.

Not cached: anything but a 200 GET without a flash message pending or shown, a response
setting a cookie or using a CSP nonce, a request without a CSRF cookie, and admin accounts
(officials' lists change under them all day): only the accounts of enterprises and 自然人.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

SITE = "pagever:site"
EDGE = "pagecache:edge"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Headers a view sets that are kept with the page (the middleware adds its own on the way out).
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def _user_key(user_id: int) -> str:
    return f"pagever:u:{user_id}"


def _seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 120))


def _bump(keys: list[str], *, forget: tuple[str, ...] = ()) -> None:
    """Now (a page read later sees it), and again when the transaction commits (a page rendered
    meanwhile from the data before the commit is stored under the version retired then)."""
    def apply() -> None:
        try:
            for start in range(0, len(keys), 10_000):  # a broadcast reaches a million accounts
                cache.set_many({key: secrets.token_hex(8) for key in keys[start:start + 10_000]},
                               timeout=None)
            if forget:
                cache.delete_many(forget)
        except Exception:  # a cache outage: the entries expire on their own
            logger.exception("page cache: could not bump %s", keys)
    apply()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(apply)


def pages_changed(user_ids: Iterable[int | None]) -> None:
    """The pages of these accounts show something that changed: render them again."""
    keys = sorted({_user_key(pk) for pk in user_ids if pk is not None})
    if keys:
        _bump(keys)


def site_pages_changed() -> None:
    """A row every account's pages may show changed (a window, a setting …)."""
    _bump([SITE], forget=(EDGE,))


# --- who owns a row ---------------------------------------------------------------------------

# model label → lookup from that model to the owning account's id ("pk" for the account).
_OWNED: dict[str, str] = {}
_SITE: set[str] = set()


def owners_of(model: type[models.Model], pks: Iterable[Any]) -> set[int]:
    """The accounts whose pages show these rows of `model` (for writes without signals)."""
    path = _OWNED.get(model._meta.label)
    pks = list(pks)
    if path is None or not pks:
        return set()
    if path == "pk":
        return {int(pk) for pk in pks}
    return {pk for pk in model._default_manager.filter(pk__in=pks)
            .values_list(path, flat=True) if pk is not None}


def rows_changed(model: type[models.Model], pks: Iterable[Any]) -> None:
    """Rows of `model` changed without a signal (UPDATE, bulk INSERT): bump what shows them."""
    if model._meta.label in _SITE:
        site_pages_changed()
    else:
        pages_changed(owners_of(model, pks))


def _instance_owners(instance: models.Model) -> set[int]:
    """Owners from the row itself (it may be gone: a delete), one query at most."""
    path = _OWNED[instance._meta.label]
    if path == "pk":
        return {instance.pk}
    hop, _, rest = path.partition("__")
    field = instance._meta.get_field(hop)
    local = getattr(instance, field.attname)
    if not rest or rest == "id" or local is None:
        return {local} if local is not None else set()
    return set(field.related_model._default_manager.filter(pk=local).values_list(rest, flat=True))


def _on_write(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures
        return
    label = sender._meta.label
    if label in _SITE:
        site_pages_changed()
    elif label in _OWNED:
        pages_changed(_instance_owners(instance))


def connect(*, owned: dict[str, str], site: Iterable[str]) -> None:
    """Register the table (portal/pagecache.py) and listen to its models' writes."""
    from django.apps import apps

    _OWNED.update(owned)
    _SITE.update(site)
    for label in [*owned, *site]:
        model = apps.get_model(label)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"pagecache-delete-{label}")


# --- the cache itself -------------------------------------------------------------------------

def _next_edge(now: dt.datetime) -> dt.datetime | None:
    """The next opening or closing of a declaration window (cached until it passes)."""
    edge = cache.get(EDGE)
    if not isinstance(edge, dt.datetime | str) or (isinstance(edge, dt.datetime) and edge <= now):
        from django.apps import apps
        from django.db.models import Min, Q

        window = apps.get_model("declarations", "DeclarationWindow")
        found = window.objects.filter(Q(starts_at__gt=now) | Q(ends_at__gte=now)).aggregate(
            start=Min("starts_at", filter=Q(starts_at__gt=now)),
            end=Min("ends_at", filter=Q(ends_at__gte=now)))
        # A page shows a window open up to its ends_at inclusive: it changes just after.
        edges = [e for e in (found["start"], found["end"] and found["end"] + dt.timedelta(
            microseconds=1)) if e is not None]
        edge = min(edges) if edges else "none"
        cache.set(EDGE, edge, timeout=24 * 3600)
    return None if edge == "none" else edge


def _messages_pending(request: HttpRequest) -> bool:
    if getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return session is not None and "_messages" in session


def _page_key(request: HttpRequest) -> str:
    parts = [str(request.user.pk), timezone.localdate().isoformat(), request.get_full_path(),
             request.META["CSRF_COOKIE"], getattr(request, "LANGUAGE_CODE", "")]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _lookup(user_key: str, key: str) -> tuple[tuple[str, str], Any]:
    """The two versions and the entry, in one round trip; a version missing (first use, or
    evicted) gets a new token, so no entry stored under an older one can match."""
    found = cache.get_many([SITE, user_key, key])
    missing = [k for k in (SITE, user_key) if k not in found]
    if missing:
        for k in missing:
            cache.add(k, secrets.token_hex(8), timeout=None)
        found.update(cache.get_many(missing))
    return (found.get(SITE), found.get(user_key)), found.get(key)


def account_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an enterprise account's GET page from the cache when nothing it shows changed."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = _seconds()
        user = request.user
        if (seconds <= 0 or request.method != "GET" or not user.is_authenticated
                or user.is_admin_account or "CSRF_COOKIE" not in request.META
                or _messages_pending(request)):
            return view(request, *args, **kwargs)
        try:
            key = _page_key(request)
            versions, entry = _lookup(_user_key(user.pk), key)
        except Exception:  # a cache outage: render
            logger.exception("page cache: read failed")
            return view(request, *args, **kwargs)
        # An entry is kept with the versions it was rendered under: served only while both
        # are still current (a write since has replaced one of them) and before its end.
        if entry is not None and entry[0] == versions and timezone.now().timestamp() < entry[1]:
            # The browser holds the CSRF cookie the page's token was made from (the key says
            # so); it is not sent again (a year's cookie, and half the cost of a hit).
            _versions_then, _until, headers, body = entry
            return HttpResponse(zlib.decompress(body), headers=headers)
        now = timezone.now()
        response = view(request, *args, **kwargs)
        storage = getattr(request, "_messages", None)
        if (response.status_code != 200 or response.streaming or response.cookies
                or (storage is not None and storage.used)
                or getattr(request, "_csp_nonce", None) is not None):  # a nonce is per response
            return response
        edge = _next_edge(now)
        timeout = seconds if edge is None else min(seconds, int((edge - now).total_seconds()))
        if timeout >= 1:
            headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
            try:
                # The end is kept in the entry too: a window opens on this server's clock.
                until = now.timestamp() + timeout
                cache.set(key, (versions, until, headers, zlib.compress(response.content, 1)),
                          timeout=timeout)
            except Exception:
                logger.exception("page cache: write failed")
        return response

    return wrapper


class PageCacheMiddleware:
    """A logged-in account's unsafe request (a POST …) renews that account's pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in _SAFE:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                pages_changed([user.pk])
        return response

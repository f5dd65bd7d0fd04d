"""Reads on announcements: the home panels (cached), the public list, the detail.

Caching: the home panels and the unfiltered list's count are cached under keys carrying
`SiteSettings.content_version` (bumped by every publish, withdraw or edit) and the time the
next scheduled announcement comes due (see `site_state`). No clock-based expiry is relied on,
so a frozen clock in tests and Redis' own clock cannot disagree.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from common.formtools import EARLIEST_DATE, LATEST_DATE
from portal.regions.models import DeclarationRegion

from .models import Announcement, Level, SiteSettings, Status

HOME_PANEL_SIZE = 8
PAGE_SIZE = 20
# Beyond this many matches the list says "10000+" instead of counting the whole table.
COUNT_CAP = 10_000
# Upper bound for any cached entry (keys change on every relevant write anyway).
CACHE_SECONDS = 10 * 60
LIST_COLUMNS = ("id", "level", "issuing_region__name", "kind", "title", "publish_at", "pinned")


# The state row is also kept in this process for STATE_MEMO_SECONDS: another worker sees a
# publish or a withdrawal within that second; this process (where the official acted) at once,
# since the services call forget_site_state(). A memo whose next scheduled announcement has come
# due is never used. Without it every anonymous page pays a database round trip.
STATE_MEMO_SECONDS = 1.0
_state_memo: list[tuple[float, SiteSettings]] = []


def forget_site_state() -> None:
    _state_memo.clear()


def site_state(now: datetime | None = None) -> SiteSettings:
    """The settings row (see _read_site_state), from this process's one-second memo if fresh."""
    if now is not None:
        return _read_site_state(now)
    if _state_memo:
        taken, state = _state_memo[0]
        due = state.next_due  # type: ignore[attr-defined]
        if clock.monotonic() - taken < STATE_MEMO_SECONDS and (due is None or due > timezone.now()):
            return state
    state = _read_site_state(None)
    _state_memo[:] = [(clock.monotonic(), state)]
    return state


def _read_site_state(now: datetime | None = None) -> SiteSettings:
    """The settings row, with `next_due`: when the next scheduled announcement appears (None
    when none is scheduled).

    Read on every public request, so it is one plain SQL statement: on these machines the
    ORM spends ~0.4 ms compiling a query (1.5 ms with a subquery), more than the database
    needs for this primary-key read and index seek. The caches below are keyed on
    (content_version, next_due, updated_at): a publish, a withdrawal, an edit, a settings
    change or a scheduled time coming due each give a fresh key in every process.
    """
    quote = connection.ops.quote_name
    settings_table = quote(SiteSettings._meta.db_table)
    announcement_table = quote(Announcement._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    sql = (
        f"SELECT s.{quote('recognition_query_open')}, s.{quote('maker_contest_url')}, "  # noqa: S608 - quoted model names only, values are parameters  # nosec B608
        f"s.{quote('maker_contest_title')}, s.{quote('content_version')}, "
        f"s.{quote('updated_at')}, (SELECT MIN(a.{quote('publish_at')}) "
        f"FROM {announcement_table} a WHERE a.{quote('status')} = %s "
        f"AND a.{quote('publish_at')} > %s) FROM {settings_table} s WHERE s.{quote('id')} = 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.PUBLISHED, at])
        row = cursor.fetchone()
    if row is None:
        SiteSettings.objects.get_or_create(pk=1)
        return _read_site_state(now)
    state = SiteSettings(pk=1, recognition_query_open=bool(row[0]), maker_contest_url=row[1],
                         maker_contest_title=row[2], content_version=row[3],
                         updated_at=_as_datetime(row[4]))
    state.next_due = _as_datetime(row[5])  # type: ignore[attr-defined]
    return state


def _as_datetime(value: Any) -> datetime | None:
    # SQLite hands back text (naive UTC); PostgreSQL an aware datetime.
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def state_key(state: SiteSettings) -> str:
    """A cache key part that changes whenever anything the public sees may have changed."""
    due = state.next_due.timestamp() if state.next_due else 0  # type: ignore[attr-defined]
    changed = state.updated_at.timestamp() if state.updated_at else 0
    return f"v{state.content_version}:{due:.0f}:{changed:.6f}"


def _cached(key: str, state: SiteSettings, build: Any) -> Any:
    full_key = f"announcements:{key}:{state_key(state)}"
    value = cache.get(full_key)
    if value is None:
        value = build(timezone.now())
        cache.set(full_key, value, CACHE_SECONDS)
    return value


# Whole pages also kept in this process, keyed like the shared cache by the state read from the
# database on every request, so a copy here can never outlive a publish or a withdrawal; it saves
# the Redis round trip that otherwise dominates the anonymous home page. Bounded: a handful of
# pages, cleared wholesale when full.
_LOCAL_PAGES: dict[str, Any] = {}
_LOCAL_PAGES_MAX = 16


def cached_page(key: str, state: SiteSettings, build: Any) -> Any:
    """A whole page for anonymous visitors (identical for all of them), or the part of a page
    that is the same for everyone, cached like the rest."""
    local_key = f"{key}:{state_key(state)}"
    page = _LOCAL_PAGES.get(local_key)
    if page is None:
        page = _cached(f"page:{key}", state, lambda now: build())
        if len(_LOCAL_PAGES) >= _LOCAL_PAGES_MAX:
            _LOCAL_PAGES.clear()
        _LOCAL_PAGES[local_key] = page
    return page


def clear_local_pages() -> None:
    """Forget this process's copies (tests reset the database under the same state key)."""
    _LOCAL_PAGES.clear()
    forget_site_state()


def _panel_rows(level: str, now: datetime) -> list[dict[str, Any]]:
    return list(
        Announcement.objects.visible(now).filter(level=level).public_order()
        .values(*LIST_COLUMNS)[:HOME_PANEL_SIZE]
    )


def home_panels_html(state: SiteSettings) -> str:
    """The 部级公告 and 省级公告 panels side by side, as HTML (cached)."""

    def build(now: datetime) -> str:
        return render_to_string("announcements/includes/home_panels.html", {
            "ministry": _panel_rows(Level.MINISTRY, now),
            "province": _panel_rows(Level.PROVINCE, now),
        })

    return _cached("home", state, build)


def region_choices() -> list[tuple[str, str]]:
    """(code, name) of the declaration regions, for the list's region filter (cached)."""
    choices = cache.get("announcements:regions")
    if choices is None:
        choices = list(DeclarationRegion.objects.order_by("ordering", "code")
                       .values_list("code", "name"))
        cache.set("announcements:regions", choices, 60 * 60)
    return choices


@dataclass(frozen=True)
class Filters:
    q: str = ""
    level: str = ""
    region: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.q or self.level or self.region or self.date_from or self.date_to)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search(filters: Filters, now: datetime | None = None) -> Any:
    """Visible announcements matching `filters`, in public order (a lazy queryset)."""
    qs = Announcement.objects.visible(now)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(body_text__icontains=filters.q))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.region:
        qs = qs.filter(issuing_region__code=filters.region)
    # Clamped: at the ends of Python's calendar a day more, or the shift to UTC, overflows.
    if filters.date_from:
        qs = qs.filter(publish_at__gte=_day_start(max(filters.date_from, EARLIEST_DATE)))
    if filters.date_to:
        # The whole of that day (Asia/Shanghai) is included.
        last = min(filters.date_to, LATEST_DATE)
        qs = qs.filter(publish_at__lt=_day_start(last + timedelta(days=1)))
    return qs.public_order()


@dataclass
class Page:
    rows: list[dict[str, Any]]
    number: int
    count: int
    capped: bool

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return min(self.number - 1, self.num_pages)

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def page_range(self) -> list[int]:
        """A window of page numbers around the current one."""
        last = self.num_pages
        start = max(1, min(self.number, last) - 3)
        return list(range(start, min(last, start + 6) + 1))


def _capped_count(qs: Any) -> int:
    # COUNT over at most COUNT_CAP + 1 ids: bounded work on a table of any size.
    return qs.order_by().values("pk")[: COUNT_CAP + 1].count()


def page_of(filters: Filters, number: int, *, state: SiteSettings) -> Page:
    """One page of the list. The unfiltered count is cached (the common case, and the one a
    crawler hammers); a filtered one is counted, up to COUNT_CAP."""
    now = timezone.now()
    qs = search(filters, now)
    if filters.empty:
        count = _cached("count", state, lambda at: _capped_count(search(filters, at)))
    else:
        count = _capped_count(qs)
    offset = (number - 1) * PAGE_SIZE
    rows = list(qs.values(*LIST_COLUMNS)[offset:offset + PAGE_SIZE]) if offset < count else []
    return Page(rows=rows, number=number, count=min(count, COUNT_CAP),
                capped=count > COUNT_CAP)


def get_public_announcement(pk: int) -> Announcement:
    """The announcement the public may read, or 404 (drafts, withdrawn, future ones)."""
    announcement = (Announcement.objects.visible().select_related("issuing_region")
                    .filter(pk=pk).first())
    if announcement is None:
        raise Http404("公告不存在或已撤回。")
    return announcement


def neighbours(announcement: Announcement) -> tuple[dict | None, dict | None]:
    """(上一篇 = the next newer, 下一篇 = the next older) of the same level, by publish time."""
    same = Announcement.objects.visible().filter(level=announcement.level)
    at, pk = announcement.publish_at, announcement.pk
    newer = (same.filter(Q(publish_at__gt=at) | Q(publish_at=at, pk__gt=pk))
             .order_by("publish_at", "pk").values("id", "title").first())
    older = (same.filter(Q(publish_at__lt=at) | Q(publish_at=at, pk__lt=pk))
             .order_by("-publish_at", "-pk").values("id", "title").first())
    return newer, older

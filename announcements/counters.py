"""Buffered view counts: an announcement's page view adds to a tally kept in the process; the
tally is written at most every `ANNOUNCEMENT_VIEW_FLUSH_SECONDS` (default 10) as one UPDATE per
announcement viewed, and when the process exits. A hot notice read by thousands in the last
days of a window then costs one write every few seconds instead of one per view, on any node
and without Redis. A process killed without warning loses at most one interval's views (a
counter, not an audit: the audit of who read what is the security log's)."""

from __future__ import annotations

import atexit
import threading
import time
from collections import Counter

from django.conf import settings
from django.db.models import F

_lock = threading.Lock()
_pending: Counter[int] = Counter()
_last_flush = time.monotonic()


def _interval() -> float:
    return float(getattr(settings, "ANNOUNCEMENT_VIEW_FLUSH_SECONDS", 10))


def count_view(pk: int) -> int:
    """Count one view of announcement `pk`; returns the views not yet written for it (the
    page adds them to the stored count, so the reader sees its own view)."""
    global _last_flush
    with _lock:
        _pending[pk] += 1
        waiting = _pending[pk]
        due = time.monotonic() - _last_flush >= _interval()
    if due:
        flush()
    return waiting


def pending(pk: int) -> int:
    with _lock:
        return _pending.get(pk, 0)


def flush() -> int:
    """Write every tally (one UPDATE per announcement); returns how many were written."""
    global _last_flush
    from .models import Announcement

    with _lock:
        taken = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    for pk, views in taken.items():
        Announcement.objects.filter(pk=pk).update(view_count=F("view_count") + views)
    return len(taken)


atexit.register(lambda: _pending and flush())

"""The header's unread count (cached: no query on a page once the count is known)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_enterprise", False):
        return {}
    # Lazy: a page that does not show the header (a file, JSON) does not look it up.
    return {"unread_messages": SimpleLazyObject(lambda: selectors.unread_count(user))}

"""Whole-page caching for anonymous visitors (the public home and the unfiltered list)."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.http import HttpRequest


def anonymous_cacheable(request: HttpRequest) -> bool:
    """True when the page is the same for every visitor: nobody logged in, no flash message
    waiting to be shown (it would be lost from, or frozen into, a shared copy), a GET."""
    if request.method != "GET" or request.user.is_authenticated:
        return False
    return len(get_messages(request)) == 0



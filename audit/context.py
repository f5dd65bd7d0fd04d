"""The request being served, for code that records an event without being handed it (a
password saved by any form, a download helper): set by RequestIdMiddleware."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

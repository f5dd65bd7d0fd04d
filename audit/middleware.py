"""Request ids, and a SecurityEvent for every 403 or 404 a logged-in user receives."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import current_request

HEADER = "X-Request-ID"
# A request id from our own proxy is honoured when it is short and plain; anything else (a
# client's attempt to write into the logs) is replaced by our own.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (`request.request_id`): the incoming X-Request-ID when it is
    well-formed, else a new one; returns it in the response's X-Request-ID. Also makes the
    request available to `security_event` calls that are not handed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _ACCEPTED.match(incoming) else uuid.uuid4().hex
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response[HEADER] = request.request_id
        return response


class DeniedResponseMiddleware:
    """等保 安全审计: a refused access is an audit event. Scoping answers 404 for what is out of
    an official's or an enterprise's reach (so ids cannot be probed) and 403 for what their role
    may not do; both are recorded for logged-in users, with the path as the object."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from .services import Event, Result, security_event

                security_event(event=Event.ACCESS_DENIED, request=request, user=user,
                               obj=("url", request.path), result=Result.FAILURE,
                               detail=f"{request.method} {response.status_code}")
        return response

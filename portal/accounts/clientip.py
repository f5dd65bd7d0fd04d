"""The client's address: the one function every per-address rule keys on.

django-axes (login lockout, AXES_CLIENT_IP_CALLABLE) and django-ratelimit (registration,
phone change, recovery, RATELIMIT_IP_META_KEY) both call `client_ip`, so they always agree.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware.ip import get_client_ip


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as our own proxies saw it.

    Without `BEHIND_PROXY`: REMOTE_ADDR. X-Forwarded-For is then written by the client alone
    and is ignored, so a forged header changes nothing.

    With `BEHIND_PROXY` and `PROXY_COUNT=N`: each of our N proxies appends the address it
    received the request from, so the client is the N-th entry of X-Forwarded-For counted
    from the right; entries further left were written by the client and are never trusted.
    django-ipware counts the proxies *listed* in the header, which is N - 1 (the last proxy
    is REMOTE_ADDR, not an entry).
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not settings.BEHIND_PROXY:
        return remote
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=settings.PROXY_COUNT - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        # Not strict: a chain longer than expected (client-written entries on the left) is
        # normal, and its right-hand end is still ours.
        strict=False,
    )
    # No usable header (a request that did not pass through our proxies): the peer address.
    return ip or remote

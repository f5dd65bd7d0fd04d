"""Public pages that gather several apps: the home page, the recognition query entry; errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control

from announcements import selectors as announcement_selectors
from announcements.caching import anonymous_cacheable
from announcements.models import SiteSettings
from announcements.services import site_settings
from common.tiers import Tier

# Kept for portal/enterprise_views.py: (value, label) of the three tiers.
TIERS = Tier.choices

ASSESSMENT_URL = "/assessment/"


def home(request: HttpRequest) -> HttpResponse:
    """The public home (manual 一): announcements, the three cards, declaration by tier.

    Queries: anonymous 1 (the settings row, which carries the announcement content version
    and the next scheduled time), 3 on a cold cache (+ the two panels); a logged-in visitor
    adds the session (read on a cache miss, saved on every request: idle timeout) and the
    user — at most 6. Anonymous visitors, most of the traffic, get a whole cached page.
    """
    state = announcement_selectors.site_state()

    def build() -> str:
        return render_to_string("portal/home.html", _home_context(request, state), request)

    if anonymous_cacheable(request):
        return HttpResponse(announcement_selectors.cached_page("home", state, build))
    return HttpResponse(build())


def _home_context(request: HttpRequest, state: SiteSettings) -> dict[str, Any]:
    if request.user.is_authenticated:
        assessment_url = ASSESSMENT_URL
    else:
        # Anonymous visitors log in first, then land straight on the assessment (manual 一(三)).
        assessment_url = f"{reverse('accounts:login')}?{urlencode({'next': ASSESSMENT_URL})}"
    panels = announcement_selectors.home_panels_html(state)
    return {
        # Rendered from escaped template output (announcements/includes/home_panels.html).
        "announcement_panels": mark_safe(panels),  # noqa: S308
        "site": state,
        "tiers": Tier.choices,
        "assessment_url": assessment_url,
    }


def recognition_query(request: HttpRequest) -> HttpResponse:
    """企业认定查询. Closed (稍后开放) until officials switch it on in the admin.

    The query itself (name + 统一社会信用代码 + captcha against the recognitions) arrives with
    the recognitions; until then the open switch shows that it is being prepared.
    """
    return render(request, "portal/recognition_query.html", {"site": site_settings()})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers and bookmarks ask for whatever the pages link: the static
    icon (resolved per request, so the hashed name of a collected build is used)."""
    return HttpResponseRedirect(static("img/favicon.ico"))

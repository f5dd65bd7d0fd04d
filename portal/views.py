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
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from announcements import selectors as announcement_selectors
from announcements.caching import anonymous_cacheable
from announcements.models import SiteSettings
from announcements.services import site_settings
from common.tiers import Tier
from enterprises.selectors import recognitions_for_query

from .forms import RecognitionQueryForm

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
        "announcement_panels": mark_safe(panels),  # noqa: S308 - escaped template output  # nosec B308 B703
        "site": state,
        "tiers": Tier.choices,
        "assessment_url": assessment_url,
    }


# Queries per client address (portal.accounts.clientip behind a proxy): a person checks a
# few enterprises; a script walking the register is stopped.
RECOGNITION_QUERY_RATE = "30/h"


@never_cache
@ratelimit(key="ip", rate=RECOGNITION_QUERY_RATE, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def recognition_query(request: HttpRequest) -> HttpResponse:
    """企业认定查询 (manual 一(二)). Closed (稍后开放) until officials switch it on in the admin.

    企业名称 + 统一社会信用代码 + 验证码: both must match one enterprise; the answer lists its
    valid and past titles, or 未查询到. A refused captcha or the rate limit keeps the inputs.
    """
    site = site_settings()
    context: dict[str, Any] = {"site": site}
    status = 200
    if site.recognition_query_open:
        form = RecognitionQueryForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if getattr(request, "limited", False):
                form.is_valid()  # the inputs stay, with their own messages
                form.add_error(None, "查询过于频繁，请稍后再试。")
                status = 429
            elif form.is_valid():
                data = form.cleaned_data
                context["titles"] = recognitions_for_query(name=data["name"], uscc=data["uscc"])
                context["queried"] = True
        context["form"] = form
    return render(request, "portal/recognition_query.html", context, status=status)


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

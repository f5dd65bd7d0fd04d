"""Pages that gather several apps: the public home and the enterprise home."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.accounts.decorators import PERSON_CANNOT_DECLARE

TIERS = [
    ("innovative", "创新型中小企业"),
    ("specialized", "专精特新中小企业"),
    ("giant", "专精特新“小巨人”企业"),
]


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tiers": TIERS})


@login_required
def enterprise_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_official or user.is_superuser:
        return redirect("admin:index")
    context = {
        "tiers": TIERS,
        "person_notice": PERSON_CANNOT_DECLARE if user.is_person else "",
    }
    return render(request, "portal/enterprise_home.html", context)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)

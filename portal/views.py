"""Public pages that gather several apps: the home page; the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

TIERS = [
    ("innovative", "创新型中小企业"),
    ("specialized", "专精特新中小企业"),
    ("giant", "专精特新“小巨人”企业"),
]


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tiers": TIERS})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)

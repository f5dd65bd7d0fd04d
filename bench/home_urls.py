"""The product's URLs plus the benchmark's trivial view (bench/home_settings.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal import urls as product_urls


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("pong", content_type="text/plain")


urlpatterns = [path("bench/ping", ping), *product_urls.urlpatterns]
handler403 = product_urls.handler403
handler404 = product_urls.handler404
handler500 = product_urls.handler500

from django.contrib import admin
from django.urls import include, path

from . import enterprise_views, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("enterprise/", enterprise_views.enterprise_home, name="enterprise_home"),
    path("enterprise/messages/", include("messaging.urls")),
    path("enterprise/", include("enterprises.urls")),
    path("announcements/", include("announcements.urls")),
    path("recognition/query/", views.recognition_query, name="recognition_query"),
    path("", include("declarations.urls")),
    path("assessment/", include("assessment.urls")),
    path("accounts/", include("portal.accounts.urls")),
    path("captcha/", include("captcha.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]

handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"

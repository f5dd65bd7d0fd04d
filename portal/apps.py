from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "门户"

    def ready(self) -> None:
        from .pagecache import connect

        connect()  # the enterprise pages' cache listens to the rows they show


class PortalAdminConfig(admin_apps.AdminConfig):
    """The admin, with the officials' site (portal.admin_site) as the default site."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"

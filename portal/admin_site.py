"""The officials' admin site: Chinese titles, captcha on login, officials and operators only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from captcha.fields import CaptchaField
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

from portal.accounts.captchas import PooledCaptchaTextInput


class OfficialLoginForm(AdminAuthenticationForm):
    captcha = CaptchaField(label="验证码", error_messages={"invalid": "验证码不正确。"},
                           widget=PooledCaptchaTextInput())

    def clean(self):
        if self.errors.get("captcha"):
            return self.cleaned_data
        return super().clean()


@dataclass(frozen=True, slots=True)
class AdminPage:
    """A page of an app that is not a model's (e.g. 申报书核验): served at
    /admin/<app_label>/<route>, listed with the app's models to whoever has `permission`."""

    app_label: str
    route: str
    url_name: str  # reversed as admin:<url_name>
    title: str
    view: Callable[..., HttpResponse]
    permission: str
    listed: bool = True  # False: reached by links only (a job's page, a download)


class PortalAdminSite(admin.AdminSite):
    site_header = "优质中小企业梯度培育平台 · 管理端"
    site_title = "管理端"
    index_title = "工作台"
    login_form = OfficialLoginForm
    login_template = "admin/portal_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        from portal.accounts.policy import must_change_password
        from portal.accounts.rules import is_role_admin

        user = request.user
        return bool(
            user.is_active and user.is_staff
            and (user.is_superuser or getattr(user, "is_official", False) or is_role_admin(user))
            # The second factor passed and the password not due (StaffSecurityMiddleware sends
            # the account to the page that does it; this refuses whatever reached here anyway).
            and hasattr(user, "is_verified") and user.is_verified()
            and not must_change_password(user)
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[AdminPage] = []

    def register_page(self, page: AdminPage) -> None:
        """Add a page to the site (from the app's admin.py); the view checks its own rules."""
        self._pages.append(page)

    def get_urls(self) -> list:
        pages = [path(f"{page.app_label}/{page.route}", self.admin_view(page.view),
                      name=page.url_name) for page in self._pages]
        return [*pages, *super().get_urls()]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list:
        apps = super().get_app_list(request, app_label)
        by_label = {app["app_label"]: app for app in apps}
        for page in self._pages:
            app = by_label.get(page.app_label)
            if app is None or not page.listed or not request.user.has_perm(page.permission):
                continue
            app["models"].append({
                "name": page.title, "object_name": page.url_name, "model": None,
                "perms": {"view": True}, "view_only": True, "add_url": None,
                "admin_url": reverse(f"{self.name}:{page.url_name}"),
            })
        return apps

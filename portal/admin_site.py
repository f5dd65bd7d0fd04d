"""The officials' admin site: Chinese titles, captcha on login, officials and operators only."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest


class OfficialLoginForm(AdminAuthenticationForm):
    captcha = CaptchaField(label="验证码", error_messages={"invalid": "验证码不正确。"})

    def clean(self):
        if self.errors.get("captcha"):
            return self.cleaned_data
        return super().clean()


class PortalAdminSite(admin.AdminSite):
    site_header = "优质中小企业梯度培育平台 · 管理端"
    site_title = "管理端"
    index_title = "工作台"
    login_form = OfficialLoginForm
    login_template = "admin/portal_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and (user.is_superuser or getattr(user, "is_official", False))
        )

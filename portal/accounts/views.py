"""Login, registration, phone change (手机号修改) and account recovery (账号找回)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from common.formtools import add_service_errors

from . import services
from .forms import (
    EnterpriseRegisterForm,
    LoginForm,
    PersonRegisterForm,
    PhoneEmailStartForm,
    PhoneEmailVerifyForm,
    PhoneManualForm,
    RecoverForm,
    mask_email,
)
from .models import User

PHONE_SESSION_KEY = "phone_change_user_id"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        if self.request.user.is_official:
            return reverse("admin:index")
        return super().get_default_redirect_url()


# Self-service routes that error messages name (manual FAQ 1 and 3): shown as links to them.
ROUTE_LINKS = {"【账号找回】": "accounts:recover", "【手机号修改】": "accounts:phone"}


def _with_route_links(message: str) -> SafeString:
    html = escape(message)
    for name, route in ROUTE_LINKS.items():
        html = html.replace(name, f'<a href="{reverse(route)}">{name}</a>')
    return mark_safe(html)  # noqa: S308 - the message is escaped above, the links are ours  # nosec B308 B703


def link_routes_in_errors(form: Any) -> None:
    """Make 【账号找回】 / 【手机号修改】 in the form's error messages links to those pages."""
    for errors in form.errors.values():
        errors.data = [_with_route_links(message) for message in errors]


def lockout(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes lockout page."""
    return render(request, "accounts/locked.html", status=429)


@sensitive_post_parameters("password1", "password2")
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or "enterprise"
    form_class = PersonRegisterForm if kind == "person" else EnterpriseRegisterForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, "注册请求过于频繁，请稍后再试。")
        elif form.is_valid():
            data = form.cleaned_data
            common = {
                "username": data["username"],
                "person_name": data["person_name"],
                "mobile": data["mobile"],
                "email": data["email"],
                "password": data["password1"],
            }
            try:
                if form_class is EnterpriseRegisterForm:
                    user = services.account_register_enterprise(
                        uscc=data["uscc"], org_name=data["org_name"], **common
                    )
                else:
                    user = services.account_register_person(id_number=data["id_number"], **common)
            except ValidationError as exc:
                add_service_errors(form, exc)
                link_routes_in_errors(form)
            else:
                login(request, user, backend="portal.accounts.backends.IdentifierBackend")
                messages.success(request, "注册成功，欢迎使用优质中小企业梯度培育平台。")
                return redirect("enterprise_home")
    return render(request, "accounts/register.html", {"form": form, "kind": kind})


# --- 手机号修改 ---------------------------------------------------------------------------------------

def phone_change(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/phone_choose.html")


@ratelimit(key="ip", rate="10/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def phone_email_start(request: HttpRequest) -> HttpResponse:
    form = PhoneEmailStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, "操作过于频繁，请稍后再试。")
        elif form.is_valid():
            user: User = form.cleaned_data["user"]
            try:
                services.email_code_send(user=user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[PHONE_SESSION_KEY] = user.pk
                return redirect("accounts:phone_email_verify")
    return render(request, "accounts/phone_email_start.html", {"form": form})


@require_http_methods(["GET", "POST"])
def phone_email_verify(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PHONE_SESSION_KEY)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        messages.info(request, "请先填写账号和邮箱获取验证码。")
        return redirect("accounts:phone_email")
    form = PhoneEmailVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.phone_change_by_email_code(
                user=user, code=form.cleaned_data["code"], new_mobile=form.cleaned_data["new_mobile"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            del request.session[PHONE_SESSION_KEY]
            return render(request, "accounts/phone_done.html", {"mode": "email"})
    masked = mask_email(user.email)
    return render(request, "accounts/phone_email_verify.html", {"form": form, "masked": masked})


@ratelimit(key="ip", rate="10/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def phone_manual(request: HttpRequest) -> HttpResponse:
    form = PhoneManualForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, "操作过于频繁，请稍后再试。")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.phone_change_request_create(
                    user=data["identifier"],
                    new_mobile=data["new_mobile"],
                    applicant_name=data["applicant_name"],
                    reason=data["reason"],
                    letter=data["letter"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(request, "accounts/phone_done.html", {"mode": "manual"})
    return render(request, "accounts/phone_manual.html", {"form": form})


# --- 账号找回 -----------------------------------------------------------------------------------------

@ratelimit(key="ip", rate="10/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    form = RecoverForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, "操作过于频繁，请稍后再试。")
        elif form.is_valid():
            user = services.account_find_for_recovery(**{
                k: form.cleaned_data[k] for k in ("code", "person_name", "email")
            })
            if user is None:
                return render(request, "accounts/recover.html", {"form": form, "mismatch": True})
            services.account_recovery_send(user=user)
            return render(request, "accounts/recover_sent.html")
    return render(request, "accounts/recover.html", {"form": form})


class RecoverConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/recover_confirm.html"
    success_url = reverse_lazy("accounts:recover_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The e-mail link proves the owner: a lock set by someone guessing at the account
        # must not keep the owner out after the new password is set.
        services.account_unlock(user=form.user)
        return response


def recover_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/recover_complete.html")

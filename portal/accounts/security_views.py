"""Account security pages: the admin accounts' second factor and password, and the sensitive
actions of enterprise and 自然人 accounts (password and login e-mail, each with a one-time code).

Kept apart from views.py (login, registration, phone change, recovery) because these pages
share their own rules: who may open them (admin accounts vs. the others) and where they lead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from common.formtools import add_service_errors
from common.masking import mask

from . import services, two_factor
from .forms import (
    AdminPasswordForm,
    BackupCodesRegenerateForm,
    BackupCodesSavedForm,
    EmailChangeForm,
    EnrolForm,
    PasswordWithCodeForm,
    SendCodeForm,
    TokenForm,
    mask_email,
)
from .models import ActionCode
from .policy import admin_gate, password_expired

NEW_CODES_KEY = "otp_new_backup_codes"


def _data(request: HttpRequest) -> Any:
    # Not `request.POST or None`: an empty POST must still be validated (and refused).
    return request.POST if request.method == "POST" else None


def _next(request: HttpRequest) -> str:
    """Where to go once done: the page first asked for, when it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _with_next(name: str, request: HttpRequest) -> str:
    from urllib.parse import urlencode

    target = request.POST.get("next") or request.GET.get("next") or ""
    return reverse(name) + (f"?{urlencode({'next': target})}" if target else "")


def admin_account_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in admin accounts only; an enterprise or 自然人 account is refused (403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_admin_account:
            return render(request, "403.html",
                          {"message": "双因素认证仅用于管理端账户。"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def own_account_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in enterprise or 自然人 accounts; admin accounts change theirs in the admin."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_admin_account:
            return render(request, "403.html",
                          {"message": "管理端账户请在管理端修改密码。"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


# --- Second factor ---------------------------------------------------------------------------------

@admin_account_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.is_enrolled(user):
        return redirect(_with_next("accounts:otp_verify", request))
    device = two_factor.pending_device(user)
    form = EnrolForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.otp_enrol(user=user, device=device, token=form.cleaned_data["token"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            django_otp.login(request, device)
            request.session[NEW_CODES_KEY] = codes
            return redirect(_with_next("accounts:otp_backup_codes", request))
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr": two_factor.qr_svg(device), "key": two_factor.manual_key(device),
        "next": request.GET.get("next") or request.POST.get("next") or ""})


@admin_account_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not two_factor.is_enrolled(user):
        return redirect(_with_next("accounts:otp_setup", request))
    if user.is_verified():
        return redirect(_next(request))
    form = TokenForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.otp_verify(user=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            django_otp.login(request, device)
            return redirect(_next(request))
    return render(request, "accounts/otp_verify.html", {
        "form": form, "next": request.GET.get("next") or request.POST.get("next") or ""})


@admin_account_required
@require_http_methods(["GET", "POST"])
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    """The new backup codes, shown once until 我已保存; otherwise how many are left and a way
    to make new ones (the old ones then stop working)."""
    user = request.user
    gate = admin_gate(user)
    if gate in ("accounts:otp_setup", "accounts:otp_verify"):
        return redirect(_with_next(gate, request))
    codes = request.session.get(NEW_CODES_KEY)
    if codes:
        form = BackupCodesSavedForm(_data(request))
        if request.method == "POST" and form.is_valid():
            del request.session[NEW_CODES_KEY]
            messages.success(request, "双因素认证已就绪。")
            return redirect(_next(request))
        return render(request, "accounts/otp_backup_codes.html", {
            "codes": codes, "form": form, "next": request.GET.get("next") or
            request.POST.get("next") or ""})
    form = BackupCodesRegenerateForm(_data(request))
    if request.method == "POST" and form.is_valid():
        request.session[NEW_CODES_KEY] = two_factor.backup_codes_regenerate(user=user)
        return redirect("accounts:otp_backup_codes")
    return render(request, "accounts/otp_backup_codes.html", {
        "form": form, "left": two_factor.backup_codes_left(user)})


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@admin_account_required
@require_http_methods(["GET", "POST"])
def admin_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    gate = admin_gate(user)
    if gate in ("accounts:otp_setup", "accounts:otp_verify"):
        return redirect(_with_next(gate, request))
    reason = ("您的账户由他人创建或重置，首次登录须设置自己的密码。" if user.must_change_password
              else "您的密码已使用满90天，请修改后继续。" if password_expired(user) else "")
    form = AdminPasswordForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect(_next(request))
    return render(request, "accounts/admin_password.html", {
        "form": form, "reason": reason,
        "next": request.GET.get("next") or request.POST.get("next") or ""})


# --- Enterprise and 自然人 accounts ----------------------------------------------------------------

@own_account_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "accounts/security.html", {
        "mobile": mask(user.mobile) or "未绑定", "email": mask_email(user.email) if user.email
        else "未绑定"})


def _sensitive_action(request: HttpRequest, *, purpose: str, form_class: type,
                      apply: Callable[[Any], Any], heading: str, submit_label: str,
                      done: str) -> HttpResponse:
    user = request.user
    send_form = SendCodeForm(user=user)
    form = form_class()
    if request.method == "POST" and "send" in request.POST:
        send_form = SendCodeForm(request.POST, user=user)
        if getattr(request, "limited", False):
            send_form.add_error(None, "操作过于频繁，请稍后再试。")
        elif send_form.is_valid():
            try:
                services.action_code_send(user=user, purpose=purpose,
                                          channel=send_form.cleaned_data["channel"])
            except ValidationError as exc:
                add_service_errors(send_form, exc)
            else:
                messages.success(request, "验证码已发送，10分钟内有效，最多可尝试5次。")
                return redirect(request.path)
    elif request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                apply(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("accounts:security")
    return render(request, "accounts/sensitive_action.html",
                  {"send_form": send_form, "form": form, "heading": heading,
                   "submit_label": submit_label})


@sensitive_post_parameters("old_password", "new_password1", "new_password2", "code")
@own_account_required
@ratelimit(key="user", rate="20/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user

    def apply(data: dict[str, Any]) -> None:
        services.password_change_with_code(user=user, old_password=data["old_password"],
                                           new_password=data["new_password1"], code=data["code"])
        update_session_auth_hash(request, user)

    return _sensitive_action(request, purpose=ActionCode.Purpose.PASSWORD,
                             form_class=PasswordWithCodeForm, apply=apply,
                             heading="修改登录密码", submit_label="确认修改密码", done="登录密码已修改。")


@sensitive_post_parameters("code")
@own_account_required
@ratelimit(key="user", rate="20/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    user = request.user

    def apply(data: dict[str, Any]) -> None:
        services.email_change(user=user, new_email=data["new_email"], code=data["code"])

    return _sensitive_action(request, purpose=ActionCode.Purpose.EMAIL,
                             form_class=EmailChangeForm, apply=apply,
                             heading="修改登录邮箱", submit_label="确认修改邮箱", done="登录邮箱已修改。")

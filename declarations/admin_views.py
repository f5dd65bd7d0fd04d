"""Officials' pages of the declarations app that are not a model's admin: 申报书核验."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .verification import TypedCode, parse_typed_code, verify_code

VERIFY_PERMISSION = "declarations.verify_declaration"


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="核验码", max_length=200, strip=True,
        help_text="输入申报书页眉上的核验码（如 ABCDE-FGHIJ，不区分大小写，短横线可省略），"
                  "或用扫码枪扫描申报书上的二维码。",
        error_messages={"required": "请输入核验码或扫描二维码。"},
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off",
                                      "size": 40, "spellcheck": "false"}))

    def clean_code(self) -> TypedCode:
        typed = parse_typed_code(self.cleaned_data["code"])
        if typed is None:
            raise forms.ValidationError(
                "核验码格式不正确：应为10位字母和数字（如 ABCDE-FGHIJ），或申报书二维码的内容。")
        return typed


def verify_view(request: HttpRequest) -> HttpResponse:
    """申报书核验: a code typed or scanned → the declaration it belongs to (in the official's
    scope) and whether the stored frozen copy still yields that code. Read-only: a GET form,
    so a scanner's Enter submits it and the result can be bookmarked."""
    if not request.user.has_perm(VERIFY_PERMISSION):
        raise PermissionDenied("只有管理端账户可以核验申报书。")
    form = VerifyForm(request.GET if "code" in request.GET else None)
    verification = None
    if form.is_bound and form.is_valid():
        verification = verify_code(user=request.user, typed=form.cleaned_data["code"])
    context = {
        **admin.site.each_context(request),
        "title": "申报书核验",
        "form": form,
        "verification": verification,
    }
    return TemplateResponse(request, "admin/declarations/verify.html", context)

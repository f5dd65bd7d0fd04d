"""Account forms: they validate and normalise; services do the writing."""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils.html import format_html

from common.uploads import validate_upload
from portal.accounts.captchas import PooledCaptchaTextInput

from .backends import find_account
from .models import User
from .validators import (
    normalize_code,
    validate_id_number,
    validate_login_name,
    validate_mobile,
    validate_uscc,
)

CAPTCHA_LABEL = "验证码"


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label=CAPTCHA_LABEL,
        error_messages={"invalid": "验证码不正确。"},
        widget=PooledCaptchaTextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class CaptchaMixin(forms.Form):
    captcha = captcha_field()


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="登录名 / 统一社会信用代码 / 身份证号",
        max_length=64,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    captcha = captcha_field()

    error_messages = {
        "invalid_login": "账号或密码不正确。连续失败5次，账号将被锁定30分钟。",
        "inactive": "该账户已停用。",
    }

    field_order = ["username", "password", "captcha"]

    def clean(self) -> dict[str, Any]:
        # The captcha is checked before the password, so guessing costs a captcha each time.
        if self.errors.get("captcha"):
            return self.cleaned_data
        return super().clean()


class PasswordFieldsMixin(forms.Form):
    password1 = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少8位，包含大写字母、小写字母、数字、特殊符号中的至少3类。",
    )
    password2 = forms.CharField(
        label="确认密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_password2(self) -> str:
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("两次输入的密码不一致。")
        return p2 or ""


class RegisterBaseForm(PasswordFieldsMixin, CaptchaMixin):
    username = forms.CharField(
        label="登录名", max_length=30, validators=[validate_login_name],
        help_text="4—30位，以英文字母开头，只能包含英文字母、数字和下划线。",
    )
    mobile = forms.CharField(label="手机号", max_length=11, validators=[validate_mobile])
    email = forms.EmailField(label="电子邮箱", help_text="用于手机号修改和账号找回。")
    agree = forms.BooleanField(
        label="我已阅读并同意《用户服务协议》与《个人信息保护声明》",
        error_messages={"required": "请阅读并同意用户服务协议与个人信息保护声明。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Opened in a new tab, so reading them does not lose what was typed.
        self.fields["agree"].label = format_html(
            '我已阅读并同意<a href="{}" target="_blank" rel="noopener">《用户服务协议》</a>'
            '与<a href="{}" target="_blank" rel="noopener">《个人信息保护声明》</a>',
            reverse("accounts:terms"),
            reverse("accounts:privacy"),
        )


class EnterpriseRegisterForm(RegisterBaseForm):
    uscc = forms.CharField(label="统一社会信用代码", max_length=30, validators=[validate_uscc])
    org_name = forms.CharField(label="企业名称", max_length=200)
    person_name = forms.CharField(label="法定代表人姓名", max_length=50)

    field_order = ["username", "uscc", "org_name", "person_name", "mobile", "email",
                   "password1", "password2", "captcha", "agree"]

    def clean_uscc(self) -> str:
        return normalize_code(self.cleaned_data["uscc"])


class PersonRegisterForm(RegisterBaseForm):
    id_number = forms.CharField(label="身份证号", max_length=30, validators=[validate_id_number])
    person_name = forms.CharField(label="姓名", max_length=50)

    field_order = ["username", "id_number", "person_name", "mobile", "email",
                   "password1", "password2", "captcha", "agree"]

    def clean_id_number(self) -> str:
        return normalize_code(self.cleaned_data["id_number"])


class AccountIdentifierField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "登录名 / 统一社会信用代码 / 身份证号")
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)


class PhoneEmailStartForm(CaptchaMixin):
    identifier = AccountIdentifierField()
    email = forms.EmailField(label="账户绑定的电子邮箱")

    field_order = ["identifier", "email", "captcha"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        user = find_account(data["identifier"])
        if user is None or not user.is_active or user.email.lower() != data["email"].lower():
            raise forms.ValidationError(
                "账号与邮箱不匹配。如邮箱已不可用，请选择“人工核验”。", code="mismatch"
            )
        data["user"] = user
        return data


class PhoneEmailVerifyForm(forms.Form):
    code = forms.CharField(label="邮箱验证码", max_length=6, min_length=6,
                           error_messages={"min_length": "验证码为6位数字。"})
    new_mobile = forms.CharField(label="新手机号", max_length=11, validators=[validate_mobile])


class PhoneManualForm(CaptchaMixin):
    identifier = AccountIdentifierField()
    applicant_name = forms.CharField(label="申请人姓名", max_length=50)
    new_mobile = forms.CharField(label="新手机号", max_length=11, validators=[validate_mobile])
    reason = forms.CharField(label="申请原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    letter = forms.FileField(
        label="授权书",
        help_text="加盖公章的授权书扫描件，PDF、JPG 或 PNG 格式，不超过5 MB。",
    )

    field_order = ["identifier", "applicant_name", "new_mobile", "reason", "letter", "captcha"]

    def clean_identifier(self) -> User:
        user = find_account(self.cleaned_data["identifier"])
        if user is None or not user.is_active:
            raise forms.ValidationError("未找到该账户，请核对登录名、统一社会信用代码或身份证号。")
        return user

    def clean_letter(self) -> Any:
        letter = self.cleaned_data["letter"]
        validate_upload(letter, allowed=(".pdf", ".jpg", ".jpeg", ".png"),
                        max_bytes=settings.AUTH_LETTER_MAX_BYTES)
        return letter


class RecoverForm(CaptchaMixin):
    code = forms.CharField(label="统一社会信用代码 / 身份证号", max_length=30)
    person_name = forms.CharField(label="法定代表人姓名（自然人账户填本人姓名）", max_length=50)
    email = forms.EmailField(label="账户绑定的电子邮箱")

    field_order = ["code", "person_name", "email", "captcha"]


# --- Second factor, passwords, sensitive actions ---------------------------------------------------

class TokenForm(forms.Form):
    token = forms.CharField(
        label="验证码", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
        help_text="身份验证器上的6位数字；手机不在身边时，可输入一个备用码（每个只能用一次）。",
        error_messages={"required": "请输入验证码。"})


class EnrolForm(forms.Form):
    token = forms.CharField(
        label="身份验证器上的6位验证码", max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
        error_messages={"required": "请输入验证码。", "min_length": "验证码为6位数字。"})


class BackupCodesSavedForm(forms.Form):
    saved = forms.BooleanField(label="我已保存这些备用码",
                               error_messages={"required": "请确认已保存备用码。"})


class BackupCodesRegenerateForm(forms.Form):
    confirm = forms.BooleanField(label="我知道重新生成后，原有备用码将全部作废",
                                 error_messages={"required": "请确认原有备用码将作废。"})


class NewPasswordMixin(forms.Form):
    old_password = forms.CharField(
        label="原密码", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(
        label="新密码", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少8位，包含大写字母、小写字母、数字、特殊符号中的至少3类，"
                  "且不能与最近5次使用过的密码相同。")
    new_password2 = forms.CharField(
        label="确认新密码", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_new_password2(self) -> str:
        p1, p2 = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("两次输入的密码不一致。")
        return p2 or ""


class AdminPasswordForm(NewPasswordMixin):
    pass


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "验证码")
        super().__init__(max_length=6, min_length=6, error_messages={
            "required": "请输入验证码。", "min_length": "验证码为6位数字。"},
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                          "inputmode": "numeric"}), **kwargs)


def mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:2]}***@{domain}" if domain else "***"


class SendCodeForm(forms.Form):
    channel = forms.ChoiceField(label="验证码接收方式", widget=forms.RadioSelect,
                                choices=[("sms", "短信"), ("email", "电子邮件")],
                                error_messages={"required": "请选择验证码接收方式。"})

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from common.masking import mask

        choices = []
        if user.mobile:
            choices.append(("sms", f"短信发送至 {mask(user.mobile)}"))
        if user.email:
            choices.append(("email", f"邮件发送至 {mask_email(user.email)}"))
        self.fields["channel"].choices = choices
        if choices:
            self.fields["channel"].initial = choices[0][0]


class PasswordWithCodeForm(NewPasswordMixin):
    code = CodeField()
    field_order = ["old_password", "new_password1", "new_password2", "code"]


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label="新电子邮箱", max_length=254,
                                 error_messages={"invalid": "请输入有效的电子邮箱地址。"})
    code = CodeField()

"""Forms of the public pages that gather several apps (企业认定查询)."""

from __future__ import annotations

from django import forms

from portal.accounts.forms import captcha_field
from portal.accounts.validators import normalize_code


class RecognitionQueryForm(forms.Form):
    """企业名称 + 统一社会信用代码 + 验证码; both must match one enterprise (the view asks)."""

    name = forms.CharField(label="企业名称", max_length=200,
                           error_messages={"required": "请输入企业名称。"})
    uscc = forms.CharField(label="统一社会信用代码", max_length=30,
                           error_messages={"required": "请输入统一社会信用代码。"})
    captcha = captcha_field()

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_uscc(self) -> str:
        return normalize_code(self.cleaned_data["uscc"])

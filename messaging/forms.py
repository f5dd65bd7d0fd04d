"""The officials' broadcast form (申报提醒 to the enterprises of their region)."""

from __future__ import annotations

from django import forms


class BroadcastForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200,
                            error_messages={"required": "请填写标题。",
                                            "max_length": "标题不能超过200个字。"})
    body = forms.CharField(label="内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": "请填写内容。",
                                           "max_length": "内容不能超过5000个字。"})
    link = forms.CharField(label="相关链接（选填）", max_length=300, required=False,
                           help_text="站内地址，以 / 开头，例如 /announcements/12/。",
                           error_messages={"max_length": "链接不能超过300个字符。"})
    sms = forms.BooleanField(label="同时发送短信", required=False)
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean_title(self) -> str:
        value = self.cleaned_data["title"].strip()
        if not value:
            raise forms.ValidationError("请填写标题。")
        return value

    def clean_body(self) -> str:
        value = self.cleaned_data["body"].strip()
        if not value:
            raise forms.ValidationError("请填写内容。")
        return value

    def clean_link(self) -> str:
        value = self.cleaned_data["link"].strip()
        # Only a path on this site: a message never sends an enterprise elsewhere.
        if value and (not value.startswith("/") or value.startswith("//") or "\\" in value):
            raise forms.ValidationError("请填写本站地址（以 / 开头）。")
        return value

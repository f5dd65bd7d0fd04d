"""Forms: the public search, and the admin's announcement, attachment and publish forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from common.formtools import ISO_DATE, DateField

from .models import Announcement, Attachment, Level, SiteSettings
from .selectors import Filters, region_choices
from .services import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, attachment_check


class SearchForm(forms.Form):
    """The public list's filters. Invalid fields are reported and ignored, never a 500."""

    q = forms.CharField(label="关键词", max_length=50, required=False,
                        widget=forms.TextInput(attrs={"placeholder": "标题或正文关键词",
                                                      "type": "search"}))
    level = forms.ChoiceField(label="级别", required=False,
                              choices=[("", "全部级别"), *Level.choices])
    region = forms.ChoiceField(label="地区", required=False)
    date_from = DateField(label="发布日期自", required=False)
    date_to = DateField(label="至", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部地区"), *region_choices()]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return data

    def filters(self) -> Filters:
        """The valid part of what was asked (a bad field is dropped, the rest still applies)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items()
                if name not in self.errors}
        return Filters(
            q=" ".join((data.get("q") or "").split()),
            level=data.get("level") or "",
            region=data.get("region") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["kind", "title", "body", "pinned", "level", "issuing_region"]
        help_texts = {
            "body": "可使用段落、加粗、列表、表格和链接；脚本、样式和事件属性会被自动清除。",
            "pinned": "置顶的公告在首页和公告列表中排在最前。",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "ordering"]
        help_texts = {
            "file": "支持 {}，单个文件不超过 {} MB；内容会被检查。".format(
                "、".join(t.lstrip(".") for t in ATTACHMENT_TYPES),
                ATTACHMENT_MAX_BYTES // (1024 * 1024),
            ),
        }

    def clean_file(self) -> Any:
        file = self.cleaned_data.get("file")
        # Only a new upload is checked; an existing row keeps its stored file.
        if file is not None and hasattr(file, "content_type"):
            attachment_check(file)
        return file


class PublishForm(forms.Form):
    publish_at = forms.SplitDateTimeField(
        label="发布时间", required=False,
        help_text="留空表示立即发布；填写将来的时间则到时自动出现（北京时间）。",
        widget=forms.SplitDateTimeWidget(date_attrs={"type": "date"}, date_format=ISO_DATE,
                                         time_attrs={"type": "time", "step": "60"},
                                         time_format="%H:%M"),
    )


def _https_urls(db_field: Any, **kwargs: Any) -> Any:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["recognition_query_open", "maker_contest_url", "maker_contest_title"]
        # An address typed without a scheme is taken as https (Django 6's default).
        formfield_callback = _https_urls
        widgets = {"maker_contest_url": forms.URLInput(attrs={"size": 60})}

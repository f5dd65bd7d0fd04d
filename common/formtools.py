"""Small helpers shared by every app's forms and views (a leaf module: imports Django only)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

ISO_DATE = "%Y-%m-%d"
# Dates a person may type anywhere in the product. Far enough apart for any founding date or
# search, near enough that a day added or a time zone applied never leaves Python's range.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)


class DateInput(forms.DateInput):
    """<input type="date">: the browser accepts only ISO values (2026-11-01), whatever the
    locale's display format (zh-hans renders 2026/11/01, which the input silently drops)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs={"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat(),
                                **(attrs or {})}, format=format or ISO_DATE)


class DateField(forms.DateField):
    """A date typed by a person: ISO in the page, between EARLIEST_DATE and LATEST_DATE."""

    widget = DateInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        message = (f"请输入{EARLIEST_DATE.year}年{EARLIEST_DATE.month}月{EARLIEST_DATE.day}日"
                   f"至{LATEST_DATE.year}年{LATEST_DATE.month}月{LATEST_DATE.day}日之间的日期。")
        self.validators.extend([MinValueValidator(EARLIEST_DATE, message=message),
                                MaxValueValidator(LATEST_DATE, message=message)])


def add_service_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def typed_values(form: Any) -> dict[str, Any]:
    """What was posted to a bound form, field by field, as initial values for an unbound copy.

    A submit that only refreshes part of the page (a picker's 【选择】) shows the form again with
    everything typed and no validation errors. Files cannot be shown again; disabled fields keep
    their stored values.
    """
    values = {}
    for name, field in form.fields.items():
        if field.disabled or isinstance(field, forms.FileField):
            continue
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if value is not None:
            values[name] = value
    return values

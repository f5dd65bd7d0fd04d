"""Small helpers shared by every app's views (a leaf module: imports Django only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


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

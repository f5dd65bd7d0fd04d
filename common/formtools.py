"""Small helpers shared by every app's views (a leaf module: imports Django only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def add_service_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

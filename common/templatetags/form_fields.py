"""`{{ field|field_group }}`: a form field as Bootstrap 5 markup, written in Python.

The same markup crispy-forms' bootstrap5 `as_crispy_field` gives (label, widget with its
classes, errors, help text; the ids the browser tests and screen readers use), at a fraction of
the cost: crispy renders each field through a dozen nested templates, which made the forms the
most expensive part of the enterprise pages (the 信息更新 form spent 17 ms of CPU in them).
Widgets this file does not know — radio buttons, check-box lists, file inputs, custom widgets
(the industry tree) — are still rendered by crispy, so nothing looks different.
"""

from __future__ import annotations

import html
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeData, SafeString

# Strings are built here and escaped once each (html.escape): Django's format_html escapes and
# marks every piece, which cost more than the markup itself.

register = template.Library()

# Widgets drawn here; anything else (including subclasses of these with their own templates,
# like the multiple-file input) goes to crispy.
_CONTROL = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput,
            forms.PasswordInput, forms.DateInput, forms.DateTimeInput, forms.TimeInput,
            forms.Textarea)
_SELECT = (forms.Select, forms.SelectMultiple)
_INPUTS = tuple(w for w in _CONTROL if w is not forms.Textarea)


def _known(widget: forms.Widget) -> bool:
    return type(widget) in _CONTROL or type(widget) in _SELECT or type(widget) is forms.CheckboxInput


def _classes(widget: forms.Widget, *extra: str) -> str:
    """crispy's order: the widget's own classes, its class name, then the Bootstrap ones."""
    name = type(widget).__name__.lower()
    own = widget.attrs.get("class", "")
    base = own if name in own else f"{own} {name}".strip()
    return " ".join([base, *extra])


def _esc(value: Any) -> str:
    """Escaped unless already safe (a message with our own link in it)."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html: in order; True alone, False and None left out."""
    return "".join(f" {name}" if value is True else f' {name}="{_esc(value)}"'
                   for name, value in attrs.items() if value is not False and value is not None)


def _input(field: BoundField, css: str) -> str:
    """Django's widgets/input.html for the plain inputs, without a template per field."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({"class": css}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    value = context["value"]
    shown = f' value="{_esc(value)}"' if value is not None else ""
    return f'<input type="{context["type"]}" name="{_esc(context["name"])}"{shown}{_attrs(context["attrs"])}>'


def _help_and_errors(field: BoundField) -> str:
    parts = []
    if field.errors:
        errors = "".join(f'<p id="error_{n}_{field.auto_id}"><strong>{_esc(e)}</strong></p>'
                         for n, e in enumerate(field.errors, 1))
        parts.append(f'<div id="{field.auto_id}_error" class="invalid-feedback">{errors}</div>')
    if field.help_text:
        # Help texts are written in the code (some hold a link): shown as they are, as crispy does.
        parts.append(f'<div id="{field.auto_id}_helptext" class="form-text">{field.help_text}</div>')
    return "".join(parts)


def _label(field: BoundField, css: str) -> str:
    required = field.field.required
    star = '<span class="asteriskField">*</span>' if required else ""
    return (f'<label for="{field.id_for_label}" class="{css}{" requiredField" if required else ""}">'
            f"{_esc(field.label)}{star}</label>")


@register.filter
def field_group(field: BoundField) -> SafeString:
    widget = field.field.widget
    if field.is_hidden:
        return SafeString(str(field))  # nosec B703 - the widget's own rendering, escaped by it
    if not _known(widget):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(field)
    invalid = ("is-invalid",) if field.errors else ()
    css_classes = field.css_classes()
    wrapper = f" {css_classes}" if css_classes else ""
    if type(widget) is forms.CheckboxInput:
        control = field.as_widget(attrs={"class": _classes(widget, "form-check-input", *invalid)})
        return SafeString(  # nosec B703 - every value in it is escaped by _esc or comes from code
            f'<div class="mb-3"><div id="div_{field.auto_id}" class="form-check{wrapper}">'
            f'{control}{_label(field, "form-check-label")}{_help_and_errors(field)}</div></div>')
    bootstrap = "form-select" if isinstance(widget, _SELECT) else "form-control"
    css = _classes(widget, bootstrap, *invalid)
    control = _input(field, css) if type(widget) in _INPUTS else field.as_widget(attrs={"class": css})
    label = _label(field, "form-label") if field.label else ""
    return SafeString(f'<div id="div_{field.auto_id}" class="mb-3{wrapper}">{label}{control}'  # nosec B703 - escaped pieces
                      f"{_help_and_errors(field)}</div>")

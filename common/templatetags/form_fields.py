"""`{{ field|field_group }}`: a form field as Bootstrap 5 markup, written in Python.

The same markup crispy-forms' bootstrap5 `as_crispy_field` gives (label, widget with its
classes, errors, help text; the ids the browser tests and screen readers use), at a fraction of
the cost: crispy renders each field through a dozen nested templates, which made the forms the
most expensive part of the enterprise pages (the 信息更新 form spent 17 ms of CPU in them).
Widgets this file does not know — radio buttons, check-box lists, file inputs, custom widgets
(the industry tree) — are still rendered by crispy, so nothing looks different.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """Django's widgets/attrs.html: in order; True alone, False left out."""
    return format_html_join("", "{}", ((
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False and value is not None))


def _input(field: BoundField, css: str) -> SafeString:
    """Django's widgets/input.html for the plain inputs, without a template per field."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({"class": css}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = field.value()
    context = widget.get_context(field.html_name, value, attrs)["widget"]
    shown = context["value"]
    return format_html('<input type="{}" name="{}"{}{}>', context["type"], context["name"],
                       format_html(' value="{}"', shown) if shown is not None else "",
                       _attrs(context["attrs"]))


def _help_and_errors(field: BoundField) -> SafeString:
    parts = []
    if field.errors:
        parts.append(format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>', field.auto_id,
            format_html_join("", '<p id="error_{}_{}"><strong>{}</strong></p>',
                             ((n, field.auto_id, e) for n, e in enumerate(field.errors, 1)))))
    if field.help_text:
        # Help texts are written in the code (some hold a link): shown as they are, as crispy does.
        help_html = mark_safe(str(field.help_text))  # noqa: S308  # nosec B308 B703 - our own text
        parts.append(format_html('<div id="{}_helptext" class="form-text">{}</div>',
                                 field.auto_id, help_html))
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 - parts are escaped above


def _label(field: BoundField, css: str) -> SafeString:
    required = field.field.required
    return format_html('<label for="{}" class="{}{}">{}{}</label>', field.id_for_label, css,
                       " requiredField" if required else "", field.label,
                       mark_safe('<span class="asteriskField">*</span>') if required else "")  # nosec B308 B703 - a constant


@register.filter
def field_group(field: BoundField) -> SafeString:
    widget = field.field.widget
    if field.is_hidden:
        return SafeString(str(field))
    if not _known(widget):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(field)
    invalid = ("is-invalid",) if field.errors else ()
    css_classes = field.css_classes()
    wrapper_extra = f" {css_classes}" if css_classes else ""
    if type(widget) is forms.CheckboxInput:
        control = field.as_widget(attrs={"class": _classes(widget, "form-check-input", *invalid)})
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}{}{}</div></div>',
            field.auto_id, wrapper_extra, control, _label(field, "form-check-label"),
            _help_and_errors(field))
    bootstrap = "form-select" if isinstance(widget, _SELECT) else "form-control"
    css = _classes(widget, bootstrap, *invalid)
    control = _input(field, css) if type(widget) in _INPUTS else field.as_widget(attrs={"class": css})
    label = _label(field, "form-label") if field.label else ""
    return format_html('<div id="div_{}" class="mb-3{}">{}{}{}</div>', field.auto_id,
                       wrapper_extra, label, control, _help_and_errors(field))

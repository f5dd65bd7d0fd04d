"""The shared date input: every date a form of the product renders is ISO (what type=date needs)."""

import datetime as dt
import importlib
import inspect

import pytest
from django import forms
from django.apps import apps

from common.formtools import DateField, DateInput

PROJECT_APPS = [a.name for a in apps.get_app_configs() if not a.path.count("site-packages")]


def product_forms() -> list[type[forms.BaseForm]]:
    found = []
    for name in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{name}.forms")
        except ModuleNotFoundError:
            continue
        found += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__]
    return found


def date_fields() -> list[tuple[str, forms.Field]]:
    return [(f"{form.__module__}.{form.__name__}.{name}", field)
            for form in product_forms() for name, field in form.base_fields.items()
            if isinstance(field, forms.DateField | forms.SplitDateTimeField)]


def test_the_walk_finds_the_forms_with_dates():
    names = {name for name, _ in date_fields()}
    assert {"enterprises.forms.ChangeForm.changed_on", "enterprises.forms.ProfileForm.founded_on",
            "announcements.forms.SearchForm.date_from",
            "announcements.forms.PublishForm.publish_at"} <= names


@pytest.mark.parametrize(("name", "field"), date_fields(), ids=[n for n, _ in date_fields()])
def test_every_date_input_of_the_product_renders_iso(name, field):
    day = dt.date(2026, 11, 1)
    value = dt.datetime(2026, 11, 1, 9, 30) if isinstance(field, forms.SplitDateTimeField) else day
    html = field.widget.render("x", value)
    assert 'value="2026-11-01"' in html, html
    assert "2026/11/01" not in html


def test_a_date_outside_the_range_is_a_chinese_field_error():
    field = DateField(required=False)
    for text in ["0001-01-01", "9999-12-31", "1899-12-31", "2100-01-01"]:
        with pytest.raises(forms.ValidationError, match="请输入1900年1月1日至2099年12月31日之间的日期"):
            field.clean(text)
    assert field.clean("2026-11-01") == dt.date(2026, 11, 1)


def test_the_input_tells_the_browser_its_range():
    html = DateInput().render("x", None)
    assert 'type="date"' in html and 'min="1900-01-01"' in html and 'max="2099-12-31"' in html

"""Region scoping — the one mechanism that limits what an official sees.

Every official-facing query goes through `region_q` (via `for_user` or `RegionScopedAdminMixin`):
a ministry official sees everything; a province-level official sees their declaration region
(a province, a 计划单列市 or the 兵团); a city official their city; a county official their
county. Objects outside the scope do not exist for them: lists leave them out and their URLs
answer 404, never 403, so ids cannot be probed.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList, ChangeListSearchForm
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import DataError
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from common.changelists import CappedPaginator, action_checkbox

from .models import OfficialLevel

NOTHING = Q(pk__in=[])


def region_q(user: Any, field: str) -> Q:
    """A filter on `field` (a path to a Region FK; "" for the Region model itself)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    if not user.is_official:
        return NOTHING
    prefix = f"{field}__" if field else ""
    level = user.official_level
    if level == OfficialLevel.MINISTRY:
        return Q()
    if level == OfficialLevel.PROVINCE and user.declaration_region_id:
        return Q(**{f"{prefix}declaration_region_id": user.declaration_region_id})
    if level == OfficialLevel.CITY and user.region_id:
        # The city's regions by id, not `code LIKE '4401%'` through a join: the lists then
        # filter their own column on their own indexes (a city's queue at a million rows).
        return Q(**{f"{prefix}pk__in" if prefix else "pk__in": regions_under(user.region.code_prefix)})
    if level == OfficialLevel.COUNTY and user.region_id:
        return Q(**{field or "pk": user.region_id})
    return NOTHING


_UNDER: dict[str, tuple[float, tuple[int, ...]]] = {}
_UNDER_SECONDS = 600


def regions_under(code_prefix: str) -> tuple[int, ...]:
    """Ids of the regions whose code starts with `code_prefix` (a city and its counties), kept
    in this process for 10 minutes: the region table is reference data (a county added by a
    migration reaches the city's scope within that time, or at once after a restart)."""
    now = time.monotonic()
    kept = _UNDER.get(code_prefix)
    if kept is None or now - kept[0] > _UNDER_SECONDS:
        from portal.regions.models import Region

        ids = tuple(Region.objects.filter(code__startswith=code_prefix).order_by("pk")
                    .values_list("pk", flat=True))
        kept = _UNDER[code_prefix] = (now, ids)
    return kept[1]


def declaration_region_q(user: Any, field: str) -> Q:
    """A filter on `field`, a path to a DeclarationRegion FK (windows, 省级公告 …).

    Ministry: all; every other official: their own declaration region (a city or county
    official's is the one their region belongs to).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser or (user.is_official and user.official_level == OfficialLevel.MINISTRY):
        return Q()
    if not user.is_official:
        return NOTHING
    if user.official_level == OfficialLevel.PROVINCE:
        target = user.declaration_region_id
    else:
        target = user.region.declaration_region_id if user.region_id else None
    return Q(**{field: target}) if target else NOTHING


def for_user(queryset: QuerySet, user: Any, field: str) -> QuerySet:
    """The queryset chokepoint: `queryset` limited to what `user` may see."""
    return queryset.filter(region_q(user, field))


def in_scope(user: Any, obj: Model, field: str) -> bool:
    """Whether `obj` is inside `user`'s scope — the services' own check on a decision, so a
    write is refused even when it does not come through a scoped admin queryset."""
    return for_user(type(obj)._default_manager.filter(pk=obj.pk), user, field).exists()


# The largest range of an integer key on every supported database (bigint).
_DB_INT_RANGE = range(-(2**63), 2**63)


def _is_wellformed_key(field: Field, value: Any) -> bool:
    """Whether `value` can be looked up in `field` at all (a number the database can hold …).

    Posted ids such as "1e30", "NaN", an emoji or 2**64 must be an invalid choice, never a
    query that raises (ValueError, OverflowError or DataError, depending on the database).
    """
    try:
        python = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    return not isinstance(python, int) or python in _DB_INT_RANGE


class ScopedModelChoiceField(forms.ModelChoiceField):
    """The admin's choice of one related row: a malformed id is an invalid choice."""

    def _key_field(self) -> Field:
        opts = self.queryset.model._meta
        return opts.get_field(self.to_field_name) if self.to_field_name else opts.pk

    def _wellformed(self, value: Any) -> bool:
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return True
        return _is_wellformed_key(self._key_field(), value)

    def to_python(self, value: Any) -> Any:
        if not self._wellformed(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        # Re-rendering the form looks the posted value up again (autocomplete widgets do).
        return data if self._wellformed(data) else None


class ScopedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The admin's choice of several related rows: a malformed id is an invalid choice."""

    def _key_field(self) -> Field:
        opts = self.queryset.model._meta
        return opts.get_field(self.to_field_name) if self.to_field_name else opts.pk

    def _check_values(self, value: Any) -> QuerySet:
        try:
            values = frozenset(value)
        except TypeError:
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        for item in values:
            if not _is_wellformed_key(self._key_field(), item):
                raise ValidationError(self.error_messages["invalid_pk_value"],
                                      code="invalid_pk_value", params={"pk": item})
        return super()._check_values(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if not isinstance(data, (list, tuple)):
            return data
        return [item for item in data if _is_wellformed_key(self._key_field(), item)]


def choices_in_scope(model: type[Model], queryset: QuerySet, request: HttpRequest,
                     admin_site: Any) -> QuerySet:
    """The rows of `model` an official may pick in a form: what its own admin shows them.

    Each model's scope path is declared once, on its admin (`scope_field`,
    `declaration_region_field`, or `scope_field = None` for national reference data). A model
    with no scoped admin offers nothing except to superusers (fail closed).
    """
    target = admin_site.get_model_admin(model) if admin_site.is_registered(model) else None
    if isinstance(target, RegionScopedAdminMixin):
        return target.scope_queryset(queryset, request)
    return queryset if request.user.is_superuser else queryset.none()


class SearchForm(ChangeListSearchForm):
    """The change list's search box, with our own message for a NUL character (Django's
    Chinese translation of it is wrong)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators = [
                ProhibitNullCharactersValidator(message="查询内容含有不允许的字符，请修改后重新查询。")
                if isinstance(v, ProhibitNullCharactersValidator) else v
                for v in field.validators
            ]


class ScopedChangeList(ChangeList):
    search_form_class = SearchForm


class ScopedChoicesMixin:
    """Every foreign key and many-to-many an official can set — in a ModelAdmin or an inline,
    with a select, an autocomplete or a raw-id widget — offers and accepts only rows in scope.

    The form field's queryset is what the widget offers *and* what validation accepts, so an
    id typed or posted by hand outside the scope is "not one of the available choices".
    """

    def _scoped(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> QuerySet:
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        return choices_in_scope(db_field.remote_field.model, queryset, request,
                                self.admin_site)  # type: ignore[attr-defined]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["queryset"] = self._scoped(db_field, request, kwargs)
        kwargs.setdefault("form_class", ScopedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["queryset"] = self._scoped(db_field, request, kwargs)
        kwargs.setdefault("form_class", ScopedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


_DATE = re.compile(r"^\s*(\d{1,4})-\d{1,2}-\d{1,2}")


def _out_of_range_date(value: str) -> bool:
    """A date filter outside 1900–2099 (the bounds of every date input in the product)."""
    found = _DATE.match(value)
    return bool(found) and not 1900 <= int(found.group(1)) <= 2099


class RegionScopedAdminMixin(ScopedChoicesMixin):
    """Used by every official-facing ModelAdmin.

    `scope_field` is the path from the model to its Region FK ("" for Region itself; None for
    national reference data that every official who may view it sees whole). Change lists,
    change views, actions (they act on the changelist queryset), autocompletes (they search
    `get_queryset`) and exports all start from `get_queryset`, so one filter covers them.
    Foreign keys in its forms (and its inlines') are limited the same way (ScopedChoicesMixin).
    Permissions come from `rules` predicates; object-level checks pass the object along, and
    every action needs a permission (an action that names none needs "change").
    """

    scope_field: str | None = "region"
    # The list counts at most 1 000 rows (or one page past the page asked for): a count of a
    # national scope is the slowest part of a change list at a million rows
    # (bench/scale_bench.py).
    paginator = CappedPaginator
    # Nor is the unfiltered scope counted beside a filtered list ("共 N 条" of Django's admin).
    show_full_result_count = False
    # Set instead of scope_field for models that belong to a declaration region, not a region.
    declaration_region_field: str | None = None

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        if self.declaration_region_field:
            return queryset.filter(declaration_region_q(request.user, self.declaration_region_field))
        if self.scope_field is None:
            # National data: the whole table, for whoever may view it at all.
            return queryset if self.has_view_permission(request) else queryset.none()
        return for_user(queryset, request.user, self.scope_field)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(super().get_queryset(request), request)  # type: ignore[misc]

    def action_checkbox(self, obj: Model) -> str:
        return action_checkbox(obj)  # Django's markup, drawn without a template per row

    def get_paginator(self, request: HttpRequest, queryset: QuerySet, per_page: int,
                      orphans: int = 0, allow_empty_first_page: bool = True) -> Any:
        from django.contrib.admin.views.main import PAGE_VAR

        try:
            reach = max(int(request.GET.get(PAGE_VAR, 1)), 1)
        except ValueError:
            reach = 1
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, reach=reach)

    def get_inline_instances(self, request: HttpRequest, obj: Model | None = None) -> list:
        inlines = super().get_inline_instances(request, obj)  # type: ignore[misc]
        for inline in inlines:
            if not isinstance(inline, ScopedChoicesMixin):
                raise ImproperlyConfigured(f"{type(inline).__name__} must use ScopedChoicesMixin.")
        return inlines

    def _filter_actions_by_permissions(self, request: HttpRequest, actions: list) -> list:
        # Django offers an action that names no permission to anyone who sees the list: here
        # such an action needs "change", the permission of anything that writes. (Services
        # behind the actions check the object-level rules again.)
        named = [a for a in actions if getattr(a[0], "allowed_permissions", None)]
        unnamed = [a for a in actions if not getattr(a[0], "allowed_permissions", None)]
        allowed = super()._filter_actions_by_permissions(request, named)  # type: ignore[misc]
        if unnamed and self.has_change_permission(request):
            allowed += unnamed
        return [a for a in actions if a in allowed]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ScopedChangeList

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        if any(_out_of_range_date(v) for vs in request.GET.lists() for v in vs[1]):
            # The same bounds as every date typed in the product (common.formtools): the same
            # answer on every database, whether or not it could hold the date.
            messages.error(request, "筛选条件无效（超出可查询的范围），已显示全部记录。")
            raise IncorrectLookupParameters("date out of range")
        try:
            return super().get_changelist_instance(request)  # type: ignore[misc]
        except (OverflowError, DataError) as exc:
            # A filter value the database cannot hold (a date such as 0001-01-01 that leaves
            # the calendar once converted to UTC, a number beyond bigint …): the caller treats
            # it as bad filter parameters, as Django does for unknown ones.
            messages.error(request, "筛选条件无效（超出可查询的范围），已显示全部记录。")
            raise IncorrectLookupParameters(exc) from exc

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any,
                                         object_id: str) -> HttpResponse:
        # Out of scope and non-existent look the same: 404, no redirect that confirms an id.
        raise Http404("您访问的记录不存在或不在您的管辖范围内。")

    def _perm(self, request: HttpRequest, action: str, obj: Model | None) -> bool:
        opts = self.opts  # type: ignore[attr-defined]
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}", obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._perm(request, "view", None) or self._perm(request, "change", None)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._perm(request, "view", obj) or self._perm(request, "change", obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._perm(request, "add", None)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._perm(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._perm(request, "delete", obj)


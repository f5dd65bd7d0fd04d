"""Region scoping — the one mechanism that limits what an official sees.

Every official-facing query goes through `region_q` (via `for_user` or `RegionScopedAdminMixin`):
a ministry official sees everything; a province-level official sees their declaration region
(a province, a 计划单列市 or the 兵团); a city official their city; a county official their
county. Objects outside the scope do not exist for them: lists leave them out and their URLs
answer 404, never 403, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

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
        return Q(**{f"{prefix}code__startswith": user.region.code_prefix})
    if level == OfficialLevel.COUNTY and user.region_id:
        return Q(**{field or "pk": user.region_id})
    return NOTHING


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


class RegionScopedAdminMixin:
    """Used by every official-facing ModelAdmin.

    `scope_field` is the path from the model to its Region FK ("" for Region itself). Change
    lists, change views, actions (they act on the changelist queryset), autocompletes (they
    search `get_queryset`) and exports all start from `get_queryset`, so one filter covers them.
    Permissions come from `rules` predicates; object-level checks pass the object along.
    """

    scope_field: str = "region"
    # Set instead of scope_field for models that belong to a declaration region, not a region.
    declaration_region_field: str | None = None

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        if self.declaration_region_field:
            return queryset.filter(declaration_region_q(request.user, self.declaration_region_field))
        return for_user(queryset, request.user, self.scope_field)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(super().get_queryset(request), request)  # type: ignore[misc]

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


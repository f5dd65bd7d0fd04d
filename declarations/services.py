"""Writes on declarations. For now: the declaration windows (申报时间)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.timezone import localtime

from common.tiers import Tier
from portal.accounts.models import User
from portal.regions.models import DeclarationRegion

from .models import DeclarationWindow


def window_check(*, declaration_region: DeclarationRegion | None, tier: str,
                 starts_at: datetime | None, ends_at: datetime | None,
                 exclude_pk: int | None = None) -> dict[str, str]:
    """The errors a window would have, by field (empty when it is acceptable).

    Used by the admin form (to show the message at the field) and again by `window_save`
    under a lock (the form's check can race with another official's save).
    """
    errors: dict[str, str] = {}
    if tier and tier not in Tier.values:
        errors["tier"] = "申报层级不正确。"
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "结束时间必须晚于开始时间。"
    if errors or not (declaration_region and tier and starts_at and ends_at):
        return errors
    clash = (
        DeclarationWindow.objects.overlapping(
            declaration_region_id=declaration_region.pk, tier=tier, starts_at=starts_at,
            ends_at=ends_at,
        )
        .exclude(pk=exclude_pk)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        local = "%Y-%m-%d %H:%M"
        errors["starts_at"] = (
            f"与已有的申报时间重叠：{declaration_region} {Tier(tier).label} "
            f"{localtime(clash.starts_at):{local}} 至 {localtime(clash.ends_at):{local}}。"
            "同一地区、同一层级的申报时间不能重叠。"
        )
    return errors


@transaction.atomic
def window_save(*, by: User, declaration_region: DeclarationRegion, tier: str,
                starts_at: datetime, ends_at: datetime, note: str = "",
                window: DeclarationWindow | None = None) -> DeclarationWindow:
    """Create (window=None) or change a declaration window.

    Raises PermissionDenied when `by` may not maintain the region's windows (before or after
    the change), ValidationError (by field) on a bad range or an overlap.
    """
    candidate = DeclarationWindow(declaration_region=declaration_region, tier=tier)
    if window is not None and not by.has_perm("declarations.change_declarationwindow", window):
        raise PermissionDenied("您无权修改该地区的申报时间。")
    if window is None and not by.has_perm("declarations.add_declarationwindow"):
        raise PermissionDenied("只有省级管理员和部级管理员可以维护申报时间。")
    # The region it will belong to must be one `by` maintains too (no moving it elsewhere).
    if not by.has_perm("declarations.change_declarationwindow", candidate):
        raise PermissionDenied("您只能维护本地区的申报时间。")
    # Serialise writers of the same region: two officials saving overlapping windows at once
    # would both pass an unlocked check.
    DeclarationRegion.objects.select_for_update().filter(pk=declaration_region.pk).first()
    errors = window_check(declaration_region=declaration_region, tier=tier, starts_at=starts_at,
                          ends_at=ends_at, exclude_pk=window.pk if window else None)
    if errors:
        raise ValidationError(errors)
    if window is None:
        window = DeclarationWindow(created_by=by)
    window.declaration_region = declaration_region
    window.tier = tier
    window.starts_at = starts_at
    window.ends_at = ends_at
    window.note = note
    window.save()
    return window


@transaction.atomic
def window_delete(*, by: User, window: DeclarationWindow) -> None:
    if not by.has_perm("declarations.delete_declarationwindow", window):
        raise PermissionDenied("您无权删除该地区的申报时间。")
    window.delete()

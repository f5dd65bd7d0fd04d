"""Reads on declarations. For now: which regions are open for a tier."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .models import DeclarationWindow


def open_windows(*, tier: str, at: datetime | None = None) -> list[DeclarationWindow]:
    """The windows of `tier` open at `at` (default now), one per region, in region order.

    Windows never overlap for a region and tier (services.window_save), so each region
    appears once.
    """
    when = at or timezone.now()
    return list(
        DeclarationWindow.objects.open_at(when)
        .filter(tier=tier)
        .select_related("declaration_region")
        .order_by("declaration_region__ordering", "declaration_region__code")
    )

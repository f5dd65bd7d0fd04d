"""Declarations: the declaration windows (申报时间).

The declarations themselves (forms, evidence, review chain) come with later work; the windows
start here because the public home page shows which regions are open for each tier.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from common.tiers import Tier
from portal.regions.models import DeclarationRegion

__all__ = ["DeclarationWindow", "Tier"]  # Tier lives with the recognitions it names


class DeclarationWindowQuerySet(models.QuerySet["DeclarationWindow"]):
    def open_at(self, when: datetime) -> DeclarationWindowQuerySet:
        """Windows open at `when`: both edges included (starts_at ≤ when ≤ ends_at)."""
        return self.filter(starts_at__lte=when, ends_at__gte=when)

    def overlapping(self, *, declaration_region_id: int, tier: str, starts_at: datetime,
                    ends_at: datetime) -> DeclarationWindowQuerySet:
        """Windows of the same region and tier sharing at least one instant with [starts, ends]."""
        return self.filter(
            declaration_region_id=declaration_region_id, tier=tier,
            starts_at__lte=ends_at, ends_at__gte=starts_at,
        )


class DeclarationWindow(models.Model):
    """申报时间 (manual FAQ 4): a region's entry for a tier is open only inside a window.

    Both edges are inclusive. Windows of the same region and tier never overlap (checked in
    `services.window_save` under a lock on the region row, since SQLite has no exclusion
    constraint).
    """

    declaration_region = models.ForeignKey(
        DeclarationRegion, verbose_name="申报地区", on_delete=models.PROTECT,
        related_name="declaration_windows",
    )
    tier = models.CharField("申报层级", max_length=12, choices=Tier.choices)
    starts_at = models.DateTimeField("开始时间", help_text="北京时间，含该时刻。")
    ends_at = models.DateTimeField("结束时间", help_text="北京时间，含该时刻，例如 2026-07-31 23:59:59。")
    note = models.CharField("说明", max_length=100, blank=True,
                            help_text="例如“2026年第一批”，在申报弹窗中显示。")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DeclarationWindowQuerySet.as_manager()

    class Meta:
        verbose_name = "申报时间"
        verbose_name_plural = "申报时间"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(name="window_ends_after_start",
                                   condition=Q(ends_at__gt=F("starts_at"))),
        ]
        indexes = [
            # The home page's dialog: windows of one tier open now.
            models.Index(fields=["tier", "ends_at", "starts_at"], name="window_tier_open"),
            # The overlap check and the admin list of one region.
            models.Index(fields=["declaration_region", "tier", "starts_at"],
                         name="window_region_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_region} · {self.get_tier_display()}"

    def is_open_at(self, when: datetime) -> bool:
        return self.starts_at <= when <= self.ends_at

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())

    @property
    def phase(self) -> str:
        now = timezone.now()
        if now < self.starts_at:
            return "未开始"
        if now > self.ends_at:
            return "已结束"
        return "申报中"

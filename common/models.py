"""The one event log of every decision (common/workflow.py writes it; nothing else does)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class DecisionEvent(models.Model):
    """One transition of one object: who, at which level, when, from → to, with what opinion.

    Append-only. A return's opinion stays here whatever is decided later; the subject's own
    `opinion` field, where it has one, is only a copy of the latest for its list pages.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    workflow = models.CharField("流程", max_length=40)
    action = models.CharField("操作", max_length=40)
    action_label = models.CharField("操作名称", max_length=40)
    from_state = models.CharField("原状态", max_length=40)
    to_state = models.CharField("新状态", max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                           on_delete=models.SET_NULL, related_name="+")
    by_level = models.CharField("操作层级", max_length=20, blank=True)
    opinion = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "id"]
        indexes = [
            # the timeline of one object, oldest first (detail pages, admin, audit)
            models.Index(fields=["content_type", "object_id", "at"], name="decision_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.workflow} #{self.object_id}: {self.from_state} → {self.to_state}"

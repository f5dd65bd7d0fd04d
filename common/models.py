"""The one event log of every decision (common/workflow.py writes it; nothing else does)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .history import AuditHistory


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

    history = AuditHistory(verbose_name="审核记录变更记录")

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


def export_upload_to(instance: ExportJob, filename: str) -> str:
    from common.uploads import private_path

    return private_path("exports", filename)


class ExportJob(models.Model):
    """One file an official asked for (an export too large to build in the request, or an
    import's report of rejected rows): private to `requested_by`, deleted after `expires_at`.

    A worker claims a pending job with a conditional UPDATE (pending → running) before it
    builds anything, so a redelivered task never builds the same file twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                     on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=30)
    title = models.CharField("名称", max_length=100)
    filters = models.CharField("筛选条件", max_length=2000, blank=True,
                               help_text="导出时列表页的查询字符串（筛选、搜索）。")
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    total = models.PositiveIntegerField("总行数", default=0)
    progress = models.PositiveIntegerField("已完成行数", default=0)
    file = models.FileField("文件", upload_to=export_upload_to, blank=True)
    filename = models.CharField("下载文件名", max_length=150, blank=True)
    error = models.CharField("错误信息", max_length=500, blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间")

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The daily cleanup: jobs whose file has expired and is still kept.
            models.Index(fields=["expires_at"], name="exportjob_expiry",
                         condition=~models.Q(status="expired")),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.progress * 100 // self.total) if self.total else 0

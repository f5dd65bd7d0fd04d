"""部级公告 / 省级公告, their attachments, and the site settings officials control.

An announcement is public when it is 已发布 and its publish time has come (`visible()`); a
future publish time makes it appear by itself. Bodies are stored sanitised (services) and
sanitised again when rendered (`body_html`), so no path can bring a script to the page.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString

from common.integrity import FileDigestField
from portal.regions.models import DeclarationRegion

from .html import sanitize_html


class Level(models.TextChoices):
    MINISTRY = "ministry", "部级"
    PROVINCE = "province", "省级"


class Kind(models.TextChoices):
    NOTICE = "notice", "通知"
    BULLETIN = "bulletin", "公告"
    PUBLICITY = "publicity", "公示"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class AnnouncementQuerySet(models.QuerySet["Announcement"]):
    def visible(self, at: datetime | None = None) -> AnnouncementQuerySet:
        """What the public sees: published, and the publish time has come."""
        return self.filter(status=Status.PUBLISHED, publish_at__lte=at or timezone.now())

    def public_order(self) -> AnnouncementQuerySet:
        """Pinned on top, then newest first (the id breaks ties for a stable pagination)."""
        return self.order_by("-pinned", "-publish_at", "-id")


class Announcement(models.Model):
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    # 省级公告 belong to a declaration region (a province, a 计划单列市 or the 兵团); 部级 none.
    issuing_region = models.ForeignKey(
        DeclarationRegion, verbose_name="发布地区", null=True, blank=True,
        on_delete=models.PROTECT, related_name="announcements",
    )
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    # The body without markup, for the keyword search (so "div" does not match every row).
    body_text = models.TextField("正文纯文本", blank=True, editable=False)
    publish_at = models.DateTimeField("发布时间", null=True, blank=True)
    pinned = models.BooleanField("置顶", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    view_count = models.PositiveIntegerField("浏览次数", default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = "公告"
        verbose_name_plural = "公告"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="announcement_province_has_region",
                condition=(Q(level=Level.MINISTRY, issuing_region__isnull=True)
                           | Q(level=Level.PROVINCE, issuing_region__isnull=False)),
            ),
            models.CheckConstraint(
                name="announcement_published_has_time",
                condition=Q(status=Status.DRAFT) | Q(publish_at__isnull=False),
            ),
        ]
        indexes = [
            # The public list and the home panels: visible rows of a level in public order.
            models.Index(fields=["status", "level", "-pinned", "-publish_at", "-id"],
                         name="announcement_public_level"),
            models.Index(fields=["status", "-pinned", "-publish_at", "-id"],
                         name="announcement_public"),
            # Filter by region (省级 list of one province).
            models.Index(fields=["issuing_region", "status", "-publish_at"],
                         name="announcement_region"),
            # The next scheduled announcement (selectors.site_state, every request).
            models.Index(fields=["status", "publish_at"], name="announcement_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def body_html(self) -> SafeString:
        # Sanitised again on output (cheap, Rust): rows written before a rule change, or by a
        # path that forgot the service, still cannot carry a script.
        return sanitize_html(self.body)

    @property
    def is_visible(self) -> bool:
        return (self.status == Status.PUBLISHED and self.publish_at is not None
                and self.publish_at <= timezone.now())

    @property
    def is_scheduled(self) -> bool:
        return (self.status == Status.PUBLISHED and self.publish_at is not None
                and self.publish_at > timezone.now())

    @property
    def source_label(self) -> str:
        return "工业和信息化部" if self.level == Level.MINISTRY else str(self.issuing_region or "")


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # A generated name: the original (usually Chinese) name is kept in `original_name` and
    # given back in Content-Disposition on download.
    suffix = PurePath(filename).suffix.lower()
    return f"private/announcements/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    announcement = models.ForeignKey(Announcement, verbose_name="公告", on_delete=models.CASCADE,
                                     related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_upload_to, max_length=200)
    sha256 = FileDigestField("SHA-256", source="file")
    original_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    ordering = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["ordering", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def size_display(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} MB"
        return f"{max(1, self.size // 1024)} KB"


class SiteSettings(models.Model):
    """The one row of switches and links officials control on the public home page.

    `content_version` is bumped by every announcement publish/withdraw/edit: the home page
    reads this row anyway, so its cached fragments are keyed on the version and every
    process (gunicorn workers with a local-memory cache too) sees a change at once.
    """

    recognition_query_open = models.BooleanField(
        "开放企业认定查询", default=False,
        help_text="关闭时首页“企业认定查询”显示“稍后开放”。",
    )
    maker_contest_url = models.URLField(
        "创客大赛网址", blank=True, validators=[URLValidator(schemes=["http", "https"])],
        help_text="首页“创客大赛”卡片链接的地址，以 http:// 或 https:// 开头；留空则不显示链接。",
    )
    maker_contest_title = models.CharField(
        "创客大赛说明", max_length=100, default="“创客中国”中小企业创新创业大赛",
    )
    content_version = models.PositiveBigIntegerField("公告内容版本", default=0, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "首页设置"
        verbose_name_plural = "首页设置"

    def __str__(self) -> str:
        return "首页设置"

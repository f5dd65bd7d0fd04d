"""我的消息: messages to accounts (manual 二、(一)), and the officials' broadcasts.

Messaging sits below the enterprise app: it knows accounts only (design.md's one-way rule).
Every message carries a de-duplication key — (recipient, kind, subject, period) — unique in the
database, so a job that runs twice, or on two workers at once, sends nothing twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Category(models.TextChoices):
    """The five tabs of 我的消息 (manual 二、(一); domain.md §2.7)."""

    EXPIRY = "expiry", "认定到期"
    INFO_UPDATE = "info_update", "信息更新"
    RECOGNITION = "recognition", "认定通知"
    REVOCATION = "revocation", "取消认定"
    DECLARATION = "declaration", "申报提醒"


class CopyStatus(models.TextChoices):
    NONE = "", "不发送"
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class MessageQuerySet(models.QuerySet["Message"]):
    def unread(self) -> MessageQuerySet:
        return self.filter(read_at__isnull=True)


class Message(models.Model):
    # No index of its own: the unique key and the inbox index both start with the recipient.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收账户",
                                  on_delete=models.CASCADE, related_name="messages",
                                  db_index=False)
    # The recipient's 注册地, kept equal to the account's by the database (triggers installed by
    # migration 0003, common/copies.py): the officials' 消息 list is scoped by it and reads this
    # table's own index, not a join to twenty million recipients.
    region = models.ForeignKey("regions.Region", verbose_name="注册地", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", db_index=False,
                               editable=False)
    category = models.CharField("类别", max_length=12, choices=Category.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("相关链接", max_length=300, blank=True)
    # The de-duplication key: what kind of message (expiry-30, change-return …), about what
    # (recognition:12, major_change:7 …) and for which period (the expiry date, the year, the
    # decision event …).
    kind = models.CharField("消息类型", max_length=40)
    subject = models.CharField("对象", max_length=80)
    period = models.CharField("周期", max_length=40, blank=True)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发送人", null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    # An optional e-mail / SMS copy, delivered after commit; a failure stays here.
    copy_email = models.BooleanField("邮件副本", default=False)
    copy_sms = models.BooleanField("短信副本", default=False)
    copy_status = models.CharField("副本状态", max_length=10, choices=CopyStatus.choices,
                                   default=CopyStatus.NONE, blank=True)
    copy_error = models.TextField("副本发送错误", blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "subject", "period"],
                                    name="message_once_per_key"),
        ]
        indexes = [
            # 我的消息: one account's messages of a tab, newest first.
            models.Index(fields=["recipient", "category", "-created_at"],
                         name="message_inbox"),
            # The header's unread count.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True),
                         name="message_unread"),
            # The officials' 消息 list, newest first, whole and by 类别 (messaging.admin).
            models.Index(fields=["-created_at", "-id"], name="message_recent"),
            models.Index(fields=["category", "-created_at", "-id"], name="message_category_recent"),
            # …and a county's or a city's (by the recipient's 注册地 copy).
            models.Index(fields=["region", "-created_at", "-id"], name="message_region_recent"),
            # messaging.tasks.deliver_copies: copies still to send.
            models.Index(fields=["copy_status"], condition=Q(copy_status="pending"),
                         name="message_copy_pending"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # What the database will store (its trigger decides): the instance shows it too.
        if self.region_id is None and self.recipient_id is not None:
            self.region_id = self.recipient.region_id
        super().save(*args, **kwargs)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Broadcast(models.Model):
    """申报提醒 an official sends to the enterprise accounts of their region.

    `token` is issued with the preview and posted back with the confirmation, so a double click
    or a second tab sends one broadcast.
    """

    token = models.UUIDField("确认码", default=uuid.uuid4, unique=True, editable=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发送人",
                               on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("相关链接", max_length=300, blank=True)
    copy_sms = models.BooleanField("同时发送短信", default=False)
    recipients = models.PositiveIntegerField("接收企业数", default=0)
    created_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "申报提醒群发"
        verbose_name_plural = "申报提醒群发"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

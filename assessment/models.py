"""数字化水平评测: questionnaire versions (data), the 生产性服务业 crosswalk, attempts.

Rules: domain.md §0.4, §0.5, §4, §5; manual 一(三), 二(二), FAQ 5 and 6.
"""

from __future__ import annotations

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.history import AuditHistory
from enterprises.models import Enterprise

from . import content


class Category(models.TextChoices):
    """The three questionnaires, matched from the enterprise's 所属行业 (domain.md §5.3)."""

    MANUFACTURING = "manufacturing", "制造业"
    PRODUCER_SERVICES = "producer_services", "生产性服务业"
    OTHER = "other", "其他行业"


class Level(models.IntegerChoices):
    NONE = 0, "未达一级"
    ONE = 1, "一级"
    TWO = 2, "二级"
    THREE = 3, "三级"
    FOUR = 4, "四级"


class Questionnaire(models.Model):
    """One version of one category's questionnaire; `content` is the platform's JSON tree.

    A version that has attempts is never edited in place (services.questionnaire_update):
    a new version is made from it instead, so every attempt keeps the questions it answered.
    """

    category = models.CharField("类别", max_length=20, choices=Category.choices)
    name = models.CharField("名称", max_length=120)
    version = models.CharField("版本号", max_length=40)
    description = models.TextField("说明", blank=True)
    content = models.JSONField("评测表内容（JSON）")
    is_active = models.BooleanField("启用（企业作答此版本）", default=False)
    derived_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="来源版本")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = AuditHistory(verbose_name="评测表版本变更记录", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "评测表版本"
        verbose_name_plural = "评测表版本"
        ordering = ["category", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["category"], condition=Q(is_active=True),
                                    name="questionnaire_one_active_per_category"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The name, with the version only when the name does not already say it: the shipped
        names carry （2024年版）, so "…（派生）（2024）" would give the year twice."""
        if not self.version or self.version in self.name:
            return self.name
        return f"{self.name}（版本：{self.version}）"

    @cached_property
    def definition(self) -> content.Definition:
        return content.parse(self.content)


class ProducerServiceIndustry(models.Model):
    """One GB/T 4754-2017 code of the 《生产性服务业统计分类（2019）》 crosswalk.

    The official crosswalk (annex 1 of 国统字〔2019〕43号) was not found: the shipped rows are a
    provisional reading of the class titles (assessment/data/producer-services-2019.json,
    `confirmed` false), editable here until an official transcribes the real table. A code
    covers every industry below it (a 中类 code covers its 小类).
    """

    industry_code = models.CharField("行业代码（大类/中类/小类）", max_length=5, unique=True)
    industry_name = models.CharField("行业名称", max_length=80)
    ps_class = models.CharField("生产性服务业大类", max_length=60)
    confirmed = models.BooleanField("已与官方分类表核对", default=False)

    class Meta:
        verbose_name = "生产性服务业行业对照"
        verbose_name_plural = "生产性服务业行业对照"
        ordering = ["industry_code"]

    def __str__(self) -> str:
        return f"{self.industry_code} {self.industry_name} → {self.ps_class}"


class AttemptQuerySet(models.QuerySet):
    def submitted(self) -> AttemptQuerySet:
        return self.filter(status=Attempt.Status.SUBMITTED)


class Attempt(models.Model):
    """One self-assessment: answers saved as the enterprise goes; results frozen on 提交."""

    class Status(models.TextChoices):
        DRAFT = "draft", "填写中"
        SUBMITTED = "submitted", "已提交"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="assessments",
                                   verbose_name="企业")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT,
                                      related_name="attempts", verbose_name="评测表版本")
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    # Why this questionnaire: the industry at the start (the profile may change later).
    industry_code = models.CharField("所属行业代码", max_length=5, blank=True)
    industry_name = models.CharField("所属行业", max_length=80, blank=True)
    category_reason = models.CharField("匹配依据", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # {question id: {"options": [option id, …], "fields": {key: "as typed"}}}
    answers = models.JSONField("答案", default=dict, blank=True)
    # {scene id: 0–4} (0 = 尚未达到一级)
    scenes = models.JSONField("场景等级", default=dict, blank=True)
    step = models.PositiveSmallIntegerField("当前步骤", default=0)
    pledged = models.BooleanField("已作真实性承诺", default=False)
    total_score = models.DecimalField("总分", max_digits=7, decimal_places=4, null=True, blank=True)
    level = models.PositiveSmallIntegerField("等级", choices=Level.choices, null=True, blank=True)
    # {dimension title: "points"}, per question points, scene levels: frozen at submission.
    result = models.JSONField("评测结果", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="填写人")
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    updated_at = models.DateTimeField("保存时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = "评测记录"
        verbose_name_plural = "评测记录"
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            # One attempt in progress per enterprise: 去自评 resumes it.
            models.UniqueConstraint(fields=["enterprise"], condition=Q(status="draft"),
                                    name="attempt_one_draft_per_enterprise"),
            models.CheckConstraint(
                name="attempt_submitted_has_result",
                condition=Q(status="draft") | (Q(submitted_at__isnull=False)
                                               & Q(level__isnull=False)
                                               & Q(total_score__isnull=False)),
            ),
        ]
        indexes = [
            # latest_result(): the enterprise's newest submitted attempt.
            models.Index(fields=["enterprise", "status", "-submitted_at"],
                         name="attempt_latest_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.created_at:%Y-%m-%d} {self.get_status_display()}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level is not None else ""

"""Declarations: the windows (申报时间), the declarations and their evidence.

A declaration's life cycle is the transition table in `services.py` (common/workflow.py);
every step leaves a `common.models.DecisionEvent`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from common.history import AuditHistory
from common.integrity import FileDigestField
from common.tiers import Tier
from portal.regions.models import DeclarationRegion

__all__ = ["Declaration", "DeclarationEvidence", "DeclarationWindow", "Objection",
           "RecognitionBatch", "Tier"]

LEVEL_LABELS = {"county": "县级", "city": "市级", "province": "省级", "ministry": "部级"}

# The standard versions a window may use (declarations.standards.registry).
STANDARD_VERSIONS = [("2022", "2022版（工信部企业〔2022〕63号）"),
                     ("2026", "2026版（工信部企业〔2026〕2号）")]


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
    standard_version = models.CharField(
        "认定标准版本", max_length=8, choices=STANDARD_VERSIONS, default="2022",
        help_text="本批次申报按此版本的认定标准评分（复核按原认定时的版本）。")
    features = models.JSONField(
        "特色化指标", null=True, blank=True,
        help_text="专精特新：本地区的特色化指标配置（JSON），保存前会校验。")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DeclarationWindowQuerySet.as_manager()
    history = AuditHistory(verbose_name="申报时间变更记录", excluded_fields=["updated_at"])

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
        return self.label(str(self.declaration_region), self.tier)

    @staticmethod
    def label(region_name: str, tier: str) -> str:
        """How a window is named (also from bare columns: the queue's 申报批次 filter)."""
        return f"{region_name} · {Tier(tier).label if tier in Tier.values else tier}"

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


class DeclarationQuerySet(models.QuerySet["Declaration"]):
    def open(self) -> DeclarationQuerySet:
        """Declarations still in progress (neither finally decided nor withdrawn)."""
        return self.exclude(status__in=Declaration.FINAL_STATES)


class Declaration(models.Model):
    """One enterprise's declaration for one tier in one window.

    While a draft (or returned) the enterprise edits `form_data` section by section; on
    submission the engine's result, the assessment and the profile are frozen into it and a
    verification code is derived from that frozen copy (it is printed on the 申报书).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        AT_COUNTY = "at_county", "县级审核中"
        AT_CITY = "at_city", "市级审核中"
        AT_PROVINCE = "at_province", "省级审核中"
        AT_MINISTRY = "at_ministry", "部级审核中"
        RETURNED = "returned", "已退回"
        NOT_RECOMMENDED = "not_recommended", "不予推荐"
        RECOMMENDED = "recommended", "审核通过"
        PUBLICIZED = "publicized", "公示中"
        RECOGNISED = "recognised", "已认定"
        NOT_RECOGNISED = "not_recognised", "未予认定"

    class Kind(models.TextChoices):
        NEW = "new", "申报"
        REREVIEW = "rereview", "复核"

    FINAL_STATES = (Status.NOT_RECOMMENDED, Status.RECOGNISED, Status.NOT_RECOGNISED)
    EDITABLE_STATES = (Status.DRAFT, Status.RETURNED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("申报编号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.NEW)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="declarations")
    tier = models.CharField("申报层级", max_length=12, choices=Tier.choices)
    # A 申报 is filed in a window; a 复核 in its title's 复核 period instead (no window).
    window = models.ForeignKey(DeclarationWindow, verbose_name="申报批次", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="declarations")
    declaration_region = models.ForeignKey(DeclarationRegion, verbose_name="申报地区",
                                           on_delete=models.PROTECT, related_name="+")
    # 复核: the title it renews and the end of the validity it renews (one 复核 per period).
    rereview_of = models.ForeignKey("enterprises.Recognition", verbose_name="复核称号", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="rereviews")
    renews_until = models.DateField("复核的有效期止", null=True, blank=True)
    # The region whose officials review it (the enterprise's 注册地 when it started), and the
    # declaration region it belongs to: kept on the row so a later move does not lose it.
    region = models.ForeignKey("regions.Region", verbose_name="注册地", on_delete=models.PROTECT,
                               related_name="+")
    standard_version = models.CharField("认定标准版本", max_length=8, default="2022")
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    # The level that returned it: a resubmission goes back there (manual FAQ 7).
    returned_level = models.CharField("退回层级", max_length=10, blank=True)
    form_data = models.JSONField("填报内容", default=dict, blank=True)
    # Frozen at submission (never recomputed): the engine's result, the assessment, the profile.
    result = models.JSONField("评分结果", null=True, blank=True)
    assessment = models.JSONField("数字化水平评测", null=True, blank=True)
    profile = models.JSONField("企业信息", null=True, blank=True)
    verification_code = models.CharField("核验码", max_length=16, blank=True, db_index=True)
    # SHA-256 of the frozen copy (frozen_payload) at submission; checked before a 申报书 is
    # produced (等保 数据完整性).
    frozen_sha256 = models.CharField("提交快照 SHA-256", max_length=64, blank=True)
    # The engine's result with the officials' judgements applied (`Judgement`); `result`
    # stays what was filed.
    reviewed_result = models.JSONField("审核后评分结果", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # The 门类 of the 所属行业 as filed ("" when none): set on submission with the frozen
    # profile, so the statistics group declarations without joining a million enterprises.
    section = models.CharField("行业门类", max_length=1, blank=True)
    # The 公示/认定 batch it was put in once it passed (services.batch_create).
    batch = models.ForeignKey("RecognitionBatch", verbose_name="认定批次", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="declarations")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DeclarationQuerySet.as_manager()
    history = AuditHistory(verbose_name="申报变更记录", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        ordering = ["-created_at", "-id"]
        constraints = [
            # One declaration per enterprise per tier per window (domain.md §0.8).
            models.UniqueConstraint(fields=["enterprise", "tier", "window"],
                                    name="declaration_one_per_window"),
            # One 复核 per title per validity period.
            models.UniqueConstraint(fields=["rereview_of", "renews_until"],
                                    condition=Q(rereview_of__isnull=False),
                                    name="declaration_one_rereview_per_term"),
            models.CheckConstraint(
                name="declaration_window_or_rereview",
                condition=(Q(kind="new", window__isnull=False, rereview_of__isnull=True)
                           | Q(kind="rereview", window__isnull=True, rereview_of__isnull=False,
                               renews_until__isnull=False))),
        ]
        indexes = [
            # 企业申报信息: an enterprise's declarations, newest first.
            models.Index(fields=["enterprise", "-created_at"], name="declaration_enterprise"),
            # 待我审核: the queue of one status, oldest submission first.
            models.Index(fields=["status", "submitted_at"], name="declaration_queue"),
            # 统计分析 (declarations.statistics): every column its one aggregate reads, for
            # filed declarations only, so it is answered from the index alone.
            models.Index(fields=["region", "tier", "status", "window", "section", "submitted_at"],
                         condition=~Q(status="draft"), name="declaration_statistics"),
            # 申报 → 全部（本地区）: every filed declaration, oldest submission first (the
            # admin's ordering), read in order and stopped after one page.
            models.Index(fields=["submitted_at", "id"], condition=~Q(status="draft"),
                         name="declaration_filed_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_tier_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.declaration_region_id is None and self.window_id is not None:
            self.declaration_region_id = self.window.declaration_region_id
        super().save(*args, **kwargs)

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE_STATES

    @property
    def is_rereview(self) -> bool:
        return self.kind == self.Kind.REREVIEW

    @property
    def year(self) -> int:
        """The declaration's year N (figures of N−1, N−2, N−3): its window's, or for a 复核
        the year it was started."""
        if self.window_id is not None:
            return timezone.localdate(self.window.starts_at).year
        return timezone.localdate(self.created_at or timezone.now()).year

    @property
    def filing_deadline(self) -> datetime:
        """Until when the enterprise may file or refile it (and officials return it): the
        window's end, or for a 复核 the last day of its 复核 period (Asia/Shanghai)."""
        if self.window_id is not None:
            return self.window.ends_at
        from enterprises.selectors import rereview_period

        closes = rereview_period(self.rereview_of).closes_on
        return timezone.make_aware(datetime.combine(closes, datetime.max.time()))

    def accepts_filing_at(self, when: datetime) -> bool:
        if self.window_id is not None:
            return self.window.is_open_at(when)
        return when <= self.filing_deadline

    @property
    def features(self) -> dict | None:
        """专精特新 特色化指标: the window's; a 复核 uses those of the region's latest 专精特新
        window of its standard version (none: the standard's common indicators only)."""
        if self.window_id is not None:
            return self.window.features
        latest = (DeclarationWindow.objects
                  .filter(declaration_region_id=self.declaration_region_id, tier=self.tier,
                          standard_version=self.standard_version)
                  .order_by("-starts_at").values_list("features", flat=True).first())
        return latest or None

    @property
    def batch_label(self) -> str:
        """What the enterprise's lists show for where it was filed."""
        if self.window_id is None:
            return f"复核（有效期至{self.renews_until:%Y-%m-%d}）"
        return self.window.note or ""

    @property
    def processing_level(self) -> str:
        """The level holding it now: county / city / province / ministry, or ""."""
        return self.status.removeprefix("at_") if self.status.startswith("at_") else ""

    @property
    def processing_level_label(self) -> str:
        return LEVEL_LABELS.get(self.processing_level, "")

    def frozen_payload(self) -> dict:
        """What was filed: the copy the 申报书 prints and the verification code covers."""
        return {"number": self.number, "tier": self.tier, "kind": self.kind,
                "standard_version": self.standard_version, "form_data": self.form_data,
                "result": self.result, "assessment": self.assessment, "profile": self.profile,
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None}

    def compute_frozen_sha256(self) -> str:
        """SHA-256 (hex) of the canonical JSON of the frozen copy."""
        return frozen_sha256(self.frozen_payload())

    @property
    def frozen_intact(self) -> bool:
        """The frozen copy still has the digest taken at submission."""
        return bool(self.frozen_sha256) and hmac.compare_digest(
            self.frozen_sha256, self.compute_frozen_sha256())

    def compute_verification_code(self) -> str:
        """A short code derived from the frozen submission (printed on every page of the
        申报书): a paper or scanned copy matches the filing only if the codes agree."""
        digest = bytes.fromhex(self.compute_frozen_sha256())
        code = base64.b32encode(digest).decode("ascii")[:10]
        return f"{code[:5]}-{code[5:]}"


def frozen_sha256(payload: dict) -> str:
    """SHA-256 (hex) of a frozen copy as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class FiledCount(models.Model):
    """Filed declarations (drafts are the enterprise's own) of one 注册地 and one value of one
    dimension: in all, and submitted (Asia/Shanghai) in the year of the count
    (`enterprises.EnterpriseCountState`, whose `year` it calls 当年) and in the year before.

    统计分析 (declarations.statistics) sums these rows instead of grouping millions of
    declarations on each view; `services.statistics_refresh` rebuilds them whole (the calendar,
    every 10 minutes) and the page says when. One table per dimension the page shows, each
    beside the 注册地 alone: crossing dimensions multiplies the rows the ministry's page sums
    (注册地 × 层级 × 状态 is 76 000 rows at a million enterprises, 注册地 × 层级 9 000).
    """

    region = models.ForeignKey("regions.Region", verbose_name="注册地", on_delete=models.CASCADE,
                               related_name="+",
                               db_index=False)  # the unique constraint's index leads with it
    declarations = models.PositiveIntegerField("申报数")
    filed_this_year = models.PositiveIntegerField("当年提交")
    filed_last_year = models.PositiveIntegerField("上年提交")

    class Meta:
        abstract = True


class DeclarationTierCount(FiledCount):
    """Filed declarations by 注册地 and 层级 (the page's 层级 and 地区 tables and its totals)."""

    tier = models.CharField("申报层级", max_length=12, choices=Tier.choices)

    class Meta:
        verbose_name = "申报数汇总（层级）"
        verbose_name_plural = "申报数汇总（层级）"
        constraints = [models.UniqueConstraint(fields=["region", "tier"],
                                               name="declaration_tier_count_one_per_group")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.tier}: {self.declarations}"


class DeclarationStatusCount(FiledCount):
    """Filed declarations by 注册地 and 状态."""

    status = models.CharField("状态", max_length=16, choices=Declaration.Status.choices)

    class Meta:
        verbose_name = "申报数汇总（状态）"
        verbose_name_plural = "申报数汇总（状态）"
        constraints = [models.UniqueConstraint(fields=["region", "status"],
                                               name="declaration_status_count_one_per_group")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.status}: {self.declarations}"


class DeclarationSectionCount(FiledCount):
    """Filed declarations by 注册地 and the 门类 they were filed with ("" = none)."""

    section = models.CharField("行业门类", max_length=1, blank=True)

    class Meta:
        verbose_name = "申报数汇总（行业门类）"
        verbose_name_plural = "申报数汇总（行业门类）"
        constraints = [models.UniqueConstraint(fields=["region", "section"],
                                               name="declaration_section_count_one_per_group")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.section or '-'}: {self.declarations}"


class DeclarationWindowCount(FiledCount):
    """Filed declarations by 注册地 and 申报批次 (None: 复核, filed in a title's 复核 period)."""

    window = models.ForeignKey(DeclarationWindow, verbose_name="申报批次", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "申报数汇总（申报批次）"
        verbose_name_plural = "申报数汇总（申报批次）"
        constraints = [models.UniqueConstraint(fields=["region", "window"],
                                               name="declaration_window_count_one_per_group")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.window_id or '复核'}: {self.declarations}"


def evidence_upload_to(instance: DeclarationEvidence, filename: str) -> str:
    from common.uploads import private_path

    return private_path("declarations", filename)


class DeclarationEvidence(models.Model):
    """A file attached to a declaration for one indicator (or the whole declaration)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                    related_name="evidence", verbose_name="申报")
    indicator = models.CharField("指标", max_length=40, blank=True,
                                 help_text="空 = 整体佐证材料")
    file = models.FileField("佐证材料", upload_to=evidence_upload_to)
    sha256 = FileDigestField("SHA-256", source="file")
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    entries = models.JSONField("压缩包内文件", default=list, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["indicator", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class SamplingRun(models.Model):
    """One draw of the 实地抽查 sample at a level: who, when, the rate, the seed and what was
    drawn — enough to redo the draw and get the same sample (it is logged, reproducible)."""

    level = models.CharField("层级", max_length=10)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽取人",
                                 on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间", default=timezone.now)
    rate = models.DecimalField("抽查比例", max_digits=4, decimal_places=3)
    seed = models.CharField("随机种子", max_length=32)
    population = models.JSONField("抽样范围（申报ID）", default=list)
    chosen = models.JSONField("抽中（申报ID）", default=list)

    class Meta:
        verbose_name = "实地抽查抽样记录"
        verbose_name_plural = "实地抽查抽样记录"
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{LEVEL_LABELS.get(self.level, self.level)} {timezone.localtime(self.drawn_at):%Y-%m-%d %H:%M}"


class OnsiteCheck(models.Model):
    """A declaration drawn for 实地抽查 at a level; it cannot move on until the result is in."""

    class Result(models.TextChoices):
        PENDING = "", "待检查"
        PASSED = "passed", "符合"
        FAILED = "failed", "不符合"

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                    related_name="onsite_checks", verbose_name="申报")
    run = models.ForeignKey(SamplingRun, on_delete=models.PROTECT, related_name="checks",
                            verbose_name="抽样记录")
    level = models.CharField("层级", max_length=10)
    result = models.CharField("检查结果", max_length=10, choices=Result.choices, blank=True,
                              default=Result.PENDING)
    note = models.TextField("检查情况", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)

    class Meta:
        verbose_name = "实地抽查"
        verbose_name_plural = "实地抽查"
        ordering = ["-id"]
        constraints = [
            # A declaration is drawn at most once per level.
            models.UniqueConstraint(fields=["declaration", "level"], name="onsite_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration} {LEVEL_LABELS.get(self.level, self.level)}实地抽查"


class Judgement(models.Model):
    """An official's judgement on an item the engine leaves to people (参评基本条件, 链, 品 …),
    with its reason. Append-only: the latest per item counts, every earlier one stays. The
    engine's result as filed (`Declaration.result`) is never changed; the result with the
    judgements applied is `Declaration.reviewed_result`, and both are shown."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                    related_name="judgements", verbose_name="申报")
    field = models.CharField("判断项", max_length=60)
    label = models.CharField("判断项名称", max_length=120)
    value = models.BooleanField("判断结果")
    reason = models.TextField("理由")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="判断人", on_delete=models.PROTECT,
                           related_name="+")
    level = models.CharField("层级", max_length=10)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "人工判断"
        verbose_name_plural = "人工判断"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.label}：{'符合' if self.value else '不符合'}"


class ReviewChain(models.Model):
    """Which levels review one tier's declarations in a declaration region (domain.md §0.6):
    a region may switch the county or city level off for a tier. Without a row the region's
    own switches (DeclarationRegion.county_review / city_review, default on) apply."""

    declaration_region = models.ForeignKey(DeclarationRegion, verbose_name="申报地区",
                                           on_delete=models.CASCADE, related_name="review_chains")
    tier = models.CharField("申报层级", max_length=12, choices=Tier.choices)
    county_review = models.BooleanField("区县初审", default=True)
    city_review = models.BooleanField("地市审核", default=True)

    class Meta:
        verbose_name = "审核层级设置"
        verbose_name_plural = "审核层级设置"
        ordering = ["declaration_region", "tier"]
        constraints = [models.UniqueConstraint(fields=["declaration_region", "tier"],
                                               name="review_chain_one_per_tier")]

    def __str__(self) -> str:
        return self.label(str(self.declaration_region), self.tier)

    @staticmethod
    def label(region_name: str, tier: str) -> str:
        """How a window is named (also from bare columns: the queue's 申报批次 filter)."""
        return f"{region_name} · {Tier(tier).label if tier in Tier.values else tier}"


class RecognitionBatch(models.Model):
    """批次: the declarations a recognising level publicises (公示) and then recognises together.

    The recognising level is the declaration region for 创新型/专精特新 and the ministry for
    小巨人 (a national batch, no declaration region). Its status follows `services.BATCH_WORKFLOW`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "待公示"
        PUBLICIZING = "publicizing", "公示中"
        RECOGNISED = "recognised", "已认定"

    name = models.CharField("批次名称", max_length=50, help_text="例如“2026年第一批”。")
    tier = models.CharField("层级", max_length=12, choices=Tier.choices)
    declaration_region = models.ForeignKey(
        DeclarationRegion, verbose_name="认定地区", null=True, blank=True,
        on_delete=models.PROTECT, related_name="recognition_batches",
        help_text="创新型、专精特新：本省级地区；专精特新“小巨人”：留空（全国）。")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    publicity_starts_on = models.DateField("公示开始日期", null=True, blank=True)
    publicity_ends_on = models.DateField("公示结束日期", null=True, blank=True,
                                         help_text="含当日；默认为开始日起第5个工作日。")
    objection_contact = models.CharField(
        "异议受理联系方式", max_length=200,
        help_text="公示公告中列出，例如：省工业和信息化厅中小企业处，020-12345678，地址……")
    document_no = models.CharField("认定文号", max_length=60, blank=True)
    recognised_on = models.DateField("认定日期", null=True, blank=True)
    announcement = models.ForeignKey("announcements.Announcement", verbose_name="公示公告",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "认定批次"
        verbose_name_plural = "认定批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="batch_publicity_ends_after_start",
                condition=Q(publicity_ends_on__isnull=True) | Q(publicity_starts_on__isnull=True)
                | Q(publicity_ends_on__gte=F("publicity_starts_on"))),
        ]

    def __str__(self) -> str:
        where = self.declaration_region.name if self.declaration_region_id else "全国"
        return f"{where} {self.name} {self.get_tier_display()}"


def objection_upload_to(instance: Objection, filename: str) -> str:
    from common.uploads import private_path

    return private_path("objections", filename)


class Objection(models.Model):
    """An objection received in writing during 公示: signed by a named person or sealed by an
    organisation (anonymous ones are not accepted, domain.md §2.9), with its scanned letter
    and how it was handled."""

    class FiledBy(models.TextChoices):
        PERSON = "person", "个人（本人签名）"
        ORGANISATION = "organisation", "单位（加盖公章）"

    class Result(models.TextChoices):
        PENDING = "", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    batch = models.ForeignKey(RecognitionBatch, verbose_name="认定批次", on_delete=models.PROTECT,
                              related_name="objections")
    declaration = models.ForeignKey(Declaration, verbose_name="被异议申报",
                                    on_delete=models.PROTECT, related_name="objections")
    filed_by = models.CharField("提出方", max_length=12, choices=FiledBy.choices)
    filer_name = models.CharField("署名人或单位名称", max_length=100)
    filer_contact = models.CharField("联系方式", max_length=100)
    received_on = models.DateField("收到日期")
    summary = models.TextField("异议内容摘要")
    letter = models.FileField("异议书扫描件", upload_to=objection_upload_to)
    letter_sha256 = FileDigestField("SHA-256", source="letter")
    letter_name = models.CharField("文件名", max_length=255, blank=True)
    result = models.CharField("处理结果", max_length=12, choices=Result.choices, blank=True,
                              default=Result.PENDING)
    handling_note = models.TextField("处理意见", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.filer_name}对{self.declaration.enterprise}的异议"

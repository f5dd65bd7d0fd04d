"""The enterprise and what it holds: profile, yearly figures, recognitions, annual information
update (年度信息更新) and major changes (重大变更). Rules: domain.md §2.5, §2.6, §0.7."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from common.history import AuditHistory
from common.integrity import FileDigestField
from common.tiers import Tier
from common.uploads import private_path
from portal.regions.models import DeclarationRegion, Region

MONEY = {"max_digits": 14, "decimal_places": 2}


class Industry(models.Model):
    """GB/T 4754-2017 国民经济行业分类: 门类 (A–T) → 大类 → 中类 → 小类."""

    class Level(models.TextChoices):
        SECTION = "门类", "门类"
        DIVISION = "大类", "大类"
        GROUP = "中类", "中类"
        CLASS = "小类", "小类"

    code = models.CharField("行业代码", max_length=5, unique=True)
    name = models.CharField("名称", max_length=80)
    level = models.CharField("层级", max_length=4, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name="上级")
    section = models.CharField("门类", max_length=1, db_index=True)

    class Meta:
        verbose_name = "国民经济行业"
        verbose_name_plural = "国民经济行业"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Scale(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class EnterpriseQuerySet(models.QuerySet):
    def recognised(self, on: date) -> EnterpriseQuerySet:
        """Enterprises holding a valid recognition of any tier on `on`."""
        return self.filter(
            models.Exists(Recognition.objects.valid_on(on).filter(enterprise=models.OuterRef("pk")))
        )


class Enterprise(models.Model):
    """One enterprise, bound to its 法人账户 by the 统一社会信用代码."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200, db_index=True)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="法人账户", null=True,
                                   blank=True, on_delete=models.SET_NULL,
                                   related_name="enterprise")
    # 注册地 decides which officials review the enterprise (scoping.py).
    region = models.ForeignKey(Region, verbose_name="注册地", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="enterprises")
    address = models.CharField("注册地址", max_length=200, blank=True)
    # 所属行业 decides the digital-assessment questionnaire.
    industry = models.ForeignKey(Industry, verbose_name="所属行业", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="enterprises")
    founded_on = models.DateField("成立日期", null=True, blank=True)
    registered_capital = models.DecimalField("注册资本（万元）", null=True, blank=True, **MONEY,
                                             validators=[MinValueValidator(0)])
    scale = models.CharField("企业规模", max_length=8, choices=Scale.choices, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)
    main_product = models.CharField("主导产品", max_length=200, blank=True)
    niche_market = models.CharField("主导产品所属细分市场", max_length=200, blank=True)
    niche_since = models.DateField("进入该细分市场时间", null=True, blank=True)
    employees = models.PositiveIntegerField("职工总数（人）", null=True, blank=True)
    rd_staff = models.PositiveIntegerField("研发人员数（人）", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(verbose_name="企业信息变更记录", excluded_fields=["updated_at"])
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="enterprise_rd_staff_within_employees",
                                   condition=Q(rd_staff__lte=models.F("employees"))
                                   | Q(rd_staff__isnull=True) | Q(employees__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseCount(models.Model):
    """How many enterprises have one 注册地 and one 门类: in all, and created (Asia/Shanghai)
    in the year of the count (`EnterpriseCountState.year`) and in the year before.

    The statistics page (declarations.statistics) sums these rows instead of grouping every
    enterprise on each view. `services.enterprise_counts_refresh` rebuilds them whole from the
    enterprises table (the calendar, every 10 minutes); the page says when.
    """

    region = models.ForeignKey(Region, verbose_name="注册地", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+",
                               db_index=False)  # the unique constraint's index leads with it
    section = models.CharField("门类", max_length=1, blank=True)  # "" = 所属行业 not given
    enterprises = models.PositiveIntegerField("企业数")
    created_this_year = models.PositiveIntegerField("当年新建档")
    created_last_year = models.PositiveIntegerField("上年新建档")

    class Meta:
        verbose_name = "企业数汇总"
        verbose_name_plural = "企业数汇总"
        constraints = [
            models.UniqueConstraint(fields=["region", "section"],
                                    name="enterprise_count_one_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.section or '-'}: {self.enterprises}"


class EnterpriseCountState(models.Model):
    """One row: when the statistics' summary tables (enterprises, titles and declarations:
    `declarations.services.statistics_refresh`) were last rebuilt, and the year they call 当年.
    A rebuild locks it first, so two rebuilds at once run one after the other."""

    refreshed_at = models.DateTimeField("汇总时间", null=True, blank=True)
    year = models.PositiveSmallIntegerField("汇总年度", null=True, blank=True)

    class Meta:
        verbose_name = "统计汇总状态"
        verbose_name_plural = "统计汇总状态"

    def __str__(self) -> str:
        return f"统计汇总 {self.refreshed_at}"


class GrantedCount(models.Model):
    """Titles of one 注册地 (`Recognition.region`) and one value of one dimension: newly
    recognised (by `valid_from`) in the year of the count (`EnterpriseCountState.year`) and in
    the year before, and 当前有效 — not cancelled and valid on the day of the count
    (Asia/Shanghai).

    The statistics page sums these rows instead of grouping every title on each view; they are
    rebuilt whole with the enterprise counts (`services.enterprise_counts_refresh`). One table
    per dimension, each beside the 注册地 alone (注册地 × 层级 × 批次 would be 66 000 rows at a
    million enterprises, 注册地 × 层级 9 000).
    """

    region = models.ForeignKey(Region, verbose_name="注册地", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+",
                               db_index=False)  # the unique constraint's index leads with it
    valid = models.PositiveIntegerField("当前有效")
    granted_this_year = models.PositiveIntegerField("当年新认定")
    granted_last_year = models.PositiveIntegerField("上年新认定")

    class Meta:
        abstract = True


class RecognitionTierCount(GrantedCount):
    """Titles by 注册地 and 层级 (the page's 层级 and 地区 tables and its total)."""

    tier = models.CharField("层级", max_length=12, choices=Tier.choices)

    class Meta:
        verbose_name = "认定数汇总（层级）"
        verbose_name_plural = "认定数汇总（层级）"
        constraints = [models.UniqueConstraint(fields=["region", "tier"],
                                               name="recognition_tier_count_one_per_group")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.tier}: {self.valid}"


class RecognitionBatchCount(GrantedCount):
    """Titles by 注册地 and 批次."""

    batch = models.CharField("批次", max_length=50, blank=True)

    class Meta:
        verbose_name = "认定数汇总（批次）"
        verbose_name_plural = "认定数汇总（批次）"
        constraints = [models.UniqueConstraint(fields=["region", "batch"],
                                               name="recognition_batch_count_one_per_group")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.batch or '-'}: {self.valid}"


class YearFigures(models.Model):
    """One year's figures of an enterprise, in 万元 (domain.md §0.3)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="figures",
                                   verbose_name="企业")
    year = models.PositiveSmallIntegerField("年度")
    operating_revenue = models.DecimalField("营业收入", **MONEY, null=True, blank=True)
    main_business_revenue = models.DecimalField("主营业务收入", **MONEY, null=True, blank=True)
    rd_expense = models.DecimalField("研发费用", **MONEY, null=True, blank=True)
    net_profit = models.DecimalField("净利润", **MONEY, null=True, blank=True)
    total_assets = models.DecimalField("资产总额", **MONEY, null=True, blank=True)
    total_liabilities = models.DecimalField("负债总额", **MONEY, null=True, blank=True)
    new_equity_financing = models.DecimalField("新增股权融资（合格机构投资者实缴额）", **MONEY,
                                               null=True, blank=True)

    history = HistoricalRecords(verbose_name="年度数据变更记录")

    class Meta:
        verbose_name = "年度经营数据"
        verbose_name_plural = "年度经营数据"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="figures_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年"


FIGURE_FIELDS = ["operating_revenue", "main_business_revenue", "rd_expense", "net_profit",
                 "total_assets", "total_liabilities", "new_equity_financing"]


class RecognitionQuerySet(models.QuerySet):
    def valid_on(self, on: date) -> RecognitionQuerySet:
        # revoked_at is set exactly when the state is revoked (recognition_revoked_state).
        return self.filter(revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on)


# domain.md §2.7 item 3 / §0.8: no new declaration for 3 years after a cancellation for
# misconduct (declarations.selectors.start_refusals reads it).
MISCONDUCT_BAR = relativedelta(years=3)


class RevokeGround(models.TextChoices):
    """Why a title is cancelled (domain.md §2.7, items 1–4, and anything else)."""

    CHANGE_UNQUALIFIED = "change_unqualified", "重大变化不再符合认定条件"
    CHANGE_NOT_REPORTED = "change_not_reported", "未在3个月内报告重大变化"
    # §2.7 item 3: the only ground that also bars new declarations for 3 years.
    MISCONDUCT = "misconduct", ("发生重大安全/质量/环境污染事故，或严重失信、偷漏税等违法违规行为，"
                                "或数据造假")
    REPORT_VERIFIED = "report_verified", "经实名举报核实不符合"
    OTHER = "other", "其他"


class Recognition(models.Model):
    """A title the enterprise holds (created by 认定 in declarations, or entered by officials).

    Two decisions of the recognising level go through `common.workflow` (the tables are in
    enterprises/services.py): 取消认定 on `state`, and 取消复核资格 on `rereview_status`.
    """

    class State(models.TextChoices):
        IN_FORCE = "in_force", "有效"
        REVOKED = "revoked", "已取消"

    class Rereview(models.TextChoices):
        ELIGIBLE = "eligible", "具备复核资格"
        BARRED = "barred", "已取消复核资格"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="recognitions", verbose_name="企业")
    # The enterprise's 注册地, kept on the title so the statistics count titles by region and
    # the officials' 认定记录 list is scoped without joining every enterprise. The database
    # keeps it equal to the enterprise's (triggers installed by migration 0017,
    # common/copies.py): whatever is written, on the title or the enterprise.
    region = models.ForeignKey(Region, verbose_name="注册地", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", db_index=False,
                               editable=False)
    tier = models.CharField("层级", max_length=12, choices=Tier.choices)
    batch = models.CharField("批次", max_length=50, blank=True)
    document_no = models.CharField("认定文号", max_length=60, blank=True)
    certificate_no = models.CharField("证书编号", max_length=50, blank=True)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止")
    state = models.CharField("认定状态", max_length=10, choices=State.choices,
                             default=State.IN_FORCE)
    revoked_at = models.DateTimeField("取消时间", null=True, blank=True)
    revoke_ground = models.CharField("取消依据", max_length=20, choices=RevokeGround.choices,
                                     blank=True)
    revoke_document_no = models.CharField("取消文号", max_length=60, blank=True)
    revoke_reason = models.CharField("取消意见", max_length=500, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name="取消人")
    # domain.md §2.7 item 3 (accidents, serious dishonesty, falsified data …): besides losing
    # the title, the enterprise may not declare again for 3 years from the cancellation. Set
    # from the ground (recognition_misconduct_ground), never typed.
    revoked_for_misconduct = models.BooleanField("因违法违规等情形取消（三年内不得申报）",
                                                 default=False)
    # §2.6 / §2.7 items 2 and 5: the title stays, but it will not be renewed at expiry.
    rereview_status = models.CharField("复核资格", max_length=10, choices=Rereview.choices,
                                       default=Rereview.ELIGIBLE)
    rereview_barred_at = models.DateTimeField("取消复核资格时间", null=True, blank=True)
    rereview_barred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+",
                                           verbose_name="取消复核资格人")
    rereview_bar_reason = models.CharField("取消复核资格理由", max_length=500, blank=True)
    # A 复核 is judged by the standard the title was recognised under (domain.md §0.1).
    standard_version = models.CharField("认定标准版本", max_length=8, default="2022")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecognitionQuerySet.as_manager()
    history = AuditHistory(verbose_name="认定记录变更记录")

    class Meta:
        verbose_name = "认定记录"
        verbose_name_plural = "认定记录"
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(name="recognition_valid_range",
                                   condition=Q(valid_until__gte=models.F("valid_from"))),
            # Certificate numbers are issued once (declarations.services.certificate_numbers).
            models.UniqueConstraint(fields=["certificate_no"], condition=~Q(certificate_no=""),
                                    name="recognition_certificate_unique"),
            # The decision state and its record go together (services.recognition_revoke);
            # every read that filters on revoked_at therefore follows the state.
            models.CheckConstraint(name="recognition_revoked_state", condition=(
                Q(state="revoked", revoked_at__isnull=False)
                | Q(state="in_force", revoked_at__isnull=True))),
            models.CheckConstraint(name="recognition_misconduct_ground", condition=(
                Q(revoked_for_misconduct=True, revoke_ground="misconduct")
                | (Q(revoked_for_misconduct=False) & ~Q(revoke_ground="misconduct")))),
            models.CheckConstraint(name="recognition_rereview_barred", condition=(
                Q(rereview_status="barred", rereview_barred_at__isnull=False)
                | Q(rereview_status="eligible", rereview_barred_at__isnull=True))),
        ]
        indexes = [
            # 企业认定查询 and the enterprise's titles.
            models.Index(fields=["enterprise", "-valid_from"], name="recognition_enterprise"),
            # enterprises.services.recognition_expiry_remind: titles in force by end date.
            models.Index(fields=["valid_until"], condition=Q(revoked_at__isnull=True),
                         name="recognition_expiry_job"),
            # 认定记录 list: newest first (the ordering), whole and by 层级.
            models.Index(fields=["-valid_from", "-id"], name="recognition_recent"),
            models.Index(fields=["tier", "-valid_from", "-id"], name="recognition_tier_recent"),
            # 统计分析 (declarations.statistics): every column its aggregate reads.
            models.Index(fields=["region", "tier", "batch", "valid_from", "valid_until",
                                 "revoked_at"], name="recognition_statistics"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_tier_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # What the database will store (its trigger decides): the instance shows it too.
        if self.region_id is None and self.enterprise_id is not None:
            self.region_id = self.enterprise.region_id
        super().save(*args, **kwargs)

    @property
    def may_declare_again_on(self) -> date | None:
        """After a cancellation for misconduct, the first day (Asia/Shanghai) the enterprise may
        declare again: the cancellation's date 3 years on (None: this title bars nothing)."""
        if self.state != self.State.REVOKED or not self.revoked_for_misconduct:
            return None
        return timezone.localdate(self.revoked_at) + MISCONDUCT_BAR

    def status_on(self, on: date) -> str:
        """有效 / 已过期 (past its validity) / 已取消 / 未生效 — computed from the decision
        state and the dates."""
        if self.state == self.State.REVOKED:
            return "已取消"
        if on > self.valid_until:
            return "已过期"
        if on < self.valid_from:
            return "未生效"
        return "有效"


class RecognitionTerm(models.Model):
    """One validity period of a title: the first from its 认定 (or import, or an official's
    entry), each later one from a 复核 that passed (domain.md §2.8: 有效期延长三年). The title's
    own `valid_from`/`valid_until` span all of them; the newest term is the one in force."""

    class Source(models.TextChoices):
        RECOGNITION = "recognition", "认定"
        REREVIEW = "rereview", "复核通过"
        IMPORT = "import", "历史名单导入"
        ENTRY = "entry", "管理员录入"

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="terms",
                                    verbose_name="认定记录")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止")
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    batch = models.CharField("批次", max_length=50, blank=True)
    document_no = models.CharField("文号", max_length=60, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "有效期记录"
        verbose_name_plural = "有效期记录"
        ordering = ["recognition", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(name="term_valid_range",
                                   condition=Q(valid_until__gte=models.F("valid_from"))),
            models.UniqueConstraint(fields=["recognition", "valid_from"], name="term_one_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m-%d} 至 {self.valid_until:%Y-%m-%d}（{self.get_source_display()}）"


class RereviewSetting(models.Model):
    """When a title may apply for 复核 (认证到期管理 → 【去复核】): from `opens_months_before` months
    before its validity ends until `closes_months_after` months after (0 = the last day of
    validity). A row without a declaration region is the national default; a declaration
    region may set its own per tier. Without any row: the last 6 months of validity."""

    declaration_region = models.ForeignKey(
        DeclarationRegion, verbose_name="申报地区（空 = 全国）", null=True, blank=True,
        on_delete=models.CASCADE, related_name="rereview_settings")
    tier = models.CharField("层级", max_length=12, choices=Tier.choices)
    opens_months_before = models.PositiveSmallIntegerField(
        "到期前几个月可申请复核", default=6, validators=[MinValueValidator(1), MaxValueValidator(36)])
    closes_months_after = models.PositiveSmallIntegerField(
        "到期后几个月内仍可申请", default=0, validators=[MaxValueValidator(12)],
        help_text="0 = 有效期最后一天截止。")

    class Meta:
        verbose_name = "复核申请时间"
        verbose_name_plural = "复核申请时间"
        ordering = ["declaration_region", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["declaration_region", "tier"],
                                    name="rereview_setting_one_per_tier"),
            models.UniqueConstraint(fields=["tier"], condition=Q(declaration_region__isnull=True),
                                    name="rereview_setting_one_national_per_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_region or '全国'} · {self.get_tier_display()}"


class UpdateWindow(models.Model):
    """The annual information-update window of one year (default 1 January – 30 April).

    A row without a declaration region is the national window; a province may shift its own.
    """

    year = models.PositiveSmallIntegerField("年度")
    declaration_region = models.ForeignKey(
        DeclarationRegion, verbose_name="申报地区（空 = 全国）", null=True, blank=True,
        on_delete=models.CASCADE, related_name="update_windows",
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期（含当日）")

    history = AuditHistory(verbose_name="信息更新时间变更记录")

    class Meta:
        verbose_name = "信息更新时间"
        verbose_name_plural = "信息更新时间"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["year", "declaration_region"],
                                    name="update_window_one_per_year_region"),
            models.UniqueConstraint(fields=["year"], condition=Q(declaration_region__isnull=True),
                                    name="update_window_one_national_per_year"),
            models.CheckConstraint(name="update_window_range",
                                   condition=Q(ends_on__gte=models.F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.declaration_region or '全国'}"


class InfoUpdate(models.Model):
    """One annual information update (信息更新) of a recognised enterprise."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE,
                                   related_name="info_updates", verbose_name="企业")
    year = models.PositiveSmallIntegerField("更新年度")
    figures_year = models.PositiveSmallIntegerField("数据所属年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED)
    changes = models.JSONField("变更内容", default=dict,
                               help_text="字段 → {label, before, after}")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="提交人")
    submitted_at = models.DateTimeField("提交时间")
    opinion = models.CharField("退回意见", max_length=500, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name="退回人")
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度信息更新"
        verbose_name_plural = "年度信息更新"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="info_update_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年信息更新"


class ChangeType(models.TextChoices):
    RENAME = "rename", "更名"
    MERGER = "merger", "合并"
    SPLIT = "split", "分立"
    RESTRUCTURE = "restructure", "重组"
    RELOCATION = "relocation", "跨省迁移/注册地变更"
    OVERSEAS_BRANCH = "overseas_branch", "设立境外分支机构"
    CONTROLLER = "controller", "控股股东或实际控制人变更"
    MAIN_BUSINESS = "main_business", "主营业务或主导产品变更"
    OTHER = "other", "其他"


class MajorChange(models.Model):
    """A 重大变更 report (domain.md §2.6): due within 3 months of the change."""

    class Status(models.TextChoices):
        DRAFT = "draft", "暂存"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "不予通过"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE,
                                   related_name="major_changes", verbose_name="企业")
    change_type = models.CharField("变更类型", max_length=20, choices=ChangeType.choices)
    changed_on = models.DateField("变更日期")
    before = models.TextField("变更前情况")
    after = models.TextField("变更后情况")
    reason = models.TextField("变更原因")
    new_name = models.CharField("变更后企业名称", max_length=200, blank=True)
    new_region = models.ForeignKey(Region, verbose_name="变更后注册地", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_late = models.BooleanField("逾期报告（超过3个月）", default=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    opinion = models.CharField("审核意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name="审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    # The approval's outcome (domain.md §2.6): True 仍符合认定条件（称号及有效期不变）, False 不再
    # 符合认定条件 (the recognising level then cancels the titles); None until approved.
    still_meets = models.BooleanField("审核结论", null=True, blank=True, choices=[
        (True, "仍符合认定条件（称号及有效期不变）"), (False, "不再符合认定条件")])
    # The region whose officials review it: the enterprise's at submission (a move does not
    # take the report away from the officials who must decide it).
    review_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="审核区划")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "重大变更"
        verbose_name_plural = "重大变更"
        ordering = ["-created_at"]
        indexes = [
            # The officials' queue: submitted reports by status.
            models.Index(fields=["status", "-submitted_at"], name="change_status_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_change_type_display()}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def calls_for_cancellation(self) -> bool:
        """Approved as no longer meeting the conditions, or reported late (§2.7 items 1–2):
        the recognising level considers cancelling the titles or their 复核 eligibility."""
        return (self.status == self.Status.APPROVED and self.still_meets is False) or (
            self.is_late and self.status != self.Status.DRAFT)


def evidence_upload_to(instance: ChangeEvidence, filename: str) -> str:
    return private_path("change-evidence", filename)


class ChangeEvidence(models.Model):
    change = models.ForeignKey(MajorChange, on_delete=models.CASCADE, related_name="evidence",
                               verbose_name="重大变更")
    file = models.FileField("证明材料", upload_to=evidence_upload_to)
    sha256 = FileDigestField("SHA-256", source="file")
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name

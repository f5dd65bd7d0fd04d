"""Administrative regions (GB/T 2260) and the 37 declaration regions (domain.md §0.6)."""

from __future__ import annotations

from django.db import models


class DeclarationRegion(models.Model):
    """A region that runs its own declarations: a province, a 计划单列市 or the 兵团.

    An enterprise in a 计划单列市 declares there, not to its province (domain.md §0.6).
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", "省、自治区、直辖市"
        PLAN_CITY = "plan_city", "计划单列市"
        CORPS = "corps", "新疆生产建设兵团"

    code = models.CharField("代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    # The administrative region it stands for (none for the 兵团, which GB/T 2260 lacks).
    region = models.OneToOneField(
        "regions.Region",
        verbose_name="对应行政区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="as_declaration_region",
    )
    # Review chain: county → city → declaration region; a level may not exist (直辖市 have no
    # real city level) or may be switched off by the region (domain.md §0.6).
    county_review = models.BooleanField("区县初审", default=True)
    city_review = models.BooleanField("地市审核", default=True)
    ordering = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "申报地区"
        verbose_name_plural = "申报地区"
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """One GB/T 2260 division. Codes are hierarchical: 44 (广东) ⊃ 4403 (深圳) ⊃ 440305."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地市级"
        COUNTY = "county", "区县级"

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=40)
    full_name = models.CharField("全称", max_length=120, db_index=True)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # 市辖区 / 县 / 省直辖县级行政区划: statistical stand-ins, not real city governments.
    placeholder = models.BooleanField("统计用虚拟层级", default=False)
    # A county, or a city with no counties (东莞, 中山, 儋州): what an enterprise's 注册地 may be.
    registrable = models.BooleanField("可作为注册地", default=False)
    declaration_region = models.ForeignKey(
        DeclarationRegion,
        verbose_name="申报地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regions",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def code_prefix(self) -> str:
        """The prefix every code inside this region starts with."""
        if self.level == self.Level.PROVINCE:
            return self.code[:2]
        if self.level == self.Level.CITY:
            return self.code[:4]
        return self.code

    @property
    def is_county(self) -> bool:
        return self.level == self.Level.COUNTY

    @property
    def is_registrable(self) -> bool:
        return self.registrable

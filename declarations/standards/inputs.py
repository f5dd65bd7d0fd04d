"""Input figures shared by every standard version (2022 tier inputs live here too).

All fields are optional on purpose: the engine never raises on a missing figure, it
reports it (see ``results.Missing``).  Money is in 万元 (``Decimal``, two decimals once
read through ``rules.money``); counts are ``int``; yes/no facts are ``bool | None``.

Two kinds of yes/no inputs exist and are documented field by field:
* **facts the enterprise declares** (e.g. 拥有自主品牌): ``None`` = not filled in, the
  condition fails and the field is reported missing;
* **judgements an official makes** (e.g. 产业链配套, 参评基本条件): ``None`` = not yet
  judged, the condition is 需人工判断.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from declarations.standards.features import FeatureConfig, FeatureValue


@dataclass(frozen=True, slots=True)
class YearFigures:
    """The figures of one financial year, money in 万元.

    ``new_equity_financing`` is 新增股权融资 from 合格机构投资者 (paid-in amount) received
    in that year; windows such as 近三年/近2年 are sums over the years in ``Financials``.
    """

    operating_revenue: Decimal | None = None  # 营业收入
    main_business_revenue: Decimal | None = None  # 主营业务收入
    rd_expense: Decimal | None = None  # 研发费用
    net_profit: Decimal | None = None  # 净利润
    total_assets: Decimal | None = None  # 资产总额 (年末)
    total_liabilities: Decimal | None = None  # 负债总额 (年末)
    new_equity_financing: Decimal | None = None  # 新增股权融资（合格机构投资者实缴额）
    employees: int | None = None  # 职工总数
    rd_staff: int | None = None  # 研发人员


@dataclass(frozen=True, slots=True)
class Financials:
    """Three financial years counted back from the declaration year N.

    ``last_year`` is 上年度 (N−1), ``year_before`` 上上年度 (N−2) and
    ``two_years_before`` N−3 (only needed for the growth rate of N−2 inside
    近2年平均增长率 and for 近三年 sums).
    """

    last_year: YearFigures = field(default_factory=YearFigures)
    year_before: YearFigures = field(default_factory=YearFigures)
    two_years_before: YearFigures = field(default_factory=YearFigures)


# Paths and Chinese labels used when a figure is reported missing.
YEAR_LABELS: dict[str, str] = {
    "last_year": "上年度",
    "year_before": "上上年度",
    "two_years_before": "上上上年度",
}
FIGURE_LABELS: dict[str, str] = {
    "operating_revenue": "营业收入",
    "main_business_revenue": "主营业务收入",
    "rd_expense": "研发费用",
    "net_profit": "净利润",
    "total_assets": "资产总额",
    "total_liabilities": "负债总额",
    "new_equity_financing": "新增股权融资",
    "employees": "职工总数",
    "rd_staff": "研发人员数",
}


@dataclass(frozen=True, slots=True)
class IpCounts:
    """Counts of valid IP related to the 主导产品, by the §3.4 definitions.

    The classes overlap on purpose: a high-value invention patent the enterprise developed
    itself counts in ``high_value_class1``, ``self_developed_class1`` and ``class1``.
    """

    high_value_class1: int | None = None  # Ⅰ类高价值知识产权
    self_developed_class1: int | None = None  # 自主研发的Ⅰ类知识产权
    class1: int | None = None  # Ⅰ类知识产权 (转让未满1年的不计入)
    class2: int | None = None  # Ⅱ类知识产权
    class1_applied: int | None = None  # Ⅰ类，已实际应用并产生经济效益 (小巨人 §3.3 四(3))


class RdInstitutionLevel(StrEnum):
    """Highest level of R&D institution the enterprise has (§3.2 indicator 13)."""

    NATIONAL = "national"  # 国家级
    PROVINCIAL = "provincial"  # 省级 (省部级)
    MUNICIPAL = "municipal"  # 市级
    BELOW_MUNICIPAL = "below_municipal"  # 市级以下
    NONE = "none"  # 未建立


class Honor(StrEnum):
    """Honours valid today that make 创新型 pass directly (§3.1 direct condition 2)."""

    HIGH_TECH = "high_tech"  # 高新技术企业
    TECH_INNOVATION_DEMO = "tech_innovation_demo"  # 国家级技术创新示范企业
    IP_ADVANTAGE = "ip_advantage"  # 知识产权优势企业
    IP_DEMO = "ip_demo"  # 知识产权示范企业


class AwardLevel(StrEnum):
    NATIONAL = "national"  # 国家级科技奖励
    PROVINCIAL = "provincial"  # 省级(省部级)科技奖励


@dataclass(frozen=True, slots=True)
class Award:
    """A science and technology award received in the last three years (近三年).

    ``rank`` is the enterprise's place among the winning units (1 = first); ``None`` when
    the certificate gives no rank.
    """

    level: AwardLevel
    rank: int | None = None


class SpecializedProductField(StrEnum):
    """§3.2 indicator 4 主导产品所属领域情况 (A/B/C)."""

    KEY_LINK = "key_link"  # A 补短板/锻长板/填空白取得实际成效
    FOUNDATION = "foundation"  # B 工业"六基"、中华老字号、服务重点龙头企业
    OTHER = "other"  # C 不属于以上情况


class QualityItem(StrEnum):
    """§3.2 indicator 6 质量管理水平: each item met earns 3 points, at most 5."""

    QUALITY_AWARD = "quality_award"  # A 省级以上质量奖荣誉
    QMS_CERTIFIED = "qms_certified"  # B 质量管理体系认证 (ISO9001 等)
    OWN_BRAND = "own_brand"  # C 拥有自主品牌
    STANDARDS = "standards"  # D 参与制修订标准


@dataclass(frozen=True, slots=True)
class BasicEligibility:
    """参评基本条件 of §2.2, judged by officials (``None`` = not yet judged → 需人工判断)."""

    registered_sme: bool | None = None  # 境内注册、独立法人、符合《中小企业划型标准规定》
    not_on_credit_blacklist: bool | None = None  # 未列入经营异常名录或严重失信主体名单
    products_permitted: bool | None = None  # 产品（服务）不属于禁止、限制或淘汰类
    no_major_incident: bool | None = None  # 近三年无重大安全、质量、环境事故及违法违规行为

    @classmethod
    def confirmed(cls) -> BasicEligibility:
        """All four conditions confirmed by an official."""
        return cls(True, True, True, True)


@dataclass(frozen=True, slots=True)
class InnovativeInput:
    """A 创新型中小企业 declaration (§3.1)."""

    financials: Financials = field(default_factory=Financials)
    ip: IpCounts = field(default_factory=IpCounts)
    # indicator 5: 主导产品属于《战略性新兴产业分类》 (True) or another field (False);
    # declared by the enterprise.
    strategic_emerging_product: bool | None = None
    honors: frozenset[Honor] = frozenset()  # direct condition 2, valid honours only
    awards: tuple[Award, ...] = ()  # direct condition 1, 近三年
    rd_institution: RdInstitutionLevel | None = None  # direct condition 3
    eligibility: BasicEligibility = field(default_factory=BasicEligibility)


@dataclass(frozen=True, slots=True)
class SpecializedInput:
    """A 专精特新中小企业 declaration (§3.2).

    ``features`` is the province's 特色化 configuration (indicator 9) and
    ``feature_values`` the enterprise's answers keyed by ``FeatureIndicator.key``.
    """

    financials: Financials = field(default_factory=Financials)
    ip: IpCounts = field(default_factory=IpCounts)
    niche_years: Decimal | None = None  # 从事特定细分市场年限（截至上年末）
    product_field: SpecializedProductField | None = None  # indicator 4
    digital_level: int | None = None  # indicator 5: latest 数字化水平评测 level, 0 = 未达一级
    quality_items: frozenset[QualityItem] | None = None  # indicator 6
    rd_institution: RdInstitutionLevel | None = None  # indicator 13
    awards: tuple[Award, ...] = ()  # condition 4 direct 1
    maker_china_rank: int | None = None  # "创客中国"全国企业组最好名次（近三年）, None = 未入围
    features: FeatureConfig | None = None
    feature_values: Mapping[str, FeatureValue] = field(default_factory=dict)
    eligibility: BasicEligibility = field(default_factory=BasicEligibility)


@dataclass(frozen=True, slots=True)
class GiantInput:
    """A 专精特新"小巨人" declaration (§3.3).

    Facts the enterprise declares: ``core_business_it_system``, ``management_certification``,
    ``own_brand`` (``None`` → missing, fails).  Officials' judgements: ``governance_sound``,
    ``distinctive_advantage``, ``industrial_chain_role`` (链), ``priority_product_field`` (品)
    and ``holds_valid_specialized`` (``None`` → 需人工判断).
    """

    financials: Financials = field(default_factory=Financials)
    ip: IpCounts = field(default_factory=IpCounts)
    holds_valid_specialized: bool | None = None  # 有效期内的省级专精特新中小企业 (§2.1)
    niche_years: Decimal | None = None  # 截至上年末从事特定细分市场年限
    key_field_breakthrough: bool | None = None  # 关键领域补短板/填空白 (only for the exception)
    governance_sound: bool | None = None  # 重视长期发展战略、治理规范 (judgement)
    core_business_it_system: bool | None = None  # 至少1项核心业务采用信息系统支撑
    management_certification: bool | None = None  # 管理体系认证或发达国家和地区产品认证
    niche_market_share: Decimal | None = None  # 主导产品全国细分市场占有率, percent
    distinctive_advantage: bool | None = None  # 技术和产品独特优势、较高知名度 (judgement)
    own_brand: bool | None = None  # 拥有直接面向市场并具有竞争优势的自主品牌
    rd_institution: RdInstitutionLevel | None = None  # 新 一般性条件 (2)
    awards: tuple[Award, ...] = ()  # 新 直通条件 (1)
    maker_china_rank: int | None = None  # 新 直通条件 (2)
    industrial_chain_role: bool | None = None  # 五、产业链配套 (judgement)
    priority_product_field: bool | None = None  # 六、主导产品所属领域 (judgement)
    eligibility: BasicEligibility = field(default_factory=BasicEligibility)

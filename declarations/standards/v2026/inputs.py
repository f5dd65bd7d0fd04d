"""Inputs of the 2026 hard conditions (§3.5).  Same conventions as ``inputs``: money in 万元,
``None`` for a missing figure; judgement flags ``None`` → 需人工判断."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from declarations.standards.inputs import (
    Award,
    BasicEligibility,
    Financials,
    IpCounts,
    RdInstitutionLevel,
)


@dataclass(frozen=True, slots=True)
class SpecializedInput2026:
    """A 专精特新中小企业 declaration under the 2026 rules.

    ``development_score`` is this year's 专精特新发展评价得分 (platform-computed);
    for a 复核 (``renewal=True``) either it or ``development_score_prior`` must reach 50.
    """

    financials: Financials = field(default_factory=Financials)
    ip: IpCounts = field(default_factory=IpCounts)  # uses class1_applied
    holds_tech_innovative: bool | None = None  # 已获科技和创新型中小企业称号 (judgement)
    niche_years: Decimal | None = None
    awards: tuple[Award, ...] = ()  # IP exemption: 省部级以上科技奖励排名前三
    rd_institution: RdInstitutionLevel | None = None  # IP exemption: 省部级以上研发机构
    market_position_leading: bool | None = None  # 主导产品细分市场占有率较为靠前 (judgement)
    development_score: Decimal | None = None
    development_score_prior: Decimal | None = None
    renewal: bool = False  # 复核
    eligibility: BasicEligibility = field(default_factory=BasicEligibility)


@dataclass(frozen=True, slots=True)
class GiantInput2026:
    """A 小巨人 declaration under the 2026 rules.

    ``class1_own`` counts Ⅰ类知识产权 related to the 主导产品, not transferred in, with the
    enterprise among the first three right holders.
    """

    financials: Financials = field(default_factory=Financials)
    class1_own: int | None = None
    holds_valid_specialized: bool | None = None  # judgement
    niche_years: Decimal | None = None
    awards: tuple[Award, ...] = ()  # IP exemption: 近三年国家级科技奖励排名前三
    niche_market_share: Decimal | None = None  # percent
    domestic_rank: int | None = None  # 主导产品国内细分市场排名
    priority_product_field: bool | None = None  # 六基/产业链关键环节 (judgement)
    development_score: Decimal | None = None
    renewal: bool = False  # 复核: 营收复合增长率不考查
    eligibility: BasicEligibility = field(default_factory=BasicEligibility)

"""From a declaration's form to the engine: what each standard asks, section by section, and
the engine input built from what the enterprise typed.

`form_data` is JSON: ``{section: {field: value}}``, values as the forms normalised them
(money and decimals as strings, counts as ints, yes/no as booleans, choices as their codes,
several choices as lists). ``figures`` is ``{year: {figure: value}}`` for the three financial
years counted back from the window's year N (N−1, N−2, N−3).

Judgements officials make (参评基本条件, 链, 品 …) are not asked here: the engine reports them
as 需人工判断 until an official records them in the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from assessment.selectors import latest_result
from common.tiers import Tier
from declarations.standards import get_standard
from declarations.standards.features import FeatureConfig
from declarations.standards.inputs import (
    Award,
    AwardLevel,
    BasicEligibility,
    Financials,
    Honor,
    IpCounts,
    QualityItem,
    RdInstitutionLevel,
    SpecializedProductField,
    YearFigures,
)
from declarations.standards.results import EvaluationResult
from declarations.standards.validation import InvalidInput
from enterprises.models import Enterprise

from .models import Declaration


@dataclass(frozen=True, slots=True)
class Field:
    """One question of the form: `name` in its section, `kind` decides the form field."""

    name: str
    label: str
    kind: str  # money | int | decimal | percent | yesno | choice | choices | awards | rank
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


FIGURES = (("operating_revenue", "营业收入（万元）"), ("main_business_revenue", "主营业务收入（万元）"),
           ("rd_expense", "研发费用（万元）"), ("net_profit", "净利润（万元）"),
           ("total_assets", "资产总额（万元）"), ("total_liabilities", "负债总额（万元）"),
           ("new_equity_financing", "新增股权融资（万元）"), ("employees", "职工总数（人）"),
           ("rd_staff", "研发人员数（人）"))
COUNT_FIGURES = {"employees", "rd_staff"}

RD_INSTITUTION = ((RdInstitutionLevel.NATIONAL, "国家级"), (RdInstitutionLevel.PROVINCIAL, "省级（省部级）"),
                  (RdInstitutionLevel.MUNICIPAL, "市级"),
                  (RdInstitutionLevel.BELOW_MUNICIPAL, "市级以下"), (RdInstitutionLevel.NONE, "未建立"))
HONORS = ((Honor.HIGH_TECH, "高新技术企业"), (Honor.TECH_INNOVATION_DEMO, "国家级技术创新示范企业"),
          (Honor.IP_ADVANTAGE, "知识产权优势企业"), (Honor.IP_DEMO, "知识产权示范企业"))
PRODUCT_FIELD = ((SpecializedProductField.KEY_LINK, "A. 在产业链供应链关键环节补短板、锻长板、填空白取得实际成效"),
                 (SpecializedProductField.FOUNDATION, "B. 属于工业“六基”领域、中华老字号名录或服务国家重点产业链龙头企业"),
                 (SpecializedProductField.OTHER, "C. 不属于以上情况"))
QUALITY = ((QualityItem.QUALITY_AWARD, "A. 获得省级以上质量奖荣誉"),
           (QualityItem.QMS_CERTIFIED, "B. 建立质量管理体系，获得ISO9001等质量管理体系认证证书"),
           (QualityItem.OWN_BRAND, "C. 拥有自主品牌"),
           (QualityItem.STANDARDS, "D. 参与制修订标准"))
AWARD_LEVELS = ((AwardLevel.NATIONAL, "国家级科技奖励"), (AwardLevel.PROVINCIAL, "省级（省部级）科技奖励"))

IP_FIELDS = {
    "high_value_class1": Field("high_value_class1", "Ⅰ类高价值知识产权（件）", "int"),
    "self_developed_class1": Field("self_developed_class1", "自主研发的Ⅰ类知识产权（件）", "int"),
    "class1": Field("class1", "Ⅰ类知识产权（件）", "int", help="转让未满1年的不计入"),
    "class2": Field("class2", "Ⅱ类知识产权（件）", "int"),
    "class1_applied": Field("class1_applied", "已实际应用并产生经济效益的Ⅰ类知识产权（件）", "int"),
}

# What each (version, tier) asks, by section, in order. "figures" and "features" are built
# by the forms from FIGURES and the window's 特色化 configuration.
_INNOVATION_COMMON = (
    Field("rd_institution", "研发机构建设情况（最高级别）", "choice", RD_INSTITUTION),
    Field("awards", "近三年获得的科技奖励（级别、排名）", "awards", AWARD_LEVELS),
)
SPECS: dict[tuple[str, str], dict[str, tuple[Field, ...]]] = {
    ("2022", Tier.INNOVATIVE): {
        "figures": (),
        "ip": (IP_FIELDS["high_value_class1"], IP_FIELDS["self_developed_class1"],
               IP_FIELDS["class1"], IP_FIELDS["class2"]),
        "innovation": (
            Field("strategic_emerging_product", "主导产品属于《战略性新兴产业分类》", "yesno"),
            Field("honors", "有效期内的荣誉资质", "choices", HONORS),
            *_INNOVATION_COMMON,
        ),
    },
    ("2022", Tier.SPECIALIZED): {
        "figures": (),
        "ip": (IP_FIELDS["high_value_class1"], IP_FIELDS["self_developed_class1"],
               IP_FIELDS["class1"], IP_FIELDS["class2"]),
        "specialization": (
            Field("niche_years", "从事特定细分市场年限（截至上年末，年）", "decimal"),
            Field("product_field", "主导产品所属领域情况", "choice", PRODUCT_FIELD),
            Field("quality_items", "质量管理水平（可多选）", "choices", QUALITY),
        ),
        "innovation": (
            *_INNOVATION_COMMON,
            Field("maker_china_rank", "近三年“创客中国”中小企业创新创业大赛全国企业组最好名次（未入围不填）",
                  "rank"),
        ),
        "features": (),
    },
    ("2022", Tier.GIANT): {
        "figures": (),
        "ip": (IP_FIELDS["high_value_class1"], IP_FIELDS["self_developed_class1"],
               IP_FIELDS["class1"], IP_FIELDS["class2"], IP_FIELDS["class1_applied"]),
        "specialization": (
            Field("niche_years", "从事特定细分市场年限（截至上年末，年）", "decimal"),
            Field("niche_market_share", "主导产品全国细分市场占有率（%）", "percent"),
            Field("key_field_breakthrough", "在关键领域补短板、填空白", "yesno"),
            Field("core_business_it_system", "至少1项核心业务采用信息系统支撑", "yesno"),
            Field("management_certification", "获得管理体系认证或发达国家和地区产品认证", "yesno"),
            Field("own_brand", "拥有直接面向市场并具有竞争优势的自主品牌", "yesno"),
        ),
        "innovation": (
            *_INNOVATION_COMMON,
            Field("maker_china_rank", "近三年“创客中国”中小企业创新创业大赛全国企业组最好名次（未入围不填）",
                  "rank"),
        ),
    },
}
SECTION_LABELS = {"figures": "经营数据", "ip": "知识产权", "specialization": "专业化与精细化",
                  "innovation": "创新能力", "features": "特色化指标"}
# Engine input fields the enterprise answers (the rest are officials' judgements).
_ENTERPRISE_FIELDS = {f.name for spec in SPECS.values() for fields in spec.values() for f in fields}


def spec(tier: str, version: str) -> dict[str, tuple[Field, ...]]:
    """The sections of the form of `tier` under `version` (2026 windows use the 2022 form until
    the 2026 forms are written: its hard conditions read the same figures)."""
    return SPECS.get((version, Tier(tier))) or SPECS[("2022", Tier(tier))]


def sections(tier: str, version: str) -> list[str]:
    return list(spec(tier, version))


def figure_years(year: int) -> tuple[int, int, int]:
    """N−1, N−2, N−3 for the declaration's year N (`Declaration.year`)."""
    return year - 1, year - 2, year - 3


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def initial_data(*, enterprise: Enterprise, tier: str, year: int,
                 standard_version: str) -> dict[str, Any]:
    """A new draft: the figures of the needed years from the profile (editable in the form),
    the years in the niche from 专注细分市场起始时间."""
    by_year = {f.year: f for f in enterprise.figures.all()}
    figures: dict[str, dict[str, Any]] = {}
    last = figure_years(year)[0]
    for each in figure_years(year):
        row = by_year.get(each)
        values: dict[str, Any] = {}
        for name, _label in FIGURES:
            if name in COUNT_FIGURES:
                values[name] = getattr(enterprise, name) if each == last else None
            else:
                values[name] = _text(getattr(row, name, None)) if row is not None else None
        figures[str(each)] = values
    data: dict[str, Any] = {"figures": figures}
    if enterprise.niche_since and "specialization" in spec(tier, standard_version):
        end = timezone.datetime(last, 12, 31).date()
        years = Decimal((end - enterprise.niche_since).days) / Decimal("365.25")
        data["specialization"] = {"niche_years": str(max(years, Decimal(0)).quantize(Decimal("0.1")))}
    return data


def _dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _year(values: dict[str, Any] | None) -> YearFigures:
    values = values or {}
    return YearFigures(**{name: (_int(values.get(name)) if name in COUNT_FIGURES
                                 else _dec(values.get(name))) for name, _label in FIGURES})


def _financials(declaration: Declaration) -> Financials:
    figures = declaration.form_data.get("figures") or {}
    last, before, two_before = figure_years(declaration.year)
    return Financials(_year(figures.get(str(last))), _year(figures.get(str(before))),
                      _year(figures.get(str(two_before))))


def _ip(section: dict[str, Any]) -> IpCounts:
    return IpCounts(**{name: _int(section.get(name)) for name in IP_FIELDS})


def _awards(section: dict[str, Any]) -> tuple[Award, ...]:
    return tuple(Award(AwardLevel(a["level"]), _int(a.get("rank")))
                 for a in section.get("awards") or () if a.get("level"))


def _choice(enum: type, value: Any) -> Any:
    return enum(value) if value else None


# Items the engine leaves to officials (None → 需人工判断), by input path.
ELIGIBILITY = (("registered_sme", "境内注册、独立法人，符合《中小企业划型标准规定》"),
               ("not_on_credit_blacklist", "未列入经营异常名录或严重失信主体名单"),
               ("products_permitted", "产品（服务）不属于国家禁止、限制或淘汰类"),
               ("no_major_incident", "近三年未发生重大安全、质量、环境污染等事故及违法违规行为"))
JUDGEMENT_LABELS = {
    "holds_valid_specialized": "有效期内的省级专精特新中小企业",
    "governance_sound": "重视长期发展战略、公司治理规范",
    "distinctive_advantage": "技术和产品有自身独特优势，享有较高知名度和影响力",
    "industrial_chain_role": "产业链配套（链）：位于产业链关键环节",
    "priority_product_field": "主导产品所属领域（品）：属于重点领域",
    "holds_tech_innovative": "已获科技和创新型中小企业称号",
    "market_position_leading": "主导产品细分市场占有率较为靠前",
}


def judgement_fields(tier: str, version: str) -> list[tuple[str, str]]:
    """(input path, label) of every item officials judge for this standard."""
    accepted = set(get_standard(version, tier).input_type.__dataclass_fields__)
    items = [(f"eligibility.{name}", label) for name, label in ELIGIBILITY]
    items += [(name, label) for name, label in JUDGEMENT_LABELS.items() if name in accepted]
    return items


def build_input(declaration: Declaration, judgements: dict[str, bool] | None = None) -> Any:
    """The engine input of the standard the declaration is judged by; `judgements` (input path
    → True/False) are the officials' answers to the items left to them."""
    data = declaration.form_data
    ip, spec_, innov = data.get("ip") or {}, data.get("specialization") or {}, data.get("innovation") or {}
    standard = get_standard(declaration.standard_version, declaration.tier)
    common: dict[str, Any] = {"financials": _financials(declaration)}
    if declaration.tier == Tier.INNOVATIVE:
        values = {**common, "ip": _ip(ip), "strategic_emerging_product": innov.get("strategic_emerging_product"),
                  "honors": frozenset(Honor(h) for h in innov.get("honors") or ()),
                  "awards": _awards(innov),
                  "rd_institution": _choice(RdInstitutionLevel, innov.get("rd_institution"))}
    elif declaration.tier == Tier.SPECIALIZED:
        level = latest_result(declaration.enterprise)
        config = declaration.features
        quality = spec_.get("quality_items")
        values = {**common, "ip": _ip(ip), "niche_years": _dec(spec_.get("niche_years")),
                  "product_field": _choice(SpecializedProductField, spec_.get("product_field")),
                  "digital_level": _digital_level(level),
                  "quality_items": None if quality is None else frozenset(QualityItem(q) for q in quality),
                  "rd_institution": _choice(RdInstitutionLevel, innov.get("rd_institution")),
                  "awards": _awards(innov), "maker_china_rank": _int(innov.get("maker_china_rank")),
                  "features": FeatureConfig.from_dict(config) if config else None,
                  "feature_values": _feature_values(data.get("features") or {})}
    else:
        values = {**common, "ip": _ip(ip), "niche_years": _dec(spec_.get("niche_years")),
                  "niche_market_share": _dec(spec_.get("niche_market_share")),
                  **{k: spec_.get(k) for k in ("key_field_breakthrough", "core_business_it_system",
                                               "management_certification", "own_brand")},
                  "rd_institution": _choice(RdInstitutionLevel, innov.get("rd_institution")),
                  "awards": _awards(innov), "maker_china_rank": _int(innov.get("maker_china_rank"))}
    accepted = set(standard.input_type.__dataclass_fields__)
    judged = judgements or {}
    values["eligibility"] = BasicEligibility(**{
        name: judged.get(f"eligibility.{name}") for name, _label in ELIGIBILITY})
    values.update({k: v for k, v in judged.items() if "." not in k})
    # A 复核 is judged as one where the standard says so (2026: 营收增长率不考查 …).
    values["renewal"] = declaration.kind == Declaration.Kind.REREVIEW
    return standard.input_type(**{k: v for k, v in values.items() if k in accepted})


def _digital_level(found: Any) -> int | None:
    """The level of the latest submitted assessment (0 = 未达一级), None without one."""
    return None if found is None else int(found[0])


def _feature_values(section: dict[str, Any]) -> dict[str, Any]:
    return {k: (_dec(v) if isinstance(v, (int, float, str)) and _dec(v) is not None else v)
            for k, v in section.items() if v not in (None, "")}


def evaluate(declaration: Declaration, judgements: dict[str, bool] | None = None) -> EvaluationResult:
    """The engine's result for the declaration as it stands (the live preview, and the copy
    frozen at submission).

    Inputs the engine refuses as impossible (a negative count, a rank below 1 …) raise a
    ValidationError with the engine's Chinese messages (the forms refuse them first; this
    keeps data that reached the row another way from ever giving a 500).
    """
    try:
        return get_standard(declaration.standard_version, declaration.tier).evaluate(
            build_input(declaration, judgements))
    except InvalidInput as exc:
        raise ValidationError([m for ms in exc.message_dict.values() for m in ms]) from None


def enterprise_missing(declaration: Declaration, result: EvaluationResult) -> list[str]:
    """The labels of missing inputs the enterprise must give (not officials' judgements)."""
    labels = []
    for item in result.missing_inputs:
        head = item.field.split(".")[0]
        if head in ("financials", "ip", "feature_values") or head in _ENTERPRISE_FIELDS:
            labels.append(item.label)
    return labels


def profile_snapshot(enterprise: Enterprise) -> dict[str, Any]:
    """The enterprise's information as filed with the declaration (JSON-safe)."""
    fields = ["name", "uscc", "address", "founded_on", "registered_capital", "scale",
              "legal_representative", "contact_person", "contact_phone", "contact_email",
              "main_product", "niche_market", "niche_since", "employees", "rd_staff"]
    data = {name: _text(getattr(enterprise, name, None)) for name in fields}
    data["scale_label"] = enterprise.get_scale_display() if enterprise.scale else ""
    data["region"] = str(enterprise.region) if enterprise.region_id else ""
    data["industry"] = (f"{enterprise.industry.code} {enterprise.industry.name}"
                        if enterprise.industry_id else "")
    data["figures"] = {str(f.year): {name: _text(getattr(f, name, None)) for name, _l in FIGURES
                                     if name not in COUNT_FIGURES}
                       for f in enterprise.figures.all()}
    return data

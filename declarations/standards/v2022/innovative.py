"""创新型中小企业评价 (2022, §3.1 附件1): six indicators, 60-point pass with group floors,
or any of four direct conditions."""

from __future__ import annotations

from decimal import Decimal

from declarations.standards import common, figures, rules
from declarations.standards.common import Reader
from declarations.standards.inputs import Financials, InnovativeInput
from declarations.standards.results import (
    ConditionResult,
    EvaluationResult,
    GroupResult,
    IndicatorResult,
    Outcome,
)
from declarations.standards.v2022 import data as d

TIER = "innovative"
LAST = "last_year"


def _rd_ratio(fin: Financials) -> IndicatorResult:
    """§3.1 indicator 2: 上年度研发费用总额占营业收入总额比重."""
    r = Reader()
    return common.band_indicator("2", "上年度研发费用总额占营业收入总额比重", "创新能力", r,
                                 figures.rd_ratio(r, fin), d.INNOVATIVE_RD_RATIO)


def _main_growth(fin: Financials) -> IndicatorResult:
    """§3.1 indicator 3: 上年度主营业务收入增长率 = (N−1 − N−2) ÷ N−2."""
    r = Reader()
    figure = figures.growth(r, fin, "main_business_revenue", LAST, "year_before")
    return common.band_indicator("3", "上年度主营业务收入增长率", "成长性", r, figure,
                                 d.INNOVATIVE_MAIN_GROWTH)


def debt_ratio(fin: Financials, key: str, group: str, table: rules.BandTable) -> IndicatorResult:
    """上年度资产负债率 = 负债总额 ÷ 资产总额 (§3.1 indicator 4, §3.2 indicator 8)."""
    r = Reader()
    return common.band_indicator(key, "上年度资产负债率", group, r, figures.debt_ratio(r, fin),
                                 table)


def main_share(fin: Financials, key: str, group: str, table: rules.BandTable) -> IndicatorResult:
    """上年度主营业务收入占营业收入比重 (§3.1 indicator 6, §3.2 indicator 1)."""
    r = Reader()
    return common.band_indicator(key, "上年度主营业务收入总额占营业收入总额比重", group, r,
                                 figures.main_share(r, fin), table)


def _indicators(inp: InnovativeInput) -> tuple[IndicatorResult, ...]:
    fin = inp.financials
    return (
        # §3.1 indicator 1
        common.ip_indicator("1", "与企业主导产品相关的有效知识产权数量", "创新能力", inp.ip,
                            d.INNOVATIVE_IP_TIERS),
        _rd_ratio(fin),
        _main_growth(fin),
        debt_ratio(fin, "4", "成长性", d.INNOVATIVE_DEBT_RATIO),
        # §3.1 indicator 5 — declared by the enterprise
        common.choice_indicator("5", "主导产品所属领域情况", "专业化",
                                "strategic_emerging_product", "主导产品所属领域",
                                inp.strategic_emerging_product, d.INNOVATIVE_PRODUCT_FIELD),
        main_share(fin, "6", "专业化", d.INNOVATIVE_MAIN_SHARE),
    )


def _direct(inp: InnovativeInput) -> tuple[ConditionResult, ...]:
    """§3.1 direct conditions 1–4."""
    honours = common.Reader()
    honours.take("honors", "有效期内荣誉", inp.honors, required=False)
    honor_names = {
        "high_tech": "高新技术企业", "tech_innovation_demo": "国家级技术创新示范企业",
        "ip_advantage": "知识产权优势企业", "ip_demo": "知识产权示范企业",
    }
    held = "、".join(honor_names[h.value] for h in sorted(inp.honors))
    honour = common.condition(
        "direct.2", "获得高新技术企业等有效期内荣誉",
        Outcome.PASS if inp.honors else Outcome.FAIL,
        f"持有：{held}" if inp.honors else "未申报有效期内的相关荣誉", reader=honours,
    )
    inst = common.Reader()
    inst.take("rd_institution", "研发机构级别", inp.rd_institution, required=False)
    has_inst = inp.rd_institution in d.INNOVATIVE_RD_INSTITUTIONS
    institution = common.condition(
        "direct.3", "拥有经认定的省部级以上研发机构",
        Outcome.PASS if has_inst else Outcome.FAIL,
        "拥有省部级以上研发机构" if has_inst else "未申报省部级以上研发机构", reader=inst,
    )
    eq = common.Reader()
    total = figures.window_total(eq, inp.financials, d.INNOVATIVE_EQUITY_YEARS,
                                 "new_equity_financing", "近三年新增股权融资总额")
    equity = common.threshold("direct.4", "近三年新增股权融资总额500万元以上", eq, total,
                              d.INNOVATIVE_EQUITY_DIRECT)
    return (
        common.award_condition("direct.1", "近三年获得国家级、省级科技奖励", inp.awards,
                               d.INNOVATIVE_AWARD_LIMITS),
        honour,
        institution,
        equity,
    )


def _groups(indicators: tuple[IndicatorResult, ...]) -> tuple[GroupResult, ...]:
    groups = []
    for name, (maximum, floor) in d.INNOVATIVE_GROUPS.items():
        points = sum(i.points for i in indicators if i.group == name)
        ok = rules.at_least(Decimal(points), Decimal(floor))
        groups.append(GroupResult(name, points, maximum, floor,
                                  Outcome.PASS if ok else Outcome.FAIL))
    return tuple(groups)


def evaluate(inp: InnovativeInput, *, version: str = d.VERSION) -> EvaluationResult:
    """Evaluate a 创新型 declaration under §3.1 (never raises on missing figures)."""
    indicators = _indicators(inp)
    groups = _groups(indicators)
    total = sum(i.points for i in indicators)
    direct = _direct(inp)
    # §3.1: 评价得分 ≥ 60 且 创新能力 ≥ 20、成长性 ≥ 15、专业化 ≥ 15，或满足直通条件之一
    score_ok = rules.at_least(Decimal(total), Decimal(d.INNOVATIVE_PASS_TOTAL))
    floors_ok = all(g.outcome is Outcome.PASS for g in groups)
    floors = "、".join(f"{g.name}{g.points}分（下限{g.floor}）" for g in groups)
    passed_direct = [c for c in direct if c.passed]
    if passed_direct:
        outcome = Outcome.PASS
        reason = "满足直通条件：" + "；".join(c.name for c in passed_direct)
    elif score_ok and floors_ok:
        outcome = Outcome.PASS
        reason = f"评价得分{total}分 ≥ {d.INNOVATIVE_PASS_TOTAL}分，且{floors}均达到下限"
    else:
        outcome = Outcome.FAIL
        problems = []
        if not score_ok:
            problems.append(f"评价得分{total}分 < {d.INNOVATIVE_PASS_TOTAL}分")
        problems.extend(f"{g.name}{g.points}分 < {g.floor}分" for g in groups
                        if g.outcome is not Outcome.PASS)
        reason = "；".join(problems) + "，且不满足任一直通条件"
    main = common.condition("score_or_direct", "评价得分达标或满足直通条件", outcome, reason,
                            group="评价结果")
    mandatory = (*common.eligibility_conditions(inp.eligibility), main)
    verdict, reasons = common.verdict_from(mandatory, meets=(reason,))
    return EvaluationResult(
        version=version, tier=TIER, title=d.INNOVATIVE_TITLE, basis=f"{d.BASIS} 附件1",
        indicators=indicators, groups=groups, total=total, max_total=100,
        mandatory=mandatory, direct=direct, verdict=verdict, reasons=reasons,
        missing_inputs=common.collect_missing(indicators, (*mandatory, *direct)),
    )

"""专精特新中小企业 under the 2026 rules (§3.5): every hard condition must be met.

The 2022 scorecard, direct conditions and 特色化 are abolished; the 专精特新发展评价 score
comes from the platform and is checked against its threshold here.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from declarations.standards import common, figures, rules
from declarations.standards.common import Reader
from declarations.standards.results import ConditionResult, EvaluationResult, Outcome
from declarations.standards.v2022.giant import figure_condition, niche_condition
from declarations.standards.v2022.specialized import revenue_or_equity
from declarations.standards.v2026 import data as d
from declarations.standards.v2026.inputs import SpecializedInput2026

TIER = "specialized"
GROUP = "认定条件"


def development_score(key: str, score: Decimal | None, prior: Decimal | None, edge: Decimal,
                      *, renewal: bool) -> ConditionResult:
    """专精特新发展评价得分 ≥ ``edge``; a 复核 passes if either of the two years does."""
    r = Reader()
    name = f"专精特新发展评价得分{rules.fmt_num(edge)}分以上"
    value = rules.to_decimal(r.take("development_score", "本年度专精特新发展评价得分", score))
    if renewal:
        earlier = rules.to_decimal(r.take("development_score_prior", "上年度专精特新发展评价得分",
                                          prior, required=False))
        known = [v for v in (value, earlier) if v is not None]
        if known and any(rules.at_least(v, edge) for v in known):
            r.missing.clear()  # one passing year is enough for a 复核
            best = max(known)
            return common.condition(key, name, Outcome.PASS,
                                    f"复核：近两年最高得分{rules.fmt_num(best)}分，满足≥{edge}分",
                                    group=GROUP, reader=r)
    figure = figures.declared(value, "本年度专精特新发展评价得分 ", "分")
    return common.threshold(key, name, r, figure, edge, group=GROUP)


def _revenue(inp: SpecializedInput2026) -> ConditionResult:
    """上年营业收入 ≥1500万元，或近两年新增股权投资 ≥2000万元."""
    r = Reader()
    name = "上年度营业收入1500万元以上，或近两年新增股权融资2000万元以上"
    outcome, reason = revenue_or_equity(r, inp.financials, d.SPECIALIZED_REVENUE, d.TWO_YEARS,
                                        d.SPECIALIZED_EQUITY, label="近两年新增股权融资总额")
    return common.condition("rev", name, outcome, reason, group=GROUP, reader=r)


def _rd_each_year(inp: SpecializedInput2026) -> ConditionResult:
    """近两年研发费用每年 ≥100万元且每年占营业收入比重 ≥3%."""
    parts = []
    for year, label in (("last_year", "上年度"), ("year_before", "上上年度")):
        ra, rb = Reader(), Reader()
        amount = figures.amount(ra, inp.financials, year, "rd_expense", f"{label}研发费用")
        ratio = figures.rd_ratio(rb, inp.financials, year)
        ratio = replace(ratio, lead=f"{label}{ratio.lead}")
        parts.append(common.threshold(f"rd.{year}.amount", f"{label}研发费用100万元以上", ra,
                                      amount, d.SPECIALIZED_RD_AMOUNT, group=GROUP))
        parts.append(common.threshold(f"rd.{year}.ratio", f"{label}研发费用占比3%以上", rb,
                                      ratio, d.SPECIALIZED_RD_RATIO, group=GROUP))
    return common.all_of("rd", "近两年研发费用每年100万元以上且占比3%以上", parts, group=GROUP)


def _ip(inp: SpecializedInput2026) -> ConditionResult:
    """≥1项已应用的Ⅰ类知识产权; exempt with a 省部级以上 award (top 3) or R&D institution."""
    name = "1项以上与主导产品相关且已产生经济效益的Ⅰ类知识产权（或豁免）"
    r = Reader()
    count = r.take("ip.class1_applied", "已应用并产生经济效益的Ⅰ类知识产权",
                   inp.ip.class1_applied)
    if count is not None and count >= d.SPECIALIZED_IP_APPLIED:
        return common.condition("ip", name, Outcome.PASS, f"Ⅰ类知识产权 {count} 项，满足≥1项",
                                group=GROUP, reader=r)
    award = common.award_condition("ip.award", "近三年省部级以上科技奖励排名前三", inp.awards,
                                   d.SPECIALIZED_IP_AWARD_LIMITS)
    institution = inp.rd_institution in d.SPECIALIZED_IP_INSTITUTIONS
    if award.passed or institution:
        r.missing.clear()  # the exemption makes the count irrelevant
        why = award.reason if award.passed else "拥有省部级以上研发机构"
        return common.condition("ip", name, Outcome.PASS, f"豁免：{why}", group=GROUP,
                                reader=r)
    text = "缺少Ⅰ类知识产权数量" if count is None else f"Ⅰ类知识产权 {count} 项"
    return common.condition("ip", name, Outcome.FAIL, f"{text}，且不符合豁免情形",
                            group=GROUP, reader=r)


def evaluate(inp: SpecializedInput2026, *, version: str = d.VERSION) -> EvaluationResult:
    """Check the 2026 专精特新 hard conditions (never raises on missing figures)."""
    fin = inp.financials
    conditions = (
        common.judgement("prerequisite", "已获科技和创新型中小企业称号", "holds_tech_innovative",
                         inp.holds_tech_innovative, group=GROUP),
        niche_condition("niche", inp.niche_years, d.SPECIALIZED_NICHE_YEARS, GROUP),
        _revenue(inp),
        figure_condition("main_share", "主营业务收入占营业收入比重80%以上", figures.main_share,
                         fin, d.SPECIALIZED_MAIN_SHARE, GROUP),
        figure_condition("debt", "上年末资产负债率不高于80%", figures.debt_ratio, fin,
                         d.SPECIALIZED_DEBT_RATIO, GROUP, at_least=False),
        _rd_each_year(inp),
        _ip(inp),
        common.judgement("market", "主导产品细分市场占有率较为靠前", "market_position_leading",
                         inp.market_position_leading, group=GROUP),
        development_score("score", inp.development_score, inp.development_score_prior,
                          d.SPECIALIZED_DEVELOPMENT_SCORE, renewal=inp.renewal),
    )
    mandatory = (*common.eligibility_conditions(inp.eligibility), *conditions)
    verdict, reasons = common.verdict_from(mandatory)
    return EvaluationResult(
        version=version, tier=TIER, title=d.SPECIALIZED_TITLE, basis=d.BASIS, indicators=(),
        groups=(), total=None, max_total=None, mandatory=mandatory, direct=(),
        verdict=verdict, reasons=reasons, missing_inputs=common.collect_missing((), mandatory),
    )

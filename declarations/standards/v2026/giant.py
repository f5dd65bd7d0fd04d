"""专精特新"小巨人" under the 2026 rules (§3.5): every hard condition must be met."""

from __future__ import annotations

from dataclasses import replace

from declarations.standards import common, figures, rules
from declarations.standards.common import Reader
from declarations.standards.results import ConditionResult, EvaluationResult, Missing, Outcome
from declarations.standards.v2022.giant import figure_condition, niche_condition
from declarations.standards.v2026 import data as d
from declarations.standards.v2026.inputs import GiantInput2026
from declarations.standards.v2026.specialized import development_score

TIER = "giant"
GROUP = "认定条件"


def _growth(inp: GiantInput2026) -> ConditionResult:
    """近两年营业收入复合增长率 ≥5% (复核不考查)."""
    name = "近两年营业收入复合增长率5%以上"
    if inp.renewal:
        return common.condition("cagr", name, Outcome.PASS, "复核不考查营业收入增长率",
                                group=GROUP)
    return figure_condition("cagr", name, figures.compound_revenue_growth, inp.financials,
                            d.GIANT_REVENUE_CAGR, GROUP)


def _rd(inp: GiantInput2026) -> ConditionResult:
    """近两年研发费用合计 ≥1200万元且每年占营业收入比重 ≥3%."""
    fin = inp.financials
    rt = Reader()
    total = figures.window_total(rt, fin, d.TWO_YEARS, "rd_expense", "近两年研发费用合计")
    parts = [common.threshold("rd.total", "近两年研发费用合计1200万元以上", rt, total,
                              d.GIANT_RD_TOTAL, group=GROUP)]
    for year, label in (("last_year", "上年度"), ("year_before", "上上年度")):
        r = Reader()
        ratio = figures.rd_ratio(r, fin, year)
        ratio = replace(ratio, lead=f"{label}{ratio.lead}")
        parts.append(common.threshold(f"rd.{year}.ratio", f"{label}研发费用占比3%以上", r,
                                      ratio, d.GIANT_RD_RATIO, group=GROUP))
    return common.all_of("rd", "近两年研发费用合计1200万元以上且每年占比3%以上", parts,
                         group=GROUP)


def _ip(inp: GiantInput2026) -> ConditionResult:
    """≥4项Ⅰ类知识产权 (不含转入、权利人排名前三); exempt with a 国家级 award ranked top 3."""
    name = "4项以上Ⅰ类知识产权（或豁免）"
    r = Reader()
    count = r.take("class1_own", "Ⅰ类知识产权（不含转入、权利人前三）", inp.class1_own)
    if count is not None and count >= d.GIANT_IP_OWN:
        return common.condition("ip", name, Outcome.PASS, f"Ⅰ类知识产权 {count} 项，满足≥4项",
                                group=GROUP, reader=r)
    award = common.award_condition("ip.award", "近三年国家级科技奖励排名前三", inp.awards,
                                   d.GIANT_IP_AWARD_LIMITS)
    if award.passed:
        r.missing.clear()  # the exemption makes the count irrelevant
        return common.condition("ip", name, Outcome.PASS, f"豁免：{award.reason}", group=GROUP,
                                reader=r)
    text = "缺少Ⅰ类知识产权数量" if count is None else f"Ⅰ类知识产权 {count} 项"
    return common.condition("ip", name, Outcome.FAIL, f"{text}，且无国家级科技奖励豁免",
                            group=GROUP, reader=r)


def _market(inp: GiantInput2026) -> ConditionResult:
    """细分市场占有率 ≥10% 或国内前三."""
    name = "细分市场占有率10%以上或国内前三"
    r = Reader()
    share = rules.to_decimal(r.take("niche_market_share", "主导产品全国细分市场占有率",
                                    inp.niche_market_share, required=False))
    rank = r.take("domestic_rank", "主导产品国内细分市场排名", inp.domestic_rank,
                  required=False)
    share_text = "缺失" if share is None else rules.fmt_pct(share, (d.GIANT_MARKET_SHARE,))
    rank_text = "缺失" if rank is None else f"第{rank}"
    work = f"市场占有率 {share_text}，国内排名 {rank_text}"
    ok = (share is not None and rules.at_least(share, d.GIANT_MARKET_SHARE)) or (
        rank is not None and 1 <= rank <= d.GIANT_DOMESTIC_RANK)
    if share is None and rank is None:
        r.missing.extend(Missing(i.field, i.label) for i in r.inputs)
    return common.condition("market", name, Outcome.PASS if ok else Outcome.FAIL,
                            f"{work}，{'满足' if ok else '不满足'}", group=GROUP, reader=r)


def evaluate(inp: GiantInput2026, *, version: str = d.VERSION) -> EvaluationResult:
    """Check the 2026 小巨人 hard conditions (never raises on missing figures)."""
    fin = inp.financials
    r = Reader()
    revenue = figures.amount(r, fin, "last_year", "operating_revenue", "上年度营业收入")
    conditions = (
        common.judgement("prerequisite", "有效期内的专精特新中小企业", "holds_valid_specialized",
                         inp.holds_valid_specialized, group=GROUP),
        niche_condition("niche", inp.niche_years, d.GIANT_NICHE_YEARS, GROUP),
        common.threshold("revenue", "上年度营业收入5000万元以上", r, revenue, d.GIANT_REVENUE,
                         group=GROUP),
        figure_condition("main_share", "主营业务收入占营业收入比重90%以上", figures.main_share,
                         fin, d.GIANT_MAIN_SHARE, GROUP),
        _growth(inp),
        figure_condition("debt", "上年末资产负债率不高于75%", figures.debt_ratio, fin,
                         d.GIANT_DEBT_RATIO, GROUP, at_least=False),
        _rd(inp),
        _ip(inp),
        _market(inp),
        common.judgement("product", "主导产品属于工业六基或产业链关键环节",
                         "priority_product_field", inp.priority_product_field, group=GROUP),
        development_score("score", inp.development_score, None, d.GIANT_DEVELOPMENT_SCORE,
                          renewal=False),
    )
    mandatory = (*common.eligibility_conditions(inp.eligibility), *conditions)
    verdict, reasons = common.verdict_from(mandatory)
    return EvaluationResult(
        version=version, tier=TIER, title=d.GIANT_TITLE, basis=d.BASIS, indicators=(),
        groups=(), total=None, max_total=None, mandatory=mandatory, direct=(),
        verdict=verdict, reasons=reasons, missing_inputs=common.collect_missing((), mandatory),
    )

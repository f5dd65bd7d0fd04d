"""专精特新中小企业认定 (2022, §3.2 附件2): four mandatory conditions, thirteen indicators
(100 points), the 60-point pass or one of four direct conditions (认定条件4)."""

from __future__ import annotations

from decimal import Decimal

from declarations.standards import common, figures, rules
from declarations.standards.common import Reader
from declarations.standards.features import score_features
from declarations.standards.inputs import Financials, SpecializedInput
from declarations.standards.results import (
    ConditionResult,
    EvaluationResult,
    GroupResult,
    IndicatorResult,
    Outcome,
)
from declarations.standards.v2022 import data as d
from declarations.standards.v2022.innovative import debt_ratio, main_share

TIER = "specialized"
LAST = "last_year"


def _avg_growth(fin: Financials) -> IndicatorResult:
    """§3.2 indicator 2: 近2年主营业务收入平均增长率."""
    r = Reader()
    return common.band_indicator("2", "近2年主营业务收入平均增长率", "专业化", r,
                                 figures.average_main_growth(r, fin), d.SPECIALIZED_MAIN_GROWTH)


def _niche_years(years: Decimal | None) -> IndicatorResult:
    """§3.2 indicator 3: 每满2年得1分，最高5分."""
    r = Reader()
    value = rules.to_decimal(r.take("niche_years", "从事特定细分市场年限", years))
    cap = d.SPECIALIZED_NICHE_CAP
    if value is None:
        return common.indicator("3", "从事特定细分市场年限", "专业化", r, value=None,
                                band="未填报", points=0, max_points=cap,
                                reason=common.missing_reason(r))
    points = rules.stepped_points(value, d.SPECIALIZED_NICHE_STEP, d.SPECIALIZED_NICHE_EACH, cap)
    full = rules.full_steps(value, d.SPECIALIZED_NICHE_STEP)
    return common.indicator(
        "3", "从事特定细分市场年限", "专业化", r, value=value, band=f"满{full}个2年",
        points=points, max_points=cap,
        reason=f"{rules.fmt_num(value)}年 ÷ 2 = 满{full}个2年 × {d.SPECIALIZED_NICHE_EACH}分 = "
               f"{full * d.SPECIALIZED_NICHE_EACH}分，最高{cap}分，得{points}分",
    )


def _digital(level: int | None) -> IndicatorResult:
    """§3.2 indicator 5 via §0.5: 三级及以上 5，二级 3，一级或无 0."""
    r = Reader()
    r.take("digital_level", "数字化水平评测等级", level)
    if level is None:
        return common.indicator("5", "数字化水平", "精细化", r, value=None, band="无评测结果",
                                points=0, max_points=d.SPECIALIZED_DIGITAL.max_points,
                                reason="缺少数字化水平评测结果，本项记0分")
    return common.band_indicator("5", "数字化水平", "精细化", r,
                                 figures.declared(Decimal(level), "数字化水平评测", "级"),
                                 d.SPECIALIZED_DIGITAL)


def _quality(inp: SpecializedInput) -> IndicatorResult:
    """§3.2 indicator 6: 每满足一项加3分，最高5分."""
    r = Reader()
    items = r.take("quality_items", "质量管理水平", inp.quality_items)
    cap = d.SPECIALIZED_QUALITY_CAP
    if items is None:
        return common.indicator("6", "质量管理水平", "精细化", r, value=None, band="未填报",
                                points=0, max_points=cap, reason=common.missing_reason(r))
    count = len(items)
    points = rules.stepped_points(Decimal(count), Decimal(1), d.SPECIALIZED_QUALITY_EACH, cap)
    return common.indicator(
        "6", "质量管理水平", "精细化", r, value=count, band=f"满足{count}项", points=points,
        max_points=cap,
        reason=f"满足{count}项 × {d.SPECIALIZED_QUALITY_EACH}分 = "
               f"{count * d.SPECIALIZED_QUALITY_EACH}分，最高{cap}分，得{points}分",
    )


def _band(key: str, name: str, group: str, fn: figures.FigureFn, table: rules.BandTable,
          fin: Financials) -> IndicatorResult:
    r = Reader()
    return common.band_indicator(key, name, group, r, fn(r, fin), table)


def _rd_input(fin: Financials) -> IndicatorResult:
    """§3.2 indicator 11: 研发费用总额 或 占比 — the better of the two bands."""
    r = Reader()
    amount = figures.amount(r, fin, LAST, "rd_expense", "研发费用")
    ratio = figures.rd_ratio(r, fin)
    amounts, ratios = d.SPECIALIZED_RD_AMOUNT_BANDS, d.SPECIALIZED_RD_RATIO_BANDS
    maximum = amounts.max_points
    by_amount = None if amount.value is None else rules.pick_band(amount.value, amounts)
    by_ratio = None if ratio.value is None else rules.pick_band(ratio.value, ratios)
    known = [b for b in (by_amount, by_ratio) if b is not None]
    if not known:
        return common.indicator("11", "上年度研发费用投入", "创新能力", r, value=None,
                                band="无法计算", points=0, max_points=maximum,
                                reason=common.missing_reason(r))
    best = max(known, key=lambda b: b.points)
    texts = []
    if by_amount is not None:
        texts.append(f"{amount.work(amounts.edges)} →「{by_amount.label}」{by_amount.points}分")
    if by_ratio is not None:
        texts.append(f"{ratio.work(ratios.edges)} →「{by_ratio.label}」{by_ratio.points}分")
    reason = "；".join(texts) + f"；取较高者，得{best.points}分"
    if r.missing and best.points < maximum:
        reason += f"（缺少{'、'.join(m.label for m in r.missing)}，仅按可计算部分计分）"
    value = ratio.shown(ratios.edges) if best is by_ratio else amount.shown(amounts.edges)
    return common.indicator("11", "上年度研发费用投入", "创新能力", r, value=value,
                            band=best.label, points=best.points, max_points=maximum,
                            reason=reason)


def _indicators(inp: SpecializedInput) -> tuple[IndicatorResult, ...]:
    fin = inp.financials
    return (
        main_share(fin, "1", "专业化", d.SPECIALIZED_MAIN_SHARE),
        _avg_growth(fin),
        _niche_years(inp.niche_years),
        common.choice_indicator("4", "主导产品所属领域情况", "专业化", "product_field",
                                "主导产品所属领域", inp.product_field,
                                d.SPECIALIZED_PRODUCT_FIELD),
        _digital(inp.digital_level),
        _quality(inp),
        _band("7", "上年度净利润率", "精细化", figures.net_margin, d.SPECIALIZED_NET_MARGIN, fin),
        debt_ratio(fin, "8", "精细化", d.SPECIALIZED_DEBT_RATIO),
        score_features("9", "特色化指标", inp.features, inp.feature_values,
                       d.SPECIALIZED_FEATURE_POINTS),
        common.ip_indicator("10", "与企业主导产品相关的有效知识产权数量", "创新能力", inp.ip,
                            d.SPECIALIZED_IP_TIERS),
        _rd_input(fin),
        _band("12", "上年度研发人员占比", "创新能力", figures.rd_staff_ratio,
              d.SPECIALIZED_RD_STAFF, fin),
        common.choice_indicator("13", "建立研发机构级别", "创新能力", "rd_institution",
                                "研发机构级别", inp.rd_institution, d.SPECIALIZED_RD_INSTITUTION),
    )


def _direct(inp: SpecializedInput) -> tuple[ConditionResult, ...]:
    """§3.2 认定条件4 (1)–(4)."""
    fin = inp.financials
    r2 = Reader()
    mean = figures.window_mean(r2, fin, d.TWO_YEARS, "rd_expense", "近两年研发费用总额均值")
    r3 = Reader()
    equity = figures.window_total(r3, fin, d.TWO_YEARS, "new_equity_financing",
                                  "近两年新增股权融资总额")
    return (
        common.award_condition("direct.1", "省级科技奖励前三或国家级科技奖励前五", inp.awards,
                               d.SPECIALIZED_AWARD_LIMITS),
        common.threshold("direct.2", "近两年研发费用总额均值1000万元以上", r2, mean,
                         d.SPECIALIZED_RD_MEAN_DIRECT),
        common.threshold("direct.3", "近两年新增股权融资总额6000万元以上", r3, equity,
                         d.SPECIALIZED_EQUITY_DIRECT),
        common.rank_condition("direct.4", '近三年进入"创客中国"全国500强企业组名单',
                              inp.maker_china_rank, d.SPECIALIZED_MAKER_CHINA_RANK),
    )


def _mandatory(
    inp: SpecializedInput, total: int, direct: tuple[ConditionResult, ...],
) -> tuple[ConditionResult, ...]:
    """§3.2 认定条件1–4."""
    fin = inp.financials
    group = "认定条件"
    r1 = Reader()
    years = rules.to_decimal(r1.take("niche_years", "从事特定细分市场年限", inp.niche_years))
    c1 = common.threshold(
        "cond.1", "从事特定细分市场时间2年以上", r1,
        figures.declared(years, "从事特定细分市场", "年"), d.SPECIALIZED_NICHE_YEARS,
        group=group)
    ra, rb = Reader(), Reader()
    rd = figures.amount(ra, fin, LAST, "rd_expense", "上年度研发费用")
    ratio = figures.rd_ratio(rb, fin)
    c2 = common.all_of("cond.2", "上年度研发费用不低于100万元且占营业收入比重不低于3%", (
        common.threshold("cond.2.amount", "研发费用不低于100万元", ra, rd,
                         d.SPECIALIZED_RD_AMOUNT, group=group),
        common.threshold("cond.2.ratio", "研发费用占比不低于3%", rb, ratio,
                         d.SPECIALIZED_RD_RATIO, group=group),
    ), group=group)
    c3 = _revenue_condition(fin, group)
    score_ok = rules.at_least(Decimal(total), Decimal(d.SPECIALIZED_PASS_TOTAL))
    passed = [c.name for c in direct if c.passed]
    if score_ok:
        outcome, reason = Outcome.PASS, f"评价得分{total}分 ≥ {d.SPECIALIZED_PASS_TOTAL}分"
    elif passed:
        outcome, reason = Outcome.PASS, (f"评价得分{total}分 < {d.SPECIALIZED_PASS_TOTAL}分，"
                                         f"但满足：{'；'.join(passed)}")
    else:
        outcome, reason = Outcome.FAIL, (f"评价得分{total}分 < {d.SPECIALIZED_PASS_TOTAL}分，"
                                         "且不满足任一直通条件")
    c4 = common.condition("cond.4", "评价得分60分以上或满足直通条件之一", outcome, reason,
                          group=group)
    return (*common.eligibility_conditions(inp.eligibility), c1, c2, c3, c4)


def _revenue_condition(fin: Financials, group: str) -> ConditionResult:
    """§3.2 认定条件3: 营业收入1000万元以上；或1000万元以下但近2年新增股权融资2000万元以上."""
    r = Reader()
    name = "上年度营业收入1000万元以上，或近2年新增股权融资2000万元以上"
    outcome, reason = revenue_or_equity(r, fin, d.SPECIALIZED_REVENUE, d.TWO_YEARS,
                                        d.SPECIALIZED_EQUITY_SMALL)
    return common.condition("cond.3", name, outcome, reason, group=group, reader=r)


def revenue_or_equity(r: Reader, fin: Financials, revenue_edge: Decimal,
                      years: tuple[str, ...], equity_edge: Decimal, *,
                      label: str = "近2年新增股权融资总额") -> tuple[Outcome, str]:
    """上年度营业收入 ≥ ``revenue_edge``, or 近2年新增股权融资 ≥ ``equity_edge``.

    Either path that is proven passes, and then nothing is reported missing: a missing
    revenue does not matter once the equity known so far reaches its edge, nor does a
    missing year of equity once the known years do (amounts are never negative).
    """
    revenue = figures.amount(r, fin, LAST, "operating_revenue", "上年度营业收入")
    revenue_work = revenue.work((revenue_edge,))
    need_revenue = f"≥{rules.fmt_num(revenue_edge)}万元"
    if revenue.value is not None and rules.at_least(revenue.value, revenue_edge):
        r.missing.clear()
        return Outcome.PASS, f"{revenue_work}，满足{need_revenue}"
    equity = figures.window_total(r, fin, years, "new_equity_financing", label)
    equity_work = equity.work((equity_edge,))
    need_equity = f"≥{rules.fmt_num(equity_edge)}万元"
    if equity.value is not None and rules.at_least(equity.value, equity_edge):
        r.missing.clear()
        short = "" if revenue.value is None else f"（不足{rules.fmt_num(revenue_edge)}万元）"
        return Outcome.PASS, f"{revenue_work}{short}，{equity_work}，满足{need_equity}"
    reason = f"{revenue_work}，{equity_work}，均未达到要求"
    if r.missing:
        reason += f"（缺少{'、'.join(m.label for m in r.missing)}）"
    return Outcome.FAIL, reason


def evaluate(inp: SpecializedInput, *, version: str = d.VERSION) -> EvaluationResult:
    """Evaluate a 专精特新 declaration under §3.2 (never raises on missing figures)."""
    indicators = _indicators(inp)
    groups = tuple(
        GroupResult(name, sum(i.points for i in indicators if i.group == name), maximum)
        for name, maximum in d.SPECIALIZED_GROUPS.items()
    )
    total = sum(i.points for i in indicators)
    direct = _direct(inp)
    mandatory = _mandatory(inp, total, direct)
    verdict, reasons = common.verdict_from(
        mandatory, meets=tuple(c.reason for c in mandatory if c.group == "认定条件"),
    )
    return EvaluationResult(
        version=version, tier=TIER, title=d.SPECIALIZED_TITLE, basis=f"{d.BASIS} 附件2",
        indicators=indicators, groups=groups, total=total, max_total=100,
        mandatory=mandatory, direct=direct, verdict=verdict, reasons=reasons,
        missing_inputs=common.collect_missing(indicators, (*mandatory, *direct)),
    )

"""专精特新"小巨人"企业认定 (2022, §3.3 附件3): 专、精、特、新、链、品 must all be met.

No score: each dimension is a composite condition whose parts carry the figures.  链 and
品 (and the softer parts of 精/特) are officials' judgements: ``None`` → 需人工判断.
"""

from __future__ import annotations

from decimal import Decimal

from declarations.standards import common, figures, rules
from declarations.standards.common import Reader
from declarations.standards.inputs import Financials, GiantInput, RdInstitutionLevel
from declarations.standards.results import (
    ConditionResult,
    EvaluationResult,
    GroupResult,
    Outcome,
)
from declarations.standards.v2022 import data as d

TIER = "giant"
LAST, BEFORE = "last_year", "year_before"
ZHUAN, JING, TE, XIN, LIAN, PIN = "专业化", "精细化", "特色化", "创新能力", "产业链配套", "主导产品所属领域"


def niche_condition(key: str, years_raw: Decimal | None, minimum: Decimal, group: str,
                    *, exception: Decimal | None = None, breakthrough: bool | None = None,
                    ) -> ConditionResult:
    """截至上年末从事特定细分市场 ≥ ``minimum`` 年 (optionally relaxed for key fields)."""
    r = Reader()
    years = rules.to_decimal(r.take("niche_years", "从事特定细分市场年限", years_raw))
    edge = minimum
    note = ""
    if exception is not None and breakthrough:
        r.take("key_field_breakthrough", "关键领域补短板/填空白", breakthrough, required=False)
        edge, note = exception, "（关键领域补短板/填空白，放宽）"
    figure = figures.declared(years, "从事特定细分市场", "年", note=note)
    return common.threshold(key, f"从事特定细分市场{rules.fmt_num(edge)}年以上", r, figure,
                            edge, group=group)


def figure_condition(key: str, name: str, fn: figures.FigureFn, fin: Financials,
                     edge: Decimal, group: str, *, at_least: bool = True) -> ConditionResult:
    """A threshold on a computed figure (ratio, growth) with its worked arithmetic."""
    r = Reader()
    return common.threshold(key, name, r, fn(r, fin), edge, at_least=at_least, group=group)


def _rd_by_bracket(fin: Financials) -> ConditionResult:
    """§3.3 四 一般性条件(1): 研发投入 by the bracket of 上年度营业收入."""
    key, name = "xin.general.1", "研发投入（按上年度营业收入分档）"
    r = Reader()
    revenue_figure = figures.amount(r, fin, LAST, "operating_revenue", "上年度营业收入")
    revenue = revenue_figure.value
    revenue_work = revenue_figure.work((d.GIANT_REVENUE_LARGE, d.GIANT_REVENUE_MEDIUM))
    if revenue is None:
        return common.condition(key, name, Outcome.FAIL, "缺少上年度营业收入，无法确定分档，"
                                "视为不满足", group=XIN, reader=r)
    if rules.at_least(revenue, d.GIANT_REVENUE_MEDIUM):
        large = rules.at_least(revenue, d.GIANT_REVENUE_LARGE)
        edge = d.GIANT_RD_RATIO_LARGE if large else d.GIANT_RD_RATIO_MEDIUM
        bracket = "1亿元以上" if large else "5000万元–1亿元"
        ratios = (figures.rd_ratio(r, fin, LAST), figures.rd_ratio(r, fin, BEFORE))
        ok = all(f.value is not None and rules.at_least(f.value, edge) for f in ratios)
        w1, w2 = (f.work((edge,)) for f in ratios)
        reason = (f"{revenue_work}（{bracket}档），要求近2年研发费用占比均≥{edge}%：上年度 {w1}；"
                  f"上上年度 {w2}，{'满足' if ok else '不满足'}")
        return common.condition(key, name, Outcome.PASS if ok else Outcome.FAIL, reason,
                                group=XIN, reader=r)
    checks = (
        (figures.window_total(r, fin, d.TWO_YEARS, "new_equity_financing", "近2年新增股权融资总额"),
         d.GIANT_SMALL_EQUITY),
        (figures.window_total(r, fin, d.TWO_YEARS, "rd_expense", "近2年研发费用总额"),
         d.GIANT_SMALL_RD_TOTAL),
        (figures.rd_staff_ratio(r, fin), d.GIANT_SMALL_RD_STAFF),
    )
    ok = all(f.value is not None and rules.at_least(f.value, edge) for f, edge in checks)
    if ok:  # every part proven: missing years of a sum that already reaches its edge
        for figure, _ in checks:
            r.forgive(figure.absent)
    reason = (f"{revenue_work}（5000万元以下档）："
              + "；".join(f"{f.work((edge,))}（需≥{rules.fmt_num(edge)}{f.unit}）"
                         for f, edge in checks)
              + f"，{'满足' if ok else '不满足'}")
    return common.condition(key, name, Outcome.PASS if ok else Outcome.FAIL, reason,
                            group=XIN, reader=r)


def rd_institution_condition(key: str, level: RdInstitutionLevel | None) -> ConditionResult:
    """§3.3 四 一般性条件(2): 自建或联合建立研发机构 (any level)."""
    r = Reader()
    r.take("rd_institution", "研发机构级别", level)
    name = "自建或与高等院校、科研机构联合建立研发机构"
    if level is None:
        return common.condition(key, name, Outcome.FAIL, "未填报研发机构情况，视为不满足",
                                group=XIN, reader=r)
    ok = level is not RdInstitutionLevel.NONE
    return common.condition(key, name, Outcome.PASS if ok else Outcome.FAIL,
                            "已建立研发机构" if ok else "未建立研发机构", group=XIN, reader=r)


def ip_count_condition(key: str, name: str, field: str, label: str, count: int | None,
                       minimum: int, group: str) -> ConditionResult:
    """At least ``minimum`` IP of a class (e.g. §3.3 四 一般性条件(3): ≥2项Ⅰ类, applied)."""
    r = Reader()
    r.take(f"ip.{field}", label, count)
    if count is None:
        return common.condition(key, name, Outcome.FAIL, f"缺少{label}，视为不满足",
                                group=group, reader=r)
    ok = count >= minimum
    return common.condition(key, name, Outcome.PASS if ok else Outcome.FAIL,
                            f"{label} {count} 项，{'满足' if ok else '不满足'}≥{minimum}项",
                            group=group, reader=r)


def either(key: str, name: str, general: ConditionResult,
           direct: tuple[ConditionResult, ...], group: str) -> ConditionResult:
    """一般性条件 (all parts) or any 直通条件 (§3.3 四)."""
    passed = [c.name for c in direct if c.passed]
    if general.passed:
        outcome, reason = Outcome.PASS, f"{name}：满足一般性条件"
    elif passed:
        outcome, reason = Outcome.PASS, f"{name}：满足创新直通条件（{'；'.join(passed)}）"
    else:
        outcome = Outcome.FAIL
        reason = f"{name}：{general.reason}；且不满足任一创新直通条件"
    return common.condition(key, name, outcome, reason, group=group, parts=(general, *direct))


def _direct(inp: GiantInput) -> tuple[ConditionResult, ...]:
    """§3.3 四 创新直通条件."""
    return (
        common.award_condition("xin.direct.1", "近三年获得国家级科技奖励并在获奖单位中排名前三",
                               inp.awards, d.GIANT_AWARD_LIMITS),
        common.rank_condition("xin.direct.2", '近三年进入"创客中国"全国50强企业组名单',
                              inp.maker_china_rank, d.GIANT_MAKER_CHINA_RANK),
    )


def _dimensions(
    inp: GiantInput, direct: tuple[ConditionResult, ...],
) -> tuple[ConditionResult, ...]:
    fin = inp.financials
    zhuan = common.all_of("zhuan", "一、专业化", (
        niche_condition("zhuan.1", inp.niche_years, d.GIANT_NICHE_YEARS, ZHUAN,
                        exception=d.GIANT_NICHE_YEARS_EXCEPTION,
                        breakthrough=inp.key_field_breakthrough),
        figure_condition("zhuan.2", "主营业务收入占营业收入比重70%以上", figures.main_share, fin,
                         d.GIANT_MAIN_SHARE, ZHUAN),
        figure_condition("zhuan.3", "近2年主营业务收入平均增长率5%以上",
                         figures.average_main_growth, fin, d.GIANT_MAIN_GROWTH, ZHUAN),
    ), group=ZHUAN)
    jing = common.all_of("jing", "二、精细化", (
        common.judgement("jing.1", "重视长期发展战略、公司治理规范", "governance_sound",
                         inp.governance_sound, group=JING),
        common.fact("jing.2", "至少1项核心业务采用信息系统支撑", "core_business_it_system",
                    inp.core_business_it_system, group=JING),
        common.fact("jing.3", "取得管理体系认证或发达国家和地区产品认证",
                    "management_certification", inp.management_certification, group=JING),
        figure_condition("jing.4", "资产负债率不高于70%", figures.debt_ratio, fin,
                         d.GIANT_DEBT_RATIO, JING, at_least=False),
    ), group=JING)
    r = Reader()
    share = rules.to_decimal(r.take("niche_market_share", "主导产品全国细分市场占有率",
                                    inp.niche_market_share))
    te = common.all_of("te", "三、特色化", (
        common.threshold("te.1", "主导产品全国细分市场占有率10%以上", r,
                         figures.declared(share, "主导产品全国细分市场占有率 ", "%"),
                         d.GIANT_MARKET_SHARE, group=TE),
        common.judgement("te.2", "技术和产品有自身独特优势，享有较高知名度和影响力",
                         "distinctive_advantage", inp.distinctive_advantage, group=TE),
        common.fact("te.3", "拥有直接面向市场并具有竞争优势的自主品牌", "own_brand",
                    inp.own_brand, group=TE),
    ), group=TE)
    general = common.all_of("xin.general", "一般性条件", (
        _rd_by_bracket(fin),
        rd_institution_condition("xin.general.2", inp.rd_institution),
        ip_count_condition("xin.general.3", "2项以上与主导产品相关的Ⅰ类知识产权且已产生经济效益",
                           "class1_applied", "已应用并产生经济效益的Ⅰ类知识产权",
                           inp.ip.class1_applied, d.GIANT_IP_APPLIED, XIN),
    ), group=XIN)
    xin = either("xin", "四、创新能力", general, direct, XIN)
    lian = common.judgement("lian", "五、产业链配套：位于产业链关键环节，发挥补短板、锻长板、填空白作用",
                            "industrial_chain_role", inp.industrial_chain_role, group=LIAN)
    pin = common.judgement("pin", "六、主导产品属于重点领域", "priority_product_field",
                           inp.priority_product_field, group=PIN)
    return zhuan, jing, te, xin, lian, pin


def evaluate(inp: GiantInput, *, version: str = d.VERSION) -> EvaluationResult:
    """Evaluate a 小巨人 declaration under §3.3 (never raises on missing figures)."""
    direct = _direct(inp)
    dimensions = _dimensions(inp, direct)
    prerequisite = common.judgement("prerequisite", "有效期内的专精特新中小企业",
                                    "holds_valid_specialized", inp.holds_valid_specialized,
                                    group="前置条件")
    mandatory = (*common.eligibility_conditions(inp.eligibility), prerequisite, *dimensions)
    groups = tuple(GroupResult(c.group, None, None, None, c.outcome) for c in dimensions)
    verdict, reasons = common.verdict_from(
        mandatory, meets=("专、精、特、新、链、品六项条件均满足",))
    return EvaluationResult(
        version=version, tier=TIER, title=d.GIANT_TITLE, basis=f"{d.BASIS} 附件3",
        indicators=(), groups=groups, total=None, max_total=None, mandatory=mandatory,
        direct=direct, verdict=verdict, reasons=reasons,
        missing_inputs=common.collect_missing((), mandatory),
    )

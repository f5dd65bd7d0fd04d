"""Exact values (decisions 1–6 of the exact-values rules in the engine README): the exact
quotient is judged, the shown figure never contradicts the verdict, sums score what the
known years prove, IP counts score the proven tier, impossible inputs are refused."""

import re
from collections.abc import Iterator
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    Financials,
    GiantInput,
    InnovativeInput,
    InvalidInput,
    IpCounts,
    Outcome,
    SpecializedInput,
    Verdict,
    YearFigures,
    get_standard,
    rules,
)
from declarations.standards.results import ConditionResult, EvaluationResult, IndicatorResult
from tests.declarations.standards.builders import fin
from tests.declarations.standards.test_giant import giant
from tests.declarations.standards.test_never_raises import VALID
from tests.declarations.standards.test_specialized import strong

INNOVATIVE = get_standard("2022", "innovative")
SPECIALIZED = get_standard("2022", "specialized")
GIANT = get_standard("2022", "giant")
OK = BasicEligibility.confirmed()


def innovative(**kwargs: object) -> EvaluationResult:
    return INNOVATIVE.evaluate(InnovativeInput(**kwargs))  # type: ignore[arg-type]


# --- 2.995 % vs 3 % ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rd", "points", "shown"),
    [("2.995", 10, "2.995%"), ("2.9999", 10, "2.9999%"), ("3", 15, "3.00%"),
     ("3.001", 15, "3.001%"), ("3.005", 15, "3.01%")],
)
def test_rd_ratio_of_2_995_is_below_3_and_shown_as_2_995(rd: str, points: int,
                                                         shown: str) -> None:
    item = innovative(financials=fin({"operating_revenue": 100, "rd_expense": rd})).indicator("2")
    assert item.points == points
    assert f"= {shown}，" in item.reason
    assert f"{item.value:f}%" == shown


@pytest.mark.parametrize(
    ("rd", "outcome", "text"),
    [("149.75", Outcome.FAIL, "= 2.995%，不满足≥3%"), ("150", Outcome.PASS, "= 3.00%，满足≥3%")],
)
def test_specialized_condition_2_ratio_2_995_fails(rd: str, outcome: Outcome, text: str) -> None:
    last = {**{k: getattr(strong().financials.last_year, k) for k in YearFigures.__slots__},
            "operating_revenue": D(5000), "rd_expense": D(rd)}
    figures = Financials(YearFigures(**last), strong().financials.year_before,
                         strong().financials.two_years_before)
    ratio = SPECIALIZED.evaluate(strong(financials=figures)).condition("cond.2.ratio")
    assert ratio.outcome is outcome
    assert ratio.reason.endswith(text)


# --- 70.004 % vs 70 % ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("liabilities", "outcome", "shown"),
    [("70.004", Outcome.FAIL, "70.004%"), ("70", Outcome.PASS, "70.00%"),
     ("69.9996", Outcome.PASS, "69.9996%"), ("70.0049", Outcome.FAIL, "70.005%"),
     ("70.005", Outcome.FAIL, "70.01%")],
)
def test_giant_debt_ratio_of_70_004_is_above_70(liabilities: str, outcome: Outcome,
                                                shown: str) -> None:
    condition = giant(last={"total_liabilities": liabilities}).condition("jing.4")
    assert condition.outcome is outcome
    verb = "满足" if outcome is Outcome.PASS else "不满足"
    assert condition.reason.endswith(f"= {shown}，{verb}≤70%")


@pytest.mark.parametrize(
    ("main", "points", "shown"),
    [("70.004", 20, "70.004"), ("69.9996", 15, "69.9996"), ("70", 20, "70.00")],
)
def test_innovative_main_share_around_70(main: str, points: int, shown: str) -> None:
    figures = fin({"operating_revenue": 100, "main_business_revenue": main})
    item = innovative(financials=figures).indicator("6")
    assert item.points == points
    assert item.value == D(shown)
    assert item.to_dict()["value"] == shown


# --- a mean of 999.995 --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("years", "outcome", "text"),
    [
        (("1000", "999.99"), Outcome.FAIL, "(1000.00万元 + 999.99万元) ÷ 2 = 999.995万元，不满足≥1000万元"),
        (("1000", "1000"), Outcome.PASS, "(1000.00万元 + 1000.00万元) ÷ 2 = 1000.00万元，满足≥1000万元"),
        (("1000.01", "999.99"), Outcome.PASS, "= 1000.00万元，满足≥1000万元"),
    ],
)
def test_specialized_rd_mean_of_999_995_is_below_1000(years: tuple[str, str], outcome: Outcome,
                                                      text: str) -> None:
    figures = fin({"rd_expense": years[0]}, {"rd_expense": years[1]})
    condition = SPECIALIZED.evaluate(SpecializedInput(financials=figures)).condition("direct.2")
    assert condition.outcome is outcome
    assert condition.reason.endswith(text)


# --- −0.0001 % growth ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("last", "points", "shown"),
    [("99.9999", 0, "-0.0001"), ("100", 5, "0.00"), ("100.0001", 5, "0.0001"),
     ("99.99", 0, "-0.01")],
)
def test_negative_growth_of_0_0001_does_not_reach_the_0_to_5_band(last: str, points: int,
                                                                  shown: str) -> None:
    figures = fin({"main_business_revenue": last}, {"main_business_revenue": 100})
    item = innovative(financials=figures).indicator("3")
    assert item.points == points
    assert f"{item.value:f}" == shown
    assert f"= {shown}%，落在" in item.reason


def test_average_growth_is_judged_from_exact_yearly_rates() -> None:
    # N−1: 100.0002/100 → 0.0002%; N−2: 99.9997/100 → −0.0003%; mean −0.00005% < 0
    figures = fin({"main_business_revenue": "100.0002"}, {"main_business_revenue": 100},
                  {"main_business_revenue": "100.0003"})
    item = SPECIALIZED.evaluate(SpecializedInput(financials=figures)).indicator("2")
    assert item.value is not None and item.value < 0  # type: ignore[operator]
    assert item.points == 0


# --- sums with a missing year --------------------------------------------------------------

@pytest.mark.parametrize(
    ("standard", "key", "figures", "outcome", "missing"),
    [
        # 2 500万 of equity financing in N−1 alone meets "近三年…500万元以上"
        ("innovative", "direct.4", fin({"new_equity_financing": 2500}), Outcome.PASS, False),
        ("innovative", "direct.4", fin({"new_equity_financing": 499}), Outcome.FAIL, True),
        ("specialized", "direct.3", fin({"new_equity_financing": 6000}), Outcome.PASS, False),
        ("specialized", "direct.3", fin({"new_equity_financing": "5999.99"}), Outcome.FAIL,
         True),
        ("specialized", "direct.2", fin({"rd_expense": 2000}), Outcome.PASS, False),
        ("specialized", "direct.2", fin({"rd_expense": "1999.99"}), Outcome.FAIL, True),
        ("specialized", "cond.3", fin({"operating_revenue": 500, "new_equity_financing": 2000}),
         Outcome.PASS, False),
        ("specialized", "cond.3", fin({"operating_revenue": 500, "new_equity_financing": 1000}),
         Outcome.FAIL, True),
    ],
)
def test_sum_with_a_missing_year_is_met_when_known_years_reach_it_else_missing(
    standard: str, key: str, figures: Financials, outcome: Outcome, missing: bool,
) -> None:
    cls = InnovativeInput if standard == "innovative" else SpecializedInput
    result = get_standard("2022", standard).evaluate(cls(financials=figures))
    condition = result.condition(key)
    assert condition.outcome is outcome
    assert bool(condition.missing) is missing
    assert ("已知年份已达到" in condition.reason) is (outcome is Outcome.PASS
                                                     and key != "cond.3")


def test_giant_2026_rd_total_with_a_missing_year() -> None:
    standard = get_standard("2026", "giant")
    from declarations.standards import GiantInput2026
    met = standard.evaluate(GiantInput2026(financials=fin({"rd_expense": 1200})))
    assert met.condition("rd.total").outcome is Outcome.PASS
    assert met.condition("rd.total").missing == ()
    short = standard.evaluate(GiantInput2026(financials=fin({"rd_expense": 1199})))
    assert short.condition("rd.total").outcome is Outcome.FAIL
    assert [m.field for m in short.condition("rd.total").missing] == [
        "financials.year_before.rd_expense"]


def test_direct_condition_proven_by_known_years_makes_the_declaration_meet() -> None:
    figures = fin({"new_equity_financing": 2500, "operating_revenue": 100})
    result = innovative(financials=figures, eligibility=OK)
    assert result.total is not None and result.total < 60
    assert result.verdict is Verdict.MEETS


# --- IP counts with the top class unknown --------------------------------------------------

@pytest.mark.parametrize(
    ("ip", "points", "missing"),
    [
        (IpCounts(None, None, 3, 0), 6, ["ip.high_value_class1", "ip.self_developed_class1"]),
        (IpCounts(None, 1, 1, 0), 8, ["ip.high_value_class1"]),
        (IpCounts(None, 0, 0, 4), 2, ["ip.high_value_class1"]),
        (IpCounts(None, 0, 0, 0), 0, ["ip.high_value_class1"]),
    ],
)
def test_specialized_ip_scores_the_proven_tier_with_the_top_class_unknown(
    ip: IpCounts, points: int, missing: list[str],
) -> None:
    item = SPECIALIZED.evaluate(SpecializedInput(ip=ip)).indicator("10")
    assert item.points == points
    assert [m.field for m in item.missing] == missing


# --- invalid inputs refused at the edge ----------------------------------------------------

@pytest.mark.parametrize(
    ("standard", "inputs", "field", "message"),
    [
        ("innovative", InnovativeInput(awards=(Award(AwardLevel.NATIONAL, 0),)), "awards.0.rank",
         "第1项科技奖励的获奖单位排名应为1或以上的整数（填写的是0）"),
        ("specialized", SpecializedInput(awards=(Award(AwardLevel.PROVINCIAL, 1),
                                                 Award(AwardLevel.NATIONAL, -2))),
         "awards.1.rank", "第2项科技奖励的获奖单位排名应为1或以上的整数（填写的是-2）"),
        ("specialized", SpecializedInput(ip=IpCounts(class2=-1)), "ip.class2",
         "Ⅱ类知识产权数量不能为负数（填写的是-1）"),
        ("specialized", SpecializedInput(niche_years=D("-0.5")), "niche_years",
         "从事特定细分市场年限不能为负数（填写的是-0.5）"),
        ("specialized", SpecializedInput(maker_china_rank=0), "maker_china_rank",
         '"创客中国"全国企业组名次应为1或以上的整数（填写的是0）'),
        ("giant", GiantInput(financials=Financials(YearFigures(employees=-3))),
         "financials.last_year.employees", "上年度职工总数不能为负数（填写的是-3）"),
    ],
)
def test_invalid_inputs_are_refused_with_a_chinese_message_naming_the_field(
    standard: str, inputs: object, field: str, message: str,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        get_standard("2022", standard).evaluate(inputs)
    assert caught.value.message_dict == {field: [message]}
    assert message in str(caught.value)


def test_award_rank_1_and_no_rank_are_accepted() -> None:
    result = innovative(awards=(Award(AwardLevel.PROVINCIAL, 1), Award(AwardLevel.NATIONAL)))
    assert result.condition("direct.1").outcome is Outcome.PASS


# --- property: the shown figure never contradicts the verdict ------------------------------

NUMBER = r"(-?\d+(?:\.\d+)?)"
BAND = re.compile(NUMBER + r"(%|万元)(?:，落在| →)「([^」]+)」")
THRESHOLD = re.compile(
    NUMBER + r"(%|万元)(?:（[^）]*）)?，(已知年份已达到，满足|已知年份未达到，无法判断是否满足|满足|不满足)"
    + r"([≥≤])" + NUMBER + r"(%|万元)")
LABEL = re.compile(r"^([≥≤<>])?" + NUMBER + r"(?:%|万元)(?:–" + NUMBER + r"(?:%|万元)（含"
                   + NUMBER + r"(?:%|万元)）)?$")


def in_band(value: D, label: str) -> bool:
    """Whether ``value`` lies in a band labelled like "≥5%", "3%–5%（含3%）", "<1%"."""
    match = LABEL.match(label)
    assert match, label
    sign, first, second, included = match.groups()
    a = D(first)
    if second is None:
        return {"≥": value >= a, "≤": value <= a, "<": value < a, ">": value > a}[sign]
    b, edge = D(second), D(included)
    return a <= value < b if edge == a else a < value <= b


def texts(result: EvaluationResult) -> Iterator[str]:
    def walk_ind(item: IndicatorResult) -> Iterator[str]:
        yield item.reason
        for part in item.parts:
            yield from walk_ind(part)

    def walk_cond(item: ConditionResult) -> Iterator[str]:
        yield item.reason
        for part in item.parts:
            yield from walk_cond(part)

    for ind in result.indicators:
        yield from walk_ind(ind)
    for cond in (*result.mandatory, *result.direct):
        yield from walk_cond(cond)


def assert_display_agrees(result: EvaluationResult) -> int:
    """Parse every shown figure back and compare it with its edge or band; returns how many
    comparisons were checked."""
    checked = 0
    for text in texts(result):
        for number, _unit, label in BAND.findall(text):
            assert in_band(D(number), label), (number, label, text)
            checked += 1
        for number, _unit, verdict, sign, edge, _ in THRESHOLD.findall(text):
            met = verdict in ("满足", "已知年份已达到，满足")
            value, limit = D(number), D(edge)
            assert (value >= limit if sign == "≥" else value <= limit) is met, text
            checked += 1
    for item in result.indicators:  # ``value`` is the figure shown in the reason
        if isinstance(item.value, D) and re.search(r"(%|万元)，落在", item.reason):
            assert f"= {item.value:f}" in item.reason, (item.value, item.reason)
    return checked


EDGES = [D(e) for e in (0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 55, 60, 70, 75, 80, 90)]
near_edge = st.builds(lambda e, d: e + d, st.sampled_from(EDGES),
                      st.decimals(min_value=D("-0.02"), max_value=D("0.02"), places=4))
base = st.integers(min_value=10_000, max_value=10**7).map(lambda c: D(c) / 100)


@st.composite
def near_edge_financials(draw: st.DrawFn) -> Financials:
    """Figures whose ratios and growth rates fall within ±0.02% of the tables' edges."""
    def cents(value: D) -> D:
        return value.quantize(D("0.01"))

    years = []
    earliest_main = draw(base)
    main = earliest_main
    for _ in range(3):
        revenue = draw(base)
        years.append(YearFigures(
            operating_revenue=revenue,
            main_business_revenue=cents(main),
            rd_expense=cents(revenue * draw(near_edge) / 100),
            net_profit=cents(revenue * draw(near_edge) / 100),
            total_assets=revenue,
            total_liabilities=cents(revenue * draw(near_edge) / 100),
            new_equity_financing=draw(st.sampled_from([D(0), D("1999.99"), D(2000), D(250)])),
            employees=10_000, rd_staff=draw(st.sampled_from([499, 500, 999, 1000, 2000, 5000])),
        ))
        main = main / (1 + draw(near_edge) / 100)
    return Financials(*years)


def with_near_edges(version: str, tier: str) -> st.SearchStrategy:
    return st.one_of(
        VALID[(version, tier)],
        st.builds(lambda inp, f: type(inp)(**{**{k: getattr(inp, k)
                                                 for k in type(inp).__slots__},
                                              "financials": f}),
                  VALID[(version, tier)], near_edge_financials()),
    )


@pytest.mark.parametrize(("version", "tier"), sorted(VALID))
def test_the_shown_figures_parsed_back_never_contradict_the_verdict(version: str,
                                                                    tier: str) -> None:
    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(with_near_edges(version, tier))
    def prop(inputs: object) -> None:
        assert_display_agrees(get_standard(version, tier).evaluate(inputs))

    prop()


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(st.sampled_from(EDGES), min_size=1, max_size=4),
       st.sampled_from(EDGES), st.decimals(min_value=D("-0.01"), max_value=D("0.01"), places=6))
def test_display_keeps_every_value_on_the_side_of_every_edge(edges: list[D], edge: D,
                                                             offset: D) -> None:
    value = edge + offset
    shown = D(f"{rules.display(value, edges):f}")
    for limit in edges:
        assert (shown >= limit) is (value >= limit)
        assert (shown <= limit) is (value <= limit)


def test_the_property_catches_a_display_that_rounds_onto_the_edge() -> None:
    """The parse-back check fails on the reason text the old two-decimal display gave."""
    old = "研发费用 2.995万元 ÷ 营业收入 100.00万元 = 3.00%，落在「2%–3%（含2%）」档，得10分"
    assert not in_band(D("3.00"), "2%–3%（含2%）")
    for number, _unit, label in BAND.findall(old):
        assert not in_band(D(number), label)

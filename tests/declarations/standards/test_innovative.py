"""创新型中小企业 (2022, §3.1): every band edge, the group floors, direct conditions."""

from decimal import Decimal as D

import pytest

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    Honor,
    InnovativeInput,
    IpCounts,
    Outcome,
    RdInstitutionLevel,
    Verdict,
    get_standard,
)
from tests.declarations.standards.builders import fin

STANDARD = get_standard("2022", "innovative")
OK = BasicEligibility.confirmed()


def run(**kwargs: object) -> object:
    return STANDARD.evaluate(InnovativeInput(**kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ip", "points"),
    [
        (IpCounts(1, 0, 1, 0), 20),
        (IpCounts(0, 1, 1, 0), 15),
        (IpCounts(0, 0, 1, 0), 10),
        (IpCounts(0, 0, 0, 1), 5),
        (IpCounts(0, 0, 0, 0), 0),
        (IpCounts(1, None, None, None), 20),  # higher tier proven, lower counts irrelevant
        (IpCounts(0, 0, 3, None), 10),
    ],
)
def test_indicator_1_ip_tiers(ip: IpCounts, points: int) -> None:
    item = run(ip=ip).indicator("1")
    assert item.points == points
    assert item.max_points == 20
    assert item.missing == ()


@pytest.mark.parametrize(
    ("ip", "points", "missing"),
    [
        # Ⅰ类 = 3 with both higher classes unknown: at least the Ⅰ类 tier, unknowns listed
        (IpCounts(None, None, 3, 0), 10, ["ip.high_value_class1", "ip.self_developed_class1"]),
        (IpCounts(None, 0, 5, 0), 10, ["ip.high_value_class1"]),
        (IpCounts(None, 2, 2, 0), 15, ["ip.high_value_class1"]),
        (IpCounts(None, None, None, 1), 5,
         ["ip.high_value_class1", "ip.self_developed_class1", "ip.class1"]),
        (IpCounts(0, None, 1, 0), 10, ["ip.self_developed_class1"]),
        # nothing proven: 0 points, every unknown listed
        (IpCounts(None, 0, 0, 0), 0, ["ip.high_value_class1"]),
        (IpCounts(), 0, ["ip.high_value_class1", "ip.self_developed_class1", "ip.class1",
                         "ip.class2"]),
    ],
)
def test_indicator_1_scores_the_tier_the_known_counts_prove_when_the_top_class_is_unknown(
    ip: IpCounts, points: int, missing: list[str],
) -> None:
    """Decision 5: an unknown higher class is listed missing, not scored 0."""
    item = run(ip=ip).indicator("1")
    assert item.points == points
    assert [m.field for m in item.missing] == missing
    if points:
        assert "缺少" in item.reason and f"得{points}分" in item.reason


def test_indicator_1_old_rule_scored_zero_for_an_unknown_top_class_now_scores_proven_tier(
) -> None:
    item = run(ip=IpCounts(None, 0, 5, 0)).indicator("1")
    assert item.points == 10
    assert item.band == "Ⅰ类知识产权1项以上"


# §3.1 indicator 2: ≥5 20; 3–5 15; 2–3 10; 1–2 5; <1 0.  营业收入 100 → ratio = 研发费用.
@pytest.mark.parametrize(
    ("ratio", "points"),
    [("0", 0), ("0.99", 0), ("1", 5), ("1.01", 5), ("1.99", 5), ("2", 10), ("2.01", 10),
     ("2.99", 10), ("3", 15), ("3.01", 15), ("4.99", 15), ("5", 20), ("5.01", 20),
     ("2.995", 10)],  # exact value judged: 2.995% is below 3%, no longer rounded into it
)
def test_indicator_2_rd_ratio_bands_exact_value_so_2_995_is_below_3(ratio: str,
                                                                     points: int) -> None:
    item = run(financials=fin({"operating_revenue": 100, "rd_expense": ratio})).indicator("2")
    assert item.points == points


# §3.1 indicator 3: ≥15 20; 10–15 15; 5–10 10; 0–5 5; <0 0.  上上年度 100.
@pytest.mark.parametrize(
    ("growth", "points"),
    [("-0.01", 0), ("0", 5), ("0.01", 5), ("4.99", 5), ("5", 10), ("5.01", 10), ("9.99", 10),
     ("10", 15), ("10.01", 15), ("14.99", 15), ("15", 20), ("15.01", 20), ("-60", 0)],
)
def test_indicator_3_main_revenue_growth_bands(growth: str, points: int) -> None:
    figures = fin({"main_business_revenue": D(100) + D(growth)},
                  {"main_business_revenue": 100})
    item = run(financials=figures).indicator("3")
    assert item.value == D(growth).quantize(D("0.01"))
    assert item.points == points


# §3.1 indicator 4: ≤55 10; 55–75 5; >75 0.  资产总额 100.
@pytest.mark.parametrize(
    ("debt", "points"),
    [("0", 10), ("54.99", 10), ("55", 10), ("55.01", 5), ("74.99", 5), ("75", 5),
     ("75.01", 0), ("120", 0)],
)
def test_indicator_4_debt_ratio_bands(debt: str, points: int) -> None:
    item = run(financials=fin({"total_assets": 100, "total_liabilities": debt})).indicator("4")
    assert item.points == points


@pytest.mark.parametrize(("strategic", "points"), [(True, 10), (False, 5), (None, 0)])
def test_indicator_5_product_field(strategic: bool | None, points: int) -> None:
    item = run(strategic_emerging_product=strategic).indicator("5")
    assert item.points == points
    assert bool(item.missing) is (strategic is None)


# §3.1 indicator 6: ≥70 20; 60–70 15; 55–60 10; 50–55 5; <50 0.  营业收入 100.
@pytest.mark.parametrize(
    ("share", "points"),
    [("49.99", 0), ("50", 5), ("50.01", 5), ("54.99", 5), ("55", 10), ("55.01", 10),
     ("59.99", 10), ("60", 15), ("60.01", 15), ("69.99", 15), ("70", 20), ("70.01", 20),
     ("100", 20)],
)
def test_indicator_6_main_business_share_bands(share: str, points: int) -> None:
    figures = fin({"operating_revenue": 100, "main_business_revenue": share})
    assert run(financials=figures).indicator("6").points == points


def scored(ip: IpCounts, rd: str, growth: str, debt: str, strategic: bool | None,
           share: str) -> InnovativeInput:
    """An input whose six indicators are driven directly.

    Every ratio is exact (no rounding to reach an edge): 主营业务收入 is a multiple of every
    share and every (100 + growth) used below, so revenue and the N−2 base are whole.
    """
    main = D(6_375_600)  # 2⁴·3²·5²·7·11·23
    base = main * 100 / (100 + D(growth))  # 上上年度主营业务收入
    revenue = main * 100 / D(share)
    assert base == base.to_integral_value() and revenue == revenue.to_integral_value()
    figures = fin(
        {"operating_revenue": revenue, "rd_expense": revenue * D(rd) / 100,
         "main_business_revenue": main, "total_assets": 100, "total_liabilities": debt,
         "new_equity_financing": 0},
        {"main_business_revenue": base, "new_equity_financing": 0},
        {"new_equity_financing": 0},
    )
    return InnovativeInput(financials=figures, ip=ip, strategic_emerging_product=strategic,
                           eligibility=OK)


NO_IP = IpCounts(0, 0, 0, 0)
CLASS2 = IpCounts(0, 0, 0, 1)


@pytest.mark.parametrize(
    ("inp", "total", "groups", "verdict"),
    [
        # 创新能力 5+15=20 (floor met exactly), 成长性 20+10, 专业化 10+20 → 80
        (scored(CLASS2, "3", "15", "50", True, "80"), 80, (20, 30, 30), Verdict.MEETS),
        # 创新能力 0+15=15 < 20 although total 75 ≥ 60
        (scored(NO_IP, "3", "15", "50", True, "80"), 75, (15, 30, 30), Verdict.FAILS),
        # 成长性 growth 10%→15 + debt 80%→0 = 15 (floor met exactly): 30+15+30 = 75
        (scored(IpCounts(0, 0, 1, 0), "5", "10", "80", True, "80"), 75, (30, 15, 30),
         Verdict.MEETS),
        # 成长性 5%→10 + 0 = 10 < 15
        (scored(IpCounts(0, 0, 1, 0), "5", "5", "80", True, "80"), 70, (30, 10, 30),
         Verdict.FAILS),
        # 专业化 5 + share 55%→10 = 15 (floor met exactly): 30+30+15 = 75
        (scored(IpCounts(0, 0, 1, 0), "5", "20", "50", False, "55"), 75, (30, 30, 15),
         Verdict.MEETS),
        # 专业化 5 + share 50%→5 = 10 < 15
        (scored(IpCounts(0, 0, 1, 0), "5", "20", "50", False, "50"), 70, (30, 30, 10),
         Verdict.FAILS),
        # total exactly 60: 5+15=20, 10+5=15, 5+20=25 → meets
        (scored(CLASS2, "3", "5", "60", False, "70"), 60, (20, 15, 25), Verdict.MEETS),
        # total 55 with every floor met → fails: 5+15, 5+10, 5+15
        (scored(CLASS2, "3", "0", "55", False, "60"), 55, (20, 15, 20), Verdict.FAILS),
    ],
)
def test_total_and_group_floors(inp: InnovativeInput, total: int, groups: tuple[int, ...],
                                verdict: Verdict) -> None:
    result = STANDARD.evaluate(inp)
    assert result.total == total
    assert tuple(g.points for g in result.groups) == groups
    assert [g.outcome is Outcome.PASS for g in result.groups] == [
        g.points >= g.floor for g in result.groups  # type: ignore[operator]
    ]
    assert result.verdict is verdict


def failing_score() -> InnovativeInput:
    return scored(NO_IP, "0", "-10", "90", False, "10")  # 0 + 0 + 0 + 0 + 5 + 0 = 5


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"awards": (Award(AwardLevel.PROVINCIAL, 9),)}, "direct.1"),
        ({"awards": (Award(AwardLevel.NATIONAL),)}, "direct.1"),
        ({"honors": frozenset({Honor.HIGH_TECH})}, "direct.2"),
        ({"honors": frozenset({Honor.TECH_INNOVATION_DEMO})}, "direct.2"),
        ({"honors": frozenset({Honor.IP_ADVANTAGE})}, "direct.2"),
        ({"honors": frozenset({Honor.IP_DEMO})}, "direct.2"),
        ({"rd_institution": RdInstitutionLevel.NATIONAL}, "direct.3"),
        ({"rd_institution": RdInstitutionLevel.PROVINCIAL}, "direct.3"),
    ],
)
def test_each_direct_condition_passes_a_low_score(changes: dict[str, object], key: str) -> None:
    base = failing_score()
    result = STANDARD.evaluate(InnovativeInput(**{**base_kwargs(base), **changes}))
    assert result.total == 5
    assert result.condition(key).outcome is Outcome.PASS
    assert result.verdict is Verdict.MEETS
    assert "满足直通条件" in result.reasons[0]


def base_kwargs(inp: InnovativeInput) -> dict[str, object]:
    return {"financials": inp.financials, "ip": inp.ip, "eligibility": inp.eligibility,
            "strategic_emerging_product": inp.strategic_emerging_product}


@pytest.mark.parametrize(
    ("level", "outcome"),
    [(RdInstitutionLevel.MUNICIPAL, Outcome.FAIL), (RdInstitutionLevel.BELOW_MUNICIPAL,
                                                    Outcome.FAIL),
     (RdInstitutionLevel.NONE, Outcome.FAIL), (None, Outcome.FAIL)],
)
def test_direct_3_needs_provincial_or_national_institution(
    level: RdInstitutionLevel | None, outcome: Outcome,
) -> None:
    assert run(rd_institution=level).condition("direct.3").outcome is outcome


@pytest.mark.parametrize(
    ("amounts", "outcome"),
    [(("200", "200", "100"), Outcome.PASS),  # exactly 500 → 500万元以上
     (("200", "200", "99.99"), Outcome.FAIL),
     (("600", "0", "0"), Outcome.PASS)],
)
def test_direct_4_three_year_equity_financing(amounts: tuple[str, str, str],
                                              outcome: Outcome) -> None:
    a, b, c = amounts
    figures = fin({"new_equity_financing": a}, {"new_equity_financing": b},
                  {"new_equity_financing": c})
    result = STANDARD.evaluate(InnovativeInput(financials=figures, eligibility=OK))
    assert result.condition("direct.4").outcome is outcome
    assert result.verdict is (Verdict.MEETS if outcome is Outcome.PASS else Verdict.FAILS)


@pytest.mark.parametrize(
    ("amounts", "outcome", "missing"),
    [
        # the known years already reach 500: met although N−3 is blank (amounts ≥ 0)
        (("900", "0", None), Outcome.PASS, []),
        (("500", None, None), Outcome.PASS, []),
        ((None, None, "2500"), Outcome.PASS, []),
        # the known years fall short and a year is missing: missing input
        (("400", "0", None), Outcome.FAIL, ["financials.two_years_before.new_equity_financing"]),
        (("499.99", None, None), Outcome.FAIL,
         ["financials.year_before.new_equity_financing",
          "financials.two_years_before.new_equity_financing"]),
        ((None, None, None), Outcome.FAIL,
         ["financials.last_year.new_equity_financing",
          "financials.year_before.new_equity_financing",
          "financials.two_years_before.new_equity_financing"]),
    ],
)
def test_direct_4_sum_with_a_missing_year_is_met_when_the_known_years_reach_500(
    amounts: tuple[str | None, ...], outcome: Outcome, missing: list[str],
) -> None:
    a, b, c = amounts
    figures = fin({"new_equity_financing": a}, {"new_equity_financing": b},
                  {"new_equity_financing": c})
    result = STANDARD.evaluate(InnovativeInput(financials=figures, eligibility=OK))
    condition = result.condition("direct.4")
    assert condition.outcome is outcome
    assert [m.field for m in condition.missing] == missing
    if outcome is Outcome.PASS and a == "900":
        assert condition.reason == ("近三年新增股权融资总额 至少 900.00万元（已知年份合计，缺少上上上年度"
                                    "新增股权融资），已知年份已达到，满足≥500万元")
    if outcome is Outcome.PASS:
        assert result.verdict is Verdict.MEETS
        assert not {m.field for m in result.missing_inputs} & {
            "financials.two_years_before.new_equity_financing"}


def test_no_direct_condition_without_claims() -> None:
    result = STANDARD.evaluate(failing_score())
    assert [c.outcome for c in result.direct] == [Outcome.FAIL] * 4
    assert result.verdict is Verdict.FAILS
    assert "评价得分5分 < 60分" in result.reasons[0]


@pytest.mark.parametrize(
    ("eligibility", "verdict"),
    [
        (BasicEligibility.confirmed(), Verdict.MEETS),
        (BasicEligibility(True, True, True, None), Verdict.REVIEW),
        (BasicEligibility(), Verdict.REVIEW),
        (BasicEligibility(True, False, True, True), Verdict.FAILS),
        (BasicEligibility(True, True, False, None), Verdict.FAILS),
    ],
)
def test_basic_eligibility_is_an_officials_judgement(eligibility: BasicEligibility,
                                                     verdict: Verdict) -> None:
    inp = scored(CLASS2, "5", "20", "50", True, "80")
    result = STANDARD.evaluate(InnovativeInput(**{**base_kwargs(inp),
                                                  "eligibility": eligibility}))
    assert result.total == 5 + 20 + 20 + 10 + 10 + 20
    assert result.verdict is verdict


def test_empty_input_never_raises_and_reports_every_missing_figure() -> None:
    result = STANDARD.evaluate(InnovativeInput())
    assert result.total == 0
    assert all(i.points == 0 for i in result.indicators)
    fields = {m.field for m in result.missing_inputs}
    assert {
        "ip.high_value_class1", "financials.last_year.rd_expense",
        "financials.last_year.operating_revenue", "financials.last_year.main_business_revenue",
        "financials.year_before.main_business_revenue", "financials.last_year.total_assets",
        "financials.last_year.total_liabilities", "strategic_emerging_product",
    } <= fields
    assert "缺少" in result.indicator("2").reason
    assert result.verdict is Verdict.FAILS


def test_zero_revenue_cannot_be_scored_but_does_not_raise() -> None:
    item = run(financials=fin({"operating_revenue": 0, "rd_expense": 10})).indicator("2")
    assert item.points == 0
    assert item.value is None
    assert "无法计算" in item.reason


def test_reason_shows_the_arithmetic() -> None:
    item = run(financials=fin({"operating_revenue": 4000, "rd_expense": 180})).indicator("2")
    assert item.reason == ("研发费用 180.00万元 ÷ 营业收入 4000.00万元 = 4.50%，"
                           "落在「3%–5%（含3%）」档，得15分")
    assert item.value == D("4.50")
    assert item.band == "3%–5%（含3%）"

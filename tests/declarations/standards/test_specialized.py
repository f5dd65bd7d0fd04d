"""专精特新中小企业 (2022, §3.2): the thirteen indicators' edges, the four 认定条件 and the
direct conditions of 认定条件4."""

from decimal import Decimal as D

import pytest

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    IpCounts,
    Outcome,
    QualityItem,
    RdInstitutionLevel,
    SpecializedInput,
    SpecializedProductField,
    Verdict,
    get_standard,
)
from declarations.standards.results import EvaluationResult
from tests.declarations.standards.builders import fin

STANDARD = get_standard("2022", "specialized")
OK = BasicEligibility.confirmed()


def run(**kwargs: object) -> EvaluationResult:
    return STANDARD.evaluate(SpecializedInput(**kwargs))  # type: ignore[arg-type]


# indicator 1: ≥80 5; 70–80 3; 60–70 1; <60 0
@pytest.mark.parametrize(
    ("share", "points"),
    [("59.99", 0), ("60", 1), ("60.01", 1), ("69.99", 1), ("70", 3), ("70.01", 3),
     ("79.99", 3), ("80", 5), ("80.01", 5)],
)
def test_indicator_1_main_share(share: str, points: int) -> None:
    figures = fin({"operating_revenue": 100, "main_business_revenue": share})
    assert run(financials=figures).indicator("1").points == points


# indicator 2: ≥10 10; 8–10 8; 6–8 6; 4–6 4; 0–4 2; <0 0.  N−3 = N−2 = 100 so the N−2
# growth is 0 and the average is half the N−1 growth.
@pytest.mark.parametrize(
    ("average", "points"),
    [("-0.01", 0), ("0", 2), ("0.01", 2), ("3.99", 2), ("4", 4), ("4.01", 4), ("5.99", 4),
     ("6", 6), ("6.01", 6), ("7.99", 6), ("8", 8), ("8.01", 8), ("9.99", 8), ("10", 10),
     ("10.01", 10)],
)
def test_indicator_2_average_growth(average: str, points: int) -> None:
    last = D(100) + 2 * D(average)
    figures = fin({"main_business_revenue": last}, {"main_business_revenue": 100},
                  {"main_business_revenue": 100})
    item = run(financials=figures).indicator("2")
    assert item.value == D(average)
    assert item.points == points


def test_indicator_2_averages_the_two_yearly_rates() -> None:
    # N−1: (132 − 120) ÷ 120 = 10.00%; N−2: (120 − 100) ÷ 100 = 20.00%; mean 15.00%
    figures = fin({"main_business_revenue": 132}, {"main_business_revenue": 120},
                  {"main_business_revenue": 100})
    item = run(financials=figures).indicator("2")
    assert item.value == D("15.00")
    assert item.points == 10
    assert "平均 (10.00% + 20.00%) ÷ 2 = 15.00%" in item.reason


def test_indicator_2_missing_third_year_scores_zero() -> None:
    figures = fin({"main_business_revenue": 132}, {"main_business_revenue": 120})
    item = run(financials=figures).indicator("2")
    assert item.points == 0
    assert [m.field for m in item.missing] == ["financials.two_years_before.main_business_revenue"]


# indicator 3: 每满2年得1分，最高5分
@pytest.mark.parametrize(
    ("years", "points"),
    [("0", 0), ("1.99", 0), ("2", 1), ("3.99", 1), ("4", 2), ("6", 3), ("8", 4), ("9.99", 4),
     ("10", 5), ("11", 5), ("30", 5)],
)
def test_indicator_3_niche_years(years: str, points: int) -> None:
    assert run(niche_years=D(years)).indicator("3").points == points


@pytest.mark.parametrize(
    ("choice", "points"),
    [(SpecializedProductField.KEY_LINK, 5), (SpecializedProductField.FOUNDATION, 3),
     (SpecializedProductField.OTHER, 0), (None, 0)],
)
def test_indicator_4_product_field(choice: SpecializedProductField | None, points: int) -> None:
    item = run(product_field=choice).indicator("4")
    assert item.points == points
    assert bool(item.missing) is (choice is None)


# indicator 5 (§0.5): 三级及以上 5，二级 3，一级或无 0
@pytest.mark.parametrize(
    ("level", "points", "band"),
    [(0, 0, "一级或未达一级"), (1, 0, "一级或未达一级"), (2, 3, "二级"), (3, 5, "三级及以上"),
     (4, 5, "三级及以上"), (None, 0, "无评测结果")],
)
def test_indicator_5_digital_level(level: int | None, points: int, band: str) -> None:
    item = run(digital_level=level).indicator("5")
    assert (item.points, item.band) == (points, band)


# indicator 6: 每满足一项加3分，最高5分
@pytest.mark.parametrize(
    ("items", "points"),
    [(frozenset(), 0), (frozenset({QualityItem.QUALITY_AWARD}), 3),
     (frozenset({QualityItem.QMS_CERTIFIED, QualityItem.OWN_BRAND}), 5),
     (frozenset(QualityItem), 5), (None, 0)],
)
def test_indicator_6_quality(items: frozenset[QualityItem] | None, points: int) -> None:
    assert run(quality_items=items).indicator("6").points == points


# indicator 7: ≥10 10; 8–10 8; 6–8 6; 4–6 4; 2–4 2; <2 0
@pytest.mark.parametrize(
    ("margin", "points"),
    [("-5", 0), ("1.99", 0), ("2", 2), ("2.01", 2), ("3.99", 2), ("4", 4), ("5.99", 4),
     ("6", 6), ("7.99", 6), ("8", 8), ("9.99", 8), ("10", 10), ("10.01", 10)],
)
def test_indicator_7_net_margin(margin: str, points: int) -> None:
    figures = fin({"operating_revenue": 100, "net_profit": margin})
    assert run(financials=figures).indicator("7").points == points


# indicator 8: ≤50 5; 50–60 3; 60–70 1; >70 0
@pytest.mark.parametrize(
    ("debt", "points"),
    [("49.99", 5), ("50", 5), ("50.01", 3), ("59.99", 3), ("60", 3), ("60.01", 1),
     ("69.99", 1), ("70", 1), ("70.01", 0)],
)
def test_indicator_8_debt_ratio(debt: str, points: int) -> None:
    figures = fin({"total_assets": 100, "total_liabilities": debt})
    assert run(financials=figures).indicator("8").points == points


@pytest.mark.parametrize(
    ("ip", "points"),
    [(IpCounts(1, 1, 1, 1), 10), (IpCounts(0, 2, 2, 0), 8), (IpCounts(0, 0, 1, 9), 6),
     (IpCounts(0, 0, 0, 1), 2), (IpCounts(0, 0, 0, 0), 0), (IpCounts(), 0)],
)
def test_indicator_10_ip(ip: IpCounts, points: int) -> None:
    assert run(ip=ip).indicator("10").points == points


# indicator 11 by amount (营业收入 1 000 000 keeps the ratio below 3%)
@pytest.mark.parametrize(
    ("amount", "points"),
    [("99.99", 0), ("100", 2), ("199.99", 2), ("200", 4), ("299.99", 4), ("300", 6),
     ("399.99", 6), ("400", 8), ("499.99", 8), ("500", 10), ("5000", 10)],
)
def test_indicator_11_rd_amount(amount: str, points: int) -> None:
    figures = fin({"operating_revenue": 1_000_000, "rd_expense": amount})
    assert run(financials=figures).indicator("11").points == points


# indicator 11 by ratio (营业收入 100 keeps the amount below 100万元)
@pytest.mark.parametrize(
    ("ratio", "points"),
    [("2.99", 0), ("3", 2), ("3.99", 2), ("4", 4), ("5.99", 4), ("6", 6), ("7.99", 6),
     ("8", 8), ("9.99", 8), ("10", 10), ("50", 10)],
)
def test_indicator_11_rd_ratio(ratio: str, points: int) -> None:
    figures = fin({"operating_revenue": 100, "rd_expense": ratio})
    assert run(financials=figures).indicator("11").points == points


def test_indicator_11_takes_the_better_of_amount_and_ratio() -> None:
    # 250万元 → 4; 250 ÷ 3125 = 8.00% → 8
    item = run(financials=fin({"operating_revenue": 3125, "rd_expense": 250})).indicator("11")
    assert item.points == 8
    assert item.value == D("8.00")
    # 450万元 → 8; 450 ÷ 15000 = 3.00% → 2
    item = run(financials=fin({"operating_revenue": 15000, "rd_expense": 450})).indicator("11")
    assert item.points == 8
    assert item.value == D("450.00")


def test_indicator_11_without_revenue_scores_the_amount_and_reports_missing() -> None:
    item = run(financials=fin({"rd_expense": 320})).indicator("11")
    assert item.points == 6
    assert [m.field for m in item.missing] == ["financials.last_year.operating_revenue"]


# indicator 12: ≥20 5; 10–20 3; 5–10 1; <5 0 (职工总数 10000)
@pytest.mark.parametrize(
    ("staff", "points"),
    [(499, 0), (500, 1), (501, 1), (999, 1), (1000, 3), (1999, 3), (2000, 5), (2001, 5)],
)
def test_indicator_12_rd_staff_ratio(staff: int, points: int) -> None:
    figures = fin({"employees": 10000, "rd_staff": staff})
    assert run(financials=figures).indicator("12").points == points


@pytest.mark.parametrize(
    ("level", "points"),
    [(RdInstitutionLevel.NATIONAL, 10), (RdInstitutionLevel.PROVINCIAL, 8),
     (RdInstitutionLevel.MUNICIPAL, 4), (RdInstitutionLevel.BELOW_MUNICIPAL, 2),
     (RdInstitutionLevel.NONE, 0), (None, 0)],
)
def test_indicator_13_rd_institution(level: RdInstitutionLevel | None, points: int) -> None:
    assert run(rd_institution=level).indicator("13").points == points


def test_groups_add_up_to_100_points_maximum() -> None:
    result = run()
    assert [(g.name, g.max_points) for g in result.groups] == [
        ("专业化", 25), ("精细化", 25), ("特色化", 15), ("创新能力", 35)]
    assert sum(i.max_points for i in result.indicators) == 100


# --- 认定条件 ------------------------------------------------------------------------------

def strong(**changes: object) -> SpecializedInput:
    """Meets conditions 1–3 and scores 60+ without features: see the arithmetic below."""
    kwargs: dict[str, object] = {
        # 1: 900/1000 = 90% → 5; 2: (900−800)/800 = 12.5%, (800−800)/800 = 0 → 6.25% → 6
        # 7: 100/1000 = 10% → 10; 8: 40/100 = 40% → 5; 11: 150万 → 2, 15% → 10 → 10;
        # 12: 25/100 = 25% → 5
        "financials": fin(
            {"operating_revenue": 1000, "main_business_revenue": 900, "rd_expense": 150,
             "net_profit": 100, "total_assets": 100, "total_liabilities": 40,
             "new_equity_financing": 0, "employees": 100, "rd_staff": 25},
            {"operating_revenue": 900, "main_business_revenue": 800, "rd_expense": 120,
             "new_equity_financing": 0},
            {"main_business_revenue": 800},
        ),
        "niche_years": D(4),  # 3: 2
        "product_field": SpecializedProductField.FOUNDATION,  # 4: 3
        "digital_level": 3,  # 5: 5
        "quality_items": frozenset({QualityItem.QMS_CERTIFIED}),  # 6: 3
        "ip": IpCounts(0, 0, 1, 0),  # 10: 6
        "rd_institution": RdInstitutionLevel.BELOW_MUNICIPAL,  # 13: 2
        "eligibility": OK,
    }
    kwargs.update(changes)
    return SpecializedInput(**kwargs)  # type: ignore[arg-type]


STRONG_TOTAL = 5 + 6 + 2 + 3 + 5 + 3 + 10 + 5 + 0 + 6 + 10 + 5 + 2  # = 62


def test_strong_baseline_meets_everything() -> None:
    result = STANDARD.evaluate(strong())
    assert result.total == STRONG_TOTAL == 62
    assert result.verdict is Verdict.MEETS
    assert all(c.outcome is Outcome.PASS for c in result.mandatory)


@pytest.mark.parametrize(("years", "outcome"), [("1.99", Outcome.FAIL), ("2", Outcome.PASS),
                                                ("2.5", Outcome.PASS), (None, Outcome.FAIL)])
def test_condition_1_two_years_in_the_niche(years: str | None, outcome: Outcome) -> None:
    niche = None if years is None else D(years)
    result = STANDARD.evaluate(strong(niche_years=niche, digital_level=4,
                                      rd_institution=RdInstitutionLevel.NATIONAL))
    assert result.condition("cond.1").outcome is outcome
    assert result.verdict is (Verdict.MEETS if outcome is Outcome.PASS else Verdict.FAILS)


@pytest.mark.parametrize(
    ("revenue", "rd", "amount_ok", "ratio_ok"),
    [(1000, "100", True, True),  # exactly 100万元 and exactly 10%
     (1000, "99.99", False, True),
     (5000, "150", True, True),  # exactly 3.00%
     (5000, "149.99", True, False),  # 2.9998% is below 3%: the exact value is judged
     (5000, "149.74", True, False),  # 2.9948%
     (5100, "150", True, False)],  # 2.94%
)
def test_condition_2_rd_amount_and_ratio_exact_so_2_9998_fails(
    revenue: int, rd: str, amount_ok: bool, ratio_ok: bool,
) -> None:
    figures = fin({**_last(strong()), "operating_revenue": revenue, "rd_expense": rd})
    condition = STANDARD.evaluate(strong(financials=figures)).condition("cond.2")
    amount, ratio = condition.parts
    assert amount.passed is amount_ok
    assert ratio.passed is ratio_ok
    assert condition.passed is (amount_ok and ratio_ok)


def _last(inp: SpecializedInput) -> dict[str, object]:
    y = inp.financials.last_year
    return {k: getattr(y, k) for k in y.__slots__}


@pytest.mark.parametrize(
    ("revenue", "equity", "outcome"),
    [("1000", ("0", "0"), Outcome.PASS),
     ("999.99", ("0", "0"), Outcome.FAIL),
     ("999.99", ("1000", "1000"), Outcome.PASS),  # exactly 2000 over 近2年
     ("999.99", ("1999.99", "0"), Outcome.FAIL),
     # a missing year: the known year already reaching 2000 proves the sum (amounts ≥ 0)
     ("999.99", ("2000", None), Outcome.PASS),
     ("999.99", ("1999.99", None), Outcome.FAIL),
     (None, ("2500", None), Outcome.PASS)],  # revenue unknown but equity proven
)
def test_condition_3_revenue_or_equity_proven_by_the_known_years(
    revenue: str | None, equity: tuple[str, str | None], outcome: Outcome,
) -> None:
    figures = fin({"operating_revenue": revenue, "new_equity_financing": equity[0]},
                  {"new_equity_financing": equity[1]})
    condition = run(financials=figures).condition("cond.3")
    assert condition.outcome is outcome
    # only a condition the known inputs cannot decide reports what is missing
    assert bool(condition.missing) is (outcome is Outcome.FAIL and None in (revenue, *equity))


def test_condition_4_exactly_60_points_passes_and_59_fails() -> None:
    # dropping 数字化 from level 3 (5) to level 2 (3) gives 60; level 1 (0) gives 57
    at_60 = STANDARD.evaluate(strong(digital_level=2))
    assert at_60.total == 60
    assert at_60.condition("cond.4").outcome is Outcome.PASS
    below = STANDARD.evaluate(strong(digital_level=2, quality_items=frozenset()))
    assert below.total == 57
    assert below.condition("cond.4").outcome is Outcome.FAIL
    assert below.verdict is Verdict.FAILS
    one_short = STANDARD.evaluate(strong(digital_level=2, niche_years=D("3.99")))
    assert one_short.total == 59
    assert one_short.condition("cond.4").outcome is Outcome.FAIL


LOW = {"digital_level": 0, "quality_items": frozenset()}  # total 62 − 5 − 3 = 54


@pytest.mark.parametrize(
    ("changes", "key", "outcome"),
    [
        ({"awards": (Award(AwardLevel.PROVINCIAL, 3),)}, "direct.1", Outcome.PASS),
        ({"awards": (Award(AwardLevel.PROVINCIAL, 4),)}, "direct.1", Outcome.FAIL),
        ({"awards": (Award(AwardLevel.NATIONAL, 5),)}, "direct.1", Outcome.PASS),
        ({"awards": (Award(AwardLevel.NATIONAL, 6),)}, "direct.1", Outcome.FAIL),
        ({"awards": (Award(AwardLevel.NATIONAL, None),)}, "direct.1", Outcome.FAIL),
        ({"maker_china_rank": 500}, "direct.4", Outcome.PASS),
        ({"maker_china_rank": 501}, "direct.4", Outcome.FAIL),
        ({"maker_china_rank": None}, "direct.4", Outcome.FAIL),
    ],
)
def test_condition_4_direct_claims(changes: dict[str, object], key: str,
                                   outcome: Outcome) -> None:
    result = STANDARD.evaluate(strong(**LOW, **changes))
    assert result.total == 54
    assert result.condition(key).outcome is outcome
    assert result.verdict is (Verdict.MEETS if outcome is Outcome.PASS else Verdict.FAILS)


@pytest.mark.parametrize(
    ("rd", "outcome"),
    [(("1000", "1000"), Outcome.PASS), (("1200", "800"), Outcome.PASS),
     (("1000", "999.98"), Outcome.FAIL),  # mean 999.99
     (("1000", "999.99"), Outcome.FAIL),  # exact mean 999.995 is below 1000
     (("2000", None), Outcome.PASS),  # 2000 ÷ 2 already reaches 1000 (amounts ≥ 0)
     (("1999.99", None), Outcome.FAIL)],
)
def test_direct_2_two_year_rd_mean_exact_and_proven_by_known_years(
    rd: tuple[str, str | None], outcome: Outcome,
) -> None:
    figures = fin({"rd_expense": rd[0]}, {"rd_expense": rd[1]})
    assert run(financials=figures).condition("direct.2").outcome is outcome


@pytest.mark.parametrize(
    ("equity", "outcome"),
    [(("6000", "0"), Outcome.PASS), (("3000", "3000"), Outcome.PASS),
     (("5999.99", "0"), Outcome.FAIL)],
)
def test_direct_3_two_year_equity(equity: tuple[str, str], outcome: Outcome) -> None:
    figures = fin({"new_equity_financing": equity[0]}, {"new_equity_financing": equity[1]})
    assert run(financials=figures).condition("direct.3").outcome is outcome


def test_direct_condition_rescues_a_low_score() -> None:
    figures = fin({**_last(strong()), "rd_expense": 1000, "operating_revenue": 1000},
                  {"rd_expense": 1000})
    result = STANDARD.evaluate(strong(**LOW, financials=figures))
    assert result.total < 60
    assert result.condition("direct.2").passed
    assert result.condition("cond.4").passed
    assert "但满足" in result.condition("cond.4").reason


def test_failed_mandatory_condition_wins_over_a_high_score() -> None:
    result = STANDARD.evaluate(strong(niche_years=D(1), digital_level=4,
                                      rd_institution=RdInstitutionLevel.NATIONAL))
    assert result.total >= 60
    assert result.verdict is Verdict.FAILS
    assert result.reasons == ("从事特定细分市场1年，不满足≥2年",)


def test_empty_input_never_raises() -> None:
    result = run()
    assert result.total == 0
    assert result.verdict is Verdict.FAILS
    fields = {m.field for m in result.missing_inputs}
    assert {"niche_years", "digital_level", "quality_items", "product_field", "rd_institution",
            "features", "financials.last_year.rd_expense"} <= fields

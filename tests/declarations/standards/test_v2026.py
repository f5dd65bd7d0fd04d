"""The 2026 hard conditions (§3.5), added as a new version beside 2022."""

from decimal import Decimal as D

import pytest

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    GiantInput2026,
    IpCounts,
    Outcome,
    RdInstitutionLevel,
    SpecializedInput2026,
    Verdict,
    get_standard,
)
from declarations.standards.results import EvaluationResult
from tests.declarations.standards.builders import fin

SPECIALIZED = get_standard("2026", "specialized")
GIANT = get_standard("2026", "giant")

S_LAST = {"operating_revenue": 2000, "main_business_revenue": 1800, "rd_expense": 120,
          "total_assets": 100, "total_liabilities": 50, "new_equity_financing": 0}
S_BEFORE = {"operating_revenue": 1800, "rd_expense": 100, "new_equity_financing": 0}


def specialized(last: dict[str, object] | None = None, before: dict[str, object] | None = None,
                **changes: object) -> EvaluationResult:
    kwargs: dict[str, object] = {
        "financials": fin({**S_LAST, **(last or {})}, {**S_BEFORE, **(before or {})}),
        "ip": IpCounts(class1_applied=1), "holds_tech_innovative": True,
        "niche_years": D(3), "market_position_leading": True, "development_score": D(50),
        "eligibility": BasicEligibility.confirmed(),
    }
    kwargs.update(changes)
    return SPECIALIZED.evaluate(SpecializedInput2026(**kwargs))  # type: ignore[arg-type]


def test_specialized_baseline_on_every_edge_meets() -> None:
    # niche 3, revenue 2000, main 90%, debt 50%, R&D 120/6% and 100/5.56%, score 50
    result = specialized()
    assert result.verdict is Verdict.MEETS, result.reasons
    assert result.total is None
    assert result.version == "2026"


@pytest.mark.parametrize(
    ("kwargs", "key", "outcome"),
    [
        ({"niche_years": D("2.99")}, "niche", Outcome.FAIL),
        ({"last": {"operating_revenue": "1499.99", "main_business_revenue": 1400}}, "rev",
         Outcome.FAIL),
        ({"last": {"operating_revenue": 1500, "main_business_revenue": 1400}}, "rev",
         Outcome.PASS),
        ({"last": {"operating_revenue": 1000, "new_equity_financing": 1000},
          "before": {"new_equity_financing": 1000}}, "rev", Outcome.PASS),
        ({"last": {"main_business_revenue": "1599.8"}}, "main_share", Outcome.FAIL),  # 79.99%
        ({"last": {"main_business_revenue": 1600}}, "main_share", Outcome.PASS),  # 80%
        ({"last": {"total_liabilities": 80}}, "debt", Outcome.PASS),
        ({"last": {"total_liabilities": "80.01"}}, "debt", Outcome.FAIL),
        ({"before": {"rd_expense": "99.99"}}, "rd", Outcome.FAIL),
        ({"before": {"operating_revenue": 3345}}, "rd", Outcome.FAIL),  # 100/3345 = 2.99%
        # 100/3334 = 2.9994%: below 3% now that the exact value is judged
        ({"before": {"operating_revenue": 3334}}, "rd", Outcome.FAIL),
        ({"before": {"operating_revenue": 3333}}, "rd", Outcome.PASS),  # 3.0003%
        ({"ip": IpCounts(class1_applied=0)}, "ip", Outcome.FAIL),
        ({"ip": IpCounts(class1_applied=0), "awards": (Award(AwardLevel.PROVINCIAL, 3),)},
         "ip", Outcome.PASS),
        ({"ip": IpCounts(class1_applied=0), "awards": (Award(AwardLevel.PROVINCIAL, 4),)},
         "ip", Outcome.FAIL),
        ({"ip": IpCounts(), "rd_institution": RdInstitutionLevel.PROVINCIAL}, "ip",
         Outcome.PASS),
        ({"ip": IpCounts(), "rd_institution": RdInstitutionLevel.MUNICIPAL}, "ip", Outcome.FAIL),
        ({"development_score": D("49.99")}, "score", Outcome.FAIL),
        ({"development_score": None}, "score", Outcome.FAIL),
        ({"development_score": D(40), "development_score_prior": D(50), "renewal": True},
         "score", Outcome.PASS),
        ({"development_score": D(40), "development_score_prior": D(50)}, "score", Outcome.FAIL),
        ({"market_position_leading": None}, "market", Outcome.REVIEW),
        ({"holds_tech_innovative": False}, "prerequisite", Outcome.FAIL),
    ],
)
def test_specialized_hard_conditions(kwargs: dict[str, object], key: str,
                                     outcome: Outcome) -> None:
    result = specialized(**kwargs)  # type: ignore[arg-type]
    assert result.condition(key).outcome is outcome
    expected = {Outcome.PASS: Verdict.MEETS, Outcome.FAIL: Verdict.FAILS,
                Outcome.REVIEW: Verdict.REVIEW}[outcome]
    assert result.verdict is expected


G_LAST = {"operating_revenue": 5000, "main_business_revenue": 4500, "rd_expense": 650,
          "total_assets": 100, "total_liabilities": 75}
G_BEFORE = {"operating_revenue": 4700, "rd_expense": 550}
# (5000 ÷ 4535.14)^(1/2) − 1 = 5.0001…% (4535.15 gives 4.99997…%, below 5%)
G_EARLIEST = {"operating_revenue": "4535.14"}


def giant(last: dict[str, object] | None = None, before: dict[str, object] | None = None,
          earliest: dict[str, object] | None = None, **changes: object) -> EvaluationResult:
    kwargs: dict[str, object] = {
        "financials": fin({**G_LAST, **(last or {})}, {**G_BEFORE, **(before or {})},
                          {**G_EARLIEST, **(earliest or {})}),
        "class1_own": 4, "holds_valid_specialized": True, "niche_years": D(3),
        "niche_market_share": D(10), "priority_product_field": True,
        "development_score": D(60), "eligibility": BasicEligibility.confirmed(),
    }
    kwargs.update(changes)
    return GIANT.evaluate(GiantInput2026(**kwargs))  # type: ignore[arg-type]


def test_giant_baseline_on_every_edge_meets_showing_the_growth_past_two_decimals() -> None:
    result = giant()
    assert result.verdict is Verdict.MEETS, result.reasons
    assert "= 5.0001%，满足≥5%" in result.condition("cagr").reason


def test_giant_growth_just_under_five_percent_fails_and_says_so() -> None:
    result = giant(earliest={"operating_revenue": "4535.15"})
    assert result.condition("cagr").outcome is Outcome.FAIL
    assert "= 4.99997%，不满足≥5%" in result.condition("cagr").reason


@pytest.mark.parametrize(
    ("kwargs", "key", "outcome"),
    [
        ({"niche_years": D("2.99")}, "niche", Outcome.FAIL),
        ({"last": {"operating_revenue": "4999.99"}}, "revenue", Outcome.FAIL),
        ({"last": {"main_business_revenue": "4499.5"}}, "main_share", Outcome.FAIL),  # 89.99%
        # 89.9998% no longer rounds up to 90%
        ({"last": {"main_business_revenue": "4499.99"}}, "main_share", Outcome.FAIL),
        ({"last": {"main_business_revenue": "4500"}}, "main_share", Outcome.PASS),  # 90%
        ({"earliest": {"operating_revenue": 4540}}, "cagr", Outcome.FAIL),  # 4.94%
        ({"earliest": {"operating_revenue": 4540}, "renewal": True}, "cagr", Outcome.PASS),
        ({"last": {"total_liabilities": "75.01"}}, "debt", Outcome.FAIL),
        ({"last": {"rd_expense": "649.99"}}, "rd", Outcome.FAIL),  # total 1199.99
        ({"before": {"rd_expense": 140, "operating_revenue": 4700},
          "last": {"rd_expense": 1060}}, "rd", Outcome.FAIL),  # 140/4700 = 2.98%
        ({"class1_own": 3}, "ip", Outcome.FAIL),
        ({"class1_own": 0, "awards": (Award(AwardLevel.NATIONAL, 3),)}, "ip", Outcome.PASS),
        ({"class1_own": None, "awards": (Award(AwardLevel.PROVINCIAL, 1),)}, "ip",
         Outcome.FAIL),
        ({"niche_market_share": D("9.99")}, "market", Outcome.FAIL),
        ({"niche_market_share": D("9.99"), "domestic_rank": 3}, "market", Outcome.PASS),
        ({"niche_market_share": None, "domestic_rank": 4}, "market", Outcome.FAIL),
        ({"development_score": D("59.99")}, "score", Outcome.FAIL),
        ({"priority_product_field": None}, "product", Outcome.REVIEW),
    ],
)
def test_giant_hard_conditions(kwargs: dict[str, object], key: str, outcome: Outcome) -> None:
    result = giant(**kwargs)  # type: ignore[arg-type]
    assert result.condition(key).outcome is outcome
    expected = {Outcome.PASS: Verdict.MEETS, Outcome.FAIL: Verdict.FAILS,
                Outcome.REVIEW: Verdict.REVIEW}[outcome]
    assert result.verdict is expected


def test_empty_2026_inputs_never_raise() -> None:
    for standard, cls in ((SPECIALIZED, SpecializedInput2026), (GIANT, GiantInput2026)):
        result = standard.evaluate(cls())
        assert result.verdict is Verdict.FAILS
        assert result.missing_inputs


def test_2026_innovative_still_uses_the_2022_table() -> None:
    innovative = get_standard("2026", "innovative")
    assert "第三十条" in innovative.basis
    assert innovative.evaluator is get_standard("2022", "innovative").evaluator

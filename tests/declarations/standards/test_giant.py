"""专精特新"小巨人" (2022, §3.3): 专、精、特、新 edges, the revenue brackets of 新, the 直通
path, and 链/品 as officials' judgements."""

from decimal import Decimal as D

import pytest

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    GiantInput,
    IpCounts,
    Outcome,
    RdInstitutionLevel,
    Verdict,
    get_standard,
)
from declarations.standards.results import EvaluationResult
from declarations.standards.v2022 import data
from tests.declarations.standards.builders import fin

STANDARD = get_standard("2022", "giant")

BASE_FIN = {
    # 上年度 12000 / 10800 (90%) / R&D 480 (4%) / debt 60%
    "last": {"operating_revenue": 12000, "main_business_revenue": 10800, "rd_expense": 480,
             "total_assets": 100, "total_liabilities": 60, "employees": 200, "rd_staff": 40,
             "new_equity_financing": 0},
    # 上上年度 R&D 400 / 10000 = 4%
    "before": {"operating_revenue": 10000, "main_business_revenue": 9000, "rd_expense": 400,
               "new_equity_financing": 0},
    # growth (10800−9000)/9000 = 20%, (9000−8000)/8000 = 12.5% → mean 16.25%
    "earliest": {"main_business_revenue": 8000},
}


def giant(last: dict[str, object] | None = None, before: dict[str, object] | None = None,
          earliest: dict[str, object] | None = None, **changes: object) -> EvaluationResult:
    figures = fin({**BASE_FIN["last"], **(last or {})}, {**BASE_FIN["before"], **(before or {})},
                  {**BASE_FIN["earliest"], **(earliest or {})})
    kwargs: dict[str, object] = {
        "financials": figures, "ip": IpCounts(class1_applied=3),
        "holds_valid_specialized": True, "niche_years": D(5), "governance_sound": True,
        "core_business_it_system": True, "management_certification": True,
        "niche_market_share": D(15), "distinctive_advantage": True, "own_brand": True,
        "rd_institution": RdInstitutionLevel.PROVINCIAL, "industrial_chain_role": True,
        "priority_product_field": True, "eligibility": BasicEligibility.confirmed(),
    }
    kwargs.update(changes)
    return STANDARD.evaluate(GiantInput(**kwargs))  # type: ignore[arg-type]


def test_baseline_meets_all_six_dimensions() -> None:
    result = giant()
    assert result.verdict is Verdict.MEETS
    assert [g.name for g in result.groups] == [
        "专业化", "精细化", "特色化", "创新能力", "产业链配套", "主导产品所属领域"]
    assert all(g.outcome is Outcome.PASS for g in result.groups)
    assert result.total is None
    assert result.missing_inputs == ()


@pytest.mark.parametrize(("years", "outcome"),
                         [("2.99", Outcome.FAIL), ("3", Outcome.PASS), ("3.01", Outcome.PASS)])
def test_zhuan_1_three_years_in_the_niche(years: str, outcome: Outcome) -> None:
    result = giant(niche_years=D(years))
    assert result.condition("zhuan.1").outcome is outcome
    assert result.verdict is (Verdict.MEETS if outcome is Outcome.PASS else Verdict.FAILS)


def test_two_year_exception_is_off_until_confirmed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert giant(niche_years=D(2), key_field_breakthrough=True).condition("zhuan.1").outcome \
        is Outcome.FAIL
    monkeypatch.setattr(data, "GIANT_NICHE_YEARS_EXCEPTION", D(2))
    assert giant(niche_years=D(2), key_field_breakthrough=True).condition("zhuan.1").outcome \
        is Outcome.PASS
    assert giant(niche_years=D(2), key_field_breakthrough=False).condition("zhuan.1").outcome \
        is Outcome.FAIL


@pytest.mark.parametrize(("main", "outcome"),
                         [("69.99", Outcome.FAIL), ("70", Outcome.PASS), ("70.01", Outcome.PASS)])
def test_zhuan_2_main_share(main: str, outcome: Outcome) -> None:
    result = giant(last={"operating_revenue": 100, "main_business_revenue": main})
    assert result.condition("zhuan.2").outcome is outcome


@pytest.mark.parametrize(("average", "outcome"),
                         [("4.99", Outcome.FAIL), ("5", Outcome.PASS), ("5.01", Outcome.PASS)])
def test_zhuan_3_average_growth(average: str, outcome: Outcome) -> None:
    # N−3 = N−2 = 100 → N−2 growth 0; N−1 growth is twice the average
    result = giant(last={"main_business_revenue": D(100) + 2 * D(average)},
                   before={"main_business_revenue": 100},
                   earliest={"main_business_revenue": 100})
    assert result.condition("zhuan.3").outcome is outcome


@pytest.mark.parametrize(("debt", "outcome"),
                         [("69.99", Outcome.PASS), ("70", Outcome.PASS), ("70.01", Outcome.FAIL)])
def test_jing_4_debt_ratio_at_most_70(debt: str, outcome: Outcome) -> None:
    assert giant(last={"total_liabilities": debt}).condition("jing.4").outcome is outcome


@pytest.mark.parametrize(("share", "outcome"),
                         [("9.99", Outcome.FAIL), ("10", Outcome.PASS), ("10.01", Outcome.PASS)])
def test_te_1_market_share(share: str, outcome: Outcome) -> None:
    assert giant(niche_market_share=D(share)).condition("te.1").outcome is outcome


@pytest.mark.parametrize(
    ("last", "before", "outcome"),
    [
        # ≥1亿: both years ≥3%
        ({"operating_revenue": 10000, "rd_expense": 300}, {"operating_revenue": 10000,
                                                           "rd_expense": 300}, Outcome.PASS),
        ({"operating_revenue": 10000, "rd_expense": 300}, {"operating_revenue": 10000,
                                                           "rd_expense": 299}, Outcome.FAIL),
        ({"operating_revenue": 10000, "rd_expense": 299}, {"operating_revenue": 10000,
                                                           "rd_expense": 300}, Outcome.FAIL),
        # 9999.99 is in the 5000万–1亿 bracket: 3% is not enough, 6% is
        ({"operating_revenue": "9999.99", "rd_expense": 300},
         {"operating_revenue": 10000, "rd_expense": 300}, Outcome.FAIL),
        ({"operating_revenue": "9999.99", "rd_expense": 600},
         {"operating_revenue": 10000, "rd_expense": 600}, Outcome.PASS),
        # exactly 5000 belongs to the 5000万–1亿 bracket (§0.2 edge → higher bracket)
        ({"operating_revenue": 5000, "rd_expense": 300}, {"operating_revenue": 5000,
                                                          "rd_expense": 300}, Outcome.PASS),
        ({"operating_revenue": 5000, "rd_expense": 300}, {"operating_revenue": 5000,
                                                          "rd_expense": 299}, Outcome.FAIL),
        # 4999.99: the small bracket, high ratios alone are not enough
        ({"operating_revenue": "4999.99", "rd_expense": 1000},
         {"operating_revenue": 4000, "rd_expense": 1000}, Outcome.FAIL),
    ],
)
def test_xin_general_1_rd_by_revenue_bracket(last: dict[str, object], before: dict[str, object],
                                             outcome: Outcome) -> None:
    assert giant(last=last, before=before).condition("xin.general.1").outcome is outcome


SMALL = {"operating_revenue": "4999.99", "employees": 100}


@pytest.mark.parametrize(
    ("equity", "rd", "staff", "outcome"),
    [
        (("4000", "4000"), ("1500", "1500"), 50, Outcome.PASS),  # every edge exactly
        (("4000", "3999.99"), ("1500", "1500"), 50, Outcome.FAIL),
        (("4000", "4000"), ("1500", "1499.99"), 50, Outcome.FAIL),
        (("4000", "4000"), ("1500", "1500"), 49, Outcome.FAIL),
        (("8000", "0"), ("3000", "0"), 100, Outcome.PASS),
        # a missing year: N−1 alone already reaches 8000 (amounts ≥ 0) → proven
        (("8000", None), ("3000", "0"), 100, Outcome.PASS),
        (("7999.99", None), ("3000", "0"), 100, Outcome.FAIL),
    ],
)
def test_xin_general_1_small_bracket_sums_proven_by_the_known_years(equity: tuple[str, str | None], rd: tuple[str, str],
                                     staff: int, outcome: Outcome) -> None:
    result = giant(
        last={**SMALL, "new_equity_financing": equity[0], "rd_expense": rd[0], "rd_staff": staff},
        before={"new_equity_financing": equity[1], "rd_expense": rd[1]},
    )
    assert result.condition("xin.general.1").outcome is outcome


def test_xin_general_1_without_revenue_fails_and_reports_it() -> None:
    result = giant(last={"operating_revenue": None})
    condition = result.condition("xin.general.1")
    assert condition.outcome is Outcome.FAIL
    assert "financials.last_year.operating_revenue" in {m.field for m in condition.missing}


@pytest.mark.parametrize(
    ("level", "outcome"),
    [(RdInstitutionLevel.BELOW_MUNICIPAL, Outcome.PASS), (RdInstitutionLevel.NATIONAL,
                                                          Outcome.PASS),
     (RdInstitutionLevel.NONE, Outcome.FAIL), (None, Outcome.FAIL)],
)
def test_xin_general_2_rd_institution(level: RdInstitutionLevel | None, outcome: Outcome) -> None:
    assert giant(rd_institution=level).condition("xin.general.2").outcome is outcome


@pytest.mark.parametrize(("count", "outcome"),
                         [(1, Outcome.FAIL), (2, Outcome.PASS), (None, Outcome.FAIL)])
def test_xin_general_3_two_applied_class1_ip(count: int | None, outcome: Outcome) -> None:
    result = giant(ip=IpCounts(class1_applied=count))
    assert result.condition("xin.general.3").outcome is outcome
    assert result.condition("xin").outcome is outcome


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({"awards": (Award(AwardLevel.NATIONAL, 3),)}, Outcome.PASS),
        ({"awards": (Award(AwardLevel.NATIONAL, 4),)}, Outcome.FAIL),
        ({"awards": (Award(AwardLevel.PROVINCIAL, 1),)}, Outcome.FAIL),
        ({"maker_china_rank": 50}, Outcome.PASS),
        ({"maker_china_rank": 51}, Outcome.FAIL),
        ({}, Outcome.FAIL),
    ],
)
def test_xin_direct_path_replaces_a_failed_general_path(changes: dict[str, object],
                                                        outcome: Outcome) -> None:
    result = giant(ip=IpCounts(class1_applied=0), **changes)
    assert result.condition("xin.general").outcome is Outcome.FAIL
    assert result.condition("xin").outcome is outcome
    assert result.verdict is (Verdict.MEETS if outcome is Outcome.PASS else Verdict.FAILS)


@pytest.mark.parametrize(
    "field",
    ["industrial_chain_role", "priority_product_field", "governance_sound",
     "distinctive_advantage", "holds_valid_specialized"],
)
@pytest.mark.parametrize(
    ("value", "verdict"),
    [(True, Verdict.MEETS), (False, Verdict.FAILS), (None, Verdict.REVIEW)],
)
def test_officials_judgements(field: str, value: bool | None, verdict: Verdict) -> None:
    result = giant(**{field: value})
    assert result.verdict is verdict
    assert result.missing_inputs == ()  # a pending judgement is not a missing input
    if verdict is Verdict.REVIEW:
        assert all("尚待审核人员判断" in reason for reason in result.reasons)


@pytest.mark.parametrize("field", ["core_business_it_system", "management_certification",
                                   "own_brand"])
@pytest.mark.parametrize(("value", "verdict", "missing"),
                         [(True, Verdict.MEETS, False), (False, Verdict.FAILS, False),
                          (None, Verdict.FAILS, True)])
def test_declared_facts(field: str, value: bool | None, verdict: Verdict,
                        missing: bool) -> None:
    result = giant(**{field: value})
    assert result.verdict is verdict
    assert (field in {m.field for m in result.missing_inputs}) is missing


def test_a_failure_outweighs_a_pending_judgement() -> None:
    result = giant(industrial_chain_role=None, niche_market_share=D(5))
    assert result.verdict is Verdict.FAILS
    assert result.reasons == ("三、特色化：主导产品全国细分市场占有率 5.00%，不满足≥10%",)


def test_lian_and_pin_pending_give_review_with_both_reasons() -> None:
    result = giant(industrial_chain_role=None, priority_product_field=None)
    assert result.verdict is Verdict.REVIEW
    assert len(result.reasons) == 2
    assert result.group("产业链配套").outcome is Outcome.REVIEW


def test_empty_input_never_raises() -> None:
    result = STANDARD.evaluate(GiantInput())
    assert result.verdict is Verdict.FAILS
    fields = {m.field for m in result.missing_inputs}
    assert {"niche_years", "financials.last_year.operating_revenue", "niche_market_share",
            "own_brand", "ip.class1_applied", "rd_institution"} <= fields

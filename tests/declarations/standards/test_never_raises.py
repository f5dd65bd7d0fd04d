"""Property: whatever figures (or holes) a declaration has, the engine answers, never raises,
and its result is internally consistent and JSON-able; values that cannot be true (a rank
below 1, a negative count or number of years) are refused with ``InvalidInput`` only."""

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    Financials,
    GiantInput,
    GiantInput2026,
    Honor,
    InnovativeInput,
    InvalidInput,
    IpCounts,
    QualityItem,
    RdInstitutionLevel,
    SpecializedInput,
    SpecializedInput2026,
    SpecializedProductField,
    Verdict,
    YearFigures,
    get_standard,
    input_problems,
)
from declarations.standards.features import FeatureBand, FeatureConfig, FeatureIndicator
from declarations.standards.results import EvaluationResult

money = st.none() | st.decimals(min_value=-1000, max_value=10**6, places=2,
                                allow_nan=False, allow_infinity=False)
flag = st.none() | st.booleans()
level = st.none() | st.sampled_from(RdInstitutionLevel)
eligibility = st.builds(BasicEligibility, flag, flag, flag, flag)
share = st.none() | st.decimals(min_value=-5, max_value=120, places=2)
FEATURES = FeatureConfig("甲", (FeatureIndicator("a", "a", 15, bands=(
    FeatureBand(Decimal(10), 15), FeatureBand(Decimal(0), 5))),))


def strategies(count: st.SearchStrategy, rank: st.SearchStrategy,
               years: st.SearchStrategy) -> dict[tuple[str, str], st.SearchStrategy]:
    """Input strategies per standard; ``count``/``rank``/``years`` decide whether values the
    engine refuses can appear."""
    year_figures = st.builds(YearFigures, money, money, money, money, money, money, money,
                             count, count)
    financials = st.builds(Financials, year_figures, year_figures, year_figures)
    ips = st.builds(IpCounts, count, count, count, count, count)
    awards = st.lists(st.builds(Award, st.sampled_from(AwardLevel), rank),
                      max_size=2).map(tuple)
    return {
        ("2022", "innovative"): st.builds(
            InnovativeInput, financials, ips, flag, st.frozensets(st.sampled_from(Honor)),
            awards, level, eligibility),
        ("2022", "specialized"): st.builds(
            SpecializedInput, financials, ips, years, st.none() | st.sampled_from(
                SpecializedProductField), st.none() | count,
            st.none() | st.frozensets(st.sampled_from(QualityItem)), level, awards, rank,
            st.none() | st.just(FEATURES),
            st.dictionaries(st.just("a"), st.none() | st.text(max_size=3) | money),
            eligibility),
        ("2022", "giant"): st.builds(
            GiantInput, financials, ips, flag, years, flag, flag, flag, flag, share, flag, flag,
            level, awards, rank, flag, flag, eligibility),
        ("2026", "specialized"): st.builds(
            SpecializedInput2026, financials, ips, flag, years, awards, level, flag, share,
            share, st.booleans(), eligibility),
        ("2026", "giant"): st.builds(
            GiantInput2026, financials, count, flag, years, awards, share, rank, flag, share,
            st.booleans(), eligibility),
    }


VALID = strategies(
    st.none() | st.integers(min_value=0, max_value=5000),
    st.none() | st.integers(min_value=1, max_value=5000),
    st.none() | st.decimals(min_value=0, max_value=120, places=2),
)
ANY = strategies(
    st.none() | st.integers(min_value=-3, max_value=5000),
    st.none() | st.integers(min_value=-3, max_value=5000),
    st.none() | st.decimals(min_value=-5, max_value=120, places=2),
)
INPUTS = VALID
STANDARDS = sorted(VALID)


def check(result: EvaluationResult) -> None:
    json.dumps(result.to_dict(), ensure_ascii=False)
    for item in result.indicators:
        assert 0 <= item.points <= item.max_points
        if item.missing:
            assert item.reason
    if result.total is not None:
        assert result.total == sum(i.points for i in result.indicators)
    assert result.verdict in Verdict
    assert result.reasons


def run_property(version: str, tier: str) -> None:
    @settings(max_examples=100, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(VALID[(version, tier)])
    def prop(inputs: object) -> None:
        check(get_standard(version, tier).evaluate(inputs))

    prop()


def run_refusal_property(version: str, tier: str, body: Callable[[object], None]) -> None:
    @settings(max_examples=100, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(ANY[(version, tier)])
    def prop(inputs: object) -> None:
        body(inputs)

    prop()


@pytest.mark.parametrize(("version", "tier"), STANDARDS)
def test_values_that_cannot_be_true_are_refused_only_with_invalid_input(
    version: str, tier: str,
) -> None:
    def body(inputs: object) -> None:
        problems = input_problems(inputs)
        try:
            result = get_standard(version, tier).evaluate(inputs)
        except InvalidInput as exc:
            assert problems and exc.message_dict == problems
            assert all(messages for messages in exc.message_dict.values())
        else:
            assert not problems
            check(result)

    run_refusal_property(version, tier, body)


def test_innovative_never_raises() -> None:
    run_property("2022", "innovative")


def test_specialized_never_raises() -> None:
    run_property("2022", "specialized")


def test_giant_never_raises() -> None:
    run_property("2022", "giant")


def test_specialized_2026_never_raises() -> None:
    run_property("2026", "specialized")


def test_giant_2026_never_raises() -> None:
    run_property("2026", "giant")

"""Property: whatever figures (or holes) a declaration has, the engine answers, never raises,
and its result is internally consistent and JSON-able."""

import json
from decimal import Decimal

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
    IpCounts,
    QualityItem,
    RdInstitutionLevel,
    SpecializedInput,
    SpecializedInput2026,
    SpecializedProductField,
    Verdict,
    YearFigures,
    get_standard,
)
from declarations.standards.features import FeatureBand, FeatureConfig, FeatureIndicator
from declarations.standards.results import EvaluationResult

money = st.none() | st.decimals(min_value=-1000, max_value=10**6, places=2,
                                allow_nan=False, allow_infinity=False)
count = st.none() | st.integers(min_value=-3, max_value=5000)
flag = st.none() | st.booleans()
years = st.builds(YearFigures, money, money, money, money, money, money, money, count, count)
financials = st.builds(Financials, years, years, years)
ips = st.builds(IpCounts, count, count, count, count, count)
awards = st.lists(st.builds(Award, st.sampled_from(AwardLevel), count), max_size=2).map(tuple)
level = st.none() | st.sampled_from(RdInstitutionLevel)
eligibility = st.builds(BasicEligibility, flag, flag, flag, flag)
share = st.none() | st.decimals(min_value=-5, max_value=120, places=2)
FEATURES = FeatureConfig("甲", (FeatureIndicator("a", "a", 15, bands=(
    FeatureBand(Decimal(10), 15), FeatureBand(Decimal(0), 5))),))

INPUTS = {
    ("2022", "innovative"): st.builds(
        InnovativeInput, financials, ips, flag, st.frozensets(st.sampled_from(Honor)), awards,
        level, eligibility),
    ("2022", "specialized"): st.builds(
        SpecializedInput, financials, ips, share, st.none() | st.sampled_from(
            SpecializedProductField), st.none() | st.integers(-1, 6),
        st.none() | st.frozensets(st.sampled_from(QualityItem)), level, awards, count,
        st.none() | st.just(FEATURES),
        st.dictionaries(st.just("a"), st.none() | st.text(max_size=3) | money),
        eligibility),
    ("2022", "giant"): st.builds(
        GiantInput, financials, ips, flag, share, flag, flag, flag, flag, share, flag, flag,
        level, awards, count, flag, flag, eligibility),
    ("2026", "specialized"): st.builds(
        SpecializedInput2026, financials, ips, flag, share, awards, level, flag, share, share,
        st.booleans(), eligibility),
    ("2026", "giant"): st.builds(
        GiantInput2026, financials, count, flag, share, awards, share, count, flag, share,
        st.booleans(), eligibility),
}


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
    @given(INPUTS[(version, tier)])
    def prop(inputs: object) -> None:
        check(get_standard(version, tier).evaluate(inputs))

    prop()


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

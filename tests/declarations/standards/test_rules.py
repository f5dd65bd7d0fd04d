"""The formulas and the boundary rule (§0.2, §0.3), each in one function of ``rules``."""

from decimal import Decimal as D

import pytest

from declarations.standards import rules


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("180", D("180.00")),
        (180, D("180.00")),
        (D("0.005"), D("0.01")),  # half-up
        (D("2.345"), D("2.35")),
        ("-1.005", D("-1.01")),
        (0.1, D("0.10")),  # float goes through str, no binary noise
        (None, None),
        ("", None),
        ("abc", None),
        ("NaN", None),
        (True, None),
    ],
)
def test_money_is_decimal_with_two_decimals_or_none(raw: object, expected: D | None) -> None:
    assert rules.money(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("top", "bottom", "expected"),
    [
        (D(180), D(4000), D("4.50")),
        (D(1), D(3), D("33.33")),
        (D(2), D(3), D("66.67")),
        (D("2.995"), D(100), D("3.00")),  # rounded first, then compared
        (D("2.994"), D(100), D("2.99")),
        (D(0), D(100), D("0.00")),
        (D(5), D(0), None),  # zero base: cannot compute
        (D(5), D(-10), None),
        (None, D(10), None),
        (D(10), None, None),
    ],
)
def test_percent_rounds_half_up_and_refuses_non_positive_base(
    top: D | None, bottom: D | None, expected: D | None,
) -> None:
    assert rules.percent(top, bottom) == expected


@pytest.mark.parametrize(
    ("this", "last", "expected"),
    [
        (D(115), D(100), D("15.00")),
        (D(90), D(100), D("-10.00")),
        (D(100), D(100), D("0.00")),
        (D(3000), D(2700), D("11.11")),
        (D(100), D(0), None),
        (None, D(100), None),
    ],
)
def test_growth_is_this_minus_last_over_last(this: D | None, last: D | None,
                                             expected: D | None) -> None:
    assert rules.growth(this, last) == expected


@pytest.mark.parametrize(
    ("recent", "earlier", "expected"),
    [
        (D("20.00"), D("11.11"), D("15.56")),  # 15.555 → half-up
        (D("0.01"), D("0.00"), D("0.01")),  # 0.005 → 0.01
        (D("-0.01"), D("0.00"), D("-0.01")),
        (D("10"), D("-10"), D("0.00")),
        (None, D("1"), None),
        (D("1"), None, None),
    ],
)
def test_average_growth_is_mean_of_two_rates(recent: D | None, earlier: D | None,
                                             expected: D | None) -> None:
    assert rules.average_growth(recent, earlier) == expected


@pytest.mark.parametrize(
    ("latest", "base", "years", "expected"),
    [
        (D(121), D(100), 2, D("10.00")),
        (D(4000), D(3000), 2, D("15.47")),
        (D(100), D(100), 2, D("0.00")),
        (D("110.25"), D(100), 2, D("5.00")),
        (D(133.1), D(100), 3, D("10.00")),
        (D(100), D(0), 2, None),
        (D(-1), D(100), 2, None),
        (None, D(100), 2, None),
    ],
)
def test_compound_growth(latest: D | None, base: D | None, years: int,
                         expected: D | None) -> None:
    assert rules.compound_growth(latest, base, years) == expected


def test_mean_of_amounts_rounds_to_cents() -> None:
    assert rules.mean([D("1000.00"), D("999.99")]) == D("1000.00")  # 999.995 → half-up
    assert rules.mean([D("1000.00"), D("999.98")]) == D("999.99")


@pytest.mark.parametrize(
    ("value", "edge", "least", "most"),
    [(D("2.99"), D(3), False, True), (D(3), D(3), True, True), (D("3.01"), D(3), True, False)],
)
def test_boundary_rule_includes_the_edge_both_ways(value: D, edge: D, least: bool,
                                                   most: bool) -> None:
    assert rules.at_least(value, edge) is least
    assert rules.at_most(value, edge) is most


HIGHER = rules.make_table([(5, 20), (3, 15)])
LOWER = rules.make_table([(55, 10), (75, 5)], higher_is_better=False)


@pytest.mark.parametrize(
    ("value", "points", "label"),
    [
        (D("5.01"), 20, "≥5%"),
        (D(5), 20, "≥5%"),  # edge → higher band
        (D("4.99"), 15, "3%–5%（含3%）"),
        (D(3), 15, "3%–5%（含3%）"),
        (D("2.99"), 0, "<3%"),
        (D(-50), 0, "<3%"),
    ],
)
def test_pick_band_higher_is_better(value: D, points: int, label: str) -> None:
    band = rules.pick_band(value, HIGHER)
    assert (band.points, band.label) == (points, label)


@pytest.mark.parametrize(
    ("value", "points", "label"),
    [
        (D("54.99"), 10, "≤55%"),
        (D(55), 10, "≤55%"),  # edge → higher score
        (D("55.01"), 5, "55%–75%（含75%）"),
        (D(75), 5, "55%–75%（含75%）"),
        (D("75.01"), 0, ">75%"),
    ],
)
def test_pick_band_lower_is_better(value: D, points: int, label: str) -> None:
    band = rules.pick_band(value, LOWER)
    assert (band.points, band.label) == (points, label)


@pytest.mark.parametrize(
    ("value", "points"),
    [(D(-1), 0), (D(0), 0), (D("1.99"), 0), (D(2), 1), (D("3.99"), 1), (D(4), 2),
     (D(9), 4), (D(10), 5), (D(40), 5)],
)
def test_stepped_points_every_full_step_capped(value: D, points: int) -> None:
    assert rules.stepped_points(value, D(2), 1, 5) == points


def test_formatting_helpers() -> None:
    assert rules.fmt_pct(D("4.5")) == "4.50%"
    assert rules.fmt_money(D("180")) == "180.00万元"
    assert rules.fmt_num(D("3.00")) == "3"
    assert rules.fmt_num(D("2.50")) == "2.5"
    assert rules.fmt_num(D("100")) == "100"

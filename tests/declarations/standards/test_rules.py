"""The formulas and the boundary rule (§0.2, §0.3), each in one function of ``rules``."""

from decimal import Decimal as D
from fractions import Fraction

import pytest

from declarations.standards import rules


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("180", D("180.00")),
        (180, D("180.00")),
        (D("0.005"), D("0.005")),  # kept as declared: rounding is for display only
        (D("99.995"), D("99.995")),
        ("-1.005", D("-1.005")),
        (0.1, D("0.10")),  # float goes through str, no binary noise
        (None, None),
        ("", None),
        ("abc", None),
        ("NaN", None),
        (True, None),
    ],
)
def test_money_is_read_exactly_not_rounded_since_rounding_is_display_only(
    raw: object, expected: D | None,
) -> None:
    amount = rules.money(raw)  # type: ignore[arg-type]
    assert amount == expected
    if expected is not None:
        assert str(amount) == str(expected)


@pytest.mark.parametrize(
    ("top", "bottom", "expected"),
    [
        (D(180), D(4000), D("4.5")),
        (D(1), D(3), Fraction(100, 3)),
        (D("2.995"), D(100), D("2.995")),  # exact, not rounded to 3.00
        (D("69.9996"), D(100), D("69.9996")),
        (D(0), D(100), D(0)),
        (D(5), D(0), None),  # zero base: cannot compute
        (D(5), D(-10), None),
        (None, D(10), None),
        (D(10), None, None),
    ],
)
def test_percent_is_the_exact_quotient_and_refuses_non_positive_base(
    top: D | None, bottom: D | None, expected: D | Fraction | None,
) -> None:
    value = rules.percent(top, bottom)
    if expected is None:
        assert value is None
    else:
        assert value is not None
        assert abs(Fraction(value) - Fraction(expected)) < Fraction(1, 10**50)


def test_percent_never_rounds_onto_an_edge() -> None:
    assert rules.percent(D("2.995"), D(100)) < 3  # type: ignore[operator]
    assert rules.percent(D("149.99"), D(5000)) < 3  # type: ignore[operator]  # 2.9998%
    assert rules.percent(D("70.004"), D(100)) > 70  # type: ignore[operator]


@pytest.mark.parametrize(
    ("this", "last", "expected"),
    [
        (D(115), D(100), D(15)),
        (D(90), D(100), D(-10)),
        (D(100), D(100), D(0)),
        (D("99.9999"), D(100), D("-0.0001")),
        (D(100), D(0), None),
        (None, D(100), None),
    ],
)
def test_growth_is_this_minus_last_over_last_exactly(this: D | None, last: D | None,
                                                     expected: D | None) -> None:
    assert rules.growth(this, last) == expected


def test_growth_of_a_repeating_quotient_keeps_every_digit() -> None:
    value = rules.growth(D(3000), D(2700))
    assert value is not None
    assert abs(Fraction(value) - Fraction(100, 9)) < Fraction(1, 10**50)


@pytest.mark.parametrize(
    ("recent", "earlier", "expected"),
    [
        (D("20.00"), D("11.11"), D("15.555")),  # exact mean, not rounded to 15.56
        (D("0.01"), D("0.00"), D("0.005")),
        (D("-0.01"), D("0.00"), D("-0.005")),
        (D("10"), D("-10"), D("0")),
        (None, D("1"), None),
        (D("1"), None, None),
    ],
)
def test_average_growth_is_the_exact_mean_of_two_rates(recent: D | None, earlier: D | None,
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
    value = rules.compound_growth(latest, base, years)
    assert (None if value is None else rules.display(value)) == expected


def test_compound_growth_just_below_five_percent_is_below() -> None:
    value = rules.compound_growth(D(5000), D("4535.15"), 2)  # 4.99997…%
    assert value is not None and value < 5
    assert rules.fmt_pct(value, (D(5),)) == "4.99997%"


def test_mean_of_amounts_is_exact_so_999_995_is_below_1000() -> None:
    assert rules.mean([D("1000.00"), D("999.99")]) == D("999.995")
    assert rules.mean([D("1000.00"), D("999.99")]) < 1000
    assert rules.mean([D("1000.00"), D("999.98")]) == D("999.99")


@pytest.mark.parametrize(
    ("value", "edges", "shown"),
    [
        ("4.5", (), "4.50"),
        ("33.3333333333", (), "33.33"),
        ("2.995", ("3",), "2.995"),  # two decimals would round onto the edge it failed
        ("2.9949", ("3",), "2.99"),
        ("3", ("3",), "3.00"),  # exactly on the edge: two decimals
        ("3.001", ("3",), "3.001"),  # would round onto the edge it passed
        ("69.9996", ("70",), "69.9996"),
        ("70.004", ("70",), "70.004"),
        ("-0.0001", ("0", "5"), "-0.0001"),
        ("-0.001", ("2",), "0.00"),  # no "-0.00"
        ("999.995", ("1000",), "999.995"),
        ("4.9975", ("5", "4"), "4.998"),
        ("55.004", ("55", "75"), "55.004"),  # checked against every edge of the table
    ],
)
def test_display_shows_two_decimals_unless_that_would_reach_or_cross_an_edge(
    value: str, edges: tuple[str, ...], shown: str,
) -> None:
    assert format(rules.display(D(value), [D(e) for e in edges]), "f") == shown


def test_display_of_a_repeating_quotient_stops_once_the_edge_is_clear() -> None:
    third = rules.percent(D(1), D(3))  # 33.333…
    assert third is not None
    assert format(rules.display(third, (D("33.33"),)), "f") == "33.333"
    assert format(rules.display(third, (D("33.3333"),)), "f") == "33.33333"


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
    assert rules.fmt_pct(D("2.995"), (D(3),)) == "2.995%"
    assert rules.fmt_money(D("180")) == "180.00万元"
    assert rules.fmt_money(D("999.995"), (D(1000),)) == "999.995万元"
    assert rules.fmt_value(D("2.5"), "年") == "2.5年"
    assert rules.fmt_num(D("3.00")) == "3"
    assert rules.fmt_num(D("2.50")) == "2.5"
    assert rules.fmt_num(D("100")) == "100"

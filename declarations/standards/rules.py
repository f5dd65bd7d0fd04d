"""The one place for every formula and for the boundary rule (§0.2, §0.3).

Every module of the engine computes ratios, growth rates and band look-ups through these
functions, so a change to a formula (for instance once the exact 附件4 wording of
平均增长率 is confirmed) is made here and nowhere else.

Conventions:
* money is ``Decimal`` in 万元, taken as declared (``money``);
* a ratio, a growth rate or a mean is the exact ``Decimal`` quotient (never rounded) and
  that exact value is what is compared with an edge: "不低于3%" is not met by 2.995%;
* rounding is for display only, and ``display`` never rounds a value onto or across an
  edge it is judged against (2.995% is shown as 2.995%, not 3.00%);
* functions return ``None`` when a value cannot be computed (missing input, zero or
  negative base); they never raise on such data.

Quotients are carried at 60 significant digits (``EXACT``), which decides every edge
comparison as the exact fraction would: for figures with two decimals below 10¹² 万元, a
quotient ``100·A ÷ B`` (A, B in cents) or the mean of two such quotients differs from an
edge of up to four decimals by at least ``1 ÷ (2·B₁·B₂·10⁴)`` ≈ 10⁻³³ unless it is on it,
while the 60-digit value is within 10⁻⁴³ of the exact one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
EXACT = Context(prec=60)  # every quotient, sum and mean of the engine (see above)
SHOWN = Context(prec=60, rounding=ROUND_HALF_UP)  # display only

Number = Decimal | int | str | float


def to_decimal(value: Number | None) -> Decimal | None:
    """Coerce a figure to ``Decimal``; ``None`` or an unreadable value gives ``None``.

    Floats are accepted only for robustness and go through ``str`` so that ``0.1`` stays
    ``0.1``; callers should pass ``Decimal``, ``int`` or ``str``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    if not result.is_finite():
        return None
    return result


def money(value: Number | None) -> Decimal | None:
    """An amount in 万元 as declared (§0.3): never rounded before it is judged.

    Fewer than two decimals are padded (180 → 180.00), more are kept (99.995 stays 99.995,
    so it does not meet "100万元以上").
    """
    amount = to_decimal(value)
    if amount is None or amount.as_tuple().exponent <= -2:  # type: ignore[operator]
        return amount
    return EXACT.quantize(amount, CENT)


def percent(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """``numerator × 100 ÷ denominator`` in percent, the exact quotient (§0.3).

    ``None`` when either side is missing or the denominator is not positive: a share of
    zero or negative revenue/assets/staff means nothing and must not score.
    """
    top, bottom = to_decimal(numerator), to_decimal(denominator)
    if top is None or bottom is None or bottom <= 0:
        return None
    return EXACT.divide(EXACT.multiply(top, HUNDRED), bottom)


def growth(this_year: Number | None, last_year: Number | None) -> Decimal | None:
    """Growth rate in percent: (this year − last year) ÷ last year (§0.3, §3.1 indicator 3)."""
    current, base = to_decimal(this_year), to_decimal(last_year)
    if current is None or base is None:
        return None
    return percent(EXACT.subtract(current, base), base)


def average_growth(recent: Decimal | None, earlier: Decimal | None) -> Decimal | None:
    """近2年平均增长率 = mean of the two yearly growth rates (§0.3, UNCONFIRMED formula).

    Takes the two exact yearly rates: the mean is judged exactly, never from rounded rates.
    """
    if recent is None or earlier is None:
        return None
    return EXACT.divide(EXACT.add(recent, earlier), 2)


def compound_growth(latest: Number | None, base: Number | None, years: int) -> Decimal | None:
    """Compound annual growth in percent over ``years`` years (2026 小巨人 营收复合增长率, §3.5).

    ``(latest ÷ base)^(1/years) − 1``; ``None`` when the base is not positive or the
    latest value is negative.
    """
    end, start = to_decimal(latest), to_decimal(base)
    if end is None or start is None or start <= 0 or end < 0 or years <= 0:
        return None
    ratio = EXACT.divide(end, start)
    root = EXACT.sqrt(ratio) if years == 2 else Decimal(str(math.pow(float(ratio), 1 / years)))
    return EXACT.multiply(EXACT.subtract(root, 1), HUNDRED)


def mean(values: list[Decimal]) -> Decimal:
    """Arithmetic mean of amounts, exact (近两年研发费用总额均值): 1000.00 and 999.99 → 999.995."""
    total = Decimal(0)
    for value in values:
        total = EXACT.add(total, value)
    return EXACT.divide(total, len(values))


# --- the boundary rule (§0.2) ----------------------------------------------------------
# "X以上" / "不低于X" / "X以下" / "不高于X" all include X.  Band tables are ordered best
# band first and a value is placed in the first band whose edge it reaches, so a value
# exactly on the edge between two bands always gets the higher score.


def at_least(value: Decimal, threshold: Decimal) -> bool:
    """"X以上" / "不低于X": the edge X is included (§0.2)."""
    return value >= threshold


def at_most(value: Decimal, threshold: Decimal) -> bool:
    """"X以下" / "不高于X": the edge X is included (§0.2)."""
    return value <= threshold


def full_steps(value: Decimal, step: Decimal) -> int:
    """How many full ``step``s ``value`` contains (每满2年: 5.5年 → 2); 0 for non-positive."""
    return int(value // step) if value > 0 else 0


def stepped_points(value: Decimal, step: Decimal, points_each: int, cap: int) -> int:
    """``points_each`` per full ``step`` reached, at most ``cap`` (e.g. 每满2年得1分，最高5分)."""
    return min(full_steps(value, step) * points_each, cap)


@dataclass(frozen=True, slots=True)
class Band:
    """One scoring band: reaching ``threshold`` (``None`` = catch-all) earns ``points``."""

    threshold: Decimal | None
    points: int
    label: str


@dataclass(frozen=True, slots=True)
class BandTable:
    """Bands ordered best first; ``higher_is_better`` says which way the edges point."""

    bands: tuple[Band, ...]
    higher_is_better: bool = True
    unit: str = "%"

    @property
    def max_points(self) -> int:
        return max(band.points for band in self.bands)

    @property
    def edges(self) -> tuple[Decimal, ...]:
        """The thresholds a value is compared with (what ``display`` must not cross)."""
        return tuple(band.threshold for band in self.bands if band.threshold is not None)


def pick_band(value: Decimal, table: BandTable) -> Band:
    """The band ``value`` falls in under the boundary rule (§0.2).

    The first band (best first) whose edge is reached wins, so an edge value takes the
    higher-scoring band.  A table always ends with a catch-all band.
    """
    reaches = at_least if table.higher_is_better else at_most
    for band in table.bands:
        if band.threshold is None or reaches(value, band.threshold):
            return band
    return Band(None, 0, "其他")


TWO_PLACES = Decimal("0.01")


def _same_sides(shown: Decimal, value: Decimal, edges: tuple[Decimal, ...]) -> bool:
    for edge in edges:
        if (shown > edge) is not (value > edge) or (shown < edge) is not (value < edge):
            return False
    return True


def display(value: Decimal, edges: Iterable[Decimal] = ()) -> Decimal:
    """The figure shown for ``value``: two decimals, or as many more as it takes to keep the
    shown figure on the same side of every edge as the exact value.

    Rounding (half-up) to two decimals is refused when it would put the figure onto or
    across an edge it is judged against: 2.995 against 3 → 2.995, 69.9996 against 70 →
    69.9996, 70.004 against 70 → 70.004, −0.0001 against 0 → −0.0001; a value exactly on
    an edge keeps two decimals (3 → 3.00).  Parsing the shown figure back and comparing it
    with each edge therefore gives the same verdict as the exact value (§0.2).
    """
    edges = tuple(edges)
    try:
        shown = SHOWN.quantize(value, TWO_PLACES)
        places = 2
        # more places until every edge is on the same side; at the value's own precision
        # the shown figure is the value itself, so this always ends
        while shown != value and not _same_sides(shown, value, edges):
            places += 1
            shown = SHOWN.quantize(value, Decimal((0, (1,), -places)))
    except InvalidOperation:  # more digits than the context holds: show it as it is
        return value
    return shown.copy_abs() if shown.is_zero() else shown  # never "-0.00"


def fmt_num(value: Decimal | int) -> str:
    """A number without trailing zeros: 3.00 → "3", 2.50 → "2.5"."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text


def fmt_pct(value: Decimal, edges: Iterable[Decimal] = ()) -> str:
    """A percentage as shown to officials (``display``): ``4.50%``, ``2.995%`` against 3."""
    return f"{display(value, edges):f}%"


def fmt_money(value: Decimal, edges: Iterable[Decimal] = ()) -> str:
    """An amount as shown to officials (``display``): ``180.00万元``, ``999.995万元`` against 1000."""
    return f"{display(value, edges):f}万元"


ROUNDED_UNITS = ("%", "万元")  # computed figures shown through ``display``


def fmt_value(value: Decimal, unit: str, edges: Iterable[Decimal] = ()) -> str:
    """A figure with its unit: percentages and amounts through ``display``; years, points
    and levels (declared, not computed) exactly as given: ``2.5年``, ``3级``."""
    if unit in ROUNDED_UNITS:
        return f"{display(value, edges):f}{unit}"
    return f"{fmt_num(value)}{unit}"


def make_table(
    edges: list[tuple[str | int, int]], *, floor_points: int = 0, higher_is_better: bool = True,
    unit: str = "%",
) -> BandTable:
    """Build a ``BandTable`` from ``[(edge, points), …]`` best first, labelling each band.

    ``floor_points`` is what the catch-all band below (or above) the last edge earns.
    Labels read like the official tables: "≥5%", "3%–5%（含3%）", "<1%".
    """
    bands: list[Band] = []
    previous: Decimal | None = None
    for raw_edge, points in edges:
        edge = Decimal(str(raw_edge))
        e = f"{fmt_num(edge)}{unit}"
        if previous is None:
            label = f"≥{e}" if higher_is_better else f"≤{e}"
        else:
            p = f"{fmt_num(previous)}{unit}"
            label = f"{e}–{p}（含{e}）" if higher_is_better else f"{p}–{e}（含{e}）"
        bands.append(Band(edge, points, label))
        previous = edge
    if previous is not None:
        last = f"{fmt_num(previous)}{unit}"
        bands.append(Band(None, floor_points, f"<{last}" if higher_is_better else f">{last}"))
    else:
        bands.append(Band(None, floor_points, "其他"))
    return BandTable(tuple(bands), higher_is_better=higher_is_better, unit=unit)

"""Computed figures with their worked arithmetic, shared by every tier and version.

Each function reads its inputs through a ``Reader`` (so missing inputs are recorded),
computes through ``rules`` and returns a ``Figure``: the exact value and the Chinese
arithmetic shown to officials, e.g. "研发费用 180.00万元 ÷ 营业收入 4000.00万元 = 4.50%".
The value is written into the arithmetic only once the edges it is judged against are
known (``Figure.work(edges)``), so the shown figure never contradicts the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from declarations.standards import rules
from declarations.standards.common import Reader
from declarations.standards.inputs import YEAR_LABELS, Financials
from declarations.standards.results import Missing

LAST = "last_year"
BEFORE = "year_before"
EARLIEST = "two_years_before"


@dataclass(frozen=True, slots=True)
class Figure:
    """A computed value with the arithmetic that leads to it.

    ``lead`` is the arithmetic up to the value ("… = "), ``missing`` what is written when
    there is no value.  ``partial`` marks a sum or mean over a window with missing years:
    ``value`` is then what the known years already prove (a lower bound, amounts are never
    negative) and ``absent`` the years that are missing.
    """

    value: Decimal | None
    lead: str
    unit: str = "%"
    missing: str = "无法计算"
    note: str = ""
    partial: bool = False
    absent: tuple[Missing, ...] = ()

    def shown(self, edges: Iterable[Decimal] = ()) -> Decimal | None:
        """The value as shown against ``edges`` (``rules.display``)."""
        if self.value is None or self.unit not in rules.ROUNDED_UNITS:
            return self.value
        return rules.display(self.value, edges)

    def work(self, edges: Iterable[Decimal] = ()) -> str:
        """The arithmetic with the value shown against ``edges``."""
        text = self.missing if self.value is None else rules.fmt_value(
            self.value, self.unit, edges)
        return f"{self.lead}{text}{self.note}"


FigureFn = Callable[[Reader, Financials], Figure]


def _m(value: Decimal | None) -> str:
    """A declared amount, exactly as read (``rules.money``: at least two decimals)."""
    return "缺失" if value is None else f"{value:f}万元"


def _p(figure: Figure) -> str:
    """A yearly rate inside a mean: four decimals, marked ≈ when rounded, so that the mean
    redone by hand from the shown rates gives the shown mean (12.50% + ≈14.2857%)."""
    if figure.value is None:
        return "无法计算"
    try:
        shown = rules.SHOWN.quantize(figure.value, Decimal("0.0001"))
    except InvalidOperation:  # beyond 60 digits: nothing to round
        shown = figure.value
    if shown == figure.value:
        return rules.fmt_pct(figure.value)
    return f"≈{shown:f}%"


def ratio(r: Reader, fin: Financials, year: str, top: str, bottom: str) -> Figure:
    """``top ÷ bottom`` of one year in percent (the one ratio helper for money figures)."""
    a = r.figure(fin, year, top)
    b = r.figure(fin, year, bottom)
    labels = {"rd_expense": "研发费用", "operating_revenue": "营业收入",
              "main_business_revenue": "主营业务收入", "total_liabilities": "负债总额",
              "total_assets": "资产总额", "net_profit": "净利润"}
    return Figure(rules.percent(a, b), f"{labels[top]} {_m(a)} ÷ {labels[bottom]} {_m(b)} = ")


def rd_ratio(r: Reader, fin: Financials, year: str = LAST) -> Figure:
    """研发费用 ÷ 营业收入."""
    return ratio(r, fin, year, "rd_expense", "operating_revenue")


def main_share(r: Reader, fin: Financials, year: str = LAST) -> Figure:
    """主营业务收入 ÷ 营业收入."""
    return ratio(r, fin, year, "main_business_revenue", "operating_revenue")


def debt_ratio(r: Reader, fin: Financials, year: str = LAST) -> Figure:
    """资产负债率 = 负债总额 ÷ 资产总额."""
    return ratio(r, fin, year, "total_liabilities", "total_assets")


def net_margin(r: Reader, fin: Financials, year: str = LAST) -> Figure:
    """净利润率 = 净利润 ÷ 营业收入 (§3.2 indicator 7)."""
    return ratio(r, fin, year, "net_profit", "operating_revenue")


def rd_staff_ratio(r: Reader, fin: Financials, year: str = LAST) -> Figure:
    """研发人员 ÷ 职工总数 (§3.2 indicator 12)."""
    staff = r.count(fin, year, "rd_staff")
    total = r.count(fin, year, "employees")
    s = "缺失" if staff is None else f"{staff}人"
    t = "缺失" if total is None else f"{total}人"
    return Figure(rules.percent(staff, total), f"研发人员 {s} ÷ 职工总数 {t} = ")


def growth(r: Reader, fin: Financials, name: str, year: str, base_year: str) -> Figure:
    """Growth of a figure from ``base_year`` to ``year`` (§0.3)."""
    this = r.figure(fin, year, name)
    base = r.figure(fin, base_year, name)
    label = {"main_business_revenue": "主营业务收入", "operating_revenue": "营业收入"}[name]
    return Figure(rules.growth(this, base),
                  f"{YEAR_LABELS[year]}{label}增长率 = ({_m(this)} − {_m(base)}) ÷ {_m(base)} = ")


def average_main_growth(r: Reader, fin: Financials) -> Figure:
    """近2年主营业务收入平均增长率 = mean of the exact growth of N−1 and of N−2 (§0.3)."""
    g1 = growth(r, fin, "main_business_revenue", LAST, BEFORE)
    g2 = growth(r, fin, "main_business_revenue", BEFORE, EARLIEST)
    value = rules.average_growth(g1.value, g2.value)
    return Figure(value, f"{g1.work()}；{g2.work()}；平均 ({_p(g1)} + {_p(g2)}) ÷ 2 = ")


def compound_revenue_growth(r: Reader, fin: Financials) -> Figure:
    """近两年营业收入复合增长率, N−3 → N−1 (2026 小巨人, §3.5)."""
    end = r.figure(fin, LAST, "operating_revenue")
    start = r.figure(fin, EARLIEST, "operating_revenue")
    return Figure(rules.compound_growth(end, start, 2),
                  f"营业收入 ({_m(end)} ÷ {_m(start)})^(1/2) − 1 = ")


def _window(r: Reader, fin: Financials, years: Sequence[str],
            name: str) -> tuple[list[Decimal | None], tuple[Missing, ...]]:
    before = len(r.missing)
    values = [r.figure(fin, year, name) for year in years]
    return values, tuple(r.missing[before:])


def window_total(r: Reader, fin: Financials, years: Sequence[str], name: str,
                 label: str) -> Figure:
    """The sum of a money figure over the years of a window (近2年/近三年).

    With a year missing the value is the sum of the known years, marked ``partial``: it
    already proves the condition when it reaches the threshold (amounts are never
    negative), and nothing less."""
    values, absent = _window(r, fin, years, name)
    known = [v for v in values if v is not None]
    if not known:
        return Figure(None, f"{label} ", unit="万元", missing="缺失", absent=absent)
    total = Decimal("0.00")
    for value in known:
        total = rules.EXACT.add(total, value)
    if absent:
        missing = "、".join(m.label for m in absent)
        return Figure(total, f"{label} 至少 ", unit="万元",
                      note=f"（已知年份合计，缺少{missing}）", partial=True, absent=absent)
    return Figure(total, f"{label} ", unit="万元")


def window_mean(r: Reader, fin: Financials, years: Sequence[str], name: str,
                label: str) -> Figure:
    """The mean of a money figure over the years of a window (近两年研发费用总额均值).

    Exact (1000.00 and 999.99 → 999.995).  With a year missing, the known years summed
    and divided by the window's length is what they prove (``partial``)."""
    values, absent = _window(r, fin, years, name)
    known = [v for v in values if v is not None]
    if not known:
        return Figure(None, f"{label} ", unit="万元", missing="缺失", absent=absent)
    parts = " + ".join("缺失" if v is None else rules.fmt_money(v) for v in values)
    value = rules.mean([v if v is not None else Decimal(0) for v in values])
    if absent:
        missing = "、".join(m.label for m in absent)
        return Figure(value, f"{label} ({parts}) ÷ {len(values)} 至少 ", unit="万元",
                      note=f"（缺少{missing}）", partial=True, absent=absent)
    return Figure(value, f"{label} ({parts}) ÷ {len(values)} = ", unit="万元")


def amount(r: Reader, fin: Financials, year: str, name: str, label: str) -> Figure:
    """One money figure as a value with its work."""
    return Figure(r.figure(fin, year, name), f"{label} ", unit="万元", missing="缺失")


def declared(value: Decimal | None, lead: str, unit: str, *, note: str = "") -> Figure:
    """A declared figure judged as it is (年限, 市场占有率, 评价得分): "从事特定细分市场3年"."""
    return Figure(value, lead, unit=unit, missing="缺失", note=note)

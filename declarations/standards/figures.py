"""Computed figures with their worked arithmetic, shared by every tier and version.

Each function reads its inputs through a ``Reader`` (so missing inputs are recorded),
computes through ``rules`` and returns ``(value, work)`` where ``work`` is the Chinese
arithmetic shown to officials, e.g. "研发费用 180.00万元 ÷ 营业收入 4000.00万元 = 4.50%".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from declarations.standards import rules
from declarations.standards.common import Reader
from declarations.standards.inputs import YEAR_LABELS, Financials

LAST = "last_year"
BEFORE = "year_before"
EARLIEST = "two_years_before"

Figure = tuple[Decimal | None, str]
FigureFn = Callable[[Reader, Financials], Figure]


def _m(value: Decimal | None) -> str:
    return "缺失" if value is None else rules.fmt_money(value)


def _p(value: Decimal | None) -> str:
    return "无法计算" if value is None else rules.fmt_pct(value)


def ratio(r: Reader, fin: Financials, year: str, top: str, bottom: str) -> Figure:
    """``top ÷ bottom`` of one year in percent (the one ratio helper for money figures)."""
    a = r.figure(fin, year, top)
    b = r.figure(fin, year, bottom)
    value = rules.percent(a, b)
    labels = {"rd_expense": "研发费用", "operating_revenue": "营业收入",
              "main_business_revenue": "主营业务收入", "total_liabilities": "负债总额",
              "total_assets": "资产总额", "net_profit": "净利润"}
    return value, f"{labels[top]} {_m(a)} ÷ {labels[bottom]} {_m(b)} = {_p(value)}"


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
    value = rules.percent(staff, total)
    s = "缺失" if staff is None else f"{staff}人"
    t = "缺失" if total is None else f"{total}人"
    return value, f"研发人员 {s} ÷ 职工总数 {t} = {_p(value)}"


def growth(r: Reader, fin: Financials, name: str, year: str, base_year: str) -> Figure:
    """Growth of a figure from ``base_year`` to ``year`` (§0.3)."""
    this = r.figure(fin, year, name)
    base = r.figure(fin, base_year, name)
    value = rules.growth(this, base)
    label = {"main_business_revenue": "主营业务收入", "operating_revenue": "营业收入"}[name]
    return value, (f"{YEAR_LABELS[year]}{label}增长率 = ({_m(this)} − {_m(base)}) ÷ {_m(base)}"
                   f" = {_p(value)}")


def average_main_growth(r: Reader, fin: Financials) -> Figure:
    """近2年主营业务收入平均增长率 = mean of the growth of N−1 and of N−2 (§0.3)."""
    g1, w1 = growth(r, fin, "main_business_revenue", LAST, BEFORE)
    g2, w2 = growth(r, fin, "main_business_revenue", BEFORE, EARLIEST)
    value = rules.average_growth(g1, g2)
    return value, f"{w1}；{w2}；平均 ({_p(g1)} + {_p(g2)}) ÷ 2 = {_p(value)}"


def compound_revenue_growth(r: Reader, fin: Financials) -> Figure:
    """近两年营业收入复合增长率, N−3 → N−1 (2026 小巨人, §3.5)."""
    end = r.figure(fin, LAST, "operating_revenue")
    start = r.figure(fin, EARLIEST, "operating_revenue")
    value = rules.compound_growth(end, start, 2)
    return value, f"营业收入 ({_m(end)} ÷ {_m(start)})^(1/2) − 1 = {_p(value)}"


def window_total(r: Reader, fin: Financials, years: Sequence[str], name: str,
                 label: str) -> Figure:
    """The sum of a money figure over the years of a window (近2年/近三年)."""
    total = r.window_sum(fin, years, name)
    return total, f"{label} {_m(total)}"


def window_mean(r: Reader, fin: Financials, years: Sequence[str], name: str,
                label: str) -> Figure:
    """The mean of a money figure over the years of a window (近两年研发费用总额均值)."""
    values = [r.figure(fin, year, name) for year in years]
    known = [v for v in values if v is not None]
    if len(known) != len(values):
        return None, f"{label} 缺失"
    value = rules.mean(known)
    parts = " + ".join(rules.fmt_money(v) for v in known)
    return value, f"{label} ({parts}) ÷ {len(known)} = {rules.fmt_money(value)}"


def amount(r: Reader, fin: Financials, year: str, name: str, label: str) -> Figure:
    """One money figure as a value with its work."""
    value = r.figure(fin, year, name)
    return value, f"{label} {_m(value)}"

"""Small builders for engine inputs used by the standards tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from declarations.standards import Financials, YearFigures

D = Decimal


def year(**figures: Any) -> YearFigures:
    """A ``YearFigures`` with string/int money converted to ``Decimal``."""
    converted = {
        k: (v if v is None or k in ("employees", "rd_staff") else D(str(v)))
        for k, v in figures.items()
    }
    return YearFigures(**converted)


def fin(last: dict[str, Any] | None = None, before: dict[str, Any] | None = None,
        earliest: dict[str, Any] | None = None) -> Financials:
    """``Financials`` from three dicts of figures (上年度, 上上年度, 上上上年度)."""
    return Financials(year(**(last or {})), year(**(before or {})), year(**(earliest or {})))

"""Excel cells the product writes: never evaluated as formulas (ecosystem.md A.3).

Every export (assessment attempts, 推荐汇总表, 复核情况汇总表, import reports) passes each value
through `safe`, so a name such as "=HYPERLINK(…)" typed by an enterprise is shown, not run.
"""

from __future__ import annotations

from typing import Any

# Excel (and LibreOffice) start a formula or a DDE call with these; a leading tab or carriage
# return is stripped by some readers, which would expose the character after it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe(value: Any) -> Any:
    """A cell value that Excel will show, never evaluate: text starting with a formula
    character gets a leading apostrophe; numbers, dates and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value

"""Excel export of attempts (openpyxl write-only; cells that could run as formulas are escaped)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone

from common.xlsx import FORMULA_START, safe

from .models import Attempt, Category, Level

__all__ = ["FORMULA_START", "HEADERS", "attempts_xlsx", "safe"]


HEADERS = ["企业名称", "统一社会信用代码", "注册地", "所属行业", "评测表类别", "评测表版本", "总分",
           "等级", "数字化基础", "数字化管理", "数字化成效", "提交时间"]


def attempts_xlsx(attempts: Iterable[Attempt]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数字化水平评测")
    sheet.append(HEADERS)
    for a in attempts.iterator(chunk_size=1000) if hasattr(attempts, "iterator") else attempts:
        dims = {d["title"]: float(d["points"]) for d in a.result.get("dimensions", [])}
        row = [a.enterprise.name, a.enterprise.uscc, str(a.enterprise.region or ""),
               f"{a.industry_code} {a.industry_name}".strip(), Category(a.category).label,
               a.questionnaire.title, float(a.total_score),
               Level(a.level).label, dims.get("数字化基础"), dims.get("数字化管理"),
               dims.get("数字化成效"), timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M")]
        sheet.append([safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

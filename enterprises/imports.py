"""Import of historical recognised lists (the ministry's published batch lists) from Excel.

Columns (a header row naming them, in any order, within the first 10 rows): 企业名称,
统一社会信用代码, 省份, 层级, 批次, 年度. Every row is checked — the code's check digit, the
region (characters 3–8 of the code must be a GB/T 2260 region, and the 省份 column must name
its province or declaration region; an enterprise already on the platform keeps its own 注册地),
the tier, the year, duplicates within the file and against the titles already recorded, and the
official's scope. All or nothing per file: when any row is rejected nothing is imported and the
official downloads the report of rejected rows with their reasons.

A title imported this way is valid from 1 January of its year for 3 years (to 31 December of
year + 2), the validity of a recognition (domain.md §2.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError

from common.tiers import Tier
from common.xlsx import safe
from portal.accounts.models import User
from portal.accounts.scoping import for_user
from portal.accounts.validators import is_valid_uscc, normalize_code
from portal.regions.models import Region

from .models import Enterprise, Recognition

COLUMNS = {"企业名称": "name", "统一社会信用代码": "uscc", "省份": "province", "层级": "tier",
           "批次": "batch", "年度": "year"}
MAX_ROWS = 20000
TIER_NAMES = {
    "创新型中小企业": Tier.INNOVATIVE, "创新型": Tier.INNOVATIVE,
    "专精特新中小企业": Tier.SPECIALIZED, "专精特新": Tier.SPECIALIZED,
    "专精特新“小巨人”企业": Tier.GIANT, "专精特新\"小巨人\"企业": Tier.GIANT,
    "专精特新小巨人企业": Tier.GIANT, "小巨人": Tier.GIANT, "专精特新小巨人": Tier.GIANT,
}


@dataclass
class Rejected:
    line: int  # the row number in the sheet
    values: list[Any]
    reasons: list[str] = field(default_factory=list)


@dataclass
class Checked:
    rows: list[dict[str, Any]]
    rejected: list[Rejected]
    header: list[str]

    @property
    def ok(self) -> bool:
        return not self.rejected and bool(self.rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(file: IO[bytes]) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header (column names) and the data rows with their sheet row numbers."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ValidationError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。") from exc
    sheet = book.worksheets[0]
    header: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = list(values)
        if not header:
            texts = [_text(v) for v in values]
            if "统一社会信用代码" in texts:
                header = texts
            elif number >= 10:
                break
            continue
        if any(_text(v) for v in values):
            rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise ValidationError(f"一次最多导入 {MAX_ROWS} 行，请拆分文件后分别导入。")
    book.close()
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError("表头缺少以下列：" + "、".join(missing)
                              + "（表头需包含：企业名称、统一社会信用代码、省份、层级、批次、年度）。")
    return header, rows


def check_rows(*, by: User, header: list[str], rows: list[tuple[int, list[Any]]]) -> Checked:
    """Validate every row (see the module docstring); a constant number of queries."""
    index = {key: header.index(title) for title, key in COLUMNS.items()}

    def get(values: list[Any], key: str) -> str:
        i = index[key]
        return _text(values[i]) if i < len(values) else ""

    codes = {normalize_code(get(v, "uscc")) for _, v in rows}
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)
                   .select_related("region__declaration_region")}
    enterprises_in_scope = set(for_user(Enterprise.objects.filter(uscc__in=codes), by, "region")
                               .values_list("uscc", flat=True))
    regions = {r.code: r for r in Region.objects.filter(code__in={c[2:8] for c in codes})
               .select_related("declaration_region")}
    regions_in_scope = set(for_user(Region.objects.filter(code__in=list(regions)), by, "")
                           .values_list("code", flat=True))
    provinces = dict(Region.objects.filter(level="province").values_list("code", "name"))
    recorded = set(Recognition.objects.filter(enterprise__uscc__in=codes)
                   .values_list("enterprise__uscc", "tier", "batch"))

    good: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, values in rows:
        reasons: list[str] = []
        name, code = get(values, "name"), normalize_code(get(values, "uscc"))
        province, batch = get(values, "province"), get(values, "batch")
        tier = TIER_NAMES.get(get(values, "tier").replace(" ", ""))
        if not name:
            reasons.append("企业名称为空")
        elif len(name) > 200:
            reasons.append("企业名称超过200字")
        region = None
        if not is_valid_uscc(code):
            reasons.append("统一社会信用代码格式或校验位不正确")
        else:
            known = enterprises.get(code)
            region = known.region if known else regions.get(code[2:8])
            if region is None:
                reasons.append(f"统一社会信用代码第3—8位（{code[2:8]}）不是有效的行政区划代码")
            else:
                names = {provinces.get(region.code[:2] + "0000", "")}
                if region.declaration_region_id:
                    names.add(region.declaration_region.name)
                short = province.rstrip("省市")
                if not short or not any(n and n.startswith(short) for n in names):
                    reasons.append(f"省份“{province}”与企业所在地区（{region.full_name}）不符")
                in_scope = (code in enterprises_in_scope) if known else (region.code in regions_in_scope)
                if not in_scope:
                    reasons.append("该企业不在您的管辖范围内")
        if tier is None:
            reasons.append(f"层级“{get(values, 'tier')}”无法识别（应为创新型中小企业、专精特新中小企业或专精特新“小巨人”企业）")
        if not batch:
            reasons.append("批次为空")
        elif len(batch) > 50:
            reasons.append("批次超过50字")
        year_text = get(values, "year").removesuffix("年")
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 1990 <= year <= 2097:
            reasons.append(f"年度“{get(values, 'year')}”不正确（应为四位年份，如 2024）")
        if tier is not None and batch:
            key = (code, tier, batch)
            if key in seen:
                reasons.append(f"与第 {seen[key]} 行重复")
            else:
                seen[key] = line
            if key in recorded:
                reasons.append("该企业该层级该批次的认定记录已存在")
        if reasons:
            rejected.append(Rejected(line, values, reasons))
            continue
        good.append({"name": name, "uscc": code, "region": region, "tier": tier, "batch": batch,
                     "valid_from": dt.date(year, 1, 1), "valid_until": dt.date(year + 2, 12, 31)})
    return Checked(rows=good, rejected=rejected, header=header)


def report_xlsx(target: Any, checked: Checked) -> None:
    """The rejected rows as they were in the file, with their row number and reasons."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("未通过校验的行")
    sheet.append(["原文件行号", *[safe(h) for h in checked.header], "未通过原因"])
    for item in checked.rejected:
        values = [safe(_text(v)) for v in item.values]
        values += [""] * (len(checked.header) - len(values))
        sheet.append([item.line, *values[:len(checked.header)], safe("；".join(item.reasons))])
    book.save(target)

"""Load the GB/T 2260 tree and the 37 declaration regions (domain.md §0.6).

Takes the model classes as arguments so the data migration (historical models) and the
`load_reference_data` command share one loader. Idempotent: running it again updates in place.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions-gbt2260.csv"

# 计划单列市: they run their own declarations, as a province does.
PLAN_CITIES = {"210200": "大连市", "370200": "青岛市", "330200": "宁波市", "350200": "厦门市",
               "440300": "深圳市"}
# 新疆生产建设兵团 has no GB/T 2260 code; 660000 is the code the national statistics use for it.
CORPS_CODE, CORPS_NAME = "660000", "新疆生产建设兵团"
# Its cities are the 自治区直辖县级行政区划 of 新疆 (6590xx: 石河子, 阿拉尔, 图木舒克 …).
CORPS_PREFIX = "6590"
# 直辖市 have no real city level: their review chain skips it.
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


def _rows() -> list[dict[str, str]]:
    """The CSV rows, one per code.

    Three cities without districts (东莞 441900, 中山 442000, 儋州 460400) are listed twice, as a
    city and as their own county-level stand-in with the same code; the city row is kept and
    serves as the registrable region there (see Region.is_registrable).
    """
    rows: dict[str, dict[str, str]] = {}
    with DATA_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["code"], row)
    return list(rows.values())


def load_regions(Region: Any, DeclarationRegion: Any) -> tuple[int, int]:  # noqa: N803
    rows = _rows()
    by_code = {row["code"]: row for row in rows}

    def full_name(code: str) -> str:
        parts: list[str] = []
        row: dict[str, str] | None = by_code[code]
        while row is not None:
            if row["placeholder"] != "1":
                parts.append(row["name"])
            parent = row["parent"]
            row = by_code.get(parent) if parent and parent != row["code"] else None
        return " ".join(reversed(parts))

    # 1. Regions, parents first (CSV order is province → city → county).
    existing = {r.code: r for r in Region.objects.all()}
    for row in sorted(rows, key=lambda r: ("province", "city", "county").index(r["level"])):
        values = {
            "name": row["name"],
            "full_name": full_name(row["code"]),
            "level": row["level"],
            "placeholder": row["placeholder"] == "1",
            "parent": existing.get(row["parent"]) if row["parent"] else None,
        }
        region = existing.get(row["code"])
        if region is None:
            region = Region.objects.create(code=row["code"], **values)
            existing[row["code"]] = region
        else:
            for key, value in values.items():
                setattr(region, key, value)
            region.save()

    # 2. Declaration regions: 31 provinces, 5 计划单列市, the 兵团.
    specs: list[tuple[str, str, str, Any]] = []
    for row in rows:
        if row["level"] == "province":
            specs.append((row["code"], row["name"], "province", existing[row["code"]]))
    for code, name in PLAN_CITIES.items():
        specs.append((code, name, "plan_city", existing[code]))
    specs.append((CORPS_CODE, CORPS_NAME, "corps", None))
    drs = {}
    for order, (code, name, kind, region) in enumerate(specs, start=1):
        dr, created = DeclarationRegion.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "region": region, "ordering": order,
                      "city_review": code not in MUNICIPALITIES},
        )
        if not created:
            dr.name, dr.kind, dr.region, dr.ordering = name, kind, region, order
            dr.save(update_fields=["name", "kind", "region", "ordering"])
        drs[code] = dr

    # 3. Each region belongs to exactly one declaration region; counties and cities without
    # counties can be an enterprise's 注册地.
    parents = {row["parent"] for row in rows if row["parent"] and row["parent"] != row["code"]}
    # Migration 0002 runs this before the field exists (historical model without it).
    has_flag = any(f.name == "registrable" for f in Region._meta.get_fields())
    for code, region in existing.items():
        registrable = region.level == "county" or (region.level == "city" and code not in parents)
        if has_flag and region.registrable != registrable:
            region.registrable = registrable
            region.save(update_fields=["registrable"])
        if code[:4] + "00" in PLAN_CITIES:
            target = drs[code[:4] + "00"]
        elif code.startswith(CORPS_PREFIX):
            target = drs[CORPS_CODE]
        else:
            target = drs[code[:2] + "0000"]
        if region.declaration_region_id != target.pk:
            region.declaration_region = target
            region.save(update_fields=["declaration_region"])
    return len(existing), len(drs)

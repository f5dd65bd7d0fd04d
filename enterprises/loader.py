"""Load GB/T 4754-2017 (门类 / 大类 / 中类 / 小类) from the CSV shipped in enterprises/data."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "industries-gbt4754-2017.csv"


def load_industries(Industry: Any) -> int:  # noqa: N803 — a model class (historical or real)
    with DATA_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    existing = {i.code: i for i in Industry.objects.all()}
    section_of: dict[str, str] = {}
    for row in rows:  # parents come before children in the file
        parent = existing.get(row["parent"]) if row["parent"] else None
        section = row["code"] if row["level"] == "门类" else section_of[row["parent"]]
        section_of[row["code"]] = section
        values = {"name": row["name"], "level": row["level"], "parent": parent,
                  "section": section}
        item = existing.get(row["code"])
        if item is None:
            existing[row["code"]] = Industry.objects.create(code=row["code"], **values)
        else:
            for key, value in values.items():
                setattr(item, key, value)
            item.save()
    return len(rows)

"""Load the shipped questionnaires and the 生产性服务业 crosswalk from assessment/data (no network)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SHIPPED = {
    # category: file — the 制造业 version is the official 2024 questionnaire; the other two are
    # derived from it by content.derive (domain.md §0.4) and say so in their description.
    "manufacturing": "manufacturing-2024.json",
    "producer_services": "producer-services-2024-derived.json",
    "other": "other-2024-derived.json",
}


def read(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def load_questionnaires(Questionnaire: Any) -> int:  # noqa: N803 — a model class (historical or real)
    """Create each shipped version once; it becomes active if its category has none active."""
    created = 0
    for category, name in SHIPPED.items():
        data = read(name)
        if Questionnaire.objects.filter(category=category, name=data["name"],
                                        version=data["versionNum"]).exists():
            continue
        active = not Questionnaire.objects.filter(category=category, is_active=True).exists()
        Questionnaire.objects.create(category=category, name=data["name"], version=data["versionNum"],
                                     description=data["description"], content=data, is_active=active)
        created += 1
    return created


def load_crosswalk(ProducerServiceIndustry: Any) -> int:  # noqa: N803
    rows = read("producer-services-2019.json")["rows"]
    for row in rows:
        ProducerServiceIndustry.objects.get_or_create(
            industry_code=row["industry_code"],
            defaults={"industry_name": row["industry_name"], "ps_class": row["ps_class"],
                      "confirmed": row["confirmed"]},
        )
    return len(rows)

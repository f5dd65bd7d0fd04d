"""Server-rendered SVG charts (CSP-safe: attributes only, no script, no inline style)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

BAR_WIDTH = 360
LABEL_WIDTH = 120


def dimension_bars(dimensions: list[dict[str, str]]) -> dict[str, Any]:
    """One horizontal bar per dimension: points against the dimension's maximum."""
    rows = []
    for i, d in enumerate(dimensions):
        points, top = Decimal(d["points"]), Decimal(d["max"])
        share = points / top if top else Decimal(0)
        rows.append({
            "title": d["title"], "points": points.normalize(), "max": top.normalize(),
            "percent": round(share * 100), "y": 10 + i * 44,
            "width": round(share * BAR_WIDTH, 1),
        })
    return {"rows": rows, "height": 20 + 44 * len(rows), "label_width": LABEL_WIDTH,
            "bar_width": BAR_WIDTH, "width": LABEL_WIDTH + BAR_WIDTH + 110,
            "ticks": [{"x": LABEL_WIDTH + BAR_WIDTH * p // 100, "label": f"{p}%"} for p in (0, 25, 50, 75, 100)]}


def scene_bars(scenes: list[dict[str, Any]]) -> dict[str, Any]:
    """One bar per scenario: its level 0–4 (约束性 scenarios drawn darker)."""
    step = BAR_WIDTH // 4
    rows = [{"title": s["title"], "level": s["level"], "binding": s["binding"], "y": 8 + i * 24,
             "width": s["level"] * step} for i, s in enumerate(scenes)]
    return {"rows": rows, "height": 36 + 24 * len(rows), "label_width": LABEL_WIDTH,
            "bar_width": BAR_WIDTH, "width": LABEL_WIDTH + BAR_WIDTH + 60,
            "ticks": [{"x": LABEL_WIDTH + step * n, "label": f"{n}级" if n else "0"} for n in range(5)],
            "axis_y": 12 + 24 * len(rows)}

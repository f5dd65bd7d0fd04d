"""Server-rendered SVG charts (CSP-safe: attributes only, no script, no inline style).

SVG text does not wrap and is clipped at the chart's edge, so every chart is made wide enough
for its longest label (estimated from the characters: a CJK or full-width character takes one
em, anything else at most 0.62 em in Noto Sans CJK).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

BAR_WIDTH = 360
LABEL_WIDTH = 120  # at least; a longer title widens the label column
GAP = 8


def text_width(text: str, size: int) -> int:
    """An upper estimate of `text`'s rendered width in pixels at font size `size`."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.62 for ch in text)
    return int(ems * size + 0.999)


def percent_text(share: Decimal) -> str:
    """A share as a percentage with one decimal: 60.8, 100, 0."""
    value = (share * 100).quantize(Decimal("0.1"))
    return f"{value:.0f}" if value == value.to_integral() else f"{value}"


def dimension_bars(dimensions: list[dict[str, str]]) -> dict[str, Any]:
    """One horizontal bar per dimension: points against the dimension's maximum."""
    rows = []
    for i, d in enumerate(dimensions):
        points, top = Decimal(d["points"]), Decimal(d["max"])
        share = points / top if top else Decimal(0)
        row = {
            "title": d["title"], "points": f"{points.normalize():f}", "max": f"{top.normalize():f}",
            "percent": percent_text(share), "y": 10 + i * 44,
            "width": round(share * BAR_WIDTH, 1),
        }
        row["value_text"] = f"{row['points']}/{row['max']}分（{row['percent']}%）"
        rows.append(row)
    label_width = max([LABEL_WIDTH] + [text_width(r["title"], 13) + GAP for r in rows])
    value_width = max([0] + [text_width(r["value_text"], 12) for r in rows])
    return {"rows": rows, "height": 20 + 44 * len(rows), "label_width": label_width,
            "bar_width": BAR_WIDTH, "value_x": label_width + BAR_WIDTH + GAP,
            "width": label_width + BAR_WIDTH + GAP + value_width + GAP,
            "ticks": [{"x": label_width + BAR_WIDTH * p // 100, "label": f"{p}%"}
                      for p in (0, 25, 50, 75, 100)]}


def scene_bars(scenes: list[dict[str, Any]]) -> dict[str, Any]:
    """One bar per scenario: its level 0–4 (约束性 scenarios drawn darker)."""
    step = BAR_WIDTH // 4
    label_width = max([LABEL_WIDTH] + [text_width(("★" if s["binding"] else "") + s["title"], 12) + GAP
                                       for s in scenes])
    rows = [{"title": s["title"], "level": s["level"], "binding": s["binding"], "y": 8 + i * 24,
             "width": s["level"] * step} for i, s in enumerate(scenes)]
    return {"rows": rows, "height": 36 + 24 * len(rows), "label_width": label_width,
            "bar_width": BAR_WIDTH, "width": label_width + BAR_WIDTH + 60,
            "ticks": [{"x": label_width + step * n, "label": f"{n}级" if n else "0"} for n in range(5)],
            "axis_y": 12 + 24 * len(rows)}

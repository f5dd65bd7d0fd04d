"""统计分析: counts for one official's scope, this year against last, with SVG bar charts.

Every number is summed from small summary tables that the calendar rebuilds every 10 minutes
in one transaction (`services.statistics_refresh`), so a view never aggregates the million-row
enterprises, declarations or titles tables, and the page says when the numbers were counted:

* enterprises from `enterprises.EnterpriseCount` (per 注册地 and 门类: in all, created this
  year and last);
* filed declarations from `DeclarationTierCount`, `DeclarationStatusCount`,
  `DeclarationSectionCount` (the 门类 filed with) and `DeclarationWindowCount` (申报批次), each
  per 注册地 and that one dimension: in all, submitted this year and last;
* titles from `enterprises.RecognitionTierCount` and `RecognitionBatchCount` (per 注册地 kept
  on the title and 层级 or 批次): recognised this year and last, and valid on the day of the
  rebuild.

Each table is keyed by the 注册地 (county), so the one region scoping (`for_user(…, "region")`)
applies to it. Only the enterprises and the two 层级 tables are grouped by the sub-region the
page shows (declaration region, city or county: a join to the regions); the 层级 tables are the
smallest (~9 000 rows at a million enterprises), the others are grouped by their own column
alone. All of them are read by one query; reference rows (industries, regions, windows) name
the groups. The page makes the same few queries whatever the number of rows (asserted in
tests/declarations/test_statistics.py and tests/portal/test_scale_queries.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, F, IntegerField, Model, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from assessment.charts import text_width
from common.tiers import Tier
from enterprises.models import (
    EnterpriseCount,
    EnterpriseCountState,
    Industry,
    RecognitionBatchCount,
    RecognitionTierCount,
)
from portal.accounts.models import OfficialLevel, User
from portal.accounts.scoping import for_user
from portal.regions.models import DeclarationRegion, Region

from .models import (
    Declaration,
    DeclarationSectionCount,
    DeclarationStatusCount,
    DeclarationTierCount,
    DeclarationWindow,
    DeclarationWindowCount,
)

BAR_WIDTH = 300
ROW = 22


@dataclass
class Table:
    """One dimension: label → [本年, 上年, 合计], in display order, with its chart."""

    title: str
    rows: dict[str, list[int]] = field(default_factory=dict)
    columns: tuple[str, str, str] = ("本年", "上年", "合计")

    def add(self, label: str, this: int, last: int, total: int) -> None:
        row = self.rows.setdefault(label, [0, 0, 0])
        row[0] += this
        row[1] += last
        row[2] += total

    @property
    def items(self) -> list[tuple[str, list[int]]]:
        return list(self.rows.items())

    @property
    def chart(self) -> dict[str, Any]:
        """Two bars per label (本年 dark, 上年 light), scaled to the largest."""
        top = max([max(v[0], v[1]) for v in self.rows.values()] + [1])
        label_width = max([80] + [text_width(k, 12) + 8 for k in self.rows])
        bars = []
        for i, (label, (this, last, _total)) in enumerate(self.rows.items()):
            y = 24 + i * (2 * ROW - 4)
            bars.append({"label": label, "y": y, "this": this, "last": last,
                         "this_width": round(this * BAR_WIDTH / top, 1),
                         "last_width": round(last * BAR_WIDTH / top, 1),
                         "text_y": y + 14, "last_y": y + ROW - 4, "last_text_y": y + ROW + 10})
        return {"bars": bars, "label_width": label_width, "bar_width": BAR_WIDTH,
                "width": label_width + BAR_WIDTH + 60,
                "height": 30 + len(bars) * (2 * ROW - 4), "value_x": label_width + 6}


class SubRegions:
    """The sub-region a row counts under for this official: the declaration region for the
    ministry, the city for a province, the county (the 注册地 itself) for a city or county
    official. `key` computes it in the database from a column the planner knows (so it
    estimates few groups and aggregates in memory); `namer` names the keys found."""

    def __init__(self, user: User) -> None:
        self.level = OfficialLevel.MINISTRY if user.is_superuser else user.official_level

    def key(self, path: str) -> Combinable:
        """`path` leads to the row's Region; the key is None for a row without one."""
        if self.level == OfficialLevel.MINISTRY:
            return F(f"{path}__declaration_region_id")
        if self.level == OfficialLevel.PROVINCE:
            return Substr(f"{path}__code", 1, 4)  # the city's code is these + "00"
        return F(f"{path}_id")

    @property
    def none(self) -> Combinable:
        """No key, typed like `key` (a table read without sub-regions, in the same UNION)."""
        return Value(None, output_field=CharField() if self.level == OfficialLevel.PROVINCE
                     else IntegerField())

    def namer(self, keys: Iterable[Any]) -> Callable[[Any], str]:
        keys = {k for k in keys if k is not None}
        if self.level == OfficialLevel.MINISTRY:
            names = dict(DeclarationRegion.objects.filter(pk__in=keys).values_list("pk", "name"))
        elif self.level == OfficialLevel.PROVINCE:
            cities = dict(Region.objects.filter(code__in=[k + "00" for k in keys])
                          .values_list("code", "full_name"))
            names = {k: cities[k + "00"] for k in keys if k + "00" in cities}
        else:
            names = dict(Region.objects.filter(pk__in=keys).values_list("pk", "full_name"))

        def name(key: Any) -> str:
            # (every region belongs to a declaration region: None is a row without 注册地)
            return "未填注册地" if key is None else names.get(key, "其他")
        return name


def _in_year(year: int, counted_year: int | None, this: str, last: str) -> Combinable:
    """The sum of rows made in `year`, as of the last rebuild of the counts (made in
    `counted_year`; columns `this` and `last` hold its own year and the one before). A later
    year had none then (New Year's Day before the next rebuild); an earlier one is not kept."""
    if year == counted_year:
        return Sum(this, default=0)
    if counted_year is not None and year == counted_year - 1:
        return Sum(last, default=0)
    return Value(0)


@dataclass(frozen=True)
class Summary:
    """One summary table as the page reads it: its dimension column, its three count columns
    (in all — 当前有效 for titles —, this year, last year) and whether its groups are split by
    the sub-region shown (only the small 层级 tables and the enterprises are)."""

    model: type[Model]
    dimension: str
    counts: tuple[str, str, str]
    by_subregion: bool = False


FILED = ("declarations", "filed_this_year", "filed_last_year")
GRANTED = ("valid", "granted_this_year", "granted_last_year")
SUMMARIES = {
    "enterprises": Summary(EnterpriseCount, "section",
                           ("enterprises", "created_this_year", "created_last_year"), True),
    "declaration_tiers": Summary(DeclarationTierCount, "tier", FILED, True),
    "declaration_statuses": Summary(DeclarationStatusCount, "status", FILED),
    "declaration_sections": Summary(DeclarationSectionCount, "section", FILED),
    "declaration_windows": Summary(DeclarationWindowCount, "window_id", FILED),
    "title_tiers": Summary(RecognitionTierCount, "tier", GRANTED, True),
    "title_batches": Summary(RecognitionBatchCount, "batch", GRANTED),
}


def _summed(*, user: User, subregions: SubRegions, today: dt.date,
            counted_year: int | None) -> dict[str, list[dict[str, Any]]]:
    """Every summary table's groups in `user`'s scope, by table name: each group a dict of
    `key` (the dimension's value, as text), `sub` (the sub-region key or None), `this`, `last`
    and `total`. One query — a UNION ALL of one aggregate per table — rather than seven."""
    parts = []
    for name, summary in SUMMARIES.items():
        total, this, last = summary.counts
        rows = for_user(summary.model.objects.all(), user, "region").order_by()
        # Every key as text (the window's id too); a text column is read as it is, since a
        # cast would slow its grouping down.
        key = (F(summary.dimension)
               if isinstance(summary.model._meta.get_field(summary.dimension), CharField)
               else Cast(summary.dimension, CharField()))
        parts.append(rows.values(
            table=Value(name), key=key,
            sub=subregions.key("region") if summary.by_subregion else subregions.none,
        ).annotate(this=_in_year(today.year, counted_year, this, last),
                   last=_in_year(today.year - 1, counted_year, this, last),
                   total=Sum(total, default=0)))
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in SUMMARIES}
    for group in parts[0].union(*parts[1:], all=True):
        groups[group["table"]].append(group)
    return groups


def overview(*, user: User, today: dt.date | None = None) -> dict[str, Any]:
    """The statistics page's numbers for `user`'s scope (see the module docstring)."""
    today = today or timezone.localdate()
    sections = dict(Industry.objects.filter(level="门类").values_list("code", "name"))
    subregions = SubRegions(user)

    def section_label(code: str | None) -> str:
        return f"{code} {sections.get(code, '')}".strip() if code else "未填行业"

    state = EnterpriseCountState.objects.filter(pk=1).values("refreshed_at", "year").first() or {}
    # 当前有效 is as of the day of the rebuild (a title expiring at midnight counts until the
    # first rebuild after it).
    summed = _summed(user=user, subregions=subregions, today=today,
                     counted_year=state.get("year"))
    enterprise_groups, title_tiers = summed["enterprises"], summed["title_tiers"]
    declaration_tiers = summed["declaration_tiers"]

    subregion = subregions.namer(g["sub"] for g in [*enterprise_groups, *declaration_tiers,
                                                    *title_tiers])
    # (the ministry's page names ~550 windows: three columns each, not model instances)
    windows = {pk: (region, note, starts_at) for pk, region, note, starts_at in
               DeclarationWindow.objects.filter(pk__in={
                   int(g["key"]) for g in summed["declaration_windows"] if g["key"] is not None})
               .values_list("pk", "declaration_region__name", "note", "starts_at")}
    tiers, statuses = dict(Tier.choices), dict(Declaration.Status.choices)

    def window_label(key: str | None) -> str:
        if key is None:  # a 复核 is filed in its title's 复核 period, not in a window
            return "复核"
        if (window := windows.get(int(key))) is None:
            return "—"
        region, note, starts_at = window
        return f"{region} {note or timezone.localtime(starts_at).strftime('%Y-%m')}"

    e_region, e_section = Table("企业数（按地区）"), Table("企业数（按行业门类）")
    for g in enterprise_groups:
        e_region.add(subregion(g["sub"]), g["this"], g["last"], g["total"])
        e_section.add(section_label(g["key"]), g["this"], g["last"], g["total"])

    d_tier, d_status = Table("申报数（按层级）"), Table("申报数（按状态）")
    d_region, d_section, d_window = (Table("申报数（按地区）"), Table("申报数（按行业门类）"),
                                     Table("申报数（按批次）"))
    for label in Tier.labels:
        d_tier.rows[label] = [0, 0, 0]
    for g in declaration_tiers:
        numbers = (g["this"], g["last"], g["total"])
        d_tier.add(tiers.get(g["key"], g["key"]), *numbers)
        d_region.add(subregion(g["sub"]), *numbers)
    for g in summed["declaration_statuses"]:
        d_status.add(statuses.get(g["key"], g["key"]), g["this"], g["last"], g["total"])
    for g in summed["declaration_sections"]:
        d_section.add(section_label(g["key"]), g["this"], g["last"], g["total"])
    for g in summed["declaration_windows"]:
        d_window.add(window_label(g["key"]), g["this"], g["last"], g["total"])

    r_tier, r_batch, r_region = Table("认定数（按层级）"), Table("认定数（按批次）"), Table("认定数（按地区）")
    for table in (r_tier, r_batch, r_region):
        table.columns = ("本年新认定", "上年新认定", "当前有效")
    for label in Tier.labels:
        r_tier.rows[label] = [0, 0, 0]
    for g in title_tiers:
        numbers = (g["this"], g["last"], g["total"])
        r_tier.add(tiers.get(g["key"], g["key"]), *numbers)
        r_region.add(subregion(g["sub"]), *numbers)
    for g in summed["title_batches"]:
        r_batch.add(g["key"] or "未填批次", g["this"], g["last"], g["total"])

    def ordered(table: Table) -> Table:
        table.rows = dict(sorted(table.rows.items(), key=lambda kv: (-kv[1][2], kv[0])))
        return table

    totals = defaultdict(int)
    for g in enterprise_groups:
        totals["enterprises"] += g["total"]
    for g in declaration_tiers:
        totals["declarations_this"] += g["this"]
        totals["declarations_last"] += g["last"]
    for g in title_tiers:
        totals["valid_titles"] += g["total"]
    return {
        "year": today.year, "last_year": today.year - 1, "totals": dict(totals),
        "as_of": state.get("refreshed_at") and timezone.localtime(state["refreshed_at"]),
        "tables": [d_tier, ordered(d_status), ordered(d_region), ordered(d_section),
                   ordered(d_window), r_tier, ordered(r_batch), ordered(r_region),
                   ordered(e_region), ordered(e_section)],
    }

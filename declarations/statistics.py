"""统计分析: counts for one official's scope, this year against last, with SVG bar charts.

Every count is an aggregate in the database, and the page makes the same few queries whatever
the number of rows (asserted in tests/declarations/test_statistics.py). Nothing reads the
million-row enterprises table on a view:

* enterprises come from `enterprises.EnterpriseCount` (per 注册地 and 门类: in all, created
  this year and last; rebuilt by the calendar every 10 minutes, and the page says when);
* declarations are read from their own table alone (the 门类 is kept on the row when it is
  filed) and titles from theirs (the 注册地 is kept on the title), each from an index that
  holds every column the aggregate reads (`declaration_statistics`, `recognition_statistics`);
* groups are keyed in the database by the sub-region they are shown under (declaration
  region, city or county), so tens of rows come back rather than one per county;
* reference rows (industries, regions, windows) name the groups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Substr
from django.utils import timezone

from assessment.charts import text_width
from common.tiers import Tier
from enterprises.models import EnterpriseCount, EnterpriseCountState, Industry, Recognition
from portal.accounts.models import OfficialLevel, User
from portal.accounts.scoping import for_user
from portal.regions.models import DeclarationRegion, Region

from .models import Declaration, DeclarationWindow

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


def _year_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    starts = [dt.datetime(today.year + k, 1, 1, tzinfo=tz) for k in (-1, 0, 1)]
    return starts[0], starts[1], starts[2]


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


def _created_in(year: int, counted_year: int | None) -> Combinable:
    """Enterprises created in `year`, as of the last rebuild of the counts (made in
    `counted_year`, which holds its own year and the one before). A later year had none
    then; an earlier one is not kept (only a `today` before the rebuild asks for it)."""
    if year == counted_year:
        return Sum("created_this_year", default=0)
    if counted_year is not None and year == counted_year - 1:
        return Sum("created_last_year", default=0)
    return Value(0)


def overview(*, user: User, today: dt.date | None = None) -> dict[str, Any]:
    """The statistics page's numbers for `user`'s scope (see the module docstring)."""
    today = today or timezone.localdate()
    last_start, this_start, next_start = _year_bounds(today)
    sections = dict(Industry.objects.filter(level="门类").values_list("code", "name"))
    subregions = SubRegions(user)

    def section_label(code: str | None) -> str:
        return f"{code} {sections.get(code, '')}".strip() if code else "未填行业"

    # Enterprises: new this year / last year by created_at, from the rebuilt counts.
    state = EnterpriseCountState.objects.filter(pk=1).values("refreshed_at", "year").first() or {}
    counts = for_user(EnterpriseCount.objects.all(), user, "region").order_by()
    sums = {"this": _created_in(today.year, state.get("year")),
            "last": _created_in(today.year - 1, state.get("year")),
            "total": Sum("enterprises", default=0)}
    # One pass: (sub-region, 门类) groups, summed below into both tables.
    enterprise_groups = list(counts.values("section", sub=subregions.key("region"))
                             .annotate(**sums))

    # Declarations filed (drafts are the enterprise's own): by submission year.
    declarations = for_user(Declaration.objects.exclude(status=Declaration.Status.DRAFT), user,
                            "region")
    # Counting a NOT NULL column of the index, not the id: every column read is in the
    # `declaration_statistics` index, so PostgreSQL answers from the index alone.
    filed = {"this": Count("status", filter=Q(submitted_at__gte=this_start,
                                              submitted_at__lt=next_start)),
             "last": Count("status", filter=Q(submitted_at__gte=last_start,
                                              submitted_at__lt=this_start)),
             "total": Count("status")}
    # Two small aggregates rather than one over every dimension: the planner multiplies the
    # dimensions' distinct values, expects ~100 000 groups and sorts them on disk otherwise.
    declaration_groups = list(declarations.order_by().values("tier", "status", "section")
                              .annotate(**filed))
    declaration_places = list(declarations.order_by().values(
        "window_id", sub=subregions.key("region")).annotate(**filed))

    # Titles valid today, and newly recognised this year / last year (valid_from): by the
    # 注册地 kept on the title (Recognition.region), on the `recognition_statistics` index.
    titles = for_user(Recognition.objects.all(), user, "region")
    granted = {"this": Count("tier", filter=Q(valid_from__year=today.year)),
               "last": Count("tier", filter=Q(valid_from__year=today.year - 1)),
               "total": Count("tier", filter=Q(revoked_at__isnull=True, valid_from__lte=today,
                                               valid_until__gte=today))}
    title_groups = list(titles.order_by().values(
        "tier", "batch", sub=subregions.key("region")).annotate(**granted))

    subregion = subregions.namer(g["sub"] for g in [*enterprise_groups, *declaration_places,
                                                    *title_groups])
    windows = {w.pk: w for w in DeclarationWindow.objects.filter(
        pk__in={g["window_id"] for g in declaration_places}).select_related("declaration_region")}
    tiers, statuses = dict(Tier.choices), dict(Declaration.Status.choices)

    def window_label(pk: int | None) -> str:
        if pk is None:  # a 复核 is filed in its title's 复核 period, not in a window
            return "复核"
        w = windows.get(pk)
        if w is None:
            return "—"
        return f"{w.declaration_region.name} {w.note or timezone.localtime(w.starts_at).strftime('%Y-%m')}"

    e_region, e_section = Table("企业数（按地区）"), Table("企业数（按行业门类）")
    for g in enterprise_groups:
        e_region.add(subregion(g["sub"]), g["this"], g["last"], g["total"])
        e_section.add(section_label(g["section"]), g["this"], g["last"], g["total"])

    d_tier, d_status = Table("申报数（按层级）"), Table("申报数（按状态）")
    d_region, d_section, d_window = (Table("申报数（按地区）"), Table("申报数（按行业门类）"),
                                     Table("申报数（按批次）"))
    for label in Tier.labels:
        d_tier.rows[label] = [0, 0, 0]
    for g in declaration_groups:
        numbers = (g["this"], g["last"], g["total"])
        d_tier.add(tiers.get(g["tier"], g["tier"]), *numbers)
        d_status.add(statuses.get(g["status"], g["status"]), *numbers)
        d_section.add(section_label(g["section"]), *numbers)
    for g in declaration_places:
        numbers = (g["this"], g["last"], g["total"])
        d_region.add(subregion(g["sub"]), *numbers)
        d_window.add(window_label(g["window_id"]), *numbers)

    r_tier, r_batch, r_region = Table("认定数（按层级）"), Table("认定数（按批次）"), Table("认定数（按地区）")
    for table in (r_tier, r_batch, r_region):
        table.columns = ("本年新认定", "上年新认定", "当前有效")
    for label in Tier.labels:
        r_tier.rows[label] = [0, 0, 0]
    for g in title_groups:
        numbers = (g["this"], g["last"], g["total"])
        r_tier.add(tiers.get(g["tier"], g["tier"]), *numbers)
        r_batch.add(g["batch"] or "未填批次", *numbers)
        r_region.add(subregion(g["sub"]), *numbers)

    def ordered(table: Table) -> Table:
        table.rows = dict(sorted(table.rows.items(), key=lambda kv: (-kv[1][2], kv[0])))
        return table

    totals = defaultdict(int)
    for g in enterprise_groups:
        totals["enterprises"] += g["total"]
    for g in declaration_groups:
        totals["declarations_this"] += g["this"]
        totals["declarations_last"] += g["last"]
    for g in title_groups:
        totals["valid_titles"] += g["total"]
    return {
        "year": today.year, "last_year": today.year - 1, "totals": dict(totals),
        "enterprises_as_of": state.get("refreshed_at") and timezone.localtime(state["refreshed_at"]),
        "tables": [d_tier, ordered(d_status), ordered(d_region), ordered(d_section),
                   ordered(d_window), r_tier, ordered(r_batch), ordered(r_region),
                   ordered(e_region), ordered(e_section)],
    }

"""统计分析: counts for one official's scope, this year against last, with SVG bar charts.

Every count is an aggregate in the database and the page makes the same few queries whatever
the number of rows: enterprises grouped once by 注册地 and once by 所属行业 (on the enterprise
table alone, so no join over every row), declarations and titles grouped once each, plus the
reference rows (regions, industries, windows) that name the groups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from assessment.charts import text_width
from common.tiers import Tier
from enterprises.models import Enterprise, Industry, Recognition
from portal.accounts.models import OfficialLevel, User
from portal.accounts.scoping import for_user
from portal.regions.models import Region

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


def _subregion_namer(user: User, region_ids: Iterable[int]) -> Callable[[int | None], str]:
    """Region id → the sub-region it counts under for this official: the declaration region
    for the ministry, the city for a province, the county for a city or county official."""
    ids = {i for i in region_ids if i is not None}
    rows = {r["id"]: r for r in Region.objects.filter(pk__in=ids).values(
        "id", "code", "full_name", "declaration_region__name")}
    level = "ministry" if user.is_superuser else user.official_level
    cities: dict[str, str] = {}
    if level == OfficialLevel.PROVINCE:
        codes = {r["code"][:4] + "00" for r in rows.values()}
        cities = dict(Region.objects.filter(code__in=codes).values_list("code", "full_name"))

    def name(region_id: int | None) -> str:
        row = rows.get(region_id) if region_id is not None else None
        if row is None:
            return "未填注册地"
        if level == OfficialLevel.MINISTRY:
            return row["declaration_region__name"] or "其他"
        if level == OfficialLevel.PROVINCE:
            return cities.get(row["code"][:4] + "00", row["full_name"])
        return row["full_name"]
    return name


def overview(*, user: User, today: dt.date | None = None) -> dict[str, Any]:
    """The statistics page's numbers for `user`'s scope (see the module docstring)."""
    today = today or timezone.localdate()
    last_start, this_start, next_start = _year_bounds(today)
    sections = dict(Industry.objects.filter(level="门类").values_list("code", "name"))
    section_of = dict(Industry.objects.values_list("id", "section"))

    def section_label(code: str | None) -> str:
        return f"{code} {sections.get(code, '')}".strip() if code else "未填行业"

    # Enterprises: new this year / last year by created_at; two single-table group-bys.
    enterprises = for_user(Enterprise.objects.all(), user, "region")
    counts = {"this": Count("id", filter=Q(created_at__gte=this_start, created_at__lt=next_start)),
              "last": Count("id", filter=Q(created_at__gte=last_start, created_at__lt=this_start)),
              "total": Count("id")}
    by_region = list(enterprises.order_by().values("region_id").annotate(**counts))
    by_industry = list(enterprises.order_by().values("industry_id").annotate(**counts))

    # Declarations filed (drafts are the enterprise's own): by submission year.
    declarations = for_user(Declaration.objects.exclude(status=Declaration.Status.DRAFT), user,
                            "region")
    filed = {"this": Count("id", filter=Q(submitted_at__gte=this_start, submitted_at__lt=next_start)),
             "last": Count("id", filter=Q(submitted_at__gte=last_start, submitted_at__lt=this_start)),
             "total": Count("id")}
    declaration_groups = list(declarations.order_by().values(
        "tier", "status", "window_id", "region_id", "enterprise__industry__section").annotate(**filed))

    # Titles valid today, and newly recognised this year / last year (valid_from).
    titles = for_user(Recognition.objects.all(), user, "enterprise__region")
    granted = {"this": Count("id", filter=Q(valid_from__year=today.year)),
               "last": Count("id", filter=Q(valid_from__year=today.year - 1)),
               "total": Count("id", filter=Q(revoked_at__isnull=True, valid_from__lte=today,
                                             valid_until__gte=today))}
    title_groups = list(titles.order_by().values("tier", "batch", "enterprise__region_id")
                        .annotate(**granted))

    subregion = _subregion_namer(user, [g["region_id"] for g in by_region]
                                 + [g["region_id"] for g in declaration_groups]
                                 + [g["enterprise__region_id"] for g in title_groups])
    windows = {w.pk: w for w in DeclarationWindow.objects.filter(
        pk__in={g["window_id"] for g in declaration_groups}).select_related("declaration_region")}
    tiers, statuses = dict(Tier.choices), dict(Declaration.Status.choices)

    def window_label(pk: int) -> str:
        w = windows.get(pk)
        if w is None:
            return "—"
        return f"{w.declaration_region.name} {w.note or timezone.localtime(w.starts_at).strftime('%Y-%m')}"

    e_region, e_section = Table("企业数（按地区）"), Table("企业数（按行业门类）")
    for g in by_region:
        e_region.add(subregion(g["region_id"]), g["this"], g["last"], g["total"])
    for g in by_industry:
        e_section.add(section_label(section_of.get(g["industry_id"])), g["this"], g["last"], g["total"])

    d_tier, d_status = Table("申报数（按层级）"), Table("申报数（按状态）")
    d_region, d_section, d_window = (Table("申报数（按地区）"), Table("申报数（按行业门类）"),
                                     Table("申报数（按批次）"))
    for label in Tier.labels:
        d_tier.rows[label] = [0, 0, 0]
    for g in declaration_groups:
        numbers = (g["this"], g["last"], g["total"])
        d_tier.add(tiers.get(g["tier"], g["tier"]), *numbers)
        d_status.add(statuses.get(g["status"], g["status"]), *numbers)
        d_region.add(subregion(g["region_id"]), *numbers)
        d_section.add(section_label(g["enterprise__industry__section"]), *numbers)
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
        r_region.add(subregion(g["enterprise__region_id"]), *numbers)

    def ordered(table: Table) -> Table:
        table.rows = dict(sorted(table.rows.items(), key=lambda kv: (-kv[1][2], kv[0])))
        return table

    totals = defaultdict(int)
    for g in by_region:
        totals["enterprises"] += g["total"]
    for g in declaration_groups:
        totals["declarations_this"] += g["this"]
        totals["declarations_last"] += g["last"]
    for g in title_groups:
        totals["valid_titles"] += g["total"]
    return {
        "year": today.year, "last_year": today.year - 1, "totals": dict(totals),
        "tables": [d_tier, ordered(d_status), ordered(d_region), ordered(d_section),
                   ordered(d_window), r_tier, ordered(r_batch), ordered(r_region),
                   ordered(e_region), ordered(e_section)],
    }

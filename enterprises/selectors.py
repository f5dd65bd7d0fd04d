"""Reads about enterprises: windows, completeness, recognition, access helpers."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.lookups import Exact
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone

from common.trees import Tree
from portal.regions.selectors import REGION_TREE

from .loader import DATA_FILE as INDUSTRY_FILE
from .models import (
    Enterprise,
    Industry,
    InfoUpdate,
    MajorChange,
    Recognition,
    RereviewSetting,
    UpdateWindow,
    YearFigures,
)

# 所属行业 pickers: 门类 → 大类 → 中类 → 小类; a 大类 or finer may be chosen.
INDUSTRY_TREE = Tree(
    slug="industries",
    model=Industry,
    data_file=INDUSTRY_FILE,
    levels=("门类", "大类", "中类", "小类"),
    selectable=~Q(level=Industry.Level.SECTION),
    label=lambda row: f"{row['code']} {row['name']}",
    text=lambda row: f"{row['code']} {row['name']}",
)

# The trees the options endpoint answers for, by the slug in its URL.
PICKER_TREES: dict[str, Tree] = {tree.slug: tree for tree in (INDUSTRY_TREE, REGION_TREE)}

# 63号: 有效期内的企业应在每年4月30日前更新信息 (domain.md §2.5); officials may set each year's.
DEFAULT_WINDOW = ((1, 1), (4, 30))


@dataclass(frozen=True)
class Window:
    starts_on: dt.date
    ends_on: dt.date  # inclusive: the whole of this day (Asia/Shanghai)

    def is_open(self, on: dt.date) -> bool:
        return self.starts_on <= on <= self.ends_on


UPDATE_WINDOWS_KEY = "enterprises:update-windows"
UPDATE_WINDOWS_TTL = 60  # seconds; a save clears it at once (signals below)


def _update_windows() -> dict[tuple[int, int | None], Window]:
    """Every year's windows by (year, declaration region or None), from the cache: a few
    hundred rows at most, read on most enterprise pages."""
    found = cache.get(UPDATE_WINDOWS_KEY)
    if found is None:
        found = {(w.year, w.declaration_region_id): Window(w.starts_on, w.ends_on)
                 for w in UpdateWindow.objects.all()}
        cache.set(UPDATE_WINDOWS_KEY, found, UPDATE_WINDOWS_TTL)
    return found


@receiver([post_save, post_delete], sender=UpdateWindow)
def _forget_update_windows(**kwargs: object) -> None:
    cache.delete(UPDATE_WINDOWS_KEY)


def update_window(*, enterprise: Enterprise | None, year: int) -> Window:
    """The information-update window of `year` for the enterprise's declaration region: the
    region's own, else the national one, else 1 January – 30 April."""
    windows = _update_windows()
    dr_id = enterprise.region.declaration_region_id if enterprise and enterprise.region_id else None
    chosen = (windows.get((year, dr_id)) if dr_id else None) or windows.get((year, None))
    if chosen is not None:
        return chosen
    (m1, d1), (m2, d2) = DEFAULT_WINDOW
    return Window(dt.date(year, m1, d1), dt.date(year, m2, d2))


# 认证到期管理: without a setting, 复核 may be applied for in the last 6 months of validity.
DEFAULT_REREVIEW_MONTHS = (6, 0)  # (months before the end it opens, months after it closes)


@dataclass(frozen=True)
class RereviewPeriod:
    opens_on: dt.date
    closes_on: dt.date  # inclusive

    def contains(self, on: dt.date) -> bool:
        return self.opens_on <= on <= self.closes_on


REREVIEW_SETTINGS_KEY = "enterprises:rereview-settings"


def _rereview_settings() -> dict[tuple[str, int | None], RereviewSetting]:
    """Every 复核 setting by (tier, declaration region or None), from the cache: at most a
    row per tier and region, read for every title on 认证到期管理."""
    found = cache.get(REREVIEW_SETTINGS_KEY)
    if found is None:
        found = {(s.tier, s.declaration_region_id): s for s in RereviewSetting.objects.all()}
        cache.set(REREVIEW_SETTINGS_KEY, found, UPDATE_WINDOWS_TTL)
    return found


@receiver([post_save, post_delete], sender=RereviewSetting)
def _forget_rereview_settings(**kwargs: object) -> None:
    cache.delete(REREVIEW_SETTINGS_KEY)


def rereview_period(recognition: Recognition) -> RereviewPeriod:
    """When `recognition` may apply for 复核: the declaration region's setting for its tier,
    else the national one, else the last 6 months of validity (2029-05-31 → from 2028-12-01)."""
    enterprise = recognition.enterprise
    dr_id = enterprise.region.declaration_region_id if enterprise.region_id else None
    settings = _rereview_settings()
    chosen = settings.get((recognition.tier, dr_id)) if dr_id else None
    chosen = chosen or settings.get((recognition.tier, None))
    before, after = ((chosen.opens_months_before, chosen.closes_months_after) if chosen
                     else DEFAULT_REREVIEW_MONTHS)
    end = recognition.valid_until
    return RereviewPeriod(end - relativedelta(months=before) + dt.timedelta(days=1),
                          end + relativedelta(months=after))


def term_start(recognition: Recognition) -> dt.date:
    """The first day of the validity period in force (the latest term; domain.md §2.8)."""
    if hasattr(recognition, "latest_term_from"):  # annotated by a page that lists titles
        latest = recognition.latest_term_from
    else:
        latest = (recognition.terms.order_by("-valid_from")
                  .values_list("valid_from", flat=True).first())
    return latest or recognition.valid_from


def _cn(day: dt.date) -> str:
    return f"{day:%Y年%-m月%-d日}"


def rereview_problems(recognition: Recognition, on: dt.date, *,
                      updated_years: set[int] | None = None,
                      late_changes: list[MajorChange] | None = None) -> list[str]:
    """Why `recognition` may not apply for 复核 on `on`, each condition that fails, in Chinese
    (empty: it may). domain.md §2.5–§2.8: in force (not cancelled, 复核资格 not removed), inside
    its 复核 period, every annual information update of the current validity done, and no
    major change reported late (more than 3 months after it happened) in it."""
    problems: list[str] = []
    if recognition.state == Recognition.State.REVOKED:
        return ["该称号已被取消认定，不能申请复核。"]
    if recognition.rereview_status == Recognition.Rereview.BARRED:
        why = recognition.rereview_bar_reason or "主管部门决定"
        problems.append(f"该称号已被取消复核资格（{why}）。")
    period = rereview_period(recognition)
    if on < period.opens_on:
        problems.append(f"复核申请时间为{_cn(period.opens_on)}至{_cn(period.closes_on)}，尚未开始。")
    elif on > period.closes_on:
        problems.append(f"复核申请已于{_cn(period.closes_on)}截止。")
    start = term_start(recognition)
    # `updated_years` / `late_changes`: the enterprise's submitted update years and late
    # major changes, read once by a page that lists several titles.
    if updated_years is None:
        updated_years = set(InfoUpdate.objects.filter(
            enterprise_id=recognition.enterprise_id, status=InfoUpdate.Status.SUBMITTED,
            year__gte=start.year).values_list("year", flat=True))
    done = {year for year in updated_years if year >= start.year}
    for year in range(start.year, on.year + 1):
        window = update_window(enterprise=recognition.enterprise, year=year)
        # Due when the title was held for the whole window and the window has closed.
        due = start <= window.starts_on and window.ends_on <= recognition.valid_until
        if due and window.ends_on < on and year not in done:
            problems.append(f"{year}年信息更新未在{_cn(window.ends_on)}前完成，按规定取消复核资格。")
    if late_changes is None:
        late_changes = list(late_major_changes(recognition.enterprise_id))
    for change in (c for c in late_changes if c.changed_on >= start):
        problems.append(f"重大变更（{change.get_change_type_display()}，{_cn(change.changed_on)}）"
                        "未在3个月内报告，按规定取消复核资格。")
    return problems


def late_major_changes(enterprise_id: int) -> QuerySet[MajorChange]:
    """The enterprise's major changes reported more than 3 months late (filed, not drafts)."""
    return (MajorChange.objects.filter(enterprise_id=enterprise_id, is_late=True)
            .exclude(status=MajorChange.Status.DRAFT).order_by("changed_on"))


def today() -> dt.date:
    return timezone.localdate()  # Asia/Shanghai: the window turns at local midnight


def is_recognised(enterprise: Enterprise, on: dt.date | None = None) -> bool:
    return Recognition.objects.valid_on(on or today()).filter(enterprise=enterprise).exists()


def current_recognitions(enterprise: Enterprise, on: dt.date | None = None) -> QuerySet:
    return Recognition.objects.valid_on(on or today()).filter(enterprise=enterprise)


REQUIRED_FIELDS = ["name", "region", "address", "industry", "founded_on", "registered_capital",
                   "scale", "legal_representative", "contact_person", "contact_phone",
                   "contact_email", "main_product", "niche_market", "niche_since", "employees",
                   "rd_staff"]
REQUIRED_FIGURES = ["operating_revenue", "main_business_revenue", "rd_expense", "net_profit",
                    "total_assets", "total_liabilities"]


def missing_fields(enterprise: Enterprise, on: dt.date | None = None) -> list[str]:
    """The labels of what a declaration needs and the profile lacks (empty when complete)."""
    labels = [
        str(Enterprise._meta.get_field(name).verbose_name)
        for name in REQUIRED_FIELDS
        if getattr(enterprise, name) in (None, "")
    ]
    last_year = (on or today()).year - 1
    figures = next((f for f in enterprise.figures.all() if f.year == last_year), None)
    for name in REQUIRED_FIGURES:
        if figures is None or getattr(figures, name) is None:
            labels.append(f"{last_year}年{YearFigures._meta.get_field(name).verbose_name}")
    return labels


def update_status_q(*, year: int, on: dt.date) -> dict[str, Q]:
    """Filters for officials: recognised enterprises updated / overdue / still due this year.

    Overdue enterprises lose their 复核 eligibility (63号; domain.md §2.5, §2.7 item 5).
    """
    updated = Exists(InfoUpdate.objects.filter(enterprise=OuterRef("pk"), year=year,
                                               status=InfoUpdate.Status.SUBMITTED))
    recognised = Exists(Recognition.objects.valid_on(on).filter(enterprise=OuterRef("pk")))
    national = update_window(enterprise=None, year=year)
    regional = {w.declaration_region_id: w.ends_on
                for w in UpdateWindow.objects.filter(year=year, declaration_region__isnull=False)}
    custom = list(regional)
    # Q() would vanish when OR-ed, so "everyone else" is an explicit always-true filter.
    others = ~Q(region__declaration_region_id__in=custom) if custom else Q(pk__isnull=False)
    closed_parts, open_parts = [], []
    (closed_parts if national.ends_on < on else open_parts).append(others)
    for dr_id, ends_on in regional.items():
        part = Q(region__declaration_region_id=dr_id)
        (closed_parts if ends_on < on else open_parts).append(part)
    closed = reduce(operator.or_, closed_parts, Q(pk__in=[]))
    still_open = reduce(operator.or_, open_parts, Q(pk__in=[]))
    return {
        "updated": Q(recognised) & Q(updated),
        "overdue": Q(recognised) & ~Q(updated) & closed,
        "due": Q(recognised) & ~Q(updated) & still_open,
    }


def get_change_for_user(user, public_id, *, write: bool = False) -> MajorChange:  # noqa: ANN001
    """The enterprise's own change report, or 404 (never another enterprise's)."""
    try:
        change = MajorChange.objects.select_related("enterprise").get(
            public_id=public_id, enterprise__account=user
        )
    except (MajorChange.DoesNotExist, ValueError, TypeError):
        raise Http404("变更记录不存在。") from None
    if write and not change.editable:
        raise Http404("已提交的变更记录不能修改。")
    return change



def awaiting_cancellation_q(*, on: dt.date) -> Q:
    """Titles in force on `on` that wait for the recognising level (domain.md §2.6, §2.7 items
    1–2): since the title began, its enterprise reported a major change that was approved as
    no longer meeting the conditions (→ 取消认定), or reported one late while the title may
    still be renewed (→ 取消复核资格 or 取消认定). A filter on Recognition."""
    # One EXISTS holding both cases (the title's own 复核 status inside it), so PostgreSQL
    # runs it as one hash semi-join: 100 000 titles, 20 000 changes — the list's count and
    # page in 0.24 s, against 1.5 s for two EXISTS joined by OR (a subplan per title).
    unqualified = Q(status=MajorChange.Status.APPROVED, still_meets=False)
    late = (Q(is_late=True) & ~Q(status=MajorChange.Status.DRAFT)
            & Exact(OuterRef("rereview_status"), Recognition.Rereview.ELIGIBLE))
    calls = MajorChange.objects.filter(unqualified | late, enterprise=OuterRef("enterprise"),
                                       changed_on__gte=OuterRef("valid_from"))
    return Q(Exists(calls), state=Recognition.State.IN_FORCE, valid_from__lte=on,
             valid_until__gte=on)


def recognition_status(recognition: Recognition, on: dt.date | None = None) -> str:
    """有效 / 已到期 / 已取消 / 未生效, as the public query shows it."""
    on = on or today()
    if recognition.state == Recognition.State.REVOKED:
        return "已取消"
    if recognition.valid_until < on:
        return "已到期"
    if recognition.valid_from > on:
        return "未生效"
    return "有效"


def recognitions_for_query(*, name: str, uscc: str) -> list[dict[str, object]] | None:
    """企业认定查询: the titles of the one enterprise whose name *and* code both match, valid ones
    first, then past ones (newest first); None when no enterprise matches both. One query."""
    rows = list(Recognition.objects.filter(enterprise__name=name, enterprise__uscc=uscc)
                .order_by("-valid_from", "-id"))
    if not rows and not Enterprise.objects.filter(name=name, uscc=uscc).exists():
        return None
    on = today()
    titles = [{"tier": r.get_tier_display(), "batch": r.batch or "—", "valid_from": r.valid_from,
               "valid_until": r.valid_until, "status": recognition_status(r, on),
               "certificate_no": r.certificate_no or "—"} for r in rows]
    return sorted(titles, key=lambda t: t["status"] != "有效")  # stable: valid first

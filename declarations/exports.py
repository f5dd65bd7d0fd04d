"""Officials' Excel exports in the layouts provinces send up the chain, and their jobs.

* 推荐汇总表 — declarations: one row per enterprise with the key figures as filed and the score;
* 复核情况汇总表 — recognitions and their 复核: passed, failed (with the officials' reason: the
  不予推荐 / 不予认定 opinion), in progress; without a 复核, cancelled (its reason) or run out
  (有效期届满未通过复核).

Both follow the admin change list the official is looking at (filters, search, scope): the rows
come from `ModelAdmin.get_changelist_instance(request).get_queryset(request)`. Up to
`SYNC_MAX_ROWS` rows are built in the request; more become an `ExportJob` that a Celery worker
builds (in-process in embedded mode), private to the official and deleted after `KEEP_FOR`.

The workbook is written in openpyxl's write-only mode (rows are streamed to a temporary file,
so memory does not grow with the row count). Write-only sheets have no `merge_cells()`, but
they keep the `merged_cells` range list that the writer emits after the rows: adding the
ranges there is the supported way to merge in this mode.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from celery import shared_task
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files import File
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from common.jobs import enqueue
from common.models import DecisionEvent, ExportJob
from common.tiers import Tier
from common.xlsx import safe
from enterprises.models import Recognition, RevokeGround, YearFigures
from portal.accounts.models import OfficialLevel, User

from .models import Declaration

logger = logging.getLogger(__name__)

SYNC_MAX_ROWS = 2000  # more rows than this are built by a worker, with a progress bar
KEEP_FOR = dt.timedelta(days=7)
PROGRESS_EVERY = 1000  # rows between two progress updates of a job
CHUNK = 2000

RECOMMEND = "recommend"
REREVIEW = "rereview"


@dataclass(frozen=True, slots=True)
class Layout:
    """A sheet: (group title, [column titles]) in order; the columns that get a total."""

    sheet: str
    heading: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    totals: frozenset[str]

    @property
    def columns(self) -> list[str]:
        return [c for _, cols in self.groups for c in cols]


RECOMMEND_LAYOUT = Layout(
    sheet="推荐汇总表", heading="优质中小企业推荐汇总表",
    groups=(("", ("序号",)),
            ("企业基本情况", ("企业名称", "统一社会信用代码", "注册地", "所属行业", "企业规模")),
            ("主要经济指标（上年度）", ("营业收入（万元）", "研发费用（万元）", "研发费用占比（%）",
                                "净利润（万元）", "职工总数（人）", "研发人员（人）")),
            ("申报及评分情况", ("申报层级", "申报批次", "申报编号", "审核状态", "评分", "评价结论"))),
    totals=frozenset({"营业收入（万元）", "研发费用（万元）", "净利润（万元）", "职工总数（人）",
                      "研发人员（人）"}),
)

REREVIEW_LAYOUT = Layout(
    sheet="复核情况汇总表", heading="优质中小企业复核情况汇总表",
    groups=(("", ("序号",)),
            ("企业基本情况", ("企业名称", "统一社会信用代码", "注册地", "职工总数（人）")),
            ("主要经济指标（最近年度）", ("年度", "营业收入（万元）", "研发费用（万元）")),
            ("认定情况", ("认定层级", "认定批次", "证书编号", "有效期起", "有效期止")),
            ("复核情况", ("复核结果", "未通过复核原因"))),
    totals=frozenset({"职工总数（人）", "营业收入（万元）", "研发费用（万元）"}),
)

KINDS = {RECOMMEND: (Declaration, RECOMMEND_LAYOUT), REREVIEW: (Recognition, REREVIEW_LAYOUT)}


# --- the workbook ---------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _cell(value: Any) -> Any:
    """Decimals as floats (Excel has no decimal type), text escaped."""
    if isinstance(value, Decimal):
        return float(value)
    return safe(value)


def scope_label(user: User) -> str:
    """The region an export covers, for its title row."""
    if user.is_superuser or user.official_level == OfficialLevel.MINISTRY:
        return "全国"
    if user.official_level == OfficialLevel.PROVINCE and user.declaration_region_id:
        return user.declaration_region.name
    return user.region.full_name.replace(" ", "") if user.region_id else ""


def write_workbook(target: Any, *, layout: Layout, title: str, subtitle: str,
                   rows: Iterable[list[Any]], on_progress: Callable[[int], None] | None = None,
                   ) -> int:
    """Write `rows` under `layout`'s title row and merged group headers, then a totals row.
    Returns the number of rows written; `on_progress(n)` is called every PROGRESS_EVERY rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(layout.sheet)
    columns = layout.columns
    width = len(columns)
    last = get_column_letter(width)
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")

    def styled(value: Any, *, font: Any = bold) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=safe(value))
        cell.font, cell.alignment = font, centre
        return cell

    sheet.freeze_panes = "C5"
    sheet.append([styled(title, font=Font(bold=True, size=14))])
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.append([safe(subtitle)])
    sheet.merged_cells.add(f"A2:{last}2")
    # Row 3: the group titles, each merged over its columns; row 4: the column titles. A
    # column without a group (序号) is merged down over both rows.
    group_row, start = [], 1
    for group, cols in layout.groups:
        end = start + len(cols) - 1
        group_row.extend([styled(group or cols[0])] + [styled(None)] * (len(cols) - 1))
        if group and end > start:
            sheet.merged_cells.add(f"{get_column_letter(start)}3:{get_column_letter(end)}3")
        elif not group:
            sheet.merged_cells.add(f"{get_column_letter(start)}3:{get_column_letter(start)}4")
        start = end + 1
    sheet.append(group_row)
    sheet.append([styled(None if not group else c) for group, cols in layout.groups for c in cols])

    sums = {c: Decimal(0) for c in layout.totals}
    count = 0
    for row in rows:
        count += 1
        values = [count, *row]
        for i, name in enumerate(columns):
            if name in sums and isinstance(values[i], (int, Decimal)):
                sums[name] += values[i]
        sheet.append([_cell(v) for v in values])
        if on_progress and count % PROGRESS_EVERY == 0:
            on_progress(count)
    total_row: list[Any] = [styled("合计"), styled(f"共 {count} 家企业")]
    total_row += [_cell(sums[c]) if c in sums else None for c in columns[2:]]
    sheet.append(total_row)
    book.save(target)
    return count


# --- 推荐汇总表 ---------------------------------------------------------------------------------


def _latest_figures(profile_figures: Any) -> dict[str, Any]:
    if not isinstance(profile_figures, dict) or not profile_figures:
        return {}
    year = max(profile_figures, key=lambda y: str(y))
    return profile_figures.get(year) or {}


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def recommend_rows(queryset: QuerySet) -> Iterable[list[Any]]:
    """One row per declaration from the frozen copy (what was filed); the score and verdict
    after the officials' judgements when there are any."""
    statuses = dict(Declaration.Status.choices)
    tiers = dict(Tier.choices)
    # The frozen profile whole (small); of the result only its total and verdict. (A text
    # pulled out of JSON by key comes back as a number on SQLite when it looks like one.)
    fields = ["number", "tier", "status", "window__note", "window__starts_at", "profile",
              "result__total", "result__verdict", "reviewed_result__total",
              "reviewed_result__verdict"]
    for (number, tier, status, note, starts_at, profile, total, verdict, reviewed_total,
         reviewed_verdict) in (queryset.order_by("region__code", "submitted_at", "id")
                               .values_list(*fields).iterator(chunk_size=CHUNK)):
        profile = profile or {}
        name, uscc, region, industry, scale, employees, rd_staff = (
            str(profile.get(k) or "") for k in ("name", "uscc", "region", "industry",
                                                "scale_label", "employees", "rd_staff"))
        latest = _latest_figures(profile.get("figures"))
        revenue, rd = _number(latest.get("operating_revenue")), _number(latest.get("rd_expense"))
        share = (rd * 100 / revenue).quantize(Decimal("0.01")) if revenue and rd is not None else None
        batch = note or (f"{timezone.localtime(starts_at):%Y}年" if starts_at else "")
        yield [name, uscc, region, industry, scale, revenue, rd, share,
               _number(latest.get("net_profit")), _int(employees), _int(rd_staff),
               tiers.get(tier, tier), batch, number, statuses.get(status, status),
               _number(reviewed_total if reviewed_verdict else total),
               reviewed_verdict or verdict or ""]


# --- 复核情况汇总表 -------------------------------------------------------------------------------


def rereview_outcome(valid_until: dt.date, state: str, ground: str, revoke_reason: str,
                     today: dt.date, rereview_status: str | None = None,
                     rereview_reason: str | None = None) -> tuple[str, str]:
    """(复核结果, 未通过原因) of a title as the records stand today: its cancellation (naming its
    ground, §2.7; titles cancelled before grounds were recorded keep their reason), else its
    latest 复核 (passed, failed with the officials' reason, or still in progress), else its
    validity."""
    S = Declaration.Status
    if state == Recognition.State.REVOKED:
        grounds = dict(RevokeGround.choices)
        return "未通过（已取消）", grounds.get(ground) or revoke_reason or "已取消认定"
    if rereview_status == S.RECOGNISED:
        return "复核通过", ""
    if rereview_status in (S.NOT_RECOMMENDED, S.NOT_RECOGNISED):
        return "复核未通过", rereview_reason or str(S(rereview_status).label)
    if rereview_status:
        return f"复核中（{S(rereview_status).label}）", ""
    if valid_until < today:
        return "未通过（已到期）", "有效期届满未通过复核"
    return "有效", ""


def rereview_rows(queryset: QuerySet, *, today: dt.date) -> Iterable[list[Any]]:
    tiers = dict(Tier.choices)
    latest = YearFigures.objects.filter(enterprise=OuterRef("enterprise")).order_by("-year")
    rereview = Declaration.objects.filter(rereview_of=OuterRef("pk")).order_by("-created_at", "-id")
    refusal = (DecisionEvent.objects
               .filter(content_type=ContentType.objects.get_for_model(Declaration),
                       object_id=OuterRef("rr_id"), action__in=("not_recommend", "not_recognise"))
               .order_by("-at", "-id"))
    rows = (queryset.order_by("enterprise__region__code", "enterprise__name", "id")
            .annotate(fig_year=Subquery(latest.values("year")[:1]),
                      fig_revenue=Subquery(latest.values("operating_revenue")[:1]),
                      fig_rd=Subquery(latest.values("rd_expense")[:1]),
                      rr_id=Subquery(rereview.values("pk")[:1]),
                      rr_status=Subquery(rereview.values("status")[:1]))
            .annotate(rr_reason=Subquery(refusal.values("opinion")[:1]))
            .values_list("enterprise__name", "enterprise__uscc", "enterprise__region__full_name",
                         "enterprise__employees", "fig_year", "fig_revenue", "fig_rd", "tier",
                         "batch", "certificate_no", "valid_from", "valid_until", "state",
                         "revoke_ground", "revoke_reason", "rr_status", "rr_reason"))
    for (name, uscc, region, employees, year, revenue, rd, tier, batch, certificate, valid_from,
         valid_until, state, ground, reason, rr_status, rr_reason) in rows.iterator(chunk_size=CHUNK):
        outcome, why = rereview_outcome(valid_until, state, ground, reason, today, rr_status,
                                        rr_reason)
        yield [name, uscc, region or "", employees, year, _number(revenue), _number(rd),
               tiers.get(tier, tier), batch, certificate, valid_from.isoformat(),
               valid_until.isoformat(), outcome, why]


# --- following the admin ------------------------------------------------------------------------


def changelist_queryset(request: HttpRequest, model: type) -> QuerySet:
    """The rows the official sees in `model`'s change list with the request's filters and
    search, scope included (raises IncorrectLookupParameters on bad filters)."""
    model_admin = admin.site.get_model_admin(model)
    return model_admin.get_changelist_instance(request).get_queryset(request)


def batch_label(kind: str, request: HttpRequest) -> str:
    """The batch named in the title row: the window (or recognition batch) filtered on."""
    if kind == RECOMMEND:
        window_id = request.GET.get("window__id__exact", "")
        if window_id.isdigit():
            from .models import DeclarationWindow

            window = DeclarationWindow.objects.filter(pk=int(window_id)).first()
            if window is not None:
                return window.note or f"{timezone.localtime(window.starts_at):%Y年%m月}批次"
        return "全部批次"
    return request.GET.get("batch", "") or "全部批次"


def build(kind: str, request: HttpRequest, target: Any,
          on_progress: Callable[[int], None] | None = None) -> int:
    model, layout = KINDS[kind]
    queryset = changelist_queryset(request, model)
    title = f"{scope_label(request.user)}{layout.heading}"
    now = timezone.localtime()
    subtitle = (f"批次：{batch_label(kind, request)}　　导出单位：{scope_label(request.user)}　　"
                f"导出时间：{now:%Y-%m-%d %H:%M}")
    rows = (recommend_rows(queryset) if kind == RECOMMEND
            else rereview_rows(queryset, today=now.date()))
    return write_workbook(target, layout=layout, title=title, subtitle=subtitle, rows=rows,
                          on_progress=on_progress)


def filename_for(kind: str) -> str:
    return f"{KINDS[kind][1].sheet}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def replay_request(*, user: User, filters: str) -> HttpRequest:
    """A request carrying the official and the change list's query string, for a worker to
    rebuild the same change list (the scope is the official's at the time it runs)."""
    request = HttpRequest()
    request.method, request.path = "GET", "/admin/"
    request.GET = QueryDict(filters)
    request.user = user
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


# --- jobs -------------------------------------------------------------------------------------


def export_job_create(*, by: User, kind: str, filters: str, total: int) -> ExportJob:
    """Queue an export for a worker; it runs once the transaction commits."""
    model, layout = KINDS[kind]
    now = timezone.now()
    job = ExportJob.objects.create(
        requested_by=by, kind=kind, title=layout.sheet, filters=filters[:2000], total=total,
        created_at=now, expires_at=now + KEEP_FOR)
    transaction.on_commit(lambda: _enqueue_or_fail(job.pk))
    return job


def _enqueue_or_fail(job_id: int) -> None:
    """Queue the job; with the broker down the job page says so at once (稍后重试) instead of
    showing a progress bar that never moves."""
    if not enqueue(export_job_run_task, job_id):
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
            status=ExportJob.Status.FAILED, error="任务队列暂不可用，请稍后重试导出。",
            finished_at=timezone.now())


def export_job_run(*, job_id: int) -> bool:
    """Build one queued export. Claims the job first (pending → running, exactly one row), so
    a task delivered twice builds it once; returns whether this call built it."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING)
    if claimed != 1:
        return False
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(progress=done)

    try:
        request = replay_request(user=job.requested_by, filters=job.filters)
        with tempfile.TemporaryFile() as out:
            done = build(job.kind, request, out, on_progress=progress)
            out.seek(0)
            job.file.save("export.xlsx", File(out), save=False)
    except Exception as exc:  # the official sees the failure on the job page
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=f"导出失败：{type(exc).__name__}",
            finished_at=timezone.now())
        return False
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, progress=done, total=done, file=job.file.name,
        filename=filename_for(job.kind), finished_at=timezone.now())
    return True


def export_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past their expiry. Each job is claimed (→ expired) by a
    conditional UPDATE before its file is removed: safe to run twice or at once."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(
            status=ExportJob.Status.EXPIRED).only("pk", "file"):
        if ExportJob.objects.filter(pk=job.pk).exclude(status=ExportJob.Status.EXPIRED).update(
                status=ExportJob.Status.EXPIRED, file="") != 1:
            continue
        if job.file:
            job.file.storage.delete(job.file.name)
        removed += 1
    return removed


@shared_task(name="declarations.export_job_run")
def export_job_run_task(job_id: int) -> None:
    export_job_run(job_id=job_id)


@shared_task(name="declarations.export_jobs_expire")
def export_jobs_expire_task() -> None:
    export_jobs_expire()

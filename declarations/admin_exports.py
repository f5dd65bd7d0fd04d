"""Officials' admin pages for the exports (推荐汇总表, 复核情况汇总表), their background jobs and
the statistics page. Registered on the admin site at the end of declarations/admin.py."""

from __future__ import annotations

import io

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from audit.services import Event, security_event
from common.models import ExportJob
from common.xlsx import XLSX_CONTENT_TYPE
from portal.admin_site import AdminPage

from . import exports, statistics

PERMISSIONS = {exports.RECOMMEND: "declarations.view_declaration",
               exports.REREVIEW: "enterprises.view_recognition"}
CHANGELISTS = {exports.RECOMMEND: "admin:declarations_declaration_changelist",
               exports.REREVIEW: "admin:enterprises_recognition_changelist"}
STATISTICS_PERMISSION = "declarations.view_statistics"


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    """Export what the change list shows now: at most SYNC_MAX_ROWS rows at once, more as a
    background job whose page shows its progress and, when done, the download link."""
    if not request.user.has_perm(PERMISSIONS[kind]):
        raise PermissionDenied("您无权导出该列表。")
    back = reverse(CHANGELISTS[kind])
    try:
        total = exports.changelist_queryset(request, exports.KINDS[kind][0]).count()
    except IncorrectLookupParameters:
        messages.error(request, "筛选条件无效，未导出。请修改筛选条件后重新导出。")
        return redirect(back)
    if total > exports.SYNC_MAX_ROWS:
        job = exports.export_job_create(by=request.user, kind=kind,
                                        filters=request.GET.urlencode(), total=total)
        security_event(event=Event.EXPORT, request=request, obj=job,
                       detail=f"{job.title}（后台生成）{total} 行 {request.GET.urlencode()}")
        return redirect("admin:declarations_export_job", pk=job.pk)
    buffer = io.BytesIO()
    exports.build(kind, request, buffer)
    security_event(event=Event.EXPORT, request=request, obj=("export", kind),
                   detail=f"{exports.filename_for(kind)} {total} 行 {request.GET.urlencode()}")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(exports.filename_for(kind))
    return response


def _attachment(name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, name)


def recommend_export_view(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.RECOMMEND)


def rereview_export_view(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.REREVIEW)


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    # Private to the official who asked: anyone else's id is 404, like an id out of scope.
    job = ExportJob.objects.filter(pk=pk, requested_by=request.user).first()
    if job is None:
        raise Http404("您访问的导出文件不存在。")
    return job


def export_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    context = {**admin.site.each_context(request), "title": f"导出：{job.title}", "job": job,
               "working": job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING),
               "back": reverse(CHANGELISTS.get(job.kind, "admin:index"))
               if job.kind in CHANGELISTS else reverse("admin:index")}
    return TemplateResponse(request, "admin/declarations/export_job.html", context)


def export_job_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("文件尚未生成或已过期。")
    security_event(event=Event.DOWNLOAD, request=request, obj=job, detail=job.filename)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=XLSX_CONTENT_TYPE)


def statistics_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(STATISTICS_PERMISSION):
        raise PermissionDenied("只有管理端账户可以查看统计。")
    context = {**admin.site.each_context(request), "title": "统计分析",
               "stats": statistics.overview(user=request.user)}
    return TemplateResponse(request, "admin/declarations/statistics.html", context)


def register(site: admin.AdminSite) -> None:
    pages = [
        AdminPage("declarations", "statistics/", "declarations_statistics", "统计分析",
                  statistics_view, STATISTICS_PERMISSION),
        AdminPage("declarations", "exports/recommend/", "declarations_export_recommend",
                  "导出推荐汇总表", recommend_export_view, PERMISSIONS[exports.RECOMMEND],
                  listed=False),
        AdminPage("declarations", "exports/rereview/", "declarations_export_rereview",
                  "导出复核情况汇总表", rereview_export_view, PERMISSIONS[exports.REREVIEW],
                  listed=False),
        AdminPage("declarations", "exports/jobs/<int:pk>/", "declarations_export_job", "导出任务",
                  export_job_view, "declarations.view_declaration", listed=False),
        AdminPage("declarations", "exports/jobs/<int:pk>/download/",
                  "declarations_export_download", "下载导出文件", export_job_download_view,
                  "declarations.view_declaration", listed=False),
    ]
    for page in pages:
        site.register_page(page)  # type: ignore[attr-defined]

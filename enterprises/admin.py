"""Officials' admin for enterprises, updates and major changes — all region-scoped."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audit.services import Event, security_event
from common.integrity import verified_file_response
from common.workflow_admin import DecisionAdminMixin
from portal.accounts.models import OfficialLevel
from portal.accounts.scoping import RegionScopedAdminMixin, ScopedChoicesMixin, for_user
from portal.admin_site import AdminPage
from portal.regions.models import Region

from . import selectors, services
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


def _related_labels(changes: Any) -> dict[tuple[type, Any], str]:
    """What each foreign-key value in a history diff reads as (one query per related model)."""
    wanted: dict[type, set[Any]] = {}
    for change in changes:
        field = Enterprise._meta.get_field(change.field)
        if field.is_relation:
            wanted.setdefault(field.related_model, set()).update(
                v for v in (change.old, change.new) if v not in (None, ""))
    return {(model, row.pk): str(row)
            for model, pks in wanted.items() for row in model._default_manager.filter(pk__in=pks)}


def _history_value(field: Any, value: Any, related: dict[tuple[type, Any], str]) -> str:
    """A history value as the officials read it: the choice's label, the related row's name."""
    if value is None or value == "":
        return "（空）"
    if field.is_relation:
        return related.get((field.related_model, value), f"（已删除：{value}）")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


class SubRegionFilter(admin.SimpleListFilter):
    """Filter by the official's sub-regions: cities for a province, counties for a city."""

    title = "所在地区"
    parameter_name = "area"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user = request.user
        level = "county" if user.official_level in (OfficialLevel.CITY, OfficialLevel.COUNTY) else "city"
        if user.official_level == OfficialLevel.MINISTRY or user.is_superuser:
            level = "province"
        regions = for_user(Region.objects.filter(level=level, placeholder=False), user, "")
        return [(r.code, r.full_name) for r in regions.only("code", "full_name")[:400]]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        code = self.value()
        if not code or not code.isdigit():
            return queryset
        region = Region.objects.filter(code=code).first()
        if region is None:
            return queryset.none()
        return queryset.filter(region__code__startswith=region.code_prefix)


class SectionFilter(admin.SimpleListFilter):
    title = "行业门类"
    parameter_name = "section"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(i.code, f"{i.code} {i.name}") for i in Industry.objects.filter(level="门类")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(industry__section=self.value()) if self.value() else queryset


class RecognisedFilter(admin.SimpleListFilter):
    title = "认定状态"
    parameter_name = "recognised"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "已认定（有效期内）"), ("no", "未认定")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        recognised = Enterprise.objects.recognised(selectors.today()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=recognised)
        if self.value() == "no":
            return queryset.exclude(pk__in=recognised)
        return queryset


class UpdateStatusFilter(admin.SimpleListFilter):
    """本年度信息更新: enterprises that missed the window lose 复核 eligibility (63号)."""

    title = "本年度信息更新"
    parameter_name = "update"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("updated", "已更新"), ("overdue", "逾期未更新（失去复核资格）"),
                ("due", "未更新（更新期内或未开始）")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = selectors.today()
        filters = selectors.update_status_q(year=today.year, on=today)
        return queryset.filter(filters[self.value()]) if self.value() in filters else queryset


class FiguresInline(ScopedChoicesMixin, admin.TabularInline):
    model = YearFigures
    extra = 0
    can_delete = False
    fields = ["year", "operating_revenue", "main_business_revenue", "rd_expense", "net_profit",
              "total_assets", "total_liabilities", "new_equity_financing"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("enterprises.view_enterprise")


class RecognitionInline(ScopedChoicesMixin, admin.TabularInline):
    model = Recognition
    extra = 0
    can_delete = False
    fields = ["tier", "batch", "document_no", "certificate_no", "valid_from", "valid_until",
              "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("enterprises.view_recognition")


@admin.register(Enterprise)
class EnterpriseAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "uscc", "region", "industry", "updated_at"]
    list_select_related = ["region", "industry"]
    search_fields = ["name", "uscc"]
    list_filter = [SubRegionFilter, SectionFilter, RecognisedFilter, UpdateStatusFilter]
    show_full_result_count = False
    inlines = [RecognitionInline, FiguresInline]
    readonly_fields = ["change_log"]
    fields = ["name", "uscc", "region", "address", "industry", "founded_on", "registered_capital",
              "scale", "legal_representative", "contact_person", "contact_phone",
              "contact_email", "main_product", "niche_market", "niche_since", "employees",
              "rd_staff", "change_log"]

    @admin.display(description="变更记录（谁、何时、变更前→变更后）")
    def change_log(self, obj: Enterprise) -> str:
        changes = []
        records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
        for newer, older in zip(records, records[1:], strict=False):
            for change in newer.diff_against(older).changes:
                changes.append((newer, Enterprise._meta.get_field(change.field), change))
        if not changes:
            return "暂无变更"
        related = _related_labels(change for _, _, change in changes)
        rows = [(timezone.localtime(newer.history_date).strftime("%Y-%m-%d %H:%M"),
                 newer.history_user or "系统", field.verbose_name,
                 _history_value(field, change.old, related), _history_value(field, change.new, related))
                for newer, field, change in changes]
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><tr><th>时间</th><th>操作人</th><th>字段</th><th>变更前</th>"
                           "<th>变更后</th></tr>{}</table>", body)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields  # officials read; enterprises edit their own profile


class RecognitionStatusFilter(admin.SimpleListFilter):
    """有效 / 已过期 (past validity, not cancelled) / 已取消, as of today (Asia/Shanghai)."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("valid", "有效"), ("expired", "已过期"), ("revoked", "已取消")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = selectors.today()
        if self.value() == "valid":
            return queryset.filter(pk__in=Recognition.objects.valid_on(today).values("pk"))
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, valid_until__lt=today)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Recognition)
class RecognitionAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = "enterprise__region"
    # Set from the declaration (or, for imports and entries, the recognition date).
    readonly_fields = ["standard_version", "validity_history"]

    @admin.display(description="有效期记录（认定与复核）")
    def validity_history(self, obj: Recognition) -> str:
        terms = list(obj.terms.all()) if obj.pk else []
        if not terms:
            return "—"
        rows = [(f"{t.valid_from:%Y-%m-%d}", f"{t.valid_until:%Y-%m-%d}", t.get_source_display(),
                 t.batch or "—", t.document_no or "—") for t in terms]
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><tr><th>有效期起</th><th>有效期止</th><th>来源</th><th>批次</th>"
                           "<th>文号</th></tr>{}</table>", body)
    list_display = ["enterprise", "tier", "batch", "valid_from", "valid_until", "status",
                    "revoked_at"]
    list_filter = [RecognitionStatusFilter, "tier"]

    @admin.display(description="状态")
    def status(self, obj: Recognition) -> str:
        return obj.status_on(selectors.today())
    search_fields = ["enterprise__name", "enterprise__uscc", "certificate_no"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Recognition, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.recognition_save(
            by=request.user, recognition=obj if change else None, enterprise=data["enterprise"],
            tier=data["tier"], valid_from=data["valid_from"], valid_until=data["valid_until"],
            batch=data.get("batch", ""), certificate_no=data.get("certificate_no", ""),
            document_no=data.get("document_no", ""),
            revoked_at=data.get("revoked_at"), revoke_reason=data.get("revoke_reason", ""),
        )
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db


class RegionalSettingAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """Rows that are national (no declaration region: the ministry's) or a region's own (its
    province officials'): everyone sees the national row and their region's."""

    declaration_region_field = "declaration_region"

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        user = request.user
        if user.is_superuser or user.official_level == OfficialLevel.MINISTRY:
            return queryset
        # Others see the national row and their own region's.
        return queryset.filter(declaration_region__isnull=True) | super().scope_queryset(queryset, request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.declaration_region_id is None:
            # The national row is the ministry's.
            return request.user.is_superuser or request.user.official_level == OfficialLevel.MINISTRY
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.declaration_region_id is None:
            return request.user.is_superuser or request.user.official_level == OfficialLevel.MINISTRY
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "declaration_region" and request.user.official_level == OfficialLevel.PROVINCE:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                pk=request.user.declaration_region_id)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _saved(self, obj: Any, saved: Any) -> None:
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db


@admin.register(UpdateWindow)
class UpdateWindowAdmin(RegionalSettingAdmin):
    list_display = ["year", "declaration_region", "starts_on", "ends_on"]
    list_filter = ["year"]

    def save_model(self, request: HttpRequest, obj: UpdateWindow, form: Any, change: bool) -> None:
        data = form.cleaned_data
        self._saved(obj, services.update_window_save(
            by=request.user, window=obj if change else None, year=data["year"],
            declaration_region=data.get("declaration_region"), starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        ))


@admin.register(RereviewSetting)
class RereviewSettingAdmin(RegionalSettingAdmin):
    """复核申请时间: without a row, titles may apply in the last 6 months of validity."""

    list_display = ["declaration_region", "tier", "opens_months_before", "closes_months_after"]
    list_filter = ["tier"]

    def save_model(self, request: HttpRequest, obj: RereviewSetting, form: Any, change: bool) -> None:
        data = form.cleaned_data
        self._saved(obj, services.rereview_setting_save(
            by=request.user, setting=obj if change else None,
            declaration_region=data.get("declaration_region"), tier=data["tier"],
            opens_months_before=data["opens_months_before"],
            closes_months_after=data["closes_months_after"]))

    def delete_model(self, request: HttpRequest, obj: RereviewSetting) -> None:
        services.rereview_setting_delete(by=request.user, setting=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for row in queryset:
            services.rereview_setting_delete(by=request.user, setting=row)


@admin.register(InfoUpdate)
class InfoUpdateAdmin(DecisionAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = "enterprise__region"
    workflow = services.INFO_UPDATE_WORKFLOW
    list_display = ["enterprise", "year", "figures_year", "status", "submitted_at"]
    list_filter = ["year", "status"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise"]
    show_full_result_count = False
    decision_readonly = ("enterprise", "year", "figures_year", "status", "changes_table",
                         "submitted_by", "submitted_at", "returned_by", "returned_at")

    @admin.display(description="变更内容")
    def changes_table(self, obj: InfoUpdate) -> str:
        rows = [(c.get("label", k), c.get("before") or "（空）", c.get("after") or "（空）")
                for k, c in obj.changes.items()]
        if not rows:
            return "未修改任何信息"
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><tr><th>项目</th><th>更新前</th><th>更新后</th></tr>{}</table>", body)

    def take_decision(self, request: HttpRequest, obj: InfoUpdate, action: str,
                      opinion: str) -> None:
        services.info_update_return(info_update=obj, by=request.user, opinion=opinion)


@admin.register(MajorChange)
class MajorChangeAdmin(DecisionAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = "review_region"
    workflow = services.CHANGE_WORKFLOW
    list_display = ["enterprise", "change_type", "changed_on", "status", "is_late", "submitted_at"]
    list_filter = ["status", "change_type", "is_late"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise"]
    show_full_result_count = False
    decision_readonly = ("enterprise", "change_type", "changed_on", "before", "after", "new_name",
                         "new_region", "reason", "evidence_links", "status", "is_late",
                         "submitted_at", "decided_by", "decided_at")

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        # Drafts are the enterprise's own business until submitted.
        return super().scope_queryset(queryset, request).exclude(status=MajorChange.Status.DRAFT)

    @admin.display(description="证明材料")
    def evidence_links(self, obj: MajorChange) -> str:
        items = [(reverse("admin:enterprises_majorchange_file", args=[obj.pk, e.pk]), e.name)
                 for e in obj.evidence.all()]
        return format_html_join("、", '<a href="{}">{}</a>', items) or "未上传"

    def get_urls(self) -> list:
        return [path("<int:pk>/files/<int:file_id>/", self.admin_site.admin_view(self.file_view),
                     name="enterprises_majorchange_file"), *super().get_urls()]

    def file_view(self, request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
        change = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, change):
            raise Http404
        item = get_object_or_404(change.evidence, pk=file_id)
        security_event(event=Event.DOWNLOAD, request=request, obj=item, detail="重大变更佐证材料")
        return verified_file_response(request, item.file, item.sha256, filename=item.name,
                                      subject=item)

    def take_decision(self, request: HttpRequest, obj: MajorChange, action: str,
                      opinion: str) -> None:
        {"approve": services.change_approve, "return": services.change_return,
         "reject": services.change_reject}[action](change=obj, by=request.user, opinion=opinion)


# --- 导入历史认定名单 (enterprises/imports.py validates; services.recognitions_import writes) ------

IMPORT_PERMISSION = "enterprises.add_recognition"


class RecognitionImportForm(forms.Form):
    file = forms.FileField(label="认定名单（Excel .xlsx）", error_messages={
        "required": "请选择要导入的 Excel 文件。"},
        help_text="表头需包含：企业名称、统一社会信用代码、省份、层级、批次、年度。")


def recognition_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a published batch list: every row checked; all or nothing per file."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.core.files import File

    from common.models import ExportJob
    from common.uploads import validate_upload

    from . import imports

    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied("只有省级及以上管理账户可以导入认定名单。")
    form = RecognitionImportForm(request.POST or None, request.FILES or None)
    checked, report = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            validate_upload(upload, allowed=(".xlsx",), max_bytes=10 * 1024 * 1024)
            header, rows = imports.read_rows(upload)
            checked = imports.check_rows(by=request.user, header=header, rows=rows)
            if not checked.rows and not checked.rejected:
                raise ValidationError("文件中没有数据行。")
        except ValidationError as exc:
            form.add_error("file", exc)
            checked = None
        if checked is not None and checked.rejected:
            now = timezone.now()
            report = ExportJob(requested_by=request.user, kind="import_report",
                               title="认定名单导入报告", status=ExportJob.Status.DONE,
                               total=len(checked.rejected), progress=len(checked.rejected),
                               filename=f"导入未通过的行-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
                               created_at=now, finished_at=now, expires_at=now + dt.timedelta(days=7))
            with tempfile.TemporaryFile() as out:
                imports.report_xlsx(out, checked)
                out.seek(0)
                report.file.save("report.xlsx", File(out), save=False)
            report.save()
        elif checked is not None:
            try:
                created = services.recognitions_import(by=request.user, rows=checked.rows)
            except (PermissionDenied, ValidationError) as exc:
                text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                form.add_error("file", f"未导入：{text}")
            else:
                messages.success(request, f"已导入 {created} 条认定记录。")
                return redirect("admin:enterprises_recognition_changelist")
    context = {**admin.site.each_context(request), "title": "导入历史认定名单", "form": form,
               "checked": checked, "report": report,
               "rejected": checked.rejected[:50] if checked else []}
    return TemplateResponse(request, "admin/enterprises/recognition_import.html", context)


admin.site.register_page(AdminPage(  # type: ignore[attr-defined]
    app_label="enterprises", route="recognition/import/", url_name="enterprises_recognition_import",
    title="导入历史认定名单", view=recognition_import_view, permission=IMPORT_PERMISSION))

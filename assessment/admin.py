"""Officials' admin: attempts of their region (filters, counts per level, Excel export) and the
questionnaire versions (JSON import/export; answered versions are never edited in place)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from audit.services import Event, security_event
from common.pagecache import site_pages_changed
from portal.accounts.scoping import RegionScopedAdminMixin

from . import content, exports, selectors, services
from .models import Attempt, ProducerServiceIndustry, Questionnaire


@admin.register(Attempt)
class AttemptAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = "enterprise__region"
    # Seven short columns: the list fits a 1366 px screen beside the menu and the filters
    # (the code goes under the name, dates and regions are written short).
    list_display = ["enterprise_display", "region", "category", "total", "level", "submitted"]
    list_filter = ["level", "category", ("submitted_at", admin.DateFieldListFilter)]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "enterprise__region"]
    show_full_result_count = False
    change_list_template = "admin/assessment/attempt/change_list.html"
    fields = ["enterprise", "questionnaire", "category", "industry_code", "industry_name",
              "category_reason", "total_score", "level", "dimension_table", "submitted_at",
              "created_by"]
    readonly_fields = fields

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        # Attempts in progress are the enterprise's own business until submitted.
        return super().scope_queryset(queryset, request).filter(status=Attempt.Status.SUBMITTED)

    @admin.display(description="企业（统一社会信用代码）", ordering="enterprise__name")
    def enterprise_display(self, obj: Attempt) -> str:
        return format_html("{}<br><small>{}</small>", obj.enterprise.name, obj.enterprise.uscc)

    @admin.display(description="注册地")
    def region(self, obj: Attempt) -> str:
        region = obj.enterprise.region
        if region is None:
            return ""
        # "广东省 广州市 天河区" → "广州市天河区" (the province is in the full name on hover).
        return format_html('<span title="{}">{}</span>', region.full_name,
                           "".join(region.full_name.split()[-2:]))

    @admin.display(description="提交时间", ordering="submitted_at")
    def submitted(self, obj: Attempt) -> str:
        return timezone.localtime(obj.submitted_at).strftime("%Y-%m-%d %H:%M") if obj.submitted_at else ""

    @admin.display(description="总分", ordering="total_score")
    def total(self, obj: Attempt) -> str:
        return f"{obj.total_score:.2f}"

    @admin.display(description="各维度得分")
    def dimension_table(self, obj: Attempt) -> str:
        return "；".join(f"{d['title']} {d['points']}/{d['max']}" for d in obj.result.get("dimensions", []))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        return [path("export/", self.admin_site.admin_view(self.export_view),
                     name="assessment_attempt_export"), *super().get_urls()]

    def _filtered(self, request: HttpRequest) -> QuerySet:
        """The change list's queryset with the official's current filters (scope included)."""
        return self.get_changelist_instance(request).queryset

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["level_counts"] = selectors.level_counts(context["cl"].queryset)
            context["export_query"] = request.GET.urlencode()
        return response

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        try:
            queryset = self._filtered(request)
        except IncorrectLookupParameters:
            messages.error(request, "筛选条件无效，未导出。请修改筛选条件后重新导出。")
            return HttpResponseRedirect(reverse("admin:assessment_attempt_changelist"))
        queryset = queryset.select_related(
            "enterprise", "enterprise__region", "enterprise__industry", "questionnaire")
        data = exports.attempts_xlsx(queryset)
        security_event(event=Event.EXPORT, request=request, obj=("export", "assessment_attempts"),
                       detail=f"评测记录 {request.GET.urlencode()}")
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="assessments-{stamp}.xlsx"'
        return response


class QuestionnaireForm(forms.ModelForm):
    upload = forms.FileField(label="导入 JSON 文件", required=False,
                             help_text="平台树形结构（storeList / sceneStoreList）的 JSON；上传后覆盖下方内容。")
    content_text = forms.CharField(label="评测表内容（JSON）", required=False,
                                   widget=forms.Textarea(attrs={"rows": 16, "class": "vLargeTextField"}))

    class Meta:
        model = Questionnaire
        fields = ["category", "name", "version", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["content_text"] = json.dumps(self.instance.content, ensure_ascii=False, indent=1)
        for name in ("name", "version"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("upload")
        text = data.get("content_text") or ""
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                raise ValidationError("JSON 文件不能超过 2MB。")
            text = upload.read().decode("utf-8-sig", errors="replace")
        if not text.strip():
            raise ValidationError("请上传 JSON 文件或填写评测表内容。")
        parsed = content.load_json(text)  # bounded in size and depth
        definition = content.parse(parsed)  # raises ValidationError listing every fault
        data["content"] = parsed
        data["name"] = data.get("name") or definition.name or "未命名评测表"
        data["version"] = data.get("version") or definition.version
        return data


@admin.register(Questionnaire)
class QuestionnaireAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = None  # national: one version per category for the whole country
    form = QuestionnaireForm
    list_display = ["name", "category", "version", "is_active", "answered", "created_at"]
    list_filter = ["category", "is_active"]
    actions = ["activate"]
    change_form_template = "admin/assessment/questionnaire/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(attempt_count=Count("attempts"))

    @admin.display(description="作答次数", ordering="attempt_count")
    def answered(self, obj: Questionnaire) -> int:
        return obj.attempt_count

    def _answered(self, obj: Questionnaire | None) -> bool:
        return obj is not None and obj.pk is not None and obj.attempts.exists()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["category", "name", "version", "description", "upload", "content_text"]
        if self._answered(obj) or not self.has_change_permission(request, obj):
            return ["category", "name", "version", "description", "is_active", "derived_from",
                    "summary"]
        return ["category", "name", "version", "description", "is_active", "derived_from",
                "summary", "upload", "content_text"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if self._answered(obj) or not self.has_change_permission(request, obj):
            return ["category", "name", "version", "description", "is_active", "derived_from",
                    "summary"]
        return ["category", "is_active", "derived_from", "summary"]

    @admin.display(description="概要")
    def summary(self, obj: Questionnaire) -> str:
        d = obj.definition
        rules = "；".join(f"{r.level}级：≥{r.min_score}分，≥{r.min_scenes}个场景（约束性≥{r.min_binding}）"
                         for r in d.level_rules)
        return (f"{len(d.dimensions)} 个维度，{len(d.questions)} 道题，满分 {d.max_score.normalize():f}；"
                f"{len(d.scenes)} 个场景（约束性 {sum(s.binding for s in d.scenes)} 个）。等级规则：{rules}")

    def save_model(self, request: HttpRequest, obj: Questionnaire, form: Any, change: bool) -> None:
        data = form.cleaned_data["content"]
        if not change:
            created = services.questionnaire_import(data=data, category=obj.category)
            created.name, created.version, created.description = obj.name, obj.version, obj.description
            created.save(update_fields=["name", "version", "description"])
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        try:
            services.questionnaire_update(questionnaire=obj, data=data)
        except ValidationError as exc:
            self.message_user(request, "；".join(exc.messages), messages.ERROR)
            return
        Questionnaire.objects.filter(pk=obj.pk).update(name=obj.name, version=obj.version,
                                                        description=obj.description)
        site_pages_changed()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="启用所选版本（同类别的其他版本停用）", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个版本启用。", messages.ERROR)
            return
        questionnaire = queryset.get()
        try:
            services.questionnaire_activate(questionnaire=questionnaire, by=request.user)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"已启用：{questionnaire}。新开始的评测将使用此版本。")

    def get_urls(self) -> list:
        return [
            path("<int:pk>/export/", self.admin_site.admin_view(self.export_view),
                 name="assessment_questionnaire_export"),
            path("<int:pk>/new-version/", self.admin_site.admin_view(require_POST(self.new_version_view)),
                 name="assessment_questionnaire_new_version"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        body = json.dumps(services.questionnaire_export(questionnaire), ensure_ascii=False, indent=1)
        security_event(event=Event.EXPORT, request=request, obj=questionnaire, detail="评测表 JSON")
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="questionnaire-{pk}.json"'
        return response

    def new_version_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_add_permission(request):
            raise Http404
        source = get_object_or_404(Questionnaire, pk=pk)
        created = services.questionnaire_new_version(questionnaire=source)
        self.message_user(request, "已创建新版本（未启用）：修改后使用【启用所选版本】启用。")
        return HttpResponseRedirect(reverse("admin:assessment_questionnaire_change", args=[created.pk]))

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any,
                           **kwargs: Any) -> HttpResponse:
        obj = kwargs.get("obj") or context.get("original")
        context["answered"] = self._answered(obj)
        context["can_add"] = self.has_add_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(ProducerServiceIndustry)
class ProducerServiceIndustryAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = None  # national: the 生产性服务业 crosswalk
    list_display = ["industry_code", "industry_name", "ps_class", "confirmed"]
    list_filter = ["ps_class", "confirmed"]
    search_fields = ["industry_code", "industry_name"]

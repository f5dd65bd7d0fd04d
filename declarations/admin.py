"""Officials' admin for declarations: the declaration windows (申报时间), 申报书核验."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audit.services import Event, security_event
from common.changelists import UnionSearchMixin
from common.formtools import add_service_errors
from common.integrity import verified_file_response
from common.workflow_admin import DecisionAdminMixin
from enterprises.admin import SubRegionFilter
from enterprises.selectors import INDUSTRY_TREE
from portal.accounts.models import OfficialLevel
from portal.accounts.scoping import RegionScopedAdminMixin, ScopedChangeList
from portal.admin_site import AdminPage
from portal.regions.models import DeclarationRegion

from . import building, services
from .admin_views import VERIFY_PERMISSION, verify_view
from .models import (
    LEVEL_LABELS,
    Declaration,
    DeclarationWindow,
    Objection,
    OnsiteCheck,
    RecognitionBatch,
    ReviewChain,
    SamplingRun,
)
from .views import evidence_response


class DeclarationWindowForm(forms.ModelForm):
    class Meta:
        model = DeclarationWindow
        fields = ["declaration_region", "tier", "starts_at", "ends_at", "note",
                  "standard_version", "features"]
        widgets = {"features": forms.Textarea(attrs={"rows": 12, "cols": 90,
                                                     "class": "vLargeTextField"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.by = kwargs.pop("by")
        super().__init__(*args, **kwargs)
        field = self.fields.get("declaration_region")
        if field is not None and not self.by.is_superuser and (
            self.by.official_level == OfficialLevel.PROVINCE
        ):
            # A province official maintains its own region only: offer nothing else.
            field.queryset = DeclarationRegion.objects.filter(pk=self.by.declaration_region_id)
            field.initial = self.by.declaration_region_id
            field.empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        errors = services.window_check(
            declaration_region=data.get("declaration_region"), tier=data.get("tier") or "",
            starts_at=data.get("starts_at"), ends_at=data.get("ends_at"),
            exclude_pk=self.instance.pk, standard_version=data.get("standard_version") or "2022",
            features=data.get("features"),
        )
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(DeclarationWindow)
class DeclarationWindowAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    declaration_region_field = "declaration_region"
    form = DeclarationWindowForm
    list_display = ["declaration_region", "tier", "starts_at", "ends_at", "phase_display", "note"]
    list_filter = ["tier", "declaration_region"]
    list_select_related = ["declaration_region"]
    search_fields = ["declaration_region__name", "note"]
    show_full_result_count = False
    ordering = ["-starts_at", "-id"]
    list_per_page = 50

    @admin.display(description="状态")
    def phase_display(self, obj: DeclarationWindow) -> str:
        return obj.phase

    def get_form(self, request: HttpRequest, obj: DeclarationWindow | None = None,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)

        class BoundForm(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                kw["by"] = request.user
                super().__init__(*args, **kw)

        return BoundForm

    def get_list_filter(self, request: HttpRequest) -> Any:
        # A province official has one region: a region filter would only be noise.
        if request.user.is_superuser or request.user.official_level == OfficialLevel.MINISTRY:
            return self.list_filter
        return ["tier"]

    def save_model(self, request: HttpRequest, obj: DeclarationWindow, form: Any,
                   change: bool) -> None:
        data = form.cleaned_data
        saved = services.window_save(
            by=request.user, window=obj if change else None,
            declaration_region=data["declaration_region"], tier=data["tier"],
            starts_at=data["starts_at"], ends_at=data["ends_at"], note=data.get("note", ""),
            standard_version=data.get("standard_version") or "2022",
            features=data.get("features"),
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request: HttpRequest, obj: DeclarationWindow) -> None:
        services.window_delete(by=request.user, window=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Each row through the service (its permission check), never a bulk DELETE.
        for window in queryset:
            try:
                services.window_delete(by=request.user, window=window)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{window}：{exc}", messages.ERROR)


# --- officials: the review chain (待我审核, detail, decisions, 实地抽查) -------------------------------

class MyQueueFilter(admin.SimpleListFilter):
    """待我审核: declarations at the official's own level (the default view of the list)."""

    title = "办理范围"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("mine", "待我审核"), ("all", "全部（本地区）")]

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {"selected": (self.value() or "mine") == lookup, "title": title,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup})}

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "all":
            return queryset
        level = request.user.official_level if getattr(request.user, "is_official", False) else ""
        return queryset.filter(status=f"at_{level}") if level else queryset


class DeclarationSectionFilter(admin.SimpleListFilter):
    title = "行业门类"
    parameter_name = "section"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The cached reference tree: no query on a warm cache.
        return [(node["code"], node["label"]) for node in INDUSTRY_TREE.children(None)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        # The 门类 the declaration was filed with (set on submission; drafts are not listed):
        # one column of the row, no join through the enterprise to its industry.
        return queryset.filter(section=self.value())


class WindowFilter(admin.SimpleListFilter):
    """申报批次 (window): only the windows of the official's own declaration region, named in
    one query (a plain related filter would list every region's windows)."""

    title = "申报批次"
    parameter_name = "window"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # str(window) and its note, from four columns (not 100 windows built as models).
        windows = admin.site._registry[DeclarationWindow].get_queryset(request)
        return [(str(pk), f"{DeclarationWindow.label(region, tier)} {note}".strip())
                for pk, region, tier, note in windows.values_list(
                    "pk", "declaration_region__name", "tier", "note")[:100]]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(window_id=int(value)) if value.isdigit() and len(value) < 19 else queryset.none()


class BatchFilter(admin.SimpleListFilter):
    """The declarations of one 认定批次 (the batch page links here); only batches in scope."""

    title = "认定批次"
    parameter_name = "batch"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        batches = RecognitionBatchAdmin.scoped(RecognitionBatch.objects.all(), request)
        return [(str(b.pk), str(b)) for b in batches.select_related("declaration_region")[:100]]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(batch_id=int(value)) if value.isdigit() and len(value) < 19 else queryset.none()


class DeclarationChangeList(ScopedChangeList):
    """The queue's page of rows, then their enterprises in one query: joined in the page's
    query, a filtered queue of a province (创新型 + 省级审核中) joined every one of its thousands
    of candidates to its enterprise before sorting them. The small tables (windows, declaration
    regions) stay joined; the filed copies (JSON) are not read for a list."""

    def apply_select_related(self, queryset: QuerySet) -> QuerySet:
        return (queryset.select_related("window", "declaration_region")
                .prefetch_related("enterprise")
                .defer("form_data", "result", "assessment", "profile", "reviewed_result"))


@admin.register(Declaration)
class DeclarationAdmin(UnionSearchMixin, DecisionAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    """The queue and the detail of a declaration; saving the form is taking one decision of the
    table (common/workflow.py) through the declaration's services."""

    scope_field = "region"
    workflow = services.WORKFLOW
    list_display = ["number", "enterprise", "tier", "kind", "where_filed", "status", "level_display",
                    "onsite_display", "submitted_at"]
    list_filter = [MyQueueFilter, "tier", "kind", "status", WindowFilter, BatchFilter,
                   DeclarationSectionFilter, SubRegionFilter]
    list_select_related = ["enterprise", "window", "declaration_region"]  # DeclarationChangeList
    search_fields = ["number", "enterprise__name", "enterprise__uscc"]
    show_full_result_count = False
    ordering = ["submitted_at", "id"]  # the queue: oldest submission first
    list_per_page = 50
    actions = ["recommend_selected", "draw_onsite_sample"]
    decision_readonly = ("number", "enterprise", "tier", "kind", "where_filed", "standard_version",
                         "status",
                         "level_display", "submitted_at", "verification_code", "onsite_display",
                         "score_table", "judgement_table", "reviewed_summary",
                         "assessment_summary", "profile_table", "evidence_links")

    @admin.display(description="申报批次")
    def where_filed(self, obj: Declaration) -> str:
        """The window for a 申报; the validity it renews for a 复核."""
        return f"{obj.declaration_region.name} {obj.batch_label}".strip()

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        # Drafts are the enterprise's own business until filed.
        return super().scope_queryset(queryset, request).exclude(status=Declaration.Status.DRAFT)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The 实地抽查 column: one query for the page, not one per row.
        return super().get_queryset(request).prefetch_related("onsite_checks")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DeclarationChangeList

    def decision_steps(self, request: HttpRequest, obj: Declaration | None) -> list[Any]:
        """The steps open to this official now: only at its own level (the current processing
        level), and of the recommend rows only the one the declaration's chain takes. During
        公示 the recognising level may decide 不予认定 (认定 itself is the batch's)."""
        if obj is not None and obj.status == Declaration.Status.PUBLICIZED:
            return [s for s in self.workflow.available(obj.status, ["recogniser"])
                    if s.action == "not_recognise"
                    and services._official_may(request.user, obj, s)]
        if obj is None or not obj.processing_level:
            return []
        user = request.user
        if not (getattr(user, "is_official", False) and user.official_level == obj.processing_level):
            return []
        onward = services.next_action(obj)
        return [s for s in self.workflow.available(obj.status, [obj.processing_level])
                if not (s.action.startswith("recommend_to_") or s.action == "pass")
                or s.action == onward]

    def take_decision(self, request: HttpRequest, obj: Declaration, action: str,
                      opinion: str) -> None:
        if action == "return":
            services.declaration_return(declaration=obj, by=request.user, opinion=opinion)
        elif action == "not_recommend":
            services.declaration_not_recommend(declaration=obj, by=request.user, opinion=opinion)
        elif action == "not_recognise":
            services.declaration_not_recognise(declaration=obj, by=request.user, opinion=opinion)
        else:
            services.declaration_recommend(declaration=obj, by=request.user, opinion=opinion)

    @admin.display(description="当前处理层级")
    def level_display(self, obj: Declaration) -> str:
        return obj.processing_level_label or "—"

    @admin.display(description="实地抽查")
    def onsite_display(self, obj: Declaration) -> str:
        checks = list(obj.onsite_checks.all())
        if not checks:
            return "—"
        return "；".join(f"{LEVEL_LABELS.get(c.level, c.level)}：{c.get_result_display()}"
                        for c in checks)

    @admin.display(description="评分结果（提交时冻结）")
    def score_table(self, obj: Declaration) -> str:
        result = obj.result or {}
        rows = [(i.get("name", ""), i.get("value") if i.get("value") is not None else "—",
                 i.get("band", ""), f"{i.get('points', '')}/{i.get('max_points', '')}",
                 i.get("reason", "")) for i in result.get("indicators", [])]
        conditions = [(c.get("name", ""), c.get("outcome", ""), c.get("reason", ""))
                      for c in (*result.get("mandatory", []), *result.get("direct", []))]
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                                rows)
        cond = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", conditions)
        return format_html(
            "<p>结论：{}　总分：{}</p><table><tr><th>指标</th><th>数值</th><th>档位</th><th>得分</th>"
            "<th>说明</th></tr>{}</table><table><tr><th>条件</th><th>结果</th><th>说明</th></tr>{}</table>",
            result.get("verdict", "—"), result.get("total", "—"), body, cond)

    @admin.display(description="数字化水平评测（提交时冻结）")
    def assessment_summary(self, obj: Declaration) -> str:
        a = obj.assessment
        if not a:
            return "—"
        return format_html("{}，{}分，{}（{}提交）", a.get("questionnaire", ""), a.get("total_score", ""),
                           a.get("level_label", ""), (a.get("submitted_at") or "")[:10])

    @admin.display(description="企业信息（提交时）")
    def profile_table(self, obj: Declaration) -> str:
        p = obj.profile or {}
        labels = [("name", "企业名称"), ("uscc", "统一社会信用代码"), ("region", "注册地"),
                  ("industry", "所属行业"), ("scale_label", "企业规模"), ("main_product", "主导产品"),
                  ("niche_market", "细分市场"), ("employees", "职工总数"), ("rd_staff", "研发人员")]
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", [(label, p.get(k) or "—") for k, label in labels]))

    @admin.display(description="佐证材料")
    def evidence_links(self, obj: Declaration) -> str:
        items = [(reverse("admin:declarations_declaration_evidence", args=[obj.pk, e.pk]), e.name)
                 for e in obj.evidence.all()]
        return format_html_join("、", '<a href="{}">{}</a>', items) or "未上传"

    @admin.display(description="人工判断")
    def judgement_table(self, obj: Declaration) -> str:
        """Each item left to officials: the engine's outcome as filed beside the officials'
        latest judgement and its reason (both kept)."""
        filed = {}
        for cond in (*(obj.result or {}).get("mandatory", []), *(obj.result or {}).get("direct", [])):
            for item in cond.get("inputs", []):
                filed[item.get("field")] = cond.get("outcome", "")
        latest = {j.field: j for j in obj.judgements.select_related("by").order_by("at", "id")}
        rows = []
        for field, label in building.judgement_fields(obj.tier, obj.standard_version):
            j = latest.get(field)
            rows.append((label, filed.get(field) or "—",
                         ("符合" if j.value else "不符合") if j else "—",
                         f"{j.reason}（{LEVEL_LABELS.get(j.level, j.level)} {j.by.person_name or j.by.username}）"
                         if j else ""))
        link = ""
        if obj.processing_level:
            link = format_html('<p><a class="button" href="{}">作出判断</a></p>',
                               reverse("admin:declarations_declaration_judge", args=[obj.pk]))
        return format_html("<table><tr><th>项目</th><th>提交时（引擎）</th><th>审核判断</th><th>理由</th></tr>"
                           "{}</table>{}", format_html_join(
                               "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows), link)

    @admin.display(description="审核后评分结果")
    def reviewed_summary(self, obj: Declaration) -> str:
        r = obj.reviewed_result
        if not r:
            return "尚无人工判断（以提交时结果为准）"
        return format_html("结论：{}　总分：{}（提交时：{}　{}）", r.get("verdict", "—"),
                           r.get("total", "—"), (obj.result or {}).get("verdict", "—"),
                           (obj.result or {}).get("total", "—"))

    def get_urls(self) -> list:
        return [path("<int:pk>/evidence/<int:evidence_id>/",
                     self.admin_site.admin_view(self.evidence_view),
                     name="declarations_declaration_evidence"),
                path("<int:pk>/judge/", self.admin_site.admin_view(self.judge_view),
                     name="declarations_declaration_judge"), *super().get_urls()]

    def judge_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        declaration = get_object_or_404(self.get_queryset(request), pk=pk)
        form = JudgementForm(request.POST or None, fields=building.judgement_fields(
            declaration.tier, declaration.standard_version))
        if request.method == "POST" and form.is_valid():
            try:
                services.judgement_record(declaration=declaration, by=request.user,
                                          field=form.cleaned_data["field"],
                                          value=form.cleaned_data["value"] == "yes",
                                          reason=form.cleaned_data["reason"])
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, "判断已记录，审核后评分结果已更新。", messages.SUCCESS)
                return redirect("admin:declarations_declaration_change", declaration.pk)
        context = {**self.admin_site.each_context(request), "declaration": declaration,
                   "form": form, "title": "人工判断", "opts": self.opts}
        return TemplateResponse(request, "admin/declarations/judge.html", context)

    def evidence_view(self, request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
        declaration = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, declaration):
            raise Http404
        return evidence_response(request, get_object_or_404(declaration.evidence, pk=evidence_id))

    @admin.action(description="审核通过/推荐所选申报", permissions=["change"])
    def recommend_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        moved, refused = services.declarations_recommend(
            declarations=queryset.select_related("region"), by=request.user)
        self.message_user(request, f"已推荐 {moved} 件申报。", messages.SUCCESS)
        for text in refused[:20]:
            self.message_user(request, text, messages.WARNING)

    @admin.action(description="从所选申报中抽取实地抽查（10%%）", permissions=["change"])
    def draw_onsite_sample(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            run = services.onsite_sample_draw(by=request.user, declarations=queryset)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"在 {len(run.population)} 件中抽中 {len(run.chosen)} 件实地抽查"
                                   f"（随机种子 {run.seed}，可复核）。", messages.SUCCESS)


class JudgementForm(forms.Form):
    field = forms.ChoiceField(label="判断项目")
    value = forms.ChoiceField(label="判断结果", choices=[("yes", "符合"), ("no", "不符合")],
                              widget=forms.RadioSelect)
    reason = forms.CharField(label="理由", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
                             error_messages={"required": "请填写判断理由。"})

    def __init__(self, *args: Any, fields: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = fields


class OnsiteResultForm(forms.ModelForm):
    class Meta:
        model = OnsiteCheck
        fields = ["result", "note"]


@admin.register(OnsiteCheck)
class OnsiteCheckAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """Record the result of a drawn 实地抽查 (through `services.onsite_record`)."""

    scope_field = "declaration__region"
    form = OnsiteResultForm
    list_display = ["declaration", "level", "result", "recorded_at"]
    list_filter = ["level", "result"]
    list_select_related = ["declaration"]
    readonly_fields = ["declaration", "level", "run"]
    fields = ["declaration", "level", "run", "result", "note"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # drawn by the sampling action only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OnsiteCheck, form: Any, change: bool) -> None:
        try:
            services.onsite_record(check=obj, by=request.user, result=form.cleaned_data["result"],
                                   note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)


@admin.register(SamplingRun)
class SamplingRunAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """The log of every draw (read-only): who, when, rate, seed, population and sample."""

    scope_field = "drawn_by__region"
    list_display = ["level", "drawn_by", "drawn_at", "rate", "seed"]
    readonly_fields = ["level", "drawn_by", "drawn_at", "rate", "seed", "population", "chosen"]
    show_full_result_count = False

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        user = request.user
        if user.is_superuser or getattr(user, "official_level", "") == OfficialLevel.MINISTRY:
            return queryset
        return queryset.filter(drawn_by=user) if getattr(user, "is_official", False) else queryset.none()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- 公示 and 认定: batches and objections --------------------------------------------------------

def _error_text(exc: ValidationError | PermissionDenied) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class BatchForm(forms.ModelForm):
    """Validated by the service itself (`services.batch_save`), so a refusal is shown at its
    field and nothing is written."""

    class Meta:
        model = RecognitionBatch
        fields = ["name", "tier", "declaration_region", "publicity_starts_on", "publicity_ends_on",
                  "objection_contact", "document_no", "recognised_on"]

    by: Any = None  # set on the subclass get_form builds

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        instance = self.instance if self.instance.pk else None
        try:
            with transaction.atomic():
                services.batch_save(by=self.by, batch=instance, **self._arguments(data))
                # A dry run: the admin saves for real in save_model.
                transaction.set_rollback(True)
        except ValidationError as exc:
            _form_errors(self, exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return data

    def _arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        return {
            "name": data.get("name", current.name), "tier": data.get("tier", current.tier),
            "declaration_region": data.get("declaration_region", current.declaration_region
                                           if current.declaration_region_id else None),
            "objection_contact": data.get("objection_contact", current.objection_contact),
            "publicity_starts_on": data.get("publicity_starts_on", current.publicity_starts_on),
            "publicity_ends_on": data.get("publicity_ends_on", current.publicity_ends_on),
            "document_no": data.get("document_no", current.document_no) or "",
            "recognised_on": data.get("recognised_on", current.recognised_on),
        }


@admin.register(RecognitionBatch)
class RecognitionBatchAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """认定批次: built by the recognising level from the declarations that passed; actions open
    公示 and recognise (services.batch_publicize / batch_recognise)."""

    declaration_region_field = "declaration_region"
    form = BatchForm
    list_display = ["name", "tier", "region_display", "status", "publicity_starts_on",
                    "publicity_ends_on", "member_count", "document_no"]
    list_filter = ["tier", "status"]
    list_select_related = ["declaration_region"]
    search_fields = ["name", "document_no"]
    show_full_result_count = False
    actions = ["publicize_selected", "recognise_selected"]
    readonly = ["status", "announcement_link", "members_summary", "objections_summary",
                "decision_timeline"]

    @classmethod
    def scoped(cls, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        return admin.site._registry[RecognitionBatch].scope_queryset(queryset, request)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(members=Count("declarations"))

    def get_form(self, request: HttpRequest, obj: RecognitionBatch | None = None,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        return type("BoundBatchForm", (form,), {"by": request.user})

    def get_fields(self, request: HttpRequest, obj: RecognitionBatch | None = None) -> list[str]:
        if obj is None:
            return ["name", "tier", "declaration_region", "publicity_starts_on",
                    "publicity_ends_on", "objection_contact"]
        return ["name", "tier", "declaration_region", "publicity_starts_on", "publicity_ends_on",
                "objection_contact", "document_no", "recognised_on", *self.readonly]

    def get_readonly_fields(self, request: HttpRequest, obj: RecognitionBatch | None = None) -> list[str]:
        if obj is None:
            return []
        fixed = ["tier", "declaration_region", *self.readonly]
        if obj.status == RecognitionBatch.Status.DRAFT:
            return fixed
        if obj.status == RecognitionBatch.Status.PUBLICIZING:
            return ["name", "publicity_starts_on", "publicity_ends_on", *fixed]
        return [f for f in self.get_fields(request, obj)]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a batch is a record; its declarations stay in it

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status == RecognitionBatch.Status.RECOGNISED:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "declaration_region" and field is not None:
            field.help_text = RecognitionBatch._meta.get_field("declaration_region").help_text
        return field

    def save_model(self, request: HttpRequest, obj: RecognitionBatch, form: Any,
                   change: bool) -> None:
        saved = services.batch_save(by=request.user, batch=obj if change else None,
                                    **form._arguments(form.cleaned_data))
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    @admin.display(description="认定地区")
    def region_display(self, obj: RecognitionBatch) -> str:
        return obj.declaration_region.name if obj.declaration_region_id else "全国"

    @admin.display(description="企业数")
    def member_count(self, obj: RecognitionBatch) -> int:
        return getattr(obj, "members", 0)

    @admin.display(description="公示公告")
    def announcement_link(self, obj: RecognitionBatch) -> str:
        if not obj.announcement_id:
            return "尚未公示"
        return format_html('<a href="{}">{}</a>', reverse("announcements:detail",
                                                          args=[obj.announcement_id]), "查看公示公告")

    @admin.display(description="申报")
    def members_summary(self, obj: RecognitionBatch) -> str:
        counts = (obj.declarations.values("status").annotate(n=Count("id")).order_by("status"))
        labels = dict(Declaration.Status.choices)
        parts = "，".join(f"{labels.get(c['status'], c['status'])} {c['n']} 件" for c in counts)
        url = reverse("admin:declarations_declaration_changelist") + f"?queue=all&batch={obj.pk}"
        return format_html('{}　<a href="{}">查看本批次申报</a>', parts or "无", url)

    @admin.display(description="异议")
    def objections_summary(self, obj: RecognitionBatch) -> str:
        counts = obj.objections.values("result").annotate(n=Count("id")).order_by("result")
        labels = dict(Objection.Result.choices)
        parts = "，".join(f"{labels.get(c['result'], c['result'])} {c['n']} 件" for c in counts)
        url = reverse("admin:declarations_objection_changelist") + f"?batch__id__exact={obj.pk}"
        return format_html('{}　<a href="{}">查看异议</a>', parts or "无", url)

    @admin.display(description="办理记录")
    def decision_timeline(self, obj: RecognitionBatch) -> str:
        from common.workflow import events_for

        rows = [(timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), e.by or "—", e.action_label)
                for e in events_for(obj)]
        return format_html_join("<br>", "{} {} {}", rows) or "暂无办理记录"

    def _run(self, request: HttpRequest, queryset: QuerySet, service: Any, done: str) -> None:
        for batch in queryset:
            try:
                service(by=request.user, batch=batch)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{batch}：{_error_text(exc)}", messages.ERROR)
            else:
                self.message_user(request, f"{batch}：{done}", messages.SUCCESS)

    @admin.action(description="开始公示所选批次（发布公示公告）", permissions=["change"])
    def publicize_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(request, queryset, services.batch_publicize, "已开始公示，公示公告已发布。")

    @admin.action(description="认定所选批次（公示期满、异议已处理）", permissions=["change"])
    def recognise_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(request, queryset, services.batch_recognise, "已认定，认定记录和证书编号已生成。")


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["batch", "declaration", "filed_by", "filer_name", "filer_contact",
                  "received_on", "summary", "letter", "result", "handling_note"]

    by: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                if self.instance.pk:
                    services.objection_handle(by=self.by, objection=self.instance,
                                              result=data.get("result") or "",
                                              note=data.get("handling_note") or "")
                    transaction.set_rollback(True)  # a dry run; save_model writes
                else:
                    problems = services.objection_problems(
                        batch=data["batch"], declaration=data.get("declaration"),
                        filed_by=data.get("filed_by") or "", filer_name=data.get("filer_name") or "",
                        filer_contact=data.get("filer_contact") or "",
                        received_on=data.get("received_on"), summary=data.get("summary") or "",
                        letter=data.get("letter"))
                    if problems:
                        raise ValidationError(problems)
        except ValidationError as exc:
            _form_errors(self, exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return data


@admin.register(Objection)
class ObjectionAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """公示异议: recorded with who filed it and the scanned letter, then handled."""

    declaration_region_field = "batch__declaration_region"
    form = ObjectionForm
    list_display = ["batch", "declaration", "filer_name", "filed_by", "received_on", "result"]
    list_filter = ["result", "batch"]
    list_select_related = ["batch__declaration_region", "declaration"]
    show_full_result_count = False
    record_fields = ["batch", "declaration", "filed_by", "filer_name", "filer_contact",
                     "received_on", "summary", "letter"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        return ["result", BatchIdFilter]

    def get_form(self, request: HttpRequest, obj: Objection | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        return type("BoundObjectionForm", (form,), {"by": request.user})

    def get_fields(self, request: HttpRequest, obj: Objection | None = None) -> list[str]:
        if obj is None:
            return self.record_fields
        return [*[f for f in self.record_fields if f != "letter"], "letter_link", "result",
                "handling_note"]

    def get_readonly_fields(self, request: HttpRequest, obj: Objection | None = None) -> list[str]:
        if obj is None:
            return []
        return [*[f for f in self.record_fields if f != "letter"], "letter_link"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "batch":
            field.queryset = field.queryset.filter(status=RecognitionBatch.Status.PUBLICIZING)
        if db_field.name == "declaration":
            field.queryset = field.queryset.filter(
                status=Declaration.Status.PUBLICIZED).select_related("enterprise")
        return field

    def save_model(self, request: HttpRequest, obj: Objection, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = services.objection_handle(by=request.user, objection=obj,
                                              result=data.get("result") or "",
                                              note=data.get("handling_note") or "")
        else:
            letter = data.get("letter")
            letter.seek(0)
            saved = services.objection_record(
                by=request.user, batch=data["batch"], declaration=data.get("declaration"),
                filed_by=data["filed_by"], filer_name=data["filer_name"],
                filer_contact=data["filer_contact"], received_on=data["received_on"],
                summary=data["summary"], letter=letter)
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    @admin.display(description="异议书扫描件")
    def letter_link(self, obj: Objection) -> str:
        url = reverse("admin:declarations_objection_letter", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.letter_name or "下载")

    def get_urls(self) -> list:
        return [path("<int:pk>/letter/", self.admin_site.admin_view(self.letter_view),
                     name="declarations_objection_letter"), *super().get_urls()]

    def letter_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        objection = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, objection):
            raise Http404
        security_event(event=Event.DOWNLOAD, request=request, obj=objection, detail="异议书面材料")
        return verified_file_response(request, objection.letter, objection.letter_sha256,
                                      filename=objection.letter_name, subject=objection)


class BatchIdFilter(admin.SimpleListFilter):
    title = "认定批次"
    parameter_name = "batch__id__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return BatchFilter.lookups(self, request, model_admin)  # type: ignore[arg-type]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(batch_id=int(value)) if value.isdigit() and len(value) < 19 else queryset.none()


admin.site.register_page(AdminPage(  # type: ignore[attr-defined]
    app_label="declarations", route="verify/", url_name="declarations_verify",
    title="申报书核验", view=verify_view, permission=VERIFY_PERMISSION))


@admin.register(ReviewChain)
class ReviewChainAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """A region switches the county or city level off for one tier (default: all levels on)."""

    declaration_region_field = "declaration_region"
    list_display = ["declaration_region", "tier", "county_review", "city_review"]
    list_filter = ["tier"]
    list_select_related = ["declaration_region"]
    show_full_result_count = False


# Exports (推荐汇总表 / 复核情况汇总表), their background jobs and 统计分析 (admin_exports.py).
from . import admin_exports  # noqa: E402

admin_exports.register(admin.site)

"""Officials' admin for enterprises, updates and major changes — all region-scoped."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
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
from common.tiers import Tier
from common.workflow_admin import DecisionAdminMixin, DecisionForm, timeline_html
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
    RevokeGround,
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
              "state", "revoked_at", "rereview_status"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("enterprises.view_recognition")


@admin.register(Enterprise)
class EnterpriseAdmin(UnionSearchMixin, RegionScopedAdminMixin, admin.ModelAdmin):
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
            return queryset.filter(state=Recognition.State.IN_FORCE, valid_until__lt=today)
        if self.value() == "revoked":
            return queryset.filter(state=Recognition.State.REVOKED)
        return queryset


class CancellationFilter(admin.SimpleListFilter):
    """取消认定与复核资格 (domain.md §2.6, §2.7): what was decided, and the titles in force that
    wait for the recognising level — their enterprise reported a change approved as no longer
    meeting the conditions, or reported one late (and the title may still be renewed)."""

    title = "取消认定与复核资格"
    parameter_name = "cancellation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("revoked", "已取消"), ("barred", "已取消复核资格"),
                ("pending", "待处理（重大变更不再符合或逾期报告）")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "revoked":
            return queryset.filter(state=Recognition.State.REVOKED)
        if self.value() == "barred":
            return queryset.filter(rereview_status=Recognition.Rereview.BARRED)
        if self.value() == "pending":
            return queryset.filter(selectors.awaiting_cancellation_q(on=selectors.today()))
        return queryset


@admin.register(Recognition)
class RecognitionAdmin(UnionSearchMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    """认定记录: legacy titles are recorded and corrected here (services.recognition_save); a
    title is cancelled, or loses its 复核 eligibility, only through its decision pages
    (取消认定 / 取消复核资格 buttons on the change page, offered to the recognising level)."""

    # The enterprise's 注册地 as the title keeps it (equal by the database: Recognition.region),
    # so a city's list reads the title's own columns instead of joining every enterprise.
    scope_field = "region"

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
                    "revoked_at", "rereview_status"]
    list_filter = [RecognitionStatusFilter, CancellationFilter, "tier"]
    search_fields = ["enterprise__name", "enterprise__uscc", "certificate_no"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]
    show_full_result_count = False
    change_form_template = "admin/enterprises/recognition/change_form.html"
    # What an official types: the title itself. Cancellation is a decision, never a field.
    fields = ["enterprise", "tier", "batch", "document_no", "certificate_no", "valid_from",
              "valid_until"]
    # Shown on a recorded title: the standard (set from the declaration or, for imports and
    # entries, the recognition date), its validity history, and the decisions on it.
    record_display = ["standard_version", "validity_history", "state_display",
                      "revocation_display", "rereview_display", "decision_timeline"]

    @admin.display(description="状态")
    def status(self, obj: Recognition) -> str:
        return obj.status_on(selectors.today())

    def get_fields(self, request: HttpRequest, obj: Recognition | None = None) -> list[str]:
        return [*self.fields, *self.record_display] if obj is not None else list(self.fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Recognition | None = None) -> list[str]:
        if obj is None:
            return []
        if not self.has_change_permission(request, obj):
            return [*self.fields, *self.record_display]
        return list(self.record_display)

    def has_change_permission(self, request: HttpRequest, obj: Recognition | None = None) -> bool:
        if obj is not None and obj.state == Recognition.State.REVOKED:
            return False  # a cancelled title is a record
        return super().has_change_permission(request, obj)

    @admin.display(description="认定状态")
    def state_display(self, obj: Recognition) -> str:
        return obj.status_on(selectors.today())

    @admin.display(description="取消认定")
    def revocation_display(self, obj: Recognition) -> str:
        if obj.state != Recognition.State.REVOKED:
            return "—"
        by = obj.revoked_by
        who = (by.person_name or by.username) if by else "—"
        return format_html(
            "{}取消；依据：{}；取消文号：{}；意见：{}（{}）{}",
            timezone.localtime(obj.revoked_at).strftime("%Y-%m-%d %H:%M"),
            obj.get_revoke_ground_display() or "—", obj.revoke_document_no or "—",
            obj.revoke_reason or "—", who,
            format_html("<br><strong>因违法违规等情形取消：{}前不得申报。</strong>",
                        f"{obj.may_declare_again_on:%Y-%m-%d}")
            if obj.may_declare_again_on else "")

    @admin.display(description="复核资格")
    def rereview_display(self, obj: Recognition) -> str:
        if obj.rereview_status != Recognition.Rereview.BARRED:
            return obj.get_rereview_status_display()
        by = obj.rereview_barred_by
        return format_html("已取消复核资格（{}，{}）：{}",
                           timezone.localtime(obj.rereview_barred_at).strftime("%Y-%m-%d %H:%M"),
                           (by.person_name or by.username) if by else "—",
                           obj.rereview_bar_reason or "—")

    @admin.display(description="办理记录")
    def decision_timeline(self, obj: Recognition) -> str:
        return timeline_html(obj, services.REVOCATION_WORKFLOW, services.REREVIEW_BAR_WORKFLOW)

    def save_model(self, request: HttpRequest, obj: Recognition, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.recognition_save(
            by=request.user, recognition=obj if change else None, enterprise=data["enterprise"],
            tier=data["tier"], valid_from=data["valid_from"], valid_until=data["valid_until"],
            batch=data.get("batch", ""), certificate_no=data.get("certificate_no", ""),
            document_no=data.get("document_no", ""),
        )
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    # -- 取消认定 / 取消复核资格 -------------------------------------------------------------------

    def get_urls(self) -> list:
        return [path("<int:pk>/revoke/", self.admin_site.admin_view(self.revoke_view),
                     name="enterprises_recognition_revoke"),
                path("<int:pk>/bar-rereview/", self.admin_site.admin_view(self.bar_view),
                     name="enterprises_recognition_bar_rereview"), *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        obj = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if obj is not None:
            extra["title_decisions"] = title_decisions(request.user, obj)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _title(self, request: HttpRequest, pk: int, permission: str) -> Recognition:
        """The title in the official's scope (404 otherwise) that they may decide on (403)."""
        title = get_object_or_404(self.get_queryset(request).select_related("enterprise__region"),
                                  pk=pk)
        if not request.user.has_perm(permission, title):
            raise PermissionDenied("只有认定部门可以办理（创新型、专精特新：省级中小企业主管部门；"
                                   "小巨人：工业和信息化部）。")
        return title

    def _decision_page(self, request: HttpRequest, title: Recognition, form: forms.Form,
                       *, kind: str, decide: Any) -> HttpResponse:
        """Fill in → 确认 (the irreversible step, with what will be written) → decided. A refusal
        by the service is shown at its field with everything typed kept; a title another
        official decided meanwhile goes back to its page with the service's message."""
        back = reverse("admin:enterprises_recognition_change", args=[title.pk])
        confirming = False
        if request.method == "POST" and form.is_valid():
            if "confirm" in request.POST:
                try:
                    decide(form.cleaned_data)
                except ValidationError as exc:
                    if getattr(exc, "code", None) == "transition":
                        self.message_user(request, "；".join(exc.messages), messages.ERROR)
                        return redirect(back)
                    add_service_errors(form, exc)
                else:
                    self.message_user(request, f"已{PAGE_TITLES[kind]}：{title.enterprise}"
                                               f"（{title.get_tier_display()}）。", messages.SUCCESS)
                    return redirect(back)
            elif "edit" not in request.POST:
                confirming = True
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form,
                   "recognition": title, "kind": kind, "title": PAGE_TITLES[kind],
                   "confirming": confirming, "back": back,
                   "timeline": self.decision_timeline(title)}
        return TemplateResponse(request, "admin/enterprises/recognition/decision.html", context)

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        title = self._title(request, pk, "enterprises.revoke_recognition")
        if title.state == Recognition.State.REVOKED:
            # A second click of 确认, or another official was first: nothing happens twice.
            self.message_user(request, "该称号已取消认定（可能已被他人处理），未重复办理。",
                              messages.WARNING)
            return redirect("admin:enterprises_recognition_change", title.pk)
        ground = request.GET.get("ground", "")
        form = RevokeForm(request.POST or None,
                          initial={"ground": ground} if ground in RevokeGround.values else {})
        return self._decision_page(request, title, form, kind="revoke", decide=lambda data: (
            services.recognition_revoke(recognition=title, by=request.user, ground=data["ground"],
                                        document_no=data["document_no"],
                                        opinion=data["opinion"])))

    def bar_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        title = self._title(request, pk, "enterprises.bar_rereview_recognition")
        if title.rereview_status == Recognition.Rereview.BARRED or (
                title.state == Recognition.State.REVOKED):
            self.message_user(request, "该称号已取消复核资格或已取消认定（可能已被他人处理），未重复办理。",
                              messages.WARNING)
            return redirect("admin:enterprises_recognition_change", title.pk)
        form = RereviewBarForm(request.POST or None)
        return self._decision_page(request, title, form, kind="bar", decide=lambda data: (
            services.recognition_bar_rereview(recognition=title, by=request.user,
                                              opinion=data["opinion"])))


PAGE_TITLES = {"revoke": "取消认定", "bar": "取消复核资格"}


class RevokeForm(forms.Form):
    ground = forms.ChoiceField(label="取消依据", choices=RevokeGround.choices,
                               widget=forms.RadioSelect, error_messages={
                                   "required": "请选择取消依据。",
                                   "invalid_choice": "请选择列出的取消依据。"})
    document_no = forms.CharField(label="取消文号", max_length=60, error_messages={
        "required": "请填写取消文号。", "max_length": "取消文号不能超过60个字。"})
    opinion = forms.CharField(label="取消意见", max_length=500,
                              widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
                              error_messages={"required": "请填写取消意见。",
                                              "max_length": "取消意见不能超过500个字。"},
                              help_text="说明核实的事实和处理依据，企业可在“我的消息”中看到。")


class RereviewBarForm(forms.Form):
    opinion = forms.CharField(label="取消复核资格理由", max_length=500,
                              widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
                              error_messages={"required": "请填写取消复核资格的理由。",
                                              "max_length": "理由不能超过500个字。"},
                              help_text="如：重大变化未在3个月内报告；未按时完成年度信息更新。")


def _recogniser_text(tier: str) -> str:
    return "工业和信息化部" if tier == Tier.GIANT else "省级中小企业主管部门"


def title_decisions(user: Any, title: Recognition, *, ground: str = "",
                    bar: bool = True) -> dict[str, Any]:
    """What `user` is offered for `title`: a link to 取消认定 (with the ground pre-filled) and to
    取消复核资格, or the sentence saying who decides instead. Only the recognising level gets
    links (enterprises/rules.py); a province-level official before a 小巨人 is told to refer it
    to the ministry."""
    query = f"?ground={ground}" if ground else ""
    offers: dict[str, Any] = {"title": title, "revoke_url": "", "revoke_text": "",
                              "bar_url": "", "bar_text": ""}
    in_force = title.state == Recognition.State.IN_FORCE
    if not in_force:
        return offers
    if user.has_perm("enterprises.revoke_recognition", title):
        offers["revoke_url"] = reverse("admin:enterprises_recognition_revoke",
                                       args=[title.pk]) + query
    elif title.tier == Tier.GIANT and getattr(user, "official_level", "") == OfficialLevel.PROVINCE:
        offers["revoke_text"] = "请报工业和信息化部取消认定"
    else:
        offers["revoke_text"] = f"由认定部门（{_recogniser_text(title.tier)}）取消认定"
    if not bar or title.rereview_status != Recognition.Rereview.ELIGIBLE:
        return offers
    if user.has_perm("enterprises.bar_rereview_recognition", title):
        offers["bar_url"] = reverse("admin:enterprises_recognition_bar_rereview", args=[title.pk])
    elif title.tier == Tier.GIANT and getattr(user, "official_level", "") == OfficialLevel.PROVINCE:
        offers["bar_text"] = "请报工业和信息化部取消复核资格"
    else:
        offers["bar_text"] = f"由认定部门（{_recogniser_text(title.tier)}）取消复核资格"
    return offers


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


class ChangeDecisionForm(DecisionForm):
    """A major change's decision; approving it states the outcome (domain.md §2.6)."""

    outcome = forms.ChoiceField(label="审核结论", required=False, widget=forms.RadioSelect,
                                choices=[("yes", "仍符合认定条件（称号及有效期不变）"),
                                         ("no", "不再符合认定条件")],
                                help_text="通过时必选。不再符合的，由认定部门取消认定。")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("outcome"):
            self.add_error("outcome", "通过时请选择变更后企业是否仍符合认定条件。")
        return data


@admin.register(MajorChange)
class MajorChangeAdmin(DecisionAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = "review_region"
    workflow = services.CHANGE_WORKFLOW
    decision_form = ChangeDecisionForm
    decision_fields = ("outcome",)
    change_form_template = "admin/enterprises/majorchange/change_form.html"
    list_display = ["enterprise", "change_type", "changed_on", "status", "is_late", "submitted_at"]
    list_filter = ["status", "change_type", "is_late"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise"]
    show_full_result_count = False
    decision_readonly = ("enterprise", "change_type", "changed_on", "before", "after", "new_name",
                         "new_region", "reason", "evidence_links", "status", "is_late",
                         "submitted_at", "decided_by", "decided_at", "still_meets")

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
                      opinion: str, outcome: str | None = None) -> None:
        if action == "approve":
            services.change_approve(change=obj, by=request.user, opinion=opinion,
                                    still_meets={"yes": True, "no": False}.get(outcome or ""))
            return
        {"return": services.change_return,
         "reject": services.change_reject}[action](change=obj, by=request.user, opinion=opinion)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        obj = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if obj is not None:
            extra["cancellation_offers"] = cancellation_offers(request.user, obj)
        return super().change_view(request, object_id, form_url, extra_context=extra)


def cancellation_offers(user: Any, change: MajorChange) -> list[dict[str, Any]]:
    """The next step a change calls for (domain.md §2.6, §2.7 items 1–2), per title of its
    enterprise in force today: approved as no longer meeting the conditions → 取消认定 (ground 1);
    reported late → 取消认定 (ground 2) or 取消复核资格."""
    if not change.calls_for_cancellation:
        return []
    unqualified = change.status == MajorChange.Status.APPROVED and change.still_meets is False
    ground = RevokeGround.CHANGE_UNQUALIFIED if unqualified else RevokeGround.CHANGE_NOT_REPORTED
    titles = (selectors.current_recognitions(change.enterprise)
              .select_related("enterprise__region").order_by("tier", "valid_from"))
    return [title_decisions(user, title, ground=ground, bar=change.is_late) for title in titles]


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

"""Officials' admin for announcements and the home page settings.

Scoped by RegionScopedAdminMixin on `issuing_region`: the ministry sees every announcement;
a province official (and the city and county officials below it, read-only) sees its own
declaration region's 省级公告. Publishing and withdrawing are services behind confirmation
pages; the draft is previewed exactly as the public will see it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portal.accounts.models import OfficialLevel
from portal.accounts.scoping import RegionScopedAdminMixin, ScopedChoicesMixin

from . import services
from .forms import AnnouncementForm, AttachmentForm, PublishForm, SiteSettingsForm
from .models import Announcement, Attachment, SiteSettings, Status


class AttachmentInline(ScopedChoicesMixin, admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 1
    fields = ["file", "original_name", "size_display", "ordering"]
    readonly_fields = ["original_name", "size_display"]
    verbose_name = "附件"
    verbose_name_plural = "附件（pdf、doc(x)、xls(x)、zip、jpg、png）"

    # Attachments are part of the announcement: whoever may change it may change them.
    def _may_change(self, request: HttpRequest, obj: Any) -> bool:
        return request.user.has_perm("announcements.change_announcement", obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("announcements.view_announcement", obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request, obj)

    @admin.display(description="大小")
    def size_display(self, obj: Attachment) -> str:
        return obj.size_display if obj.pk else "-"


@admin.register(Announcement)
class AnnouncementAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    declaration_region_field = "issuing_region"
    form = AnnouncementForm
    inlines = [AttachmentInline]
    change_form_template = "announcements/admin/change_form.html"
    list_display = ["title", "kind", "level", "issuing_region", "status_badge", "publish_at",
                    "pinned", "view_count"]
    list_filter = ["status", "kind", "level", "pinned"]
    list_select_related = ["issuing_region"]
    search_fields = ["title"]
    show_full_result_count = False
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    actions = ["withdraw_selected"]

    # --- fields ----------------------------------------------------------------------------
    def get_fields(self, request: HttpRequest, obj: Announcement | None = None) -> Any:
        fields = ["kind", "title", "body", "pinned"]
        if request.user.is_superuser and not request.user.is_official and obj is None:
            fields += ["level", "issuing_region"]
        if obj is not None:
            fields = ["status_badge", "source", "publish_at", "view_count", *fields]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Announcement | None = None) -> Any:
        return ["status_badge", "source", "publish_at", "view_count"] if obj else []

    def get_list_filter(self, request: HttpRequest) -> Any:
        if request.user.is_superuser or request.user.official_level == OfficialLevel.MINISTRY:
            return [*self.list_filter, "issuing_region"]
        return self.list_filter

    @admin.display(description="状态", ordering="status")
    def status_badge(self, obj: Announcement) -> str:
        label = obj.get_status_display()
        if obj.is_scheduled:
            label = f"已发布（定时，{obj.publish_at:%Y-%m-%d %H:%M} 起显示）"
        return label

    @admin.display(description="发布单位")
    def source(self, obj: Announcement) -> str:
        return f"{obj.get_level_display()} · {obj.source_label}"

    # --- writes go through services --------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: Announcement, form: Any,
                   change: bool) -> None:
        data = form.cleaned_data
        saved = services.announcement_save(
            by=request.user, announcement=obj if change else None, title=data["title"],
            body=data.get("body", ""), kind=data["kind"], pinned=data.get("pinned", False),
            level=data.get("level"), issuing_region=data.get("issuing_region"),
        )
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The saved row (save_model went through the service; form.instance is the form's copy).
        announcement = Announcement.objects.get(pk=form.instance.pk)
        # What the admin's change message reads (normally set by formset.save()).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() and not formset._should_delete_form(inline_form):
                continue
            instance = inline_form.instance
            if formset._should_delete_form(inline_form):
                if instance.pk:
                    services.attachment_remove(attachment=instance, by=request.user)
                    formset.deleted_objects.append(instance)
                continue
            upload = inline_form.cleaned_data.get("file")
            ordering = inline_form.cleaned_data.get("ordering") or 0
            if instance.pk is None:
                if upload:
                    formset.new_objects.append(services.attachment_add(
                        announcement=announcement, by=request.user, file=upload,
                        ordering=ordering))
            elif hasattr(upload, "content_type"):
                # A replaced file: a new attachment, the old one removed.
                services.attachment_remove(attachment=instance, by=request.user)
                formset.new_objects.append(services.attachment_add(
                    announcement=announcement, by=request.user, file=upload, ordering=ordering))
            else:
                Attachment.objects.filter(pk=instance.pk).update(ordering=ordering)

    def delete_model(self, request: HttpRequest, obj: Announcement) -> None:
        services.announcement_delete(announcement=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for announcement in queryset:
            try:
                services.announcement_delete(announcement=announcement, by=request.user)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"“{announcement}”未删除：{exc}", messages.ERROR)

    # --- preview, publish, withdraw ----------------------------------------------------------
    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", wrap(self.preview_view),
                 name="announcements_announcement_preview"),
            path("<path:object_id>/publish/", wrap(self.publish_view),
                 name="announcements_announcement_publish"),
            path("<path:object_id>/withdraw/", wrap(self.withdraw_view),
                 name="announcements_announcement_withdraw"),
            *super().get_urls(),
        ]

    def _get_scoped(self, request: HttpRequest, object_id: str) -> Announcement:
        """The announcement, if this official may see it (404 otherwise, as the mixin does)."""
        try:
            pk = int(unquote(object_id))
        except (TypeError, ValueError) as exc:
            raise Http404 from exc
        obj = self.get_queryset(request).select_related("issuing_region").filter(pk=pk).first()
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("您访问的记录不存在或不在您的管辖范围内。")
        return obj

    def _context(self, request: HttpRequest, obj: Announcement, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "announcement": obj,
            "attachments": list(obj.attachments.all()),
            "title": title,
            "change_url": reverse("admin:announcements_announcement_change", args=[obj.pk]),
            "can_publish": (obj.status in (Status.DRAFT, Status.WITHDRAWN)
                            and request.user.has_perm("announcements.publish_announcement", obj)),
        }

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_scoped(request, object_id)
        return TemplateResponse(request, "announcements/admin/preview.html",
                                self._context(request, obj, f"预览：{obj.title}"))

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_scoped(request, object_id)
        if not request.user.has_perm("announcements.publish_announcement", obj):
            raise PermissionDenied
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                published = services.announcement_publish(
                    announcement=obj, by=request.user, publish_at=form.cleaned_data["publish_at"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                when = "" if published.is_visible else (
                    f"，将于 {published.publish_at:%Y-%m-%d %H:%M} 自动显示")
                self.message_user(request, f"公告“{published.title}”已发布{when}。",
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:announcements_announcement_changelist"))
        context = {**self._context(request, obj, f"发布公告：{obj.title}"), "form": form}
        return TemplateResponse(request, "announcements/admin/publish.html", context)

    def withdraw_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_scoped(request, object_id)
        if not request.user.has_perm("announcements.withdraw_announcement", obj):
            raise PermissionDenied
        if request.method == "POST":
            try:
                services.announcement_withdraw(announcement=obj, by=request.user)
            except ValidationError as exc:
                self.message_user(request, "；".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"公告“{obj.title}”已撤回，公众已无法看到。",
                                  messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:announcements_announcement_changelist"))
        return TemplateResponse(request, "announcements/admin/withdraw.html",
                                self._context(request, obj, f"撤回公告：{obj.title}"))

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], add: bool = False,
                           change: bool = False, form_url: str = "", obj: Any = None) -> Any:
        if obj is not None:
            context["can_publish"] = (
                obj.status in (Status.DRAFT, Status.WITHDRAWN)
                and request.user.has_perm("announcements.publish_announcement", obj))
            context["can_withdraw"] = (
                obj.status == Status.PUBLISHED
                and request.user.has_perm("announcements.withdraw_announcement", obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="撤回所选公告", permissions=["change"])
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        targets = list(queryset.filter(status=Status.PUBLISHED).select_related("issuing_region"))
        if request.POST.get("confirm") != "yes":
            # Irreversible for the public: ask first, like delete_selected does.
            context = {
                **self.admin_site.each_context(request), "opts": self.opts,
                "title": "确认撤回公告", "targets": targets,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "action": "withdraw_selected",
            }
            return render(request, "announcements/admin/withdraw_selected.html", context)
        done = 0
        for announcement in targets:
            try:
                services.announcement_withdraw(announcement=announcement, by=request.user)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"“{announcement}”未撤回：{exc}", messages.ERROR)
        self.message_user(request, f"已撤回 {done} 条公告。", messages.SUCCESS)
        return None


@admin.register(SiteSettings)
class SiteSettingsAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """The home page's switch and links: one row, the ministry's (rules.py).

    The row belongs to no region, so scoping is by permission alone: officials who may not
    view it get an empty queryset (their URLs answer 404, as everywhere else).
    """

    form = SiteSettingsForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["recognition_query_open", "maker_contest_url", "maker_contest_title"]
    list_display = ["__str__", "recognition_query_open", "maker_contest_url", "updated_at"]

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        if request.user.has_perm("announcements.view_sitesettings"):
            return queryset
        return queryset.none()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # the migration creates the one row

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = services.site_settings()
        return HttpResponseRedirect(reverse("admin:announcements_sitesettings_change",
                                            args=[row.pk]))

    def save_model(self, request: HttpRequest, obj: SiteSettings, form: Any,
                   change: bool) -> None:
        data = form.cleaned_data
        services.site_settings_update(
            by=request.user, recognition_query_open=data["recognition_query_open"],
            maker_contest_url=data["maker_contest_url"],
            maker_contest_title=data["maker_contest_title"],
        )


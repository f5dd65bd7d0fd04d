"""Officials' admin for declarations: the declaration windows (申报时间), 申报书核验."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from portal.accounts.models import OfficialLevel
from portal.accounts.scoping import RegionScopedAdminMixin
from portal.admin_site import AdminPage
from portal.regions.models import DeclarationRegion

from . import services
from .admin_views import VERIFY_PERMISSION, verify_view
from .models import DeclarationWindow


class DeclarationWindowForm(forms.ModelForm):
    class Meta:
        model = DeclarationWindow
        fields = ["declaration_region", "tier", "starts_at", "ends_at", "note"]

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
            exclude_pk=self.instance.pk,
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


admin.site.register_page(AdminPage(  # type: ignore[attr-defined]
    app_label="declarations", route="verify/", url_name="declarations_verify",
    title="申报书核验", view=verify_view, permission=VERIFY_PERMISSION))

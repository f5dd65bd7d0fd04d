"""The audit log in the admin, for the 审计管理员 (and superusers) only, read-only for all.

SecurityEvent: filters by event, result and date, search by user. Every model's change
history (simple-history tables) is listed too, read-only. Neither is region-scoped: auditing
looks at the whole platform (tests/portal/test_admin_site.py lists them as not scoped).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from .models import SecurityEvent
from .triggers import is_history_model


class ReadOnlyAuditAdmin(admin.ModelAdmin):
    """Viewable by whoever has the rules' view permission; never added, changed or deleted."""

    actions = None
    show_full_result_count = False

    def _view(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._view(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._view(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAuditAdmin):
    list_display = ["at_local", "event", "result", "username", "ip_address", "object_label",
                    "request_id"]
    list_filter = ["event", "result", ("at", admin.DateFieldListFilter)]
    date_hierarchy = "at"
    search_fields = ["username", "=ip_address", "=request_id", "object_id"]
    fields = ["at_local", "user_id", "username", "ip_address", "event", "result", "object_type",
              "object_id", "request_id", "detail"]
    readonly_fields = fields

    @admin.display(description="时间（北京时间）", ordering="at")
    def at_local(self, obj: SecurityEvent) -> str:
        return timezone.localtime(obj.at).isoformat(timespec="seconds")

    @admin.display(description="对象")
    def object_label(self, obj: SecurityEvent) -> str:
        return f"{obj.object_type} {obj.object_id}".strip() or "-"


class HistoryAdmin(ReadOnlyAuditAdmin):
    list_display = ["history_date", "history_type", "record", "history_user"]
    list_filter = ["history_type", ("history_date", admin.DateFieldListFilter)]
    date_hierarchy = "history_date"
    search_fields = ["history_user__username"]
    list_select_related = ["history_user"]

    @admin.display(description="记录")
    def record(self, obj: Any) -> str:
        return f"#{obj.id} {obj}"


for _model in apps.get_models():
    if is_history_model(_model) and not admin.site.is_registered(_model):
        admin.site.register(_model, HistoryAdmin)

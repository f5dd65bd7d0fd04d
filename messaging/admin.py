"""Officials' admin of messages (scoped to their region, read-only) and the 申报提醒 broadcast."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from common.changelists import UnionSearchMixin
from common.formtools import add_service_errors
from portal.accounts.scoping import RegionScopedAdminMixin

from . import selectors, services
from .forms import BroadcastForm
from .models import Message


@admin.register(Message)
class MessageAdmin(UnionSearchMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    # The recipient's 注册地 as the message keeps it (equal by the database: Message.region),
    # so a county's or a city's list reads this table's own index.
    scope_field = "region"
    list_display = ["title", "recipient", "category", "created_at", "read_at", "copy_status"]
    list_filter = ["category", "copy_status", "created_at"]
    # By the receiving enterprise's name or code (trigram indexes); titles are few and fixed
    # per kind — the 类别 filter finds them without reading twenty million rows.
    search_fields = ["recipient__org_name", "recipient__uscc"]
    list_select_related = ["recipient"]
    show_full_result_count = False
    list_per_page = 50  # as the 申报 queue: a page of twenty million rows is read, not scrolled
    actions = None
    fields = ["recipient", "category", "title", "body", "link", "created_at", "read_at",
              "sent_by", "copy_email", "copy_sms", "copy_status", "copy_error"]
    readonly_fields = fields
    change_list_template = "admin/messaging/message/change_list.html"

    def get_urls(self) -> list:
        return [path("broadcast/", self.admin_site.admin_view(self.broadcast_view),
                     name="messaging_message_broadcast"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra = {"can_broadcast": request.user.has_perm("messaging.send_broadcast"),
                 **(extra_context or {})}
        return super().changelist_view(request, extra)

    def broadcast_view(self, request: HttpRequest) -> HttpResponse:
        """Write → 预览 (how many accounts will receive it) → 确认发送 (once per preview)."""
        if not request.user.has_perm("messaging.send_broadcast"):
            raise PermissionDenied
        form = BroadcastForm(request.POST or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if "confirm" in request.POST and data.get("token"):
                try:
                    broadcast, sent = services.broadcast_send(
                        by=request.user, token=data["token"], title=data["title"],
                        body=data["body"], link=data["link"], sms=data["sms"])
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    if sent:
                        self.message_user(request, f"申报提醒“{broadcast.title}”已发送给"
                                                   f"{broadcast.recipients}家企业。", messages.SUCCESS)
                    else:
                        self.message_user(request, "该申报提醒已发送过，未重复发送。", messages.WARNING)
                    return redirect("admin:messaging_message_changelist")
            else:
                preview = {"count": selectors.broadcast_recipients(request.user).count(),
                           **data, "token": data.get("token") or uuid.uuid4()}
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form,
                   "preview": preview, "title": "群发申报提醒"}
        return TemplateResponse(request, "admin/messaging/message/broadcast.html", context)

"""Officials' admin for accounts: scoped to the official's region (scoping.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import Event, security_event
from common.integrity import verified_file_response
from common.masking import mask
from common.workflow_admin import DecisionAdminMixin
from portal.regions.models import DeclarationRegion, Region

from . import services, two_factor
from .models import OfficialLevel, PhoneChangeRequest, SmsMessage, User
from .rules import is_security_admin, is_system_admin
from .scoping import RegionScopedAdminMixin


class OfficialCreationForm(forms.ModelForm):
    password1 = forms.CharField(label="初始密码", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="确认密码", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["username", "official_level", "region", "declaration_region",
                  "person_name", "mobile", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.by: User = kwargs.pop("by")
        super().__init__(*args, **kwargs)
        self.fields["official_level"].required = True
        if not self.by.is_superuser:
            self.fields["official_level"].choices = [("", "---------")] + [
                (value, label)
                for value, label in OfficialLevel.choices
                if services.LEVEL_RANK[OfficialLevel(value)] > self.by.level_rank
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        errors = services.official_check(
            by=self.by,
            level=data.get("official_level") or "",
            region=data.get("region"),
            declaration_region=data.get("declaration_region"),
        )
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        if data.get("password1"):
            try:
                validate_password(data["password1"], User(username=data.get("username", "")))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


@admin.register(User)
class UserAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = ["username", "display_name", "kind", "official_level", "region", "is_active",
                    "date_joined"]
    list_filter = ["kind", "official_level", "is_active"]
    search_fields = ["username", "uscc", "org_name", "person_name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region", "declaration_region"]
    show_full_result_count = False
    ordering = ["-date_joined"]
    actions = ["unlock_accounts", "reset_otp"]
    # 身份证号 and 手机号 only masked (个人信息保护); the owner changes the 手机号 through 手机号修改.
    readonly_fields = ["username", "kind", "uscc", "id_number_masked", "mobile_masked",
                       "org_name", "official_level", "region", "declaration_region",
                       "last_login", "date_joined"]
    fields = ["username", "kind", "uscc", "id_number_masked", "org_name", "person_name",
              "mobile_masked", "email", "official_level", "region", "declaration_region",
              "is_active", "last_login", "date_joined"]

    @admin.display(description="身份证号")
    def id_number_masked(self, obj: User) -> str:
        return mask(obj.id_number) or "-"

    @admin.display(description="手机号")
    def mobile_masked(self, obj: User) -> str:
        return mask(obj.mobile) or "-"

    def get_form(self, request: HttpRequest, obj: User | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = OfficialCreationForm
            kwargs["fields"] = None
            form = super().get_form(request, obj, **kwargs)

            class BoundForm(form):  # type: ignore[misc, valid-type]
                def __init__(self, *args: Any, **kw: Any) -> None:
                    kw["by"] = request.user
                    super().__init__(*args, **kw)

            return BoundForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["username", "password1", "password2", "official_level",
                                       "region", "declaration_region", "person_name", "mobile",
                                       "email"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["person_name", "email", "is_active"])
            return
        data = form.cleaned_data
        created = services.official_create(
            by=request.user,
            username=data["username"],
            password=data["password1"],
            level=data["official_level"],
            region=data.get("region"),
            declaration_region=data.get("declaration_region"),
            person_name=data.get("person_name", ""),
            mobile=data.get("mobile", ""),
            email=data.get("email", ""),
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None  # groups and permissions are not managed here

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest) -> QuerySet:
        # The 系统管理员 and the 安全管理员 look after every account, not a region's.
        if is_system_admin(request.user) or is_security_admin(request.user):
            return queryset
        return super().scope_queryset(queryset, request)

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.unlock_user")

    @admin.action(description="解除所选账户的登录锁定", permissions=["unlock"])
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            # A password lock (axes) or a second-factor lock (two_factor.py, lifted by the
            # UNLOCK event itself).
            if services.account_unlock(user=user) or two_factor.locked_until(user):
                count += 1
                security_event(event=Event.UNLOCK, request=request, obj=user)
        self.message_user(request, f"已解除 {count} 个账户的登录锁定。", messages.SUCCESS)

    def has_reset_otp_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.reset_otp_user")

    @admin.action(description="重置所选账户的双因素认证", permissions=["reset_otp"])
    def reset_otp(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        # Irreversible (the account must enrol again): a confirmation page first.
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/accounts/user/reset_otp_confirm.html", {
                **self.admin_site.each_context(request), "title": "重置双因素认证",
                "accounts": queryset, "opts": self.opts,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME})
        count = 0
        for user in queryset:
            two_factor.otp_device_reset(user=user, by=request.user)
            count += 1
        self.message_user(request, f"已重置 {count} 个账户的双因素认证，下次登录时须重新绑定。",
                          messages.SUCCESS)
        return None


# The devices hold the TOTP secrets: no admin shows them (django-otp registers its own);
# a lost device is reset with the action above or `manage.py reset_otp`.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(PhoneChangeRequest)
class PhoneChangeRequestAdmin(DecisionAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = "user__region"
    workflow = services.PHONE_CHANGE_WORKFLOW
    list_display = ["user", "applicant_name", "new_mobile_masked", "status", "created_at",
                    "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__username", "user__uscc", "user__org_name"]
    list_select_related = ["user", "decided_by"]
    show_full_result_count = False
    actions = ["approve_selected"]
    decision_readonly = ("user", "applicant_name", "new_mobile_masked", "reason", "letter_link",
                         "status", "decided_by", "decided_at", "created_at")

    @admin.display(description="新手机号")
    def new_mobile_masked(self, obj: PhoneChangeRequest) -> str:
        return mask(obj.new_mobile)

    @admin.display(description="授权书")
    def letter_link(self, obj: PhoneChangeRequest) -> str:
        url = reverse("admin:accounts_phonechangerequest_letter", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.letter_name or "下载")

    def get_urls(self) -> list:
        return [
            path("<int:pk>/letter/", self.admin_site.admin_view(self.letter_view),
                 name="accounts_phonechangerequest_letter"),
            *super().get_urls(),
        ]

    def letter_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, obj):
            return HttpResponse(status=404)
        security_event(event=Event.DOWNLOAD, request=request, obj=obj, detail="人工核验授权书")
        return verified_file_response(request, obj.letter, obj.letter_sha256,
                                      filename=obj.letter_name, subject=obj)

    def take_decision(self, request: HttpRequest, obj: PhoneChangeRequest, action: str,
                      opinion: str) -> None:
        {"approve": services.phone_change_request_approve,
         "reject": services.phone_change_request_reject}[action](
            phone_request=obj, by=request.user, opinion=opinion)

    @admin.action(description="通过所选的人工核验申请", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for item in queryset.filter(status=PhoneChangeRequest.Status.PENDING):
            services.phone_change_request_approve(phone_request=item, by=request.user)
            done += 1
        self.message_user(request, f"已通过 {done} 条申请，新手机号已收到含登录名的短信。",
                          messages.SUCCESS)


# Regions are the ground floor and import nothing above them; their admin lives here, beside
# the scoping it needs (design.md "Dependencies flow one way").
@admin.register(SmsMessage)
class SmsMessageAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """Every SMS the platform sent, read-only: to whom, what, and whether delivery failed."""

    scope_field = "recipient__region"
    list_display = ["to_masked", "recipient", "text", "status", "created_at", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["recipient__org_name", "recipient__username"]
    list_select_related = ["recipient"]
    show_full_result_count = False
    actions = None
    fields = ["to_masked", "recipient", "text", "status", "error", "created_at", "sent_at"]
    readonly_fields = fields

    @admin.display(description="手机号")
    def to_masked(self, obj: SmsMessage) -> str:
        return mask(obj.to)


@admin.register(Region)
class RegionAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    scope_field = ""  # the region itself
    list_display = ["code", "full_name", "level", "declaration_region"]
    list_filter = ["level"]
    search_fields = ["code", "name", "full_name"]
    list_select_related = ["declaration_region"]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:  # reference data, loaded by migration
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeclarationRegion)
class DeclarationRegionAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    declaration_region_field = "pk"  # a province-level official: their own region only
    list_display = ["code", "name", "kind", "county_review", "city_review"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "kind", "county_review", "city_review"]
    readonly_fields = ["code", "name", "kind"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

from django.contrib import admin

from portal.accounts.scoping import RegionScopedAdminMixin

from .models import DeclarationRegion, Region


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
    scope_field = "region"
    list_display = ["code", "name", "kind", "county_review", "city_review"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "kind", "county_review", "city_review"]
    readonly_fields = ["code", "name", "kind"]

    def scope_queryset(self, queryset, request):
        user = request.user
        if user.is_superuser or user.official_level == "ministry":
            return queryset
        # A province-level official sees only their own declaration region.
        return queryset.filter(pk=user.declaration_region_id or 0)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

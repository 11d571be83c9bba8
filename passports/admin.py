"""Django admin for the passports app's models. Secrets never show: clients list their id only."""

from django.contrib import admin

from passports.models import ApiClient, Facility, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "role", "is_active"]
    list_filter = ["role", "country", "is_active"]
    search_fields = ["name", "slug", "eori", "lei", "vat", "gln", "kr_brn"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "country", "gln", "unlocode"]
    list_filter = ["country", "organization"]
    search_fields = ["name", "gln", "other_id", "unlocode"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "client_id", "scopes", "revoked_at"]
    list_filter = ["organization"]
    search_fields = ["name", "application__client_id"]
    readonly_fields = ["application", "client_id", "created_at", "updated_at"]
    fields = ["name", "organization", "scopes", "revoked_at", "application", "client_id", "created_at", "updated_at"]

"""Django admin for the passports app's models. Secrets never show: clients list their id only."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from passports.models import (
    ApiClient,
    AuditEvent,
    AuthorityStatus,
    CompanyPrefix,
    Facility,
    Grant,
    Membership,
    Organization,
    Passport,
    PassportSchema,
    PassportVersion,
    Product,
)
from passports.services.authorities import authority_problems, authority_verify, authority_withdraw
from passports.services.prefixes import prefix_reject, prefix_verify


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
    fields = [
        "name",
        "organization",
        "scopes",
        "outside_party",
        "revoked_at",
        "application",
        "client_id",
        "created_at",
        "updated_at",
    ]


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Read-only: a grant is the data owner's decision, given and revoked by the owner (web or API), never by staff."""

    list_display = ["organization", "grantee_organization", "grantee_client", "scope", "starts_at", "revoked_at"]
    list_filter = ["scope", "legitimate_interest", "pact_footprints"]
    search_fields = ["organization__name", "grantee_organization__name", "grantee_client__name", "purpose"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "gtin", "organization", "category", "cn_code"]
    list_filter = ["category", "organization"]
    search_fields = ["name", "name_ko", "gtin", "model_name"]


@admin.register(PassportSchema)
class PassportSchemaAdmin(admin.ModelAdmin):
    """Read-only: schemas come from the shipped files, loaded at migrate time."""

    list_display = ["category", "version", "title", "sha256", "loaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PassportVersionInline(admin.TabularInline):
    model = PassportVersion
    extra = 0
    fields = ("number", "status", "content_hash", "error_count", "created_at", "published_at")
    readonly_fields = ("number", "status", "content_hash", "error_count", "created_at", "published_at")
    can_delete = False
    show_change_link = True


@admin.register(Passport)
class PassportAdmin(admin.ModelAdmin):
    list_display = ["identifier", "organization", "granularity", "schema", "status", "updated_at"]
    list_filter = ["status", "granularity", "schema", "organization"]
    search_fields = ["identifier", "serial", "lot", "product__gtin", "product__name"]
    readonly_fields = ["identifier", "status", "created_by", "created_at", "updated_at", "retain_until"]
    inlines = [PassportVersionInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Nothing published is deleted before its retention period ends (``passports.models.retention``)."""
        if isinstance(obj, Passport) and Passport.objects.filter(pk=obj.pk).retained().exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The bulk "delete selected" action would meet the retention guard only as an error page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(PassportVersion)
class PassportVersionAdmin(admin.ModelAdmin):
    """Versions are changed through the services (publish, revoke), never edited here."""

    list_display = ["passport", "number", "status", "content_hash", "published_at"]
    list_filter = ["status", "organization"]
    search_fields = ["passport__identifier", "content_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, to read only: events are never added, changed or deleted by hand (passports.audit)."""

    list_display = ["organization", "seq", "at", "action", "object_type", "object_id", "actor_label", "ip"]
    list_filter = ["action", "object_type", "actor_type"]
    search_fields = ["object_id", "object_repr", "actor_label", "request_id", "hash"]
    ordering = ["-at", "-pk"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AuthorityStatusForm(forms.ModelForm):
    class Meta:
        model = AuthorityStatus
        fields = ["organization", "kind", "member_state", "evidence"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            problems = authority_problems(
                org=data["organization"],
                kind=data["kind"],
                member_state=data["member_state"],
                evidence=data["evidence"],
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return data


@admin.register(AuthorityStatus)
class AuthorityStatusAdmin(admin.ModelAdmin):
    """Staff verify an authority by adding a row (checked and audited by the service) and withdraw it with the
    action; a verified status is never edited or deleted, so its history stays."""

    form = AuthorityStatusForm
    list_display = ["organization", "kind", "member_state", "verified_at", "verified_by", "withdrawn_at"]
    list_filter = ["kind", "member_state"]
    search_fields = ["organization__name", "evidence"]
    autocomplete_fields = ["organization"]
    actions = ["withdraw"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AuthorityStatus, form: Any, change: bool) -> None:
        saved = authority_verify(
            org=obj.organization, kind=obj.kind, member_state=obj.member_state, evidence=obj.evidence, by=request.user
        )
        obj.pk = saved.pk

    @admin.action(description="Withdraw the verified status (audited)")
    def withdraw(self, request: HttpRequest, queryset: Any) -> None:
        for status in queryset.filter(withdrawn_at__isnull=True):
            authority_withdraw(status=status, reason=f"withdrawn in the admin by {request.user}", by=request.user)
        messages.success(request, "Withdrawn; their people see the public tier from their next request.")


@admin.register(CompanyPrefix)
class CompanyPrefixAdmin(admin.ModelAdmin):
    """Staff decide contested GS1 Company Prefix claims: write the evidence checked into the row's evidence
    field, then run the action (both checked and audited by ``passports.services.prefixes``)."""

    list_display = ["prefix", "organization", "status", "decided_by", "decided_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["prefix", "organization__name", "organization__slug"]
    fields = ["organization", "prefix", "status", "evidence", "decided_by", "decided_at"]
    readonly_fields = ["organization", "prefix", "status", "decided_by", "decided_at"]
    actions = ["verify", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # organizations claim their prefixes themselves

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Verify (the evidence field says what was checked; audited)")
    def verify(self, request: HttpRequest, queryset: Any) -> None:
        for claim in queryset:
            try:
                prefix_verify(claim=claim, evidence=claim.evidence, by=request.user)
            except ValidationError as exc:
                messages.error(request, f"{claim.prefix}: {' '.join(exc.messages)}")
            else:
                messages.success(request, f"{claim.prefix} verified for {claim.organization}.")

    @admin.action(description="Reject (the evidence field says why; audited)")
    def reject(self, request: HttpRequest, queryset: Any) -> None:
        for claim in queryset:
            try:
                prefix_reject(claim=claim, evidence=claim.evidence, by=request.user)
            except ValidationError as exc:
                messages.error(request, f"{claim.prefix}: {' '.join(exc.messages)}")
            else:
                messages.success(request, f"{claim.prefix} of {claim.organization} rejected.")

"""Admin pages of the PACT rows: published footprints read-only (they change by publishing anew)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lca.pact.models import PactEvent, PactFootprint, SupplierEndpoint


@admin.register(PactFootprint)
class PactFootprintAdmin(admin.ModelAdmin):
    list_display = ("pf_id", "organization", "product", "status", "version", "created_at")
    list_filter = ("status",)
    search_fields = ("pf_id", "product_ids_key")
    readonly_fields = [f.name for f in PactFootprint._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupplierEndpoint)
class SupplierEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "base_url", "spec_version", "last_pulled_at")
    exclude = ("secret_sealed",)
    readonly_fields = ("last_pulled_at", "last_error")


@admin.register(PactEvent)
class PactEventAdmin(admin.ModelAdmin):
    list_display = ("event_type", "direction", "status", "attempts", "organization", "created_at")
    list_filter = ("direction", "status")
    readonly_fields = [f.name for f in PactEvent._meta.fields]

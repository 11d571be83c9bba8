"""Django admin for carbon footprint rows. Stored footprints and recalculation jobs are read-only: they are
results, changed only by computing again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lca.models import (
    ActivityData,
    BomLine,
    EmissionFactor,
    Footprint,
    FootprintProfile,
    RecalculationJob,
    SupplierFootprint,
)


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "unit", "region", "year", "dataset", "licence", "organization"]
    list_filter = ["dataset", "licence", "region", ("organization", admin.EmptyFieldListFilter)]
    search_fields = ["key", "name", "activity", "source"]
    autocomplete_fields = ["organization"]


@admin.register(ActivityData)
class ActivityDataAdmin(admin.ModelAdmin):
    list_display = ["product", "stage", "process", "amount", "unit", "factor", "upstream_product", "gas", "primary"]
    list_filter = ["stage", "primary", "organization"]
    search_fields = ["process", "product__name", "product__gtin"]
    raw_id_fields = ["product", "upstream_product", "factor"]


@admin.register(BomLine)
class BomLineAdmin(admin.ModelAdmin):
    list_display = ["product", "component", "quantity", "unit", "stage"]
    list_filter = ["stage", "organization"]
    search_fields = ["product__name", "component__name"]
    raw_id_fields = ["product", "component"]


@admin.register(SupplierFootprint)
class SupplierFootprintAdmin(admin.ModelAdmin):
    list_display = ["component", "kg_co2e_per_unit", "declared_unit", "gwp", "partner", "valid_from", "valid_until"]
    list_filter = ["gwp", "organization"]
    search_fields = ["component__name", "partner", "pact_id", "source"]
    raw_id_fields = ["component"]


@admin.register(FootprintProfile)
class FootprintProfileAdmin(admin.ModelAdmin):
    list_display = ["product", "declared_unit", "gwp", "rated_energy_kwh", "full_equivalent_cycles"]
    raw_id_fields = ["product"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Footprint)
class FootprintAdmin(ReadOnlyAdmin):
    list_display = ["product", "computed_at", "total_kg_co2e", "declared_unit", "gwp", "is_current", "trigger"]
    list_filter = ["is_current", "gwp", "trigger", "organization"]
    search_fields = ["product__name", "product__gtin", "input_hash"]
    raw_id_fields = ["product", "job"]


@admin.register(RecalculationJob)
class RecalculationJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "organization", "cause", "status", "products_done", "products_total", "created_at"]
    list_filter = ["status", "cause"]

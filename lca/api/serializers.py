"""Shapes of the carbon footprint API. Serializers check shape and scope; services save.

Related rows (products, components, factors) are looked up only among those the caller's organization may
use, so another organization's id is refused like an id that does not exist. Decimal amounts are written
and answered as JSON numbers.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.ids import IdField
from lca.engine.graph import STAGES
from lca.engine.gwp import GWP_SETS
from lca.models import (
    ActivityData,
    BomLine,
    EmissionFactor,
    Footprint,
    FootprintProfile,
    RecalculationJob,
    SupplierFootprint,
)
from passports.models import Organization, Product


class NumberDecimalField(serializers.DecimalField):
    """A decimal kept exact in the database and written as a JSON number (no trailing zeros)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce_to_string", False)
        kwargs.setdefault("normalize_output", True)
        super().__init__(*args, **kwargs)


class ScopedSerializer(serializers.ModelSerializer[Any]):
    """Limits related-row choices to the organization in the serializer context."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: NumberDecimalField,
    }
    product_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org: Organization | None = self.context.get("organization")
        for name in self.product_fields:
            field = self.fields.get(name)
            if isinstance(field, serializers.PrimaryKeyRelatedField):
                field.queryset = Product.objects.filter(organization=org) if org else Product.objects.none()


class FactorSerializer(ScopedSerializer):
    """An emission factor: kg of each gas per ``unit``, with its source and licence."""

    shared = serializers.BooleanField(source="is_shared", read_only=True, help_text="Part of the shared open dataset.")

    class Meta:
        model = EmissionFactor
        fields = [
            "id",
            "key",
            "dataset",
            "name",
            "activity",
            "unit",
            "region",
            "year",
            *EmissionFactor.GAS_FIELDS,
            "source",
            "source_url",
            "licence",
            "notes",
            "shared",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness of a key within the organization is checked by the service, with the organization known.
        validators: list[Any] = []


class ActivitySerializer(ScopedSerializer):
    """One input or direct emission of a product per declared unit: a factor, an upstream product or a gas."""

    product_fields = ("product", "upstream_product")
    factor_key = serializers.CharField(source="factor.key", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ActivityData
        fields = [
            "id",
            "product",
            "stage",
            "process",
            "amount",
            "unit",
            "factor",
            "factor_key",
            "upstream_product",
            "gas",
            "primary",
            "dq_technology",
            "dq_geography",
            "dq_time",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org: Organization | None = self.context.get("organization")
        field = self.fields.get("factor")
        if isinstance(field, serializers.PrimaryKeyRelatedField):
            field.queryset = EmissionFactor.objects.visible_to(org)


class BomLineSerializer(ScopedSerializer):
    """``quantity`` ``unit`` of ``component`` per declared unit of ``product``; ``stage`` "" keeps its stages."""

    product_fields = ("product", "component")

    class Meta:
        model = BomLine
        fields = ["id", "product", "component", "quantity", "unit", "stage", "notes", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []


class SupplierFootprintSerializer(ScopedSerializer):
    """A supplier's declared footprint of a component (e.g. a PACT ProductFootprint received)."""

    product_fields = ("component",)

    class Meta:
        model = SupplierFootprint
        fields = [
            "id",
            "component",
            "kg_co2e_per_unit",
            "declared_unit",
            "biogenic_co2_kg_per_unit",
            "luc_kg_co2e_per_unit",
            "gwp",
            "primary",
            "source",
            "partner",
            "pact_id",
            "valid_from",
            "valid_until",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ProfileSerializer(ScopedSerializer):
    """How a product's footprint is declared: declared unit, GWP set and, for batteries, service-life energy."""

    product_fields = ("product",)

    class Meta:
        model = FootprintProfile
        fields = [
            "id",
            "product",
            "declared_unit",
            "gwp",
            "rated_energy_kwh",
            "full_equivalent_cycles",
            "usable_fraction",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []


class FootprintSummarySerializer(serializers.ModelSerializer[Any]):
    """One calculation in a product's history."""

    class Meta:
        model = Footprint
        fields = [
            "id",
            "product",
            "computed_at",
            "trigger",
            "job",
            "is_current",
            "gwp",
            "declared_unit",
            "total_kg_co2e",
            "total_including_biogenic",
            "primary_data_share",
            "battery_kg_co2e_per_kwh",
            "battery_performance_class",
            "input_hash",
        ]
        read_only_fields = fields


class FootprintSerializer(serializers.ModelSerializer[Any]):
    """A stored footprint with its split by stage and gas, data quality, provenance and battery figures."""

    result = serializers.SerializerMethodField(help_text="The engine's whole result, factors used included.")

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_result(self, footprint: Footprint) -> dict[str, Any]:
        return {**footprint.result, "factors_used": footprint.factors_used}

    class Meta:
        model = Footprint
        fields = [
            "id",
            "product",
            "computed_at",
            "trigger",
            "job",
            "is_current",
            "gwp",
            "declared_unit",
            "total_kg_co2e",
            "total_including_biogenic",
            "biogenic_co2_kg",
            "by_stage",
            "by_gas",
            "primary_data_share",
            "data_quality",
            "factors_used",
            "battery_kg_co2e_per_kwh",
            "battery_performance_class",
            "battery",
            "gaps",
            "input_hash",
            "result",
        ]
        read_only_fields = fields


class ProductFootprintSerializer(serializers.Serializer[Any]):
    """A product's current footprint (null until one is computed) and its history, newest first."""

    product = serializers.IntegerField()
    current = FootprintSerializer(allow_null=True)
    history = FootprintSummarySerializer(many=True)
    history_count = serializers.IntegerField(help_text="All calculations stored; history shows the newest 100.")


class RecalculationJobSerializer(serializers.ModelSerializer[Any]):
    """A background recalculation of stored footprints, with its progress."""

    progress = serializers.FloatField(read_only=True)

    class Meta:
        model = RecalculationJob
        fields = [
            "id",
            "cause",
            "reason",
            "status",
            "progress",
            "products_total",
            "products_done",
            "products_changed",
            "products_unchanged",
            "products_failed",
            "errors",
            "factor_ids",
            "component_ids",
            "requested_product_ids",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class RecalculationRequestSerializer(serializers.Serializer[Any]):
    """Recompute these products (all of the organization's products with footprint data when omitted)."""

    product_ids = serializers.ListField(child=IdField(), required=False, allow_empty=False, max_length=100_000)

    def validate_product_ids(self, value: list[int]) -> list[int]:
        org: Organization | None = self.context.get("organization")
        known = set(Product.objects.filter(organization=org, pk__in=value).values_list("pk", flat=True))
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(f"Not products of your organization: {unknown[:20]}")
        return value


class ComputeRequestSerializer(serializers.Serializer[Any]):
    """Nothing to send: the footprint is computed from the product's recorded rows and profile."""


# -- the self-contained calculation -------------------------------------------------------------------------------

GRAPH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["functional_unit", "processes"],
    "properties": {
        "gwp": {"type": "string", "enum": list(GWP_SETS), "default": "AR6"},
        "functional_unit": {
            "type": "object",
            "required": ["process"],
            "properties": {
                "process": {"type": "string"},
                "amount": {"type": "number", "default": 1},
                "unit": {"type": "string"},
            },
        },
        "processes": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "output"],
                "properties": {
                    "id": {"type": "string"},
                    "stage": {"type": "string", "enum": list(STAGES)},
                    "output": {
                        "type": "object",
                        "properties": {
                            "amount": {"type": "number"},
                            "unit": {"type": "string"},
                            "allocation": {"type": "number"},
                        },
                    },
                    "inputs": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                    "emissions": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                    "coproducts": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                    "declared": {"type": "object", "additionalProperties": True},
                },
            },
        },
        "battery": {
            "type": "object",
            "description": "Optional: also give the battery footprint per kWh and its class (Reg. (EU) 2023/1542 "
            "Art. 7, Annex II).",
            "required": ["rated_energy_kwh", "full_equivalent_cycles"],
            "properties": {
                "rated_energy_kwh": {"type": "number"},
                "full_equivalent_cycles": {"type": "number"},
                "usable_fraction": {"type": "number", "default": 1},
            },
        },
    },
}

GRAPH_EXAMPLE: dict[str, Any] = {
    "gwp": "AR6",
    "functional_unit": {"process": "cell", "amount": 1},
    "processes": [
        {
            "id": "cell",
            "stage": "production",
            "output": {"amount": 1, "unit": "piece"},
            "inputs": [
                {"process": "cathode", "amount": 250, "unit": "g"},
                {
                    "factor": "electricity-grid-kr-2021",
                    "amount": 0.4,
                    "unit": "kWh",
                    "primary": True,
                    "dq": {"technology": 1, "geography": 1, "time": 2},
                },
                {"process": "separator", "amount": 0.05, "unit": "m**2"},
            ],
            "emissions": [{"gas": "CO2_fossil", "amount": 0.01, "unit": "kg"}],
        },
        {
            "id": "cathode",
            "stage": "raw_material",
            "output": {"amount": 1, "unit": "kg"},
            "emissions": [{"gas": "CH4_fossil", "amount": 0.002, "unit": "kg"}],
            "coproducts": [{"id": "slag", "amount": 0.3, "unit": "kg", "allocation": 0.1}],
        },
        {
            "id": "separator",
            "output": {"amount": 1, "unit": "m**2"},
            "declared": {"kg_co2e_per_unit": 0.8, "unit": "m**2", "source": "supplier PCF"},
        },
    ],
}


@extend_schema_field({"type": "object", "additionalProperties": {"type": "number", "nullable": True}})
class NumberMapField(serializers.DictField):
    """A map of names to numbers (stages, gases, ratings)."""


class FactorUsedSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["factor", "declared"])
    id = serializers.CharField()
    name = serializers.CharField()
    dataset = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # the result's own key; DRF pops declared fields
    source_url = serializers.CharField()
    licence = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    kg_co2e = serializers.FloatField()
    kg_co2e_including_biogenic = serializers.FloatField()
    share = serializers.FloatField(allow_null=True)


class BatteryResultSerializer(serializers.Serializer[Any]):
    kg_co2e_per_kwh = serializers.FloatField()
    by_stage_kg_co2e_per_kwh = NumberMapField()
    total_energy_kwh = serializers.FloatField()
    excluded_use_stage_kg_co2e = serializers.FloatField()
    performance_class = serializers.CharField()
    class_boundaries_illustrative = serializers.BooleanField()
    formula = serializers.CharField()


class CalculationResultSerializer(serializers.Serializer[Any]):
    """The footprint of the graph's functional unit, in kg CO2e (biogenic CO2 in kg, reported apart)."""

    gwp = serializers.CharField()
    gwp_citation = serializers.CharField()
    functional_unit = serializers.DictField()
    significant_digits = serializers.IntegerField()
    total_kg_co2e = serializers.FloatField()
    total_including_biogenic_kg_co2e = serializers.FloatField()
    biogenic_co2_kg = serializers.FloatField()
    luc_kg_co2e = serializers.FloatField()
    by_gas = NumberMapField()
    by_stage = NumberMapField()
    by_stage_biogenic = NumberMapField()
    primary_data_share = serializers.FloatField(allow_null=True)
    data_quality = NumberMapField()
    factors_used = FactorUsedSerializer(many=True)
    battery = BatteryResultSerializer(required=False)

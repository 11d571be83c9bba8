"""Serializers of products, passports, versions and validation requests: shape only, never saving."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.ids import IdField
from passports.documents import unsafe_number_paths
from passports.models import Facility, Passport, PassportVersion, Product
from passports.selectors.passports import current_version, effective_data_of, schema_by_key


@extend_schema_field(OpenApiTypes.INT)
class OrgScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key that only accepts rows of the caller's organization (others read as 'does not exist')."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        org = self.context.get("organization")
        return self.model.objects.for_org(org) if org is not None else self.model.objects.none()


class ProductSerializer(serializers.ModelSerializer[Product]):
    facility = OrgScopedPrimaryKeyField(Facility, required=False, allow_null=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "gtin",
            "name",
            "name_ko",
            "description",
            "description_ko",
            "category",
            "cn_code",
            "brand",
            "model_name",
            "facility",
            "expected_lifetime_years",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class SchemaKeyField(serializers.CharField):
    """``category/version`` of a registered schema."""

    def to_internal_value(self, data: Any) -> Any:
        key = super().to_internal_value(data)
        schema = schema_by_key(key)
        if schema is None:
            raise serializers.ValidationError(f"Unknown schema {key!r}; see GET /api/v1/schemas/.")
        return schema


class VersionSerializer(serializers.ModelSerializer[PassportVersion]):
    schema = serializers.CharField(source="schema.key", read_only=True)
    etag = serializers.CharField(read_only=True)
    effective_data = serializers.SerializerMethodField()
    base_version = serializers.IntegerField(source="base_version.number", read_only=True, allow_null=True)

    class Meta:
        model = PassportVersion
        fields = [
            "number",
            "status",
            "schema",
            "etag",
            "content_hash",
            "error_count",
            "data",
            "effective_data",
            "base_version",
            "created_at",
            "updated_at",
            "published_at",
            "superseded_at",
            "revoked_at",
            "revocation_reason",
        ]
        read_only_fields = fields

    def get_effective_data(self, version: PassportVersion) -> dict[str, Any]:
        return effective_data_of(version)


class PassportSerializer(serializers.ModelSerializer[Passport]):
    schema = serializers.CharField(source="schema.key", read_only=True)
    gtin = serializers.CharField(source="product.gtin", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = Passport
        fields = [
            "id",
            "identifier",
            "product",
            "product_name",
            "gtin",
            "granularity",
            "lot",
            "serial",
            "parent",
            "schema",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PassportDetailSerializer(PassportSerializer):
    current_version = serializers.SerializerMethodField()

    class Meta(PassportSerializer.Meta):
        fields = [*PassportSerializer.Meta.fields, "current_version"]
        read_only_fields = fields

    def get_current_version(self, passport: Passport) -> dict[str, Any] | None:
        version = current_version(passport)
        return VersionSerializer(version).data if version else None


UNSAFE_NUMBER = (
    "A number beyond ±9007199254740991 (2^53 - 1) has no exact form in canonical JSON (RFC 8785), so the passport "
    "could not be signed; send it as text or in another unit."
)


class PassportDataField(serializers.DictField):
    """Passport data: a JSON object whose integers canonical JSON can carry, each offender named by its pointer."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value: dict[str, Any] = super().to_internal_value(data)
        paths = unsafe_number_paths(value)
        if paths:
            errors: dict[str, Any] = {}
            for path in paths:
                node = errors
                for part in path[:-1]:
                    node = node.setdefault(str(part), {})
                node[str(path[-1])] = [UNSAFE_NUMBER]
            raise serializers.ValidationError(errors, code="unsafe_number")
        return value


class PassportCreateSerializer(serializers.Serializer[Any]):
    product = OrgScopedPrimaryKeyField(Product)
    granularity = serializers.ChoiceField(choices=Passport.Granularity.choices)
    lot = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    serial = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    parent = OrgScopedPrimaryKeyField(Passport, required=False, allow_null=True, default=None)  # type: ignore[assignment]  # the API names it "parent"
    schema = SchemaKeyField()
    data = PassportDataField(default=dict)  # type: ignore[assignment]  # the API names it "data"


class DraftUpdateSerializer(serializers.Serializer[Any]):
    data = PassportDataField()  # type: ignore[assignment]  # the API names it "data"


class NewVersionSerializer(serializers.Serializer[Any]):
    data = PassportDataField(required=False)  # type: ignore[assignment]  # the API names it "data"


class PublishQuerySerializer(serializers.Serializer[Any]):
    """``?publish_parent=true``: publish the model passport's draft first when an item or batch inherits from it."""

    publish_parent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Publish the model passport's draft first, in the same transaction, when it has no published "
        "version (otherwise such a publication answers 409 parent_not_published).",
    )


class RevokeSerializer(serializers.Serializer[Any]):
    version = IdField()
    reason = serializers.CharField(max_length=300)


class ValidateRequestSerializer(serializers.Serializer[Any]):
    schema = SchemaKeyField()
    data = serializers.JSONField()  # type: ignore[assignment]  # the API names it "data"


class IssueSerializer(serializers.Serializer[Any]):
    pointer = serializers.CharField()
    rule = serializers.CharField()
    message = serializers.CharField()
    message_en = serializers.CharField()
    message_ko = serializers.CharField()
    legal = serializers.CharField(allow_null=True)


class ValidationReportSerializer(serializers.Serializer[Any]):
    valid = serializers.BooleanField()
    errors = IssueSerializer(many=True)  # type: ignore[assignment]  # the API names it "errors"


class PassportFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the passport list; unknown values are refused, not silently ignored."""

    status = serializers.ChoiceField(choices=["draft", "published", "revoked"], required=False)
    schema = serializers.RegexField(
        r"^[a-z][a-z0-9-]*(/[0-9]+(\.[0-9]+)*)?$",
        required=False,
        max_length=60,
        help_text="category or category/version, e.g. battery/1.0",
    )
    product = IdField(required=False)
    granularity = serializers.ChoiceField(choices=Passport.Granularity.choices, required=False)
    search = serializers.CharField(required=False, max_length=100, help_text="GTIN, product name, lot or serial")

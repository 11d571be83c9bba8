"""Serializers of tenants, people and places: they check shape and never save."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from passports.models import CompanyPrefix, Facility, Membership, Organization


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "country", "role", "eori", "lei", "vat", "gln", "kr_brn", "address", "website"]
        read_only_fields = ["id", "slug"]


class FacilitySerializer(serializers.ModelSerializer[Facility]):
    class Meta:
        model = Facility
        fields = [
            "id",
            "name",
            "address",
            "country",
            "gln",
            "other_id",
            "unlocode",
            "latitude",
            "longitude",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "created_at"]
        read_only_fields = fields


class CompanyPrefixSerializer(serializers.ModelSerializer[CompanyPrefix]):
    """A GS1 Company Prefix the organization claims; ``contested`` while another organization claims it too."""

    contested = serializers.SerializerMethodField()

    class Meta:
        model = CompanyPrefix
        fields = ["id", "prefix", "status", "contested", "decided_at", "created_at"]
        read_only_fields = ["status", "contested", "decided_at", "created_at"]
        # The service checks the format and names the field.
        extra_kwargs: ClassVar[dict[str, Any]] = {"prefix": {"validators": []}}

    def get_contested(self, claim: CompanyPrefix) -> bool:
        contested: set[int] = self.context.get("contested_ids", set())
        return claim.pk in contested

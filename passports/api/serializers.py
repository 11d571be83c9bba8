"""Serializers of tenants, people and places: they check shape and never save."""

from __future__ import annotations

from rest_framework import serializers

from passports.models import Facility, Membership, Organization


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

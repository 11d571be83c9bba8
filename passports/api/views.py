"""API views for tenants, people and places. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from passports.api.base import OrganizationScopedMixin, OrganizationScopedReadOnlyViewSet, OrganizationScopedViewSet
from passports.api.serializers import FacilitySerializer, MembershipSerializer, OrganizationSerializer
from passports.models import Facility, Membership, Organization
from passports.selectors import tenants as selectors
from passports.services import tenants as services


def as_drf_validation_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """Model ``full_clean`` errors in the API's error envelope (field names become JSON Pointers)."""
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return serializers.ValidationError(detail)


class CurrentOrganizationView(OrganizationScopedMixin, APIView):
    """The caller's own organization: who we are, as partners and authorities see it."""

    @extend_schema(responses=OrganizationSerializer)
    def get(self, request: Request) -> Response:
        return Response(OrganizationSerializer(self.organization).data)


class FacilityViewSet(OrganizationScopedViewSet):
    """Installations of the caller's organization (CBAM installations, ESPR facilities)."""

    serializer_class = FacilitySerializer
    search_fields = ["name", "gln", "other_id", "unlocode"]
    filterset_fields = ["country"]
    ordering_fields = ["name", "created_at"]

    def get_org_queryset(self, org: Organization) -> QuerySet[Facility]:
        return selectors.facility_list(org=org)

    def perform_create(self, serializer: Any) -> None:
        try:
            serializer.instance = services.facility_create(org=self.organization, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    def perform_update(self, serializer: Any) -> None:
        try:
            serializer.instance = services.facility_update(facility=serializer.instance, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipViewSet(OrganizationScopedReadOnlyViewSet):
    """Who belongs to the caller's organization, and with which role."""

    serializer_class = MembershipSerializer

    def get_org_queryset(self, org: Organization) -> QuerySet[Membership]:
        return selectors.membership_list(org=org)

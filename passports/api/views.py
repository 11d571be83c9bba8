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
from passports.api.serializers import (
    CompanyPrefixSerializer,
    FacilitySerializer,
    MembershipSerializer,
    OrganizationSerializer,
)
from passports.models import CompanyPrefix, Facility, Membership, Organization
from passports.permissions import IsOrganizationMember, IsOrganizationOwner
from passports.selectors import tenants as selectors
from passports.services import tenants as services
from passports.services.prefixes import contested_among, prefix_claim


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


class CompanyPrefixViewSet(OrganizationScopedViewSet):
    """The GS1 Company Prefixes the caller's organization claims; its products' GTINs must lie under one.

    Owners claim a prefix with POST; a claim is used at once unless another organization claims an overlapping
    prefix, which freezes the GTINs both cover until the platform's staff verify one. Claims are neither edited
    nor deleted here: a wrong claim is rejected by staff, so its history stays.
    """

    serializer_class = CompanyPrefixSerializer
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["prefix", "created_at"]

    def get_permissions(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [IsOrganizationMember(), IsOrganizationOwner()]
        return list(super().get_permissions())

    def get_org_queryset(self, org: Organization) -> QuerySet[CompanyPrefix]:
        return CompanyPrefix.objects.for_org(org)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """The page's claims are checked for contest in one query (``contested_among``), not one per row."""
        if args and not getattr(self, "swagger_fake_view", False):
            shown = args[0] if isinstance(args[0], list) else [args[0]]
            claims = [claim for claim in shown if isinstance(claim, CompanyPrefix)]
            kwargs.setdefault("context", self.get_serializer_context())["contested_ids"] = contested_among(claims)
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        try:
            serializer.instance = prefix_claim(
                org=self.organization, prefix=serializer.validated_data["prefix"], by=self.request.user
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

"""API views of products, passports, versions, validation and schemas. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import KeysetPagination
from passports.api.base import OrganizationScopedViewSet
from passports.api.passport_serializers import (
    DraftUpdateSerializer,
    NewVersionSerializer,
    PassportCreateSerializer,
    PassportDetailSerializer,
    PassportFilterSerializer,
    PassportSerializer,
    ProductSerializer,
    PublishQuerySerializer,
    RevokeSerializer,
    ValidateRequestSerializer,
    ValidationReportSerializer,
    VersionSerializer,
)
from passports.api.views import as_drf_validation_error
from passports.models import Organization, Passport, Product
from passports.permissions import IsOrganizationMember
from passports.roles import RoleForAction
from passports.selectors import passports as selectors
from passports.services import passports as services
from passports.validation import Issue, validate


def report_details(issues: list[Issue]) -> list[dict[str, Any]]:
    lang = "ko" if (get_language() or "en").startswith("ko") else "en"
    return [issue.as_dict(lang) for issue in issues]


class ProductViewSet(OrganizationScopedViewSet):
    """Products (models or types) of the caller's organization."""

    serializer_class = ProductSerializer
    filterset_fields = ["category", "cn_code", "facility"]
    search_fields = ["gtin", "name", "name_ko", "model_name"]
    ordering_fields = ["name", "gtin", "created_at"]

    def get_org_queryset(self, org: Organization) -> QuerySet[Product]:
        return selectors.product_list(org=org)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "organization": self.organization}

    def perform_create(self, serializer: Any) -> None:
        try:
            serializer.instance = services.product_create(org=self.organization, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    def perform_update(self, serializer: Any) -> None:
        try:
            serializer.instance = services.product_update(product=serializer.instance, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    def perform_destroy(self, instance: Product) -> None:
        services.product_delete(product=instance)


class PassportViewSet(OrganizationScopedViewSet):
    """Passports of the caller's organization, their versions, validation and publication."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends: list[Any] = []
    pagination_class = KeysetPagination  # cursor pages newest first; page=N still gives page numbers
    role_actions = {"revoke": "passport.revoke"}  # passports.roles: the web's rule too

    def get_org_queryset(self, org: Organization) -> QuerySet[Passport]:
        filters = {
            k: self.request.query_params.get(k) for k in ("status", "schema", "product", "granularity", "search")
        }
        return selectors.passport_list(org=org, filters=filters if self.action == "list" else None)

    def get_serializer_class(self) -> Any:
        return {
            "list": PassportSerializer,
            "create": PassportCreateSerializer,
            "partial_update": DraftUpdateSerializer,
        }.get(self.action, PassportDetailSerializer)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "organization": self.organization}

    @extend_schema(parameters=[PassportFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The filters as documented: an empty or unknown status is refused, not read as "no filter".
        PassportFilterSerializer(data=request.query_params.dict()).is_valid(raise_exception=True)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PassportCreateSerializer, responses={201: PassportDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PassportCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            passport = services.passport_create(
                org=self.organization,
                by=request.user,
                base_url=settings.PLATFORM_BASE_URL,
                **serializer.validated_data,
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc
        return Response(PassportDetailSerializer(passport).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        passport = self.get_object()
        response = Response(PassportDetailSerializer(passport).data)
        version = selectors.current_version(passport)
        if version is not None:
            response["ETag"] = version.etag
        return response

    @extend_schema(
        request=DraftUpdateSerializer,
        responses={200: PassportDetailSerializer},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        description="Replace the draft's data. Needs If-Match with the draft's ETag: 428 without, 412 when stale.",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        passport = self.get_object()
        serializer = DraftUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = selectors.current_version(passport)
        if version is None or not version.is_editable:
            raise services.NotEditableError
        try:
            version = services.passport_draft_update(
                version=version,
                data=serializer.validated_data["data"],
                if_match=request.headers.get("If-Match"),
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc
        passport.refresh_from_db()
        response = Response(PassportDetailSerializer(passport).data)
        response["ETag"] = version.etag
        return response

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.passport_delete(passport=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=VersionSerializer(many=True))
    @extend_schema(methods=["POST"], request=NewVersionSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["get", "post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """GET: the versions, newest first, a page at a time like every list. POST: a new draft from the latest
        version's data."""
        passport = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.version_list(passport=passport))
            return self.get_paginated_response(VersionSerializer(page, many=True).data)
        serializer = NewVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version = services.passport_version_new(
                passport=passport, data=serializer.validated_data.get("data"), by=request.user
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc
        response = Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)
        response["ETag"] = version.etag
        return response

    @extend_schema(responses=VersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+)", url_name="version-detail")
    def version_detail(self, request: Request, pk: str | None = None, number: str | None = None) -> Response:
        version = selectors.version_get(passport=self.get_object(), number=number)
        response = Response(VersionSerializer(version).data)
        response["ETag"] = version.etag
        return response

    @extend_schema(request=None, responses={200: ValidationReportSerializer})
    @action(detail=True, methods=["get"])
    def validation(self, request: Request, pk: str | None = None) -> Response:
        """The validation report of the current draft (or latest version)."""
        version = selectors.current_version(self.get_object())
        issues = selectors.validation_report(version) if version else []
        return Response({"valid": not issues, "errors": report_details(issues)})

    @extend_schema(
        request=None,
        parameters=[PublishQuerySerializer],
        responses={200: VersionSerializer, 409: OpenApiTypes.OBJECT, 422: OpenApiTypes.OBJECT},
        description="Publish the draft. 422 with the validation report (JSON Pointers) when it is not clean. "
        "A batch or item passport freezes the published version of its model passport; while the model has none, "
        "409 parent_not_published, unless publish_parent=true publishes the model's draft first.",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        passport = self.get_object()
        query = PublishQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            version = services.passport_publish(
                passport=passport, by=request.user, publish_parent=query.validated_data["publish_parent"]
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc
        return Response(VersionSerializer(version).data)

    @extend_schema(request=RevokeSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsOrganizationMember, RoleForAction])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        passport = self.get_object()
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = selectors.version_get(passport=passport, number=serializer.validated_data["version"])
        try:
            version = services.passport_revoke(
                version=version, reason=serializer.validated_data["reason"], by=request.user
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc
        return Response(VersionSerializer(version).data)


class ValidateView(APIView):
    """Validate any payload against a registered schema, without storing anything."""

    required_scope = "read"

    @extend_schema(
        request=ValidateRequestSerializer,
        responses=ValidationReportSerializer,
        examples=[OpenApiExample("battery", value={"schema": "battery/1.0", "data": {}}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        serializer = ValidateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issues = validate(serializer.validated_data["schema"].document, serializer.validated_data["data"])
        return Response({"valid": not issues, "errors": report_details(issues)})


class SchemaListView(APIView):
    """Every registered passport schema (public: the rules are the same for everyone)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="schemas_list")
    def get(self, request: Request) -> Response:
        rows = [
            {
                "category": s.category,
                "version": s.version,
                "key": s.key,
                "title": s.title,
                "sha256": s.sha256,
                "url": request.build_absolute_uri(f"/api/v1/schemas/{s.category}/{s.version}"),
            }
            for s in selectors.schema_list()
        ]
        return Response({"count": len(rows), "results": rows})


class SchemaDetailView(APIView):
    """The JSON Schema itself (Draft 2020-12), with its x-access tiers and x-legal references."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="schemas_retrieve")
    def get(self, request: Request, category: str, version: str) -> Response:
        schema = selectors.schema_get(category=category, version=version)
        response = Response(schema.document, content_type="application/schema+json")
        response["ETag"] = f'"{schema.sha256}"'
        return response

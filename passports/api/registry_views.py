"""EU registry records over the API (ESPR Art. 13): one passport's, all of them in bulk, and storing the
registration id the registry returned. See ``passports.registry_export``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from passports.api.base import OrganizationScopedMixin
from passports.registry_export import (
    NotPublishedError,
    published_passports,
    records_csv,
    registry_record,
    registry_records,
    registry_registration_set,
)
from passports.selectors.passports import passport_get

RECORD_SCHEMA = inline_serializer(
    "RegistryRecord",
    {
        "unique_product_identifier": serializers.CharField(),
        "gtin": serializers.CharField(),
        "granularity": serializers.CharField(),
        "lot": serializers.CharField(),
        "serial": serializers.CharField(),
        "operator_identifier": serializers.CharField(),
        "operator_identifier_scheme": serializers.CharField(),
        "operator_identifiers": serializers.DictField(child=serializers.CharField()),
        "operator_name": serializers.CharField(),
        "operator_country": serializers.CharField(),
        "facility_identifier": serializers.CharField(),
        "facility_identifier_scheme": serializers.CharField(),
        "facility_country": serializers.CharField(),
        "commodity_code": serializers.CharField(),
        "passport_version": serializers.IntegerField(),
        "content_hash": serializers.CharField(),
        "published_at": serializers.DateTimeField(allow_null=True),
        "retain_until": serializers.DateField(allow_null=True),
        "backup_location": serializers.CharField(),
        "backup_provider": serializers.CharField(),
        "registration_id": serializers.CharField(),
        "registered_at": serializers.DateTimeField(allow_null=True),
    },
)


STREAM_AFTER = 2000  # passports; larger CSV files are streamed


class NotPublished(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Only a published passport has a registry record."
    default_code = "not_published"


class RegistrationSerializer(serializers.Serializer[Any]):
    registration_id = serializers.CharField(max_length=100, allow_blank=True)


class RegistryRecordView(OrganizationScopedMixin, APIView):
    """GET: the registry record of one published passport. PATCH: store the registry's registration id."""

    @extend_schema(responses=RECORD_SCHEMA)
    def get(self, request: Request, pk: str) -> Response:
        passport = passport_get(org=self.organization, pk=pk)
        try:
            return Response(registry_record(passport))
        except NotPublishedError as exc:
            raise NotFound("This passport has no published version, so no registry record.") from exc

    @extend_schema(request=RegistrationSerializer, responses=RECORD_SCHEMA)
    def patch(self, request: Request, pk: str) -> Response:
        passport = passport_get(org=self.organization, pk=pk)
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            passport = registry_registration_set(
                passport=passport, registration_id=serializer.validated_data["registration_id"]
            )
        except NotPublishedError as exc:
            raise NotPublished() from exc
        return Response(registry_record(passport))


class RegistryRecordsView(OrganizationScopedMixin, APIView):
    """Every published passport's registry record: ``.json`` (a list) or ``.csv``."""

    @extend_schema(
        responses={
            (200, "application/json"): serializers.ListSerializer(child=RECORD_SCHEMA),
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request, fmt: str) -> HttpResponse | StreamingHttpResponse:
        records = registry_records(org=self.organization)
        response: HttpResponse | StreamingHttpResponse
        if fmt == "json":
            response = HttpResponse(json.dumps(list(records), ensure_ascii=False), content_type="application/json")
        elif published_passports(org=self.organization).count() > STREAM_AFTER:
            response = StreamingHttpResponse(records_csv(records), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse("".join(records_csv(records)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="registry-records.{fmt}"'
        return response

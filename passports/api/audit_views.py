"""The organization's audit trail over the API: a filtered, paginated list and full exports. Owners only.

The exports hold the whole chain in order with every hash, so the organization (or its auditor) can check it
without us: ``passports.audit.verify_chain(passports.audit.exported_rows(lines))`` on the JSON Lines file.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.views import APIView

from core.spreadsheet_csv import csv_lines
from passports import audit
from passports.api.base import OrganizationScopedMixin
from passports.models import AuditChainHead, AuditEvent, Organization
from passports.permissions import IsOrganizationMember, IsOrganizationOwner
from passports.scoping import scoped

STREAM_AFTER = 5000  # events; longer trails are streamed
FILTERS = ("action", "object_type", "object_id", "actor_type", "actor_id", "since", "until")


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "at",
            "actor_type",
            "actor_id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "ip",
            "request_id",
            "before_hash",
            "after_hash",
            "details",
            "prev_hash",
            "hash",
        ]


class AuditFilterSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(required=False, max_length=60)
    object_type = serializers.CharField(required=False, max_length=40)
    object_id = serializers.CharField(required=False, max_length=64)
    actor_type = serializers.ChoiceField(required=False, choices=AuditEvent.ActorType.choices)
    actor_id = serializers.CharField(required=False, max_length=64)
    since = serializers.DateTimeField(required=False, help_text="ISO 8601; events at or after")
    until = serializers.DateTimeField(required=False, help_text="ISO 8601; events before")


def audit_events(*, org: Organization, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The organization's events, newest first, narrowed by the checked filters."""
    events = scoped(AuditEvent, org).order_by("-seq")
    for name in ("action", "object_type", "object_id", "actor_type", "actor_id"):
        if filters.get(name):
            events = events.filter(**{name: filters[name]})
    if filters.get("since"):
        events = events.filter(at__gte=filters["since"])
    if filters.get("until"):
        events = events.filter(at__lt=filters["until"])
    return events


OWNERS_ONLY = [IsOrganizationMember, IsOrganizationOwner]


class AuditEventListView(OrganizationScopedMixin, ListAPIView[AuditEvent]):
    """Audit events of the caller's organization, newest first (owners only; API clients cannot read it)."""

    permission_classes = OWNERS_ONLY
    serializer_class = AuditEventSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        offered = {k: v for k, v in self.request.query_params.items() if k in FILTERS}
        checked = AuditFilterSerializer(data=offered)
        if not checked.is_valid():
            raise ValidationError(checked.errors)
        return audit_events(org=self.organization, filters=dict(checked.validated_data))

    @extend_schema(parameters=[AuditFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


def _csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    header = ["organization" if c == "organization_id" else c for c in audit.COLUMNS]
    cells = (
        [_cell(audit.timestamp_text(v) if c == "at" else v) for c, v in zip(audit.COLUMNS, row, strict=True)]
        for row in rows
    )
    return csv_lines(itertools.chain([header], cells))


def _cell(value: Any) -> str:
    """Text of a CSV cell (details as JSON); the writer neutralises what a spreadsheet would run."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


class AuditExportView(OrganizationScopedMixin, APIView):
    """The whole trail, oldest first, with every hash: ``.jsonl`` (one event per line) or ``.csv``."""

    permission_classes = OWNERS_ONLY

    @extend_schema(responses={(200, "application/x-ndjson"): OpenApiTypes.STR, (200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, fmt: str) -> HttpResponse | StreamingHttpResponse:
        org = self.organization
        # Reading the whole trail is itself worth a line in it (it names people and addresses).
        audit.record(
            org_id=org.pk,
            action="audit.exported",
            object_type="organization",
            object_id=org.pk,
            object_repr=org.name,
            details={"format": fmt},
        )
        rows = audit.stored_rows([org.pk], chunk_size=2000)
        lines = _csv_lines(rows) if fmt == "csv" else (audit.export_line(row) + "\n" for row in rows)
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
        head = AuditChainHead.objects.filter(pk=org.pk).values_list("seq", flat=True).first() or 0
        # Short trails go out whole (with a length); long ones stream, a chunk of rows at a time.
        response: HttpResponse | StreamingHttpResponse
        if head > STREAM_AFTER:
            response = StreamingHttpResponse(lines, content_type=content_type)
        else:
            response = HttpResponse("".join(lines), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="audit-{org.slug}.{fmt}"'
        return response

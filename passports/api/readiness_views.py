"""The readiness cockpit and a passport's conformance matrix over the API, with the web pages' filters and
figures (``passports.selectors.readiness``, ``passports.readiness``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.ids import IdField
from core.pagination import StandardPagination
from passports import readiness
from passports.api.base import OrganizationScopedMixin
from passports.selectors import passports as selectors
from passports.selectors import readiness as cockpit
from passports.validation import validate

CELL_SCHEMA = inline_serializer(
    "ReadinessRow",
    {
        "product": inline_serializer(
            "ReadinessProduct",
            {
                "id": serializers.IntegerField(),
                "gtin": serializers.CharField(),
                "name": serializers.CharField(),
                "category": serializers.CharField(),
                "facility": serializers.IntegerField(allow_null=True),
            },
        ),
        "regulation": serializers.CharField(allow_null=True),
        "deadline": serializers.DateField(allow_null=True),
        "deadline_legal": serializers.CharField(allow_null=True),
        "passport": serializers.IntegerField(allow_null=True),
        "version": serializers.IntegerField(allow_null=True),
        "version_status": serializers.CharField(),
        "completeness": serializers.IntegerField(),
        "error_count": serializers.IntegerField(),
        "gaps": serializers.ListField(child=serializers.DictField()),
        "passports_by_status": serializers.DictField(child=serializers.IntegerField()),
        "next_action": serializers.CharField(),
    },
    many=True,
)

PAGE_SCHEMA = inline_serializer(
    "ReadinessPage",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": CELL_SCHEMA,
        "totals": inline_serializer(
            "ReadinessTotals",
            {name: serializers.IntegerField() for name in ("products", "without_passport", "published", "with_errors")},
        ),
    },
)


class ReadinessFilterSerializer(serializers.Serializer[Any]):
    """The cockpit's filters; an empty or unknown value is refused naming the parameter, as everywhere."""

    regulation = serializers.CharField(required=False, max_length=60, help_text="batteries, espr, cbam")
    category = serializers.CharField(required=False, max_length=40, help_text="schema category of the product")
    facility = IdField(required=False)
    status = serializers.ChoiceField(choices=list(cockpit.STATUS_FILTERS), required=False)
    deadline = serializers.DateField(required=False, help_text="in scope for this deadline and not published")


def cell_json(cell: cockpit.Cell) -> dict[str, Any]:
    product = cell.product
    return {
        "product": {
            "id": product.pk,
            "gtin": product.gtin,
            "name": product.name,
            "category": product.category,
            "facility": product.facility_id,
        },
        "regulation": cell.regulation.key if cell.regulation else None,
        "deadline": cell.deadline.date.isoformat() if cell.deadline else None,
        "deadline_legal": cell.deadline.legal if cell.deadline else None,
        "passport": cell.passport_id,
        "version": cell.version_number,
        "version_status": cell.version_status,
        "completeness": cell.completeness,
        "error_count": cell.error_count,
        "gaps": [{"clause": clause, "missing": missing, "invalid": invalid} for clause, missing, invalid in cell.gaps],
        "passports_by_status": cell.passports_by_status,
        "next_action": cell.action.code,
    }


class ReadinessView(OrganizationScopedMixin, APIView):
    """Every product of the caller's organization against its regulation, paginated like every list."""

    @extend_schema(parameters=[ReadinessFilterSerializer], responses=PAGE_SCHEMA)
    def get(self, request: Request) -> Response:
        families = cockpit.schema_families()
        names = set(ReadinessFilterSerializer().fields)
        checked = ReadinessFilterSerializer(data={k: v for k, v in request.query_params.items() if k in names})
        checked.is_valid(raise_exception=True)
        try:
            filters = cockpit.Filters.parse({k: str(v) for k, v in checked.validated_data.items()}, families)
        except cockpit.FilterError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from exc
        products = cockpit.cockpit_products(org=self.organization, filters=filters, families=families)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(products, request, view=self) or []
        cells = cockpit.cockpit_cells(list(page), families=families, today=timezone.localdate())
        response = paginator.get_paginated_response([cell_json(cell) for cell in cells])
        response.data["totals"] = cockpit.cockpit_totals(products)
        return response


def assessment_json(assessment: readiness.Assessment) -> dict[str, Any]:
    def issue_json(issue: Any) -> dict[str, Any]:
        return {
            "pointer": issue.pointer,
            "rule": issue.rule,
            "message_en": issue.message_en,
            "message_ko": issue.message_ko,
        }

    return {
        "completeness": assessment.completeness,
        "mandatory": assessment.mandatory,
        "mandatory_present": assessment.mandatory_present,
        "error_count": assessment.error_count,
        "clauses": [
            {
                "legal": clause.legal,
                "act": clause.act,
                "provision": clause.provision,
                "fields": [
                    {
                        "pointer": result.pointer_pattern,
                        "title_en": result.spec.title_en,
                        "title_ko": result.spec.title_ko,
                        "status": result.status,
                        "reason": result.reason,
                        "absent_part": "/" + "/".join(result.absent_part.pattern) if result.absent_part else None,
                        "issues": [issue_json(issue) for issue in result.issues],
                    }
                    for result in clause.fields
                ],
                "problems": [issue_json(issue) for issue in clause.problems],
            }
            for clause in assessment.clauses
        ],
    }


class ConformanceView(OrganizationScopedMixin, APIView):
    """Legal clause → fields → status (present, missing, invalid, not applicable with its reason) for the
    passport's current version: the draft if there is one, else the latest."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: str) -> Response:
        passport = selectors.passport_get(org=self.organization, pk=pk)
        version = selectors.current_version(passport)
        if version is None:
            assessment = readiness.assess(passport.schema.document, {}, ())
        else:
            effective = selectors.effective_data_of(version)
            assessment = readiness.assess(
                version.schema.document, effective, validate(version.schema.document, effective)
            )
        return Response(
            {
                "passport": passport.pk,
                "version": version.number if version else None,
                "version_status": version.status if version else None,
                "schema": passport.schema.key,
                **assessment_json(assessment),
            }
        )

"""API of compliance reports, CBAM communications, report packs and report verification. Thin views.

Every object is looked up within the caller's organization (another organization's id answers 404). Members
of the organization that owns a passport may ask for any access tier; the default is ``public``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.ids import IdField
from core.parsers import OrjsonParser
from core.uploads import accepts_uploads
from exporters.models import ReportPack
from exporters.reports.cbam import SummaryError, importer_summary
from exporters.reports.cbam_carbon_price import carbon_price_deduction
from exporters.reports.cbam_defaults import FIRST_YEAR
from exporters.reports.cbam_formats import to_json, to_xml
from exporters.reports.labels import LANGS, Lang, check_lang
from exporters.reports.pack_requests import pack_file_response, pack_request, pack_resume_if_stalled
from exporters.reports.rendering import (
    NotCbamError,
    cbam_document,
    render_cbam_pdf,
    render_version_report,
    report_filename,
)
from exporters.reports.selectors import passport_for_report, version_for_report
from exporters.reports.verification import verify_report
from passports.api.base import OrganizationScopedMixin
from passports.scoping import get_scoped_or_404, scoped
from passports.tiers import TIERS

MAX_VERIFY_BYTES = 20 * 1024 * 1024
REPORT_PARAMETERS = [
    OpenApiParameter("lang", str, enum=list(LANGS), description="Language of the report (default en)"),
    OpenApiParameter("tier", str, enum=list(TIERS), description="Access tier of the data shown (default public)"),
    OpenApiParameter("version", int, description="Version number (default: the published one, else the latest)"),
]


def _choice(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.query_params.get(name) or default
    if value not in allowed:
        raise ValidationError({name: [f"Use one of: {', '.join(allowed)}."]})
    return value


def _import_year(value: Any) -> int | None:
    """The ``import_year`` of a CBAM request: defaults exist from 2026 (the definitive period) on."""
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= 2100:
        message = f"Give a year from {FIRST_YEAR} on (CBAM default values apply from then)."
        raise ValidationError({"import_year": [message]})
    return year


def _lang(request: Request) -> Lang:
    return check_lang(_choice(request, "lang", LANGS, "en"))


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename) or "inline"  # RFC 6266
    return response


class PassportReportView(OrganizationScopedMixin, APIView):
    """The compliance report of a passport version as a sealed PDF."""

    @extend_schema(
        parameters=[
            *REPORT_PARAMETERS,
            OpenApiParameter("detail", str, enum=["summary", "full"], description="full: append every field"),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        passport = passport_for_report(org=self.organization, pk=pk)
        lang = _lang(request)
        tier = _choice(request, "tier", TIERS, "public")
        full = _choice(request, "detail", ("summary", "full"), "summary") == "full"
        version = version_for_report(passport, request.query_params.get("version"))
        pdf = render_version_report(version, tier=tier, lang=lang, full_data=full)
        return _pdf_response(pdf, report_filename(version, lang=lang))


class CbamReportView(OrganizationScopedMixin, APIView):
    """The CBAM communication (Implementing Regulation (EU) 2023/1773, Annex IV) as PDF, JSON or XML."""

    @extend_schema(
        parameters=[
            *REPORT_PARAMETERS,
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["pdf", "json", "xml"]),
            OpenApiParameter(
                "import_year",
                int,
                description="Year whose default-value mark-up the comparison uses (default: the year after the period)",
            ),
        ],
        responses={200: OpenApiTypes.BINARY},
        description="Tier defaults to legitimate_interest: Annex IV content is not public data.",
    )
    def get(self, request: Request, pk: str, fmt: str) -> HttpResponse:
        passport = passport_for_report(org=self.organization, pk=pk)
        tier = _choice(request, "tier", ("legitimate_interest", "authority"), "legitimate_interest")
        version = version_for_report(passport, request.query_params.get("version"))
        name = report_filename(version, lang="", suffix="cbam").removesuffix(".pdf").rstrip("-")
        year = _import_year(request.query_params.get("import_year"))
        try:
            if fmt == "pdf":
                lang = _lang(request)
                pdf = render_cbam_pdf(version, tier=tier, lang=lang, import_year=year)
                return _pdf_response(pdf, f"{name}-{lang}.pdf")
            document = cbam_document(version, tier=tier, import_year=year)
        except NotCbamError as exc:
            raise ValidationError({"passport": [str(exc)]}) from exc
        if fmt == "json":
            response = HttpResponse(to_json(document), content_type="application/json; charset=utf-8")
        else:
            response = HttpResponse(to_xml(document), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(False, f"{name}.{fmt}") or "inline"
        return response


class QuantitySerializer(serializers.Serializer[Any]):
    cn_code = serializers.CharField(max_length=20)
    quantity = serializers.FloatField(min_value=0, allow_null=False)
    production_route = serializers.CharField(max_length=60, required=False)


class ImporterSummaryRequestSerializer(serializers.Serializer[Any]):
    quantities = QuantitySerializer(many=True, allow_empty=False)
    version = IdField(required=False)
    import_year = serializers.IntegerField(
        required=False, min_value=FIRST_YEAR, max_value=2100, help_text="Year the goods were imported (mark-up year)"
    )
    carbon_price_paid = serializers.JSONField(
        required=False,
        help_text=(
            "The carbon price paid in the country of origin (Regulation (EU) 2023/956, Art. 9): allowance_price, "
            "currency, rebate_per_tonne, free_allocation_share (optional), exchange_rate {rate, date, source}, "
            "cbam_certificate_price (EUR), cbam_certificate_price_source, instrument_name, "
            "evidence [{title, issuer, date, sha256 or url}]"
        ),
    )

    def validate_carbon_price_paid(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give an object (see the field's description).")
        return value


class CbamImporterSummaryView(OrganizationScopedMixin, APIView):
    """Embedded emissions of the quantities an importer brought in, from the installation's communication."""

    required_scope = "read"  # computes from stored data, stores nothing

    @extend_schema(request=ImporterSummaryRequestSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, pk: str) -> Response:
        passport = passport_for_report(org=self.organization, pk=pk)
        serializer = ImporterSummaryRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = version_for_report(passport, serializer.validated_data.get("version"))
        try:
            document = cbam_document(
                version, tier="legitimate_interest", import_year=serializer.validated_data.get("import_year")
            )
            summary = importer_summary(document, serializer.validated_data["quantities"])
            paid = serializer.validated_data.get("carbon_price_paid")
            if paid is not None:
                summary["carbon_price_deduction"] = carbon_price_deduction(document, summary, paid)
        except NotCbamError as exc:
            raise ValidationError({"passport": [str(exc)]}) from exc
        except SummaryError as exc:
            raise ValidationError({pointer: [message] for pointer, message in exc.problems}) from exc
        return Response(summary)


class PackCreateSerializer(serializers.Serializer[Any]):
    passports = serializers.ListField(child=IdField(), required=False, allow_empty=False)
    import_job = IdField(required=False)
    lang = serializers.ChoiceField(choices=list(LANGS), default="en")
    tier = serializers.ChoiceField(choices=list(TIERS), default="public")
    include_drafts = serializers.BooleanField(
        default=True, help_text="False leaves out passports whose reportable version is a draft."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("passports" in attrs) == ("import_job" in attrs):
            raise serializers.ValidationError("Give either passports (a list of ids) or import_job (an id).")
        return attrs


class PackSerializer(serializers.ModelSerializer[ReportPack]):
    progress = serializers.FloatField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportPack
        fields = [
            "id", "status", "lang", "tier", "source", "total", "done", "progress", "attempts", "size", "sha256",
            "error", "created_at", "finished_at", "download_url",
        ]  # fmt: skip

    def get_download_url(self, pack: ReportPack) -> str | None:
        if pack.status != ReportPack.Status.DONE:
            return None
        request = self.context.get("request")
        path = f"/api/v1/reports/packs/{pack.pk}/download"
        return request.build_absolute_uri(path) if request is not None else path


class ReportPackListView(OrganizationScopedMixin, APIView):
    """GET: the organization's report packs, newest first. POST: start a pack (202 with its id)."""

    required_scope = "read"  # a pack exports what the caller may read; it changes no passport

    @extend_schema(responses=PackSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = scoped(ReportPack, self.organization).order_by("-created_at", "-pk")[:100]
        return Response(PackSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(request=PackCreateSerializer, responses={202: PackSerializer})
    def post(self, request: Request) -> Response:
        serializer = PackCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            pack = pack_request(
                org=self.organization,
                passport_ids=data.get("passports"),
                import_job_id=data.get("import_job"),
                lang=data["lang"],
                tier=data["tier"],
                by=request.user,
                include_drafts=data["include_drafts"],
            )
        except ValueError as exc:
            field = "include_drafts" if "draft" in str(exc) else "passports"
            raise ValidationError({field: [str(exc)]}) from exc
        body = PackSerializer(pack, context={"request": request}).data
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = f"/api/v1/reports/packs/{pack.pk}"
        return response


class ReportPackDetailView(OrganizationScopedMixin, APIView):
    """A pack's progress, and its download URL once done. A pack stalled past the limit is enqueued again."""

    @extend_schema(responses=PackSerializer)
    def get(self, request: Request, pk: str) -> Response:
        pack = pack_resume_if_stalled(get_scoped_or_404(ReportPack, self.organization, pk=pk))
        return Response(PackSerializer(pack, context={"request": request}).data)


class ReportPackDownloadView(OrganizationScopedMixin, APIView):
    """The finished pack as a ZIP (one PDF per passport and a manifest.json); 409 until it is done."""

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: str) -> HttpResponse | FileResponse:
        pack = get_scoped_or_404(ReportPack, self.organization, pk=pk)
        response = pack_file_response(pack)
        if response is None:
            body = {"error": {"code": "not_ready", "message": f"The pack is {pack.status}.", "details": []}}
            return HttpResponse(json.dumps(body), status=409, content_type="application/json")
        return response


@accepts_uploads(setting="REPORT_VERIFY_MAX_BODY_BYTES", default=MAX_VERIFY_BYTES + 64 * 1024)
class ReportVerifyView(OrganizationScopedMixin, APIView):
    """Upload a report PDF (multipart field ``file``): does it match a published version of yours, unchanged?"""

    required_scope = "read"
    parser_classes = [MultiPartParser, FormParser, OrjsonParser]

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Upload the PDF as the multipart field 'file'."]})
        if upload.size is not None and upload.size > MAX_VERIFY_BYTES:
            raise ValidationError({"file": [f"Reports are smaller than {MAX_VERIFY_BYTES // (1024 * 1024)} MB."]})
        result = verify_report(upload.read(), org=self.organization)
        return Response(result.as_dict())

"""API of bulk imports: upload a file (202 + job), follow the job, read its error report, get templates,
keep column mappings. Thin: the work is in ``passports.imports``.

The upload's size is checked from ``Content-Length`` in ``dispatch``, before DRF or the CSRF check reads a
byte of the body, and an upload handler stops a body that runs past the limit anyway: 413 either way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import error_body
from core.parsers import OrjsonParser
from core.uploads import accepts_uploads
from passports.api.base import OrganizationScopedMixin, OrganizationScopedViewSet
from passports.api.passport_serializers import OrgScopedPrimaryKeyField
from passports.api.views import as_drf_validation_error
from passports.imports import mapping as mapping_services
from passports.imports.kinds import kind_get, kinds
from passports.imports.limits import (
    SizeLimitUploadHandler,
    UploadTooLargeError,
    check_content_length,
    limits_from,
    too_large_messages,
)
from passports.imports.reports import error_report_lines
from passports.imports.services import ImportRejectedError, import_job_create
from passports.imports.templates import LANGUAGES, template_csv, template_xlsx
from passports.imports.workbook import error_workbook
from passports.models import ColumnMapping, ImportJob, Organization

STREAM_AFTER = 20_000


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _language() -> str:
    return "ko" if (get_language() or "en").startswith("ko") else "en"


def _message(en: str, ko: str) -> str:
    return ko if _language() == "ko" else en


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    created = serializers.IntegerField(source="rows_created", read_only=True)
    updated = serializers.IntegerField(source="rows_updated", read_only=True)
    rejected = serializers.IntegerField(source="rows_rejected", read_only=True)
    progress = serializers.FloatField(read_only=True)
    error = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()
    errors_xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "original_name",
            "size",
            "file_format",
            "encoding",
            "delimiter",
            "decimal_separator",
            "mode",
            "policy",
            "mapping",
            "status",
            "phase",
            "rows_total",
            "rows_done",
            "progress",
            "created",
            "updated",
            "rejected",
            "committed",
            "publish_on_import",
            "error",
            "errors_url",
            "errors_xlsx_url",
            "preview",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_error(self, job: ImportJob) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {
            "code": job.error_code,
            "message": _message(job.error_en, job.error_ko),
            "message_en": job.error_en,
            "message_ko": job.error_ko,
        }

    def get_errors_url(self, job: ImportJob) -> str:
        return f"/api/v1/imports/{job.pk}/errors.csv"

    def get_errors_xlsx_url(self, job: ImportJob) -> str:
        return f"/api/v1/imports/{job.pk}/errors.xlsx"


class ImportCreateSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    kind = serializers.CharField(max_length=40)
    mode = serializers.ChoiceField(choices=ImportJob.Mode.choices, default=ImportJob.Mode.DRY_RUN)
    policy = serializers.ChoiceField(choices=ImportJob.Policy.choices, default=ImportJob.Policy.ALL_OR_NOTHING)
    mapping = OrgScopedPrimaryKeyField(ColumnMapping, required=False, allow_null=True, default=None)
    publish = serializers.BooleanField(
        default=False,
        help_text="Committing passport imports: publish the valid drafts once the rows are stored (a bulk job, "
        "listed under /api/v1/bulk-jobs/ with this import as its import_job).",
    )

    def validate_kind(self, value: str) -> str:
        if value not in kinds():
            raise serializers.ValidationError(f"Unknown kind; one of: {', '.join(sorted(kinds()))}.")
        return value


def _too_large(limit: int) -> dict[str, Any]:
    en, ko = too_large_messages(limit)
    return error_body("too_large", _message(en, ko), [{"message_en": en, "message_ko": ko}])


# The id is typed on the detail operations only: a class-level parameter would also land on the list and
# upload operations, whose path has no {id}, and make the published schema lie.
_JOB_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema_view(retrieve=extend_schema(parameters=[_JOB_ID]))
@accepts_uploads(setting="API_MAX_UPLOAD_BYTES", default=256 * 1024 * 1024)
class ImportJobViewSet(
    OrganizationScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ImportJob]
):
    """Import jobs of the caller's organization: upload with POST, follow progress with GET."""

    serializer_class = ImportJobSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [MultiPartParser, FormParser, OrjsonParser]

    def get_org_queryset(self, org: Organization) -> QuerySet[ImportJob]:
        return ImportJob.objects.filter(organization=org).order_by("-created_at", "-pk")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            limits = limits_from(settings)
            try:
                check_content_length(request.META, limits)
            except UploadTooLargeError as exc:
                return JsonResponse(_too_large(exc.limit), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
            request.upload_handlers = [
                SizeLimitUploadHandler(limits.max_upload_bytes, request),
                *request.upload_handlers,
            ]
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, UploadTooLargeError):
            return Response(_too_large(exc.limit), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        return super().handle_exception(exc)

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer},
        responses={202: ImportJobSerializer, 413: OpenApiTypes.OBJECT, 415: OpenApiTypes.OBJECT},
        description="Upload a CSV or XLSX file. 202 with the queued job; 413 over the size limit; 415 when the "
        "file is not a spreadsheet (or not what its name says); 400 when its columns do not fit the kind.",
    )
    def create(self, request: Request) -> Response:
        serializer = ImportCreateSerializer(data=request.data, context={"organization": self.organization})
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            job = import_job_create(
                org=self.organization,
                by=request.user,
                upload=values["file"],
                kind=values["kind"],
                mode=values["mode"],
                policy=values["policy"],
                mapping=values.get("mapping"),
                publish=values["publish"],
            )
        except ImportRejectedError as exc:
            # The refusal is about the uploaded file: the detail names that field, as every 4xx of ours does.
            both = [
                {
                    "pointer": "/file",
                    "code": exc.code,
                    "message": _message(exc.message_en, exc.message_ko),
                    "message_en": exc.message_en,
                    "message_ko": exc.message_ko,
                }
            ]
            body = error_body(exc.code, _message(exc.message_en, exc.message_ko), both)
            return Response(body, status=exc.status)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="v1_imports_errors_csv", parameters=[_JOB_ID], responses={(200, "text/csv"): OpenApiTypes.STR}
    )
    @action(detail=True, methods=["get"], url_path=r"errors\.csv")
    def errors_csv(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """Every rejected row: row, column, value and message in the caller's language, safe for Excel.

        Reports up to ``STREAM_AFTER`` rows go out in one response (with a length); longer ones stream.
        """
        job = self.get_object()
        errors = job.row_errors.order_by("row", "pk")
        lines = error_report_lines(errors.iterator(chunk_size=2000), _language())
        response: HttpResponseBase
        if errors.count() > STREAM_AFTER:
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response

    @extend_schema(
        operation_id="v1_imports_errors_xlsx",
        parameters=[
            _JOB_ID,
            OpenApiParameter(
                "rows",
                str,
                enum=["all", "rejected"],
                description="all rows of the file (the default up to 20,000 rows) or the rejected ones only",
            ),
        ],
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, 409: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], url_path=r"errors\.xlsx")
    def errors_xlsx(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """The error workbook: the uploaded rows with an error column and the bad cells marked, in the
        caller's language, to fix and upload again (the error column is ignored on upload)."""
        job = self.get_object()
        rows = request.query_params.get("rows")
        if rows not in (None, "all", "rejected"):
            both = [{"pointer": "/rows", "code": "invalid", "message": "rows must be all or rejected."}]
            return Response(error_body("invalid", "rows must be all or rejected.", both), status=400)
        if not job.is_finished:
            message = _message("The import has not finished yet.", "가져오기가 아직 끝나지 않았습니다.")
            return Response(error_body("not_finished", message, []), status=status.HTTP_409_CONFLICT)
        content = error_workbook(job, language=_language(), rows=rows)
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
        return response


class ImportTemplateView(APIView):
    """A CSV or XLSX template for a kind: header row from the schema (``lang`` = en, ko or key) and an
    example row. Public, like the schemas it is made from."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="v1_imports_template",
        parameters=[OpenApiParameter("lang", str, enum=list(LANGUAGES))],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, kind: str, fmt: str) -> HttpResponse:
        try:
            found = kind_get(kind)
        except LookupError:
            return JsonResponse(error_body("not_found", f"No import kind {kind!r}."), status=404)
        language = request.query_params.get("lang") or _language()
        if fmt not in ("csv", "xlsx") or language not in LANGUAGES:
            return JsonResponse(error_body("not_found", "Templates are .csv or .xlsx, lang en, ko or key."), status=404)
        if fmt == "csv":
            response = HttpResponse(template_csv(found, language), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                template_xlsx(found, language),
                content_type=XLSX_TYPE,
            )
        response["Content-Disposition"] = f'attachment; filename="{kind}-template-{language}.{fmt}"'
        return response


class ColumnMappingSerializer(serializers.ModelSerializer[ColumnMapping]):
    class Meta:
        model = ColumnMapping
        fields = ["id", "kind", "name", "mapping", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ColumnMappingViewSet(OrganizationScopedViewSet):
    """Saved column mappings of the caller's organization: header in the file → column key."""

    serializer_class = ColumnMappingSerializer
    filterset_fields = ["kind"]

    def get_org_queryset(self, org: Organization) -> QuerySet[ColumnMapping]:
        return ColumnMapping.objects.filter(organization=org).order_by("kind", "name")

    def perform_create(self, serializer: Any) -> None:
        values = serializer.validated_data
        try:
            serializer.instance = mapping_services.column_mapping_create(
                org=self.organization, kind=values["kind"], name=values["name"], mapping=values.get("mapping", {})
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    def perform_update(self, serializer: Any) -> None:
        values = serializer.validated_data
        if "kind" in values and values["kind"] != serializer.instance.kind:
            raise serializers.ValidationError({"kind": ["A mapping's kind cannot change; make a new mapping."]})
        try:
            serializer.instance = mapping_services.column_mapping_update(
                column_mapping=serializer.instance, name=values.get("name"), mapping=values.get("mapping")
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    def perform_destroy(self, instance: ColumnMapping) -> None:
        mapping_services.column_mapping_delete(column_mapping=instance)

"""API of bulk operations: create a job over a selection (201, pending), confirm it (202), follow it, read its
per-item results. Thin: the work is in ``passports.services.bulk``.

Every write takes an ``Idempotency-Key`` (``passports.idempotency``, the middleware every API write goes through):
a client that lost the answer to a create or a confirm sends the same request again and gets the same job, never a
second one. Nothing is signed before ``POST /bulk-jobs/{id}/confirm``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import error_body
from core.ids import IdField
from passports.api.base import OrganizationScopedMixin
from passports.api.passport_serializers import OrgScopedPrimaryKeyField
from passports.models import BulkJob, BulkJobItem, ImportJob, Organization, Passport
from passports.roles import member_may
from passports.selectors.passports import passport_list
from passports.services import bulk
from passports.tenancy import request_membership, request_scopes

MAX_IDS = 10_000


def _korean() -> bool:
    return (get_language() or "en").startswith("ko")


class BulkJobSerializer(serializers.ModelSerializer[BulkJob]):
    progress = serializers.FloatField(read_only=True)
    model_passport = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    error = serializers.SerializerMethodField()
    items_url = serializers.SerializerMethodField()
    confirm_url = serializers.SerializerMethodField()

    class Meta:
        model = BulkJob
        fields = [
            "id",
            "operation",
            "policy",
            "status",
            "phase",
            "source",
            "import_job",
            "model_passport",
            "reason",
            "publish_created",
            "total",
            "done",
            "succeeded",
            "failed",
            "progress",
            "error",
            "items_url",
            "confirm_url",
            "created_at",
            "confirmed_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_error(self, job: BulkJob) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {
            "code": job.error_code,
            "message": job.error_ko if _korean() else job.error_en,
            "message_en": job.error_en,
            "message_ko": job.error_ko,
        }

    def get_items_url(self, job: BulkJob) -> str:
        return f"/api/v1/bulk-jobs/{job.pk}/items"

    def get_confirm_url(self, job: BulkJob) -> str | None:
        return f"/api/v1/bulk-jobs/{job.pk}/confirm" if job.status == BulkJob.Status.PENDING else None


class BulkItemSerializer(serializers.ModelSerializer[BulkJobItem]):
    message = serializers.SerializerMethodField()

    class Meta:
        model = BulkJobItem
        fields = ["position", "passport", "key", "outcome", "version", "code", "message", "message_en", "message_ko"]
        read_only_fields = fields

    def get_message(self, item: BulkJobItem) -> str:
        return item.message_ko if _korean() else item.message_en


class SerialRangeSerializer(serializers.Serializer[Any]):
    prefix = serializers.CharField(max_length=20, allow_blank=True, default="")
    first = serializers.IntegerField(min_value=0)
    last = serializers.IntegerField(min_value=0)
    width = serializers.IntegerField(min_value=0, max_value=20, default=0)


class PassportFilterSerializer(serializers.Serializer[Any]):
    """The passport list's filters: every passport they match, across all pages."""

    search = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.CharField(max_length=10, required=False, allow_blank=True)
    schema = serializers.CharField(max_length=60, required=False, allow_blank=True)
    granularity = serializers.ChoiceField(choices=Passport.Granularity.choices, required=False, allow_blank=True)
    product = IdField(required=False)


class BulkCreateSerializer(serializers.Serializer[Any]):
    """One way of selecting: ``passports`` (ids), ``filter`` (across pages), ``import_job``, or for
    ``create_items`` a ``model_passport`` with ``serials`` or ``serial_range``."""

    operation = serializers.ChoiceField(choices=BulkJob.Operation.choices)
    policy = serializers.ChoiceField(choices=BulkJob.Policy.choices, default=BulkJob.Policy.VALID_ONLY)
    passports = serializers.ListField(
        child=IdField(), required=False, max_length=MAX_IDS, allow_empty=False
    )
    filter = PassportFilterSerializer(required=False)
    import_job = OrgScopedPrimaryKeyField(ImportJob, required=False)
    model_passport = OrgScopedPrimaryKeyField(Passport, required=False)
    serials = serializers.ListField(child=serializers.CharField(max_length=40), required=False, allow_empty=False)
    serial_range = SerialRangeSerializer(required=False)
    publish = serializers.BooleanField(default=False, help_text="create_items: publish the new item passports too")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        ways = [name for name in ("passports", "filter", "import_job") if name in attrs]
        if attrs["operation"] == BulkJob.Operation.CREATE_ITEMS:
            if "model_passport" not in attrs:
                raise serializers.ValidationError({"model_passport": ["Name the model passport the items inherit."]})
            if ("serials" in attrs) == ("serial_range" in attrs):
                raise serializers.ValidationError({"serials": ["Give either serials or serial_range."]})
        elif len(ways) != 1:
            raise serializers.ValidationError(
                {"passports": ["Select with exactly one of passports, filter or import_job."]}
            )
        return attrs


def _refusal(exc: bulk.BulkRequestError) -> Response:
    message = exc.message_ko if _korean() else exc.message_en
    detail = {
        "pointer": "/" + exc.field.replace("[", "/").replace("]", ""),
        "code": exc.code,
        "message": message,
        "message_en": exc.message_en,
        "message_ko": exc.message_ko,
    }
    code = status.HTTP_409_CONFLICT if exc.code == "not_pending" else status.HTTP_400_BAD_REQUEST
    return Response(error_body(exc.code, message, [detail]), status=code)


_JOB_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema_view(retrieve=extend_schema(parameters=[_JOB_ID]))
class BulkJobViewSet(
    OrganizationScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[BulkJob]
):
    """Bulk jobs of the caller's organization: create (pending), confirm, follow with GET."""

    serializer_class = BulkJobSerializer
    lookup_value_regex = r"\d+"

    def get_org_queryset(self, org: Organization) -> QuerySet[BulkJob]:
        return BulkJob.objects.filter(organization=org).order_by("-created_at", "-pk")

    def _check_role(self, operation: str) -> None:
        """Revoking in bulk needs the role revoking one passport needs (``passports.roles``)."""
        if operation != BulkJob.Operation.REVOKE:
            return
        if getattr(self.request.user, "client", None) is not None:
            allowed = "write" in request_scopes(self.request)
        else:
            allowed = member_may(request_membership(self.request), "passport.revoke")
        if not allowed:
            raise PermissionDenied("Your role in the organization does not allow revoking passports.")

    @extend_schema(
        request=BulkCreateSerializer,
        responses={201: BulkJobSerializer, 400: OpenApiTypes.OBJECT},
        description="Create a bulk job over a selection. 201 with the job awaiting confirmation (nothing is done "
        "yet; `total` says how many items it holds); 400 naming the field at fault. Send an Idempotency-Key.",
    )
    def create(self, request: Request) -> Response:
        serializer = BulkCreateSerializer(data=request.data, context={"organization": self.organization})
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        self._check_role(values["operation"])
        org = self.organization
        selection: bulk.Selection | None = None
        if "passports" in values:
            selection = bulk.Selection(passport_ids=values["passports"], source="api")
        elif "filter" in values:
            chosen = passport_list(org=org, filters=dict(values["filter"]))
            selection = bulk.Selection(passports=chosen, source="api filter")
        elif "import_job" in values:
            job = values["import_job"]
            selection = bulk.Selection(import_job=job, source=job.original_name)
        serials: list[str] | None = values.get("serials")
        try:
            if "serial_range" in values:
                serials = bulk.serials_from_range(**values["serial_range"])
            created = bulk.bulk_job_create(
                org=org,
                by=request.user,
                operation=values["operation"],
                policy=values["policy"],
                selection=selection,
                parent=values.get("model_passport"),
                serials=serials,
                reason=values["reason"],
                publish_created=values["publish"],
            )
        except bulk.BulkRequestError as exc:
            return _refusal(exc)
        return Response(BulkJobSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        parameters=[_JOB_ID],
        responses={202: BulkJobSerializer, 409: OpenApiTypes.OBJECT},
        description="Confirm a pending job: it is queued and runs in a worker. 409 when it is not pending.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        self._check_role(job.operation)
        try:
            job = bulk.bulk_job_confirm(job=job, by=request.user)
        except bulk.BulkRequestError as exc:
            return _refusal(exc)
        job.refresh_from_db()
        return Response(BulkJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, parameters=[_JOB_ID], responses={200: BulkJobSerializer, 409: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Drop a job that was never confirmed."""
        try:
            job = bulk.bulk_job_cancel(job=self.get_object(), by=request.user)
        except bulk.BulkRequestError as exc:
            return _refusal(exc)
        return Response(BulkJobSerializer(job).data)

    @extend_schema(
        parameters=[_JOB_ID, OpenApiParameter("outcome", str, enum=list(BulkJobItem.Outcome.values))],
        responses=BulkItemSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def items(self, request: Request, pk: str | None = None) -> Response:
        """Per-item results in selection order (paginated); ``outcome=refused`` lists what was not done and why."""
        job = self.get_object()
        rows = job.items.order_by("position")
        outcome = request.query_params.get("outcome")
        if outcome:
            if outcome not in BulkJobItem.Outcome.values:
                raise serializers.ValidationError({"outcome": [f"One of {', '.join(BulkJobItem.Outcome.values)}."]})
            rows = rows.filter(outcome=outcome)
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]  # the items of a job, paginated as jobs are
        if page is not None:
            return self.get_paginated_response(BulkItemSerializer(page, many=True).data)
        return Response(BulkItemSerializer(rows, many=True).data)

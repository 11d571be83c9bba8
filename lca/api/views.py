"""API views of carbon footprints. Thin: selectors read, services write, the engine calculates.

Every view serves the caller's organization only (``OrganizationScopedMixin``); shared emission factors
are readable by all and writable by none. Viewers read; owners and editors write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import error_body
from core.filtering import IdFilter
from core.openapi import ERROR_ENVELOPE
from core.parsers import OrjsonParser
from lca import selectors, services
from lca.api.serializers import (
    GRAPH_EXAMPLE,
    GRAPH_SCHEMA,
    ActivitySerializer,
    BomLineSerializer,
    CalculationResultSerializer,
    ComputeRequestSerializer,
    FactorSerializer,
    FootprintSerializer,
    FootprintSummarySerializer,
    ProductFootprintSerializer,
    ProfileSerializer,
    RecalculationJobSerializer,
    RecalculationRequestSerializer,
    SupplierFootprintSerializer,
)
from lca.computation import FootprintError, battery_figures, result_json
from lca.engine.footprint import GraphError, calculate
from lca.engine.graph import __doc__ as GRAPH_FORMAT  # noqa: N812  # the engine's documentation of the format
from lca.models import (
    ActivityData,
    BomLine,
    EmissionFactor,
    Footprint,
    FootprintProfile,
    RecalculationJob,
    SupplierFootprint,
)
from passports.api.base import OrganizationScopedMixin, OrganizationScopedViewSet
from passports.api.views import as_drf_validation_error
from passports.models import Organization


class Conflict(APIException):
    status_code = 409
    default_detail = "The row is still in use."
    default_code = "in_use"


def _saved(call: Any, **kwargs: Any) -> Any:
    """Run a service, turning model validation errors into the API's 400 envelope."""
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_validation_error(exc) from exc


class _ScopedWrites(OrganizationScopedViewSet):
    """Create, update and delete through the services named by the subclass."""

    create_service: Any
    update_service: Any
    update_kwarg: str
    delete_service: Any

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["organization"] = self.organization
        return context

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = _saved(type(self).create_service, org=self.organization, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = _saved(
            type(self).update_service, **{self.update_kwarg: serializer.instance}, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        type(self).delete_service(**{self.update_kwarg: instance})


class FactorFilter(filters.FilterSet):
    dataset = filters.CharFilter()
    region = filters.CharFilter()
    key = filters.CharFilter()
    shared = filters.BooleanFilter(field_name="organization", lookup_expr="isnull")

    class Meta:
        model = EmissionFactor
        fields = ["dataset", "region", "key", "shared"]


class FactorViewSet(OrganizationScopedViewSet):
    """Emission factors: the shared open datasets plus the organization's own. Shared ones are read-only.

    Changing the unit or values of an own factor recalculates, in the background, every stored footprint
    that uses it (``/lca/recalculations/``).
    """

    serializer_class = FactorSerializer
    filterset_class = FactorFilter
    search_fields = ["key", "name", "activity", "region"]
    ordering_fields = ["key", "name", "year"]

    def get_org_queryset(self, org: Organization) -> QuerySet[EmissionFactor]:
        return selectors.factor_list(org=org)

    def _own(self, factor: EmissionFactor) -> EmissionFactor:
        if factor.is_shared:
            raise PermissionDenied("Factors of the shared dataset are read-only; add your own factor instead.")
        return factor

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = _saved(services.factor_create, org=self.organization, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        factor = self._own(serializer.instance)
        serializer.instance = _saved(
            services.factor_update, factor=factor, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: EmissionFactor) -> None:
        try:
            services.factor_delete(factor=self._own(instance))
        except services.FactorInUseError as exc:
            raise Conflict(str(exc)) from exc


class ProductRowFilter(filters.FilterSet):
    product = IdFilter(field_name="product_id")


class ActivityFilter(ProductRowFilter):
    stage = filters.ChoiceFilter(choices=ActivityData._meta.get_field("stage").choices)
    factor = IdFilter(field_name="factor_id")

    class Meta:
        model = ActivityData
        fields = ["product", "stage", "factor"]


class ActivityViewSet(_ScopedWrites):
    """Activity data: per declared unit of a product, an amount of a factor's activity, of an upstream
    product, or of a directly emitted gas, with its lifecycle stage and data quality."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    search_fields = ["process", "notes"]
    ordering_fields = ["product", "stage", "created_at"]
    create_service = services.activity_create
    update_service = services.activity_update
    update_kwarg = "activity"
    delete_service = services.activity_delete

    def get_org_queryset(self, org: Organization) -> QuerySet[ActivityData]:
        return selectors.activity_list(org=org)


class BomFilter(ProductRowFilter):
    component = IdFilter(field_name="component_id")

    class Meta:
        model = BomLine
        fields = ["product", "component"]


class BomLineViewSet(_ScopedWrites):
    """Bill-of-materials lines: how much of each component one declared unit of a product takes."""

    serializer_class = BomLineSerializer
    filterset_class = BomFilter
    ordering_fields = ["product", "created_at"]
    create_service = services.bom_line_create
    update_service = services.bom_line_update
    update_kwarg = "line"
    delete_service = services.bom_line_delete

    def get_org_queryset(self, org: Organization) -> QuerySet[BomLine]:
        return selectors.bom_line_list(org=org)


class SupplierFootprintFilter(filters.FilterSet):
    component = IdFilter(field_name="component_id")
    pact_id = filters.CharFilter()

    class Meta:
        model = SupplierFootprint
        fields = ["component", "pact_id"]


class SupplierFootprintViewSet(_ScopedWrites):
    """Suppliers' declared footprints of components. A change recalculates the footprints that use them."""

    serializer_class = SupplierFootprintSerializer
    filterset_class = SupplierFootprintFilter
    search_fields = ["source", "partner", "pact_id"]
    ordering_fields = ["component", "valid_from", "created_at"]
    update_kwarg = "declaration"

    def get_org_queryset(self, org: Organization) -> QuerySet[SupplierFootprint]:
        return selectors.supplier_footprint_list(org=org)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = _saved(
            services.supplier_footprint_create, org=self.organization, by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = _saved(
            services.supplier_footprint_update,
            declaration=serializer.instance,
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: SupplierFootprint) -> None:
        services.supplier_footprint_delete(declaration=instance, by=self.request.user)


class ProfileFilter(ProductRowFilter):
    class Meta:
        model = FootprintProfile
        fields = ["product"]


class ProfileViewSet(_ScopedWrites):
    """Footprint profiles: a product's declared unit, GWP set and, for a battery, its service-life energy."""

    serializer_class = ProfileSerializer
    filterset_class = ProfileFilter
    create_service = services.profile_create
    update_service = services.profile_update
    update_kwarg = "profile"

    def get_org_queryset(self, org: Organization) -> QuerySet[FootprintProfile]:
        return selectors.profile_list(org=org)

    def perform_destroy(self, instance: FootprintProfile) -> None:
        instance.delete()


class FootprintFilter(ProductRowFilter):
    current = filters.BooleanFilter(field_name="is_current")

    class Meta:
        model = Footprint
        fields = ["product", "current"]


class FootprintViewSet(OrganizationScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Stored footprints of the organization's products, newest first; the list shows summaries."""

    filterset_class = FootprintFilter
    ordering_fields = ["computed_at", "total_kg_co2e"]

    def get_org_queryset(self, org: Organization) -> QuerySet[Footprint]:
        queryset = selectors.footprint_list(org=org)
        if self.action == "list":
            return queryset.defer("result", "factors_used", "by_gas", "data_quality", "battery", "gaps")
        return queryset

    def get_serializer_class(self) -> Any:
        return FootprintSummarySerializer if self.action == "list" else FootprintSerializer


class RecalculationJobViewSet(OrganizationScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Background recalculations of stored footprints and their progress; POST asks for one."""

    serializer_class = RecalculationJobSerializer
    filter_backends: list[Any] = []
    # JSON only: every field of a request is optional, so a form body that parses to nothing would quietly
    # ask for a full recalculation instead of being refused.
    parser_classes = [OrjsonParser]

    def get_org_queryset(self, org: Organization) -> QuerySet[RecalculationJob]:
        return selectors.recalculation_job_list(org=org)

    @extend_schema(request=RecalculationRequestSerializer, responses={201: RecalculationJobSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RecalculationRequestSerializer(data=request.data, context={"organization": self.organization})
        serializer.is_valid(raise_exception=True)
        job = services.recalculation_job_create(
            org=self.organization, product_ids=serializer.validated_data.get("product_ids"), by=request.user
        )
        job.refresh_from_db()
        return Response(RecalculationJobSerializer(job).data, status=status.HTTP_201_CREATED)


def _graph_error(exc: GraphError | FootprintError) -> Response:
    detail: dict[str, Any]
    if isinstance(exc, FootprintError):
        detail = exc.as_detail()
    else:
        detail = {
            "pointer": exc.pointer or "/",
            "code": "graph_error",
            "message": exc.message,
            "process": exc.process_id,
        }
    return Response(error_body("graph_error", str(exc), [detail]), status=status.HTTP_400_BAD_REQUEST)


class CalculateView(OrganizationScopedMixin, APIView):
    """Calculate the footprint of a self-contained process graph; nothing is stored."""

    required_scope = "read"

    @extend_schema(
        operation_id="lca_calculate",
        request={"application/json": GRAPH_SCHEMA},
        responses={
            200: CalculationResultSerializer,
            400: OpenApiResponse(
                response=ERROR_ENVELOPE,
                description=(
                    "The graph cannot be solved (a singular loop, an unknown process or factor, a unit of the wrong "
                    "dimension): the envelope's details name the process and the exchange by JSON Pointer, e.g. "
                    "/processes/0/inputs/1/unit."
                ),
            ),
        },
        examples=[OpenApiExample("battery cell", value=GRAPH_EXAMPLE, request_only=True)],
        description=(
            "Factor ids resolve against the shared open dataset and the caller's own factors (its own wins). "
            "An optional `battery` object adds the per-kWh figure and performance class.\n\n" + (GRAPH_FORMAT or "")
        ),
    )
    def post(self, request: Request) -> Response:
        graph = request.data
        if not isinstance(graph, dict):
            return Response(
                error_body(
                    "graph_error",
                    "The graph must be a JSON object.",
                    [{"pointer": "/", "code": "graph_error", "message": "not an object"}],
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = calculate(graph, selectors.OrganizationFactorLookup(self.organization))
        except GraphError as exc:
            return _graph_error(exc)
        body = result_json(result)
        if graph.get("battery") is not None:
            battery = _battery_answer(graph["battery"], result.by_stage)
            if isinstance(battery, Response):
                return battery
            body["battery"] = battery
        return Response(body)


def _battery_answer(spec: Any, by_stage: dict[str, float]) -> dict[str, Any] | Response:
    def refuse(message: str, pointer: str = "/battery") -> Response:
        return Response(
            error_body("invalid", message, [{"pointer": pointer, "code": "invalid", "message": message}]),
            status=status.HTTP_400_BAD_REQUEST,
        )

    if not isinstance(spec, dict):
        return refuse("battery must be an object")
    values: dict[str, float] = {}
    for name, default in (("rated_energy_kwh", None), ("full_equivalent_cycles", None), ("usable_fraction", 1.0)):
        value = spec.get(name, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return refuse(f"{name} must be a number", f"/battery/{name}")
        values[name] = float(value)
    try:
        return battery_figures(by_stage, **values)
    except ValueError as exc:
        return refuse(str(exc))


class ProductFootprintView(OrganizationScopedMixin, APIView):
    """A product's footprint: GET the current one with its history, POST to compute and store a new one."""

    @extend_schema(responses=ProductFootprintSerializer)
    def get(self, request: Request, pk: str) -> Response:
        product = selectors.product_get(org=self.organization, pk=pk)
        history = selectors.footprint_history(product=product)
        return Response(
            ProductFootprintSerializer(
                {
                    "product": product.pk,
                    "current": selectors.footprint_current(product=product),
                    "history": history,
                    "history_count": selectors.footprint_count(product=product)
                    if len(history) >= 100
                    else len(history),
                }
            ).data
        )

    @extend_schema(
        request=ComputeRequestSerializer,
        responses={
            200: FootprintSerializer,
            400: OpenApiResponse(
                response=ERROR_ENVELOPE,
                description=(
                    "The recorded rows cannot be solved: details name the row (activity, bill-of-materials line or "
                    "supplier footprint) and its field."
                ),
            ),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        product = selectors.product_get(org=self.organization, pk=pk)
        try:
            footprint = services.footprint_compute(product=product, by=request.user)
        except FootprintError as exc:
            return _graph_error(exc)
        # 200, not 201: the answer is the product's footprint as now computed, at the URL that was posted to.
        return Response(FootprintSerializer(footprint).data)

"""Partners and access over the API: grants (given by the caller's organization) and its access log.

The same services and selectors as the web pages (``passports.services.grants``, ``passports.selectors.access``),
the same role rule: members read, owners give and revoke. API clients may read but never grant: giving a
partner access to restricted data is a person's decision, recorded under their name.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from core.ids import IdField
from passports.api.base import OrganizationScopedMixin
from passports.api.views import as_drf_validation_error
from passports.models import AccessLogEntry, AccessRequest, ApiClient, Grant, OperatorLink, Organization
from passports.permissions import IsOrganizationMember, IsOrganizationOwner
from passports.selectors import access as selectors
from passports.selectors.access import find_grantee
from passports.services.access_requests import access_request_create, access_request_grant, access_request_refuse
from passports.services.grants import grant_create, grant_revoke
from passports.tenancy import request_organization


class IdListField(serializers.ListField):
    """Ids in, ids out: written as a list of ids, read back from the grant's chosen objects, so the OpenAPI
    schema shows ``products`` and ``passports`` in responses as well as in requests."""

    def to_representation(self, data: Any) -> list[Any]:
        items = data.all() if hasattr(data, "all") else data
        return [getattr(item, "pk", item) for item in items]


class AccessRequestRateThrottle(SimpleRateThrottle):
    """Scope ``access_request``: how many access requests one party may send per period, over the API.

    Counted per requesting organization (whichever of its people or clients asks), on top of the service's
    stored counts (``MAX_PENDING`` per owner, ``MAX_PER_DAY``), which answer 400 naming the limit: the throttle
    stops a burst before it reaches the database, with 429 and ``Retry-After``.
    """

    scope = "access_request"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        org = request_organization(request)
        if request.method != "POST" or getattr(view, "action", None) != "create" or org is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": str(org.pk)}


class GrantSerializer(serializers.ModelSerializer[Grant]):
    grantee = serializers.CharField(
        write_only=True,
        max_length=120,
        help_text="The partner: an organization's slug, EORI, LEI or VAT number, or an API client ID.",
    )
    rights = serializers.ListField(
        child=serializers.ChoiceField(choices=list(Grant.RIGHTS)), allow_empty=False, help_text="What it may read."
    )
    products = IdListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Ids of the chosen products (scope ``products``).",
    )
    passports = IdListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Ids of the chosen passports (scope ``passports``).",
    )
    grantee_organization = serializers.SerializerMethodField()
    grantee_client = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = Grant
        fields = [
            "id",
            "grantee",
            "grantee_organization",
            "grantee_client",
            "rights",
            "scope",
            "category",
            "products",
            "passports",
            "purpose",
            "starts_at",
            "expires_at",
            "revoked_at",
            "state",
            "created_at",
        ]
        read_only_fields = ["id", "revoked_at", "created_at"]
        extra_kwargs = {"starts_at": {"required": False}}

    def get_grantee_organization(self, grant: Grant) -> dict[str, Any] | None:
        org = grant.grantee_organization
        return {"id": org.pk, "name": org.name, "slug": org.slug} if org else None

    def get_grantee_client(self, grant: Grant) -> dict[str, Any] | None:
        client = grant.grantee_client
        return {"id": client.pk, "name": client.name, "client_id": client.client_id} if client else None

    def get_state(self, grant: Grant) -> str:
        return grant.state()

    def to_representation(self, instance: Grant) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["rights"] = instance.rights
        return data


class GrantViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Grant],
):
    """Grants the caller's organization gave; ``POST .../revoke`` ends one from the next request on."""

    serializer_class = GrantSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        if self.request.method in SAFE_METHODS:
            return [IsOrganizationMember()]
        return [IsOrganizationMember(), IsOrganizationOwner()]

    def get_org_queryset(self, org: Organization) -> QuerySet[Grant]:
        return selectors.grants_given(org=org)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        grantee = find_grantee(data.pop("grantee"))
        if grantee is None:
            raise ValidationError({"grantee": ["No organization or active API client on the platform has this name."]})
        try:
            serializer.instance = grant_create(
                grantor=self.organization,
                by=self.request.user,
                grantee_organization=grantee if isinstance(grantee, Organization) else None,
                grantee_client=grantee if isinstance(grantee, ApiClient) else None,
                **data,
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    @extend_schema(request=None, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        grant = grant_revoke(grant=self.get_object(), by=request.user)
        return Response(GrantSerializer(grant).data, status=status.HTTP_200_OK)


class AccessLogEntrySerializer(serializers.ModelSerializer[AccessLogEntry]):
    identifier = serializers.CharField(
        source="subject", read_only=True, help_text="The passport's identifier, or 'PACT <id>' for a footprint."
    )

    class Meta:
        model = AccessLogEntry
        fields = [
            "id",
            "at",
            "passport",
            "product",
            "footprint_id",
            "identifier",
            "version_number",
            "tier",
            "output",
            "basis",
            "grant",
            "reader_label",
            "reader_organization",
            "reader_client",
        ]


class AccessLogFilterSerializer(serializers.Serializer[Any]):
    passport = IdField(required=False)
    reader = IdField(required=False, help_text="The reading organization's id")
    tier = serializers.ChoiceField(required=False, choices=["legitimate_interest", "authority"])
    output = serializers.ChoiceField(required=False, choices=AccessLogEntry.Output.choices)
    since = serializers.DateField(required=False, help_text="First day, included")
    until = serializers.DateField(required=False, help_text="Last day, included")


class AccessLogListView(OrganizationScopedMixin, ListAPIView[AccessLogEntry]):
    """Reads of the organization's passports above the public tier by others, newest first."""

    serializer_class = AccessLogEntrySerializer
    permission_classes = [IsOrganizationMember]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AccessLogEntry]:
        if getattr(self, "swagger_fake_view", False):
            return AccessLogEntry.objects.none()
        offered = {k: v for k, v in self.request.query_params.items() if k in AccessLogFilterSerializer().fields}
        checked = AccessLogFilterSerializer(data=offered)
        if not checked.is_valid():
            raise ValidationError(checked.errors)
        return selectors.access_log(org=self.organization, filters=dict(checked.validated_data))

    @extend_schema(parameters=[AccessLogFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class AccessRequestSerializer(serializers.ModelSerializer[AccessRequest]):
    identifier = serializers.CharField(
        write_only=True, max_length=300, help_text="The Digital Link identifier of the passport asked about."
    )
    passport_identifier = serializers.CharField(source="passport.identifier", read_only=True)
    owner = serializers.CharField(source="organization.name", read_only=True)
    requester_name = serializers.CharField(source="requester.name", read_only=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "identifier",
            "passport_identifier",
            "owner",
            "requester_name",
            "purpose",
            "status",
            "decided_at",
            "grant",
            "created_at",
        ]
        read_only_fields = ["id", "status", "decided_at", "grant", "created_at"]


class AccessRequestFilterSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(
        required=False, choices=["received", "sent"], help_text="received (default): asked of us; sent: by us"
    )


class AccessRequestViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[AccessRequest],
):
    """Requests for access: ask a passport's owner (``POST``), see the answer (``status``); owners answer with
    ``POST .../grant`` or ``.../refuse``."""

    serializer_class = AccessRequestSerializer
    filter_backends: list[Any] = []
    throttle_classes = [*viewsets.GenericViewSet.throttle_classes, AccessRequestRateThrottle]

    def get_permissions(self) -> list[Any]:
        if self.action in {"grant", "refuse"}:
            return [IsOrganizationMember(), IsOrganizationOwner()]
        return [IsOrganizationMember()]

    def get_org_queryset(self, org: Organization) -> QuerySet[AccessRequest]:
        if self.action == "list":
            checked = AccessRequestFilterSerializer(data=dict(self.request.query_params.items()))
            if not checked.is_valid():
                raise ValidationError(checked.errors)
            if checked.validated_data.get("direction") == "sent":
                return selectors.requests_sent(org=org)
        if self.action == "retrieve":
            return selectors.requests_received(org=org) | selectors.requests_sent(org=org)
        return selectors.requests_received(org=org)

    @extend_schema(parameters=[AccessRequestFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        passport = selectors.requestable_passport(data.pop("identifier"))
        if passport is None:
            raise ValidationError({"identifier": ["No published passport has this identifier."]})
        client = getattr(self.request.user, "client", None)
        try:
            serializer.instance = access_request_create(
                requester=self.organization,
                passport=passport,
                purpose=data.get("purpose", ""),
                by=self.request.user,
                client=client if isinstance(client, ApiClient) else None,
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc

    def _answer(self, answer: Any) -> Response:
        try:
            answered = answer(request=self.get_object(), by=self.request.user)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc
        return Response(AccessRequestSerializer(answered).data)

    @extend_schema(request=None, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def grant(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(access_request_grant)

    @extend_schema(request=None, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(access_request_refuse)


class OperatorLinkSerializer(serializers.ModelSerializer[OperatorLink]):
    """One passport naming one organization as its economic operator (``passports.services.operators``)."""

    owner = serializers.CharField(source="organization.name", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    identifier_of_passport = serializers.CharField(source="passport.identifier", read_only=True)

    class Meta:
        model = OperatorLink
        fields = [
            "id",
            "passport",
            "identifier_of_passport",
            "owner",
            "operator",
            "operator_name",
            "identifier",
            "named_at",
            "version_number",
            "created_at",
        ]
        read_only_fields = fields


class OperatorLinkFilterSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(
        required=False,
        choices=["given", "received"],
        help_text="given (default): our passports and the operators that see them; received: others' passports "
        "naming us as their economic operator",
    )


class OperatorLinkListView(OrganizationScopedMixin, ListAPIView[OperatorLink]):
    """Economic operators named in published passports, who see them at the legitimate-interest tier without a
    grant (issue 14 item 6): the owner lists who does, the operator lists what it sees. Read-only: the link
    follows from the published data, and the owner matches again on the passport's page."""

    serializer_class = OperatorLinkSerializer
    permission_classes = [IsOrganizationMember]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[OperatorLink]:
        if getattr(self, "swagger_fake_view", False):
            return OperatorLink.objects.none()
        checked = OperatorLinkFilterSerializer(data=dict(self.request.query_params.items()))
        if not checked.is_valid():
            raise ValidationError(checked.errors)
        if checked.validated_data.get("direction") == "received":
            return selectors.operator_links_received(org=self.organization)
        return selectors.operator_links_given(org=self.organization).select_related("organization")

    @extend_schema(parameters=[OperatorLinkFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

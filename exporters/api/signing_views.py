"""API of signed passports: public verification, QR codes, exports, signing keys and suspension. Thin views.

``POST /verify`` is open to anyone (throttled per caller); everything else serves the caller's organization
and answers 404 for another organization's passport.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.parsers import OrjsonParser
from exporters import selectors
from exporters.credentials.signing import MAX_TOKEN_BYTES
from exporters.credentials.vc import MEDIA_TYPE as VC_JWT
from exporters.credentials.verification import verify_token
from exporters.formats.aas import AASX_MEDIA_TYPE
from exporters.formats.exports import EXPORT_FORMATS, ExportError, export_version
from exporters.models import SigningKey
from exporters.reports.selectors import passport_for_report, version_for_report
from exporters.resolver.carriers import qr_code_for
from exporters.services.credentials import NotIssuableError, credential_suspend
from passports.api.base import OrganizationScopedMixin
from passports.permissions import IsOrganizationMember
from passports.roles import RoleForAction
from passports.tiers import TIERS


class VcJwtParser(BaseParser):
    """``application/vc+jwt`` bodies: the compact JWS itself, read as ``{"credential": <the JWS>}``."""

    media_type = VC_JWT

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> dict[str, str]:
        raw = stream.read(MAX_TOKEN_BYTES + 1)
        if len(raw) > MAX_TOKEN_BYTES:
            raise ValidationError({"credential": ["The credential is larger than any passport credential."]})
        try:
            return {"credential": raw.decode("ascii")}
        except UnicodeDecodeError as exc:
            raise ValidationError({"credential": ["A compact JWS is ASCII text."]}) from exc


class VerifyRateThrottle(SimpleRateThrottle):
    """One budget per caller (client, user or address) for the public verifier, whoever calls it.

    The rate is ``DEFAULT_THROTTLE_RATES["verify"]`` when the deployment sets one, else the anonymous rate.
    """

    scope = "verify"

    def get_rate(self) -> str | None:
        rates = self.THROTTLE_RATES
        return rates.get("verify") or rates.get("anon")

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        ident = str(user.pk) if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


VERIFY_RESULT = inline_serializer(
    "VerificationResult",
    {
        "valid": serializers.BooleanField(),
        "issuer": serializers.CharField(allow_null=True),
        "kid": serializers.CharField(allow_null=True),
        "status": serializers.ChoiceField(["active", "revoked", "suspended", "unknown"]),
        "checks": serializers.ListField(child=serializers.DictField()),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


class VerifyView(APIView):
    """Verify a passport credential issued on this platform: signature, key, validity, status, linked data."""

    permission_classes = [AllowAny]
    throttle_classes = [VerifyRateThrottle]
    parser_classes = [OrjsonParser, VcJwtParser]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="What the verifier accepts; POST a credential to verify it.",
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "accepts": ['application/json {"credential": "<compact JWS>"}', VC_JWT],
                "verifies": "credentials issued by organizations of this platform (did:web, resolved locally)",
                "status": ["active", "revoked", "suspended", "unknown"],
            }
        )

    @extend_schema(
        request={
            "application/json": inline_serializer("VerifyRequest", {"credential": serializers.CharField()}),
            VC_JWT: OpenApiTypes.STR,
        },
        responses={200: VERIFY_RESULT},
    )
    def post(self, request: Request) -> Response:
        data = request.data
        token = data.get("credential") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise ValidationError({"credential": ['Send the compact JWS as {"credential": "..."} or as vc+jwt.']})
        return Response(verify_token(token).as_dict())


class _PassportQrView(OrganizationScopedMixin, APIView):
    kind = "svg"

    def qr_response(self, pk: str) -> HttpResponse:
        passport = passport_for_report(org=self.organization, pk=pk)
        code = qr_code_for(passport)
        if self.kind == "svg":
            response = HttpResponse(code.svg, content_type="image/svg+xml")
        else:
            response = HttpResponse(bytes(code.png), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="passport-{passport.pk}-qr.{self.kind}"'
        response["Cache-Control"] = "private, max-age=86400"
        return response


class PassportQrSvgView(_PassportQrView):
    """The passport's QR code (its GS1 Digital Link URI) as SVG, made once at publication."""

    kind = "svg"

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: str) -> HttpResponse:
        return self.qr_response(pk)


class PassportQrPngView(_PassportQrView):
    """The passport's QR code as PNG (8 px per module)."""

    kind = "png"

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: str) -> HttpResponse:
        return self.qr_response(pk)


class ExportFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` names the export format on this route, not DRF's renderer override; errors are JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class PassportExportView(OrganizationScopedMixin, APIView):
    """A passport version in another format: VC-JWT, VC JSON, Battery Pass 1.2.0, AAS (JSON or AASX), plain JSON or
    flat CSV."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = ExportFormatNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(EXPORT_FORMATS), description="Export format (default json)"),
            OpenApiParameter("tier", str, enum=list(TIERS), description="Access tier of the data (default authority)"),
            OpenApiParameter("version", int, description="Version number (default: the published one)"),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, VC_JWT): OpenApiTypes.STR,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, AASX_MEDIA_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        passport = passport_for_report(org=self.organization, pk=pk)
        version = version_for_report(passport, request.query_params.get("version"))
        # Absent means the default; given but empty is a mistake the schema's enum refuses, so it is named.
        fmt = request.query_params.get("format", "json")
        tier = request.query_params.get("tier", "authority")
        if fmt not in EXPORT_FORMATS:
            raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
        if tier not in TIERS:
            raise ValidationError({"tier": [f"Use one of: {', '.join(TIERS)}."]})
        try:
            exported = export_version(version, fmt=fmt, tier=tier)
        except ExportError as exc:
            raise ValidationError({"format": [str(exc)]}) from exc
        response = HttpResponse(exported.body, content_type=exported.media_type)
        # RFC 6266 through Django: a lot may hold '"' or ';' (GS1 character set 82), which a quoted name broke.
        response["Content-Disposition"] = content_disposition_header(True, exported.filename) or "attachment"
        return response


class SigningKeySerializer(serializers.ModelSerializer[SigningKey]):
    """Public facts of a key only: the encrypted private key is never serialized."""

    class Meta:
        model = SigningKey
        fields = ["kid", "alg", "status", "public_jwk", "fingerprint", "created_at", "retired_at", "compromised_at"]
        read_only_fields = fields


class SigningKeyListView(OrganizationScopedMixin, APIView):
    """The organization's signing keys (public halves): what its DID document publishes, with their history."""

    @extend_schema(responses={200: SigningKeySerializer(many=True)})
    def get(self, request: Request) -> Response:
        keys = selectors.signing_key_list(org=self.organization)
        return Response(SigningKeySerializer(keys, many=True).data)


class SuspensionSerializer(serializers.Serializer[Any]):
    suspended = serializers.BooleanField()


class VersionSuspensionView(OrganizationScopedMixin, APIView):
    """Suspend a version's credential (its bit in the suspension status list) or lift the suspension (owners,
    as on the web: ``passports.roles``)."""

    permission_classes = [IsOrganizationMember, RoleForAction]
    role_action = "credential.suspend"

    @extend_schema(request=SuspensionSerializer, responses={200: VERIFY_RESULT})
    def post(self, request: Request, pk: str, number: int) -> Response:
        passport = passport_for_report(org=self.organization, pk=pk)
        version = version_for_report(passport, number)
        serializer = SuspensionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            issued = credential_suspend(version=version, suspended=serializer.validated_data["suspended"])
        except NotIssuableError as exc:
            raise NotFound(str(exc)) from exc
        return Response(verify_token(issued.jws).as_dict(), status=status.HTTP_200_OK)

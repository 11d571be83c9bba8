"""How API callers are recognised: partner systems by OAuth2 client credentials, people by session.

A partner's access token (RFC 6749 §4.4, issued at ``/auth/token``) belongs to an ``ApiClient``, which
belongs to one organization and carries its scopes. The request's "user" is then an ``ApiClientPrincipal``
rather than a Django user, so everything downstream asks the same two questions of any caller: which
organization, and may it read or write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.oauth2_validators import OAuth2Validator
from rest_framework import exceptions
from rest_framework.request import Request

from passports.models import ApiClient, Organization


@dataclass(frozen=True)
class ApiClientPrincipal:
    """The caller behind a valid access token. Quacks enough like a user for DRF and our permissions."""

    client: ApiClient
    scopes: frozenset[str] = field(default_factory=frozenset)
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def organization(self) -> Organization:
        return self.client.organization

    @property
    def pk(self) -> str:
        return f"client:{self.client.pk}"

    @property
    def username(self) -> str:
        return f"client:{self.client.client_id}"

    def __str__(self) -> str:
        return self.username


class ApiClientAuthentication(OAuth2Authentication):
    """Bearer tokens of our API clients; a revoked client or an inactive organization is refused."""

    def authenticate(self, request: Request) -> tuple[ApiClientPrincipal, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        _user, token = result
        client = (
            ApiClient.objects.select_related("organization", "application")
            .filter(application_id=token.application_id)
            .first()
        )
        if client is None or client.revoked_at is not None or not client.organization.is_active:
            raise exceptions.AuthenticationFailed("This API client is revoked.", code="client_revoked")
        granted = frozenset(token.scope.split()) & client.scope_set
        return ApiClientPrincipal(client=client, scopes=granted), token


class ClientScopeValidator(OAuth2Validator):
    """Limits each client to the scopes its organization granted it; by default it gets all of them."""

    def _client_scopes(self, client: Any) -> list[str]:
        api_client = ApiClient.objects.filter(application=client, revoked_at__isnull=True).first()
        return sorted(api_client.scope_set) if api_client else []

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return set(scopes).issubset(self._client_scopes(client))

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        return self._client_scopes(request.client)

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        # A revoked client keeps its row (for the audit trail) but gets no new tokens.
        return ApiClient.objects.filter(
            application=request.client, revoked_at__isnull=True, organization__is_active=True
        ).exists()


def revoke_client(client: ApiClient) -> None:
    """Stops a client at once: no new tokens, and every token it holds stops working."""
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at", "updated_at"])
    client.application.accesstoken_set.all().delete()


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes ``ApiClientAuthentication``: OAuth2 client credentials."""

    target_class = "passports.auth.ApiClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/auth/token",
                    "scopes": {"read": "Read the organization's data", "write": "Change it"},
                }
            },
        }

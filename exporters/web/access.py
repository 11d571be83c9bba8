"""Who is looking at a public passport URL, and which access tier that gives them.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(f) and the Battery Regulation ((EU) 2023/1542) Annex XIII split
passport data by who asks. On our public URLs (resolver, data links), which are plain Django views:

- anyone: ``public``;
- an API client (OAuth2 bearer token, ``passports.auth.ApiClientAuthentication``) with the
  ``legitimate_interest`` or ``authority`` scope: that tier;
- a logged-in member, or an API client, of the organization that owns the passport: ``authority`` (all of
  its own data).
A bearer token that does not authenticate is ignored, not an error: the caller still gets the public tier.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.exceptions import APIException

from passports.auth import ApiClientAuthentication, ApiClientPrincipal
from passports.models import Membership, Organization
from passports.tiers import TIERS, tier_rank


def _bearer_principal(request: HttpRequest) -> ApiClientPrincipal | None:
    if not request.headers.get("Authorization", "").lower().startswith("bearer "):
        return None
    try:
        result = ApiClientAuthentication().authenticate(request)  # type: ignore[arg-type]  # oauthlib reads a Django request
    except APIException:
        return None
    return result[0] if result is not None else None


def viewer_tier(request: HttpRequest, org: Organization) -> str:
    """The highest tier the caller may see of ``org``'s passports (see the module docstring)."""
    principal = _bearer_principal(request)
    if principal is not None:
        if principal.organization.pk == org.pk:
            return "authority"
        granted = [tier for tier in TIERS[1:] if tier in principal.scopes]
        return max(granted, key=tier_rank) if granted else "public"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and Membership.objects.filter(user=user, organization=org).exists():
        return "authority"
    return "public"


def is_authenticated_caller(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return _bearer_principal(request) is not None or bool(user is not None and user.is_authenticated)

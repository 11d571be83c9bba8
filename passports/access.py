"""Which access tier a caller gets on one passport: the one rule every output asks.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(d) and 10 and the Battery Regulation ((EU) 2023/1542) Art. 77(2)
and Annex XIII split passport data by who asks; the economic operator responsible for the passport decides
whom it trusts. So a tier is never something a caller declares about itself (an OAuth2 scope, a checkbox
on its own settings page): it follows from who the caller is *for this passport*:

- the people and API clients of the organization that owns the passport see all of its data (``authority``,
  the top tier: it is their own);
- everyone else sees the ``public`` tier, unless the owner gave them more.

The resolver, the data links, the API, the exports, the reports and the credentials all call `access_for`;
nothing caches its answer, so a change of who may see what holds from the next request on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from rest_framework.exceptions import APIException

from passports.auth import ApiClientAuthentication
from passports.models import ApiClient, Membership, Passport

#: Why a caller has its tier; the access log records it beside the tier.
OWNER = "owner"
PUBLIC = "public"


@dataclass(frozen=True)
class Viewer:
    """Who is reading, reduced to what the tier rule looks at.

    A person acts for every active organization they belong to (any of them may entitle them); an API client
    acts for its own organization only. An anonymous caller has neither.
    """

    organizations: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None
    client_id: int | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.client_id is None


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class Access:
    """The tier a viewer gets on one passport, and why (``owner``, ``public``)."""

    tier: str
    basis: str


def viewer_of_client(client: ApiClient) -> Viewer:
    """An API client acts for the organization that owns it."""
    return Viewer(organizations=frozenset({client.organization_id}), client_id=client.pk)


def viewer_of_user(user: Any) -> Viewer:
    """A logged-in person acts for each active organization they are a member of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    client = getattr(user, "client", None)  # an ApiClientPrincipal from DRF authentication
    if isinstance(client, ApiClient):
        return viewer_of_client(client)
    organizations = Membership.objects.filter(user=user, organization__is_active=True).values_list(
        "organization_id", flat=True
    )
    return Viewer(organizations=frozenset(organizations), user_id=user.pk)


def viewer_of_request(request: HttpRequest) -> Viewer:
    """The caller of a plain Django view: a bearer token's API client, else the session's person.

    A bearer token that does not authenticate (expired, revoked client) is ignored, not an error: the caller
    is then anonymous and gets the public tier, as anyone scanning the product would.
    """
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        try:
            result = ApiClientAuthentication().authenticate(request)  # type: ignore[arg-type]  # oauthlib reads a Django request
        except APIException:
            return ANONYMOUS
        return viewer_of_client(result[0].client) if result is not None else ANONYMOUS
    return viewer_of_user(getattr(request, "user", None))


def access_for(viewer: Viewer, passport: Passport) -> Access:
    """The tier ``viewer`` gets on ``passport``, computed afresh on every call (see the module docstring)."""
    if passport.organization_id in viewer.organizations:
        return Access(tier="authority", basis=OWNER)
    return Access(tier="public", basis=PUBLIC)


def tier_for(viewer: Viewer, passport: Passport) -> str:
    """Shorthand for ``access_for(viewer, passport).tier``."""
    return access_for(viewer, passport).tier

"""Which organization a request acts for.

A person may belong to several organizations; the active one is remembered in the session (switchable),
defaulting to their first membership. An API client always acts for the organization that owns it.
Every request-serving query is scoped by the organization returned from ``request_organization``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from passports.models import Membership, Organization

SESSION_KEY = "active_organization_id"


def active_membership(request: HttpRequest) -> Membership | None:
    """The membership a logged-in person acts through, or None for anonymous callers and outsiders."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "memberships"):
        return None
    memberships = Membership.objects.select_related("organization").filter(user=user, organization__is_active=True)
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if wanted is not None:
        chosen = memberships.filter(organization_id=wanted).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("created_at", "pk").first()


def request_membership(request: Any) -> Membership | None:
    """The caller's active membership, looked up once per request."""
    cache = getattr(request, "_dpp_membership", ...)
    if cache is ...:
        cache = active_membership(request)
        request._dpp_membership = cache
    return cache


def request_organization(request: Any) -> Organization | None:
    """The organization a request acts for: the API client's, else the person's active membership's."""
    user = getattr(request, "user", None)
    client_org = getattr(user, "organization", None)
    if isinstance(client_org, Organization):
        # A client handed to an outside party reads what is granted to it, not its issuer's own data.
        return None if getattr(getattr(user, "client", None), "outside_party", False) else client_org
    membership = request_membership(request)
    return membership.organization if membership is not None else None


def request_scopes(request: Any) -> frozenset[str]:
    """What the caller may do, in OAuth2 scope terms, whether it is a client or a person."""
    user = getattr(request, "user", None)
    scopes = getattr(user, "scopes", None)
    if scopes is not None:
        return frozenset(scopes)
    membership = request_membership(request)
    if membership is None:
        return frozenset()
    granted = {"read"}
    if membership.can_edit:
        granted.add("write")
    return frozenset(granted)


def organization_context(request: HttpRequest) -> dict[str, Any]:
    membership = request_membership(request)
    return {
        "active_membership": membership,
        "active_organization": membership.organization if membership else None,
    }

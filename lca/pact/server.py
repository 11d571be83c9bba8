"""The host side of the PACT API: who is calling, what they may see, filters, pages and the error answers.

Callers authenticate with the same OAuth2 client-credentials tokens as ``/api/v1`` (issued at
``/auth/token``). The answers follow the specifications' error tables (v2.3 §6.9, v3.0 "Error responses"):

- a missing, unknown or malformed token: v2 ``BadRequest`` 400 (v2.3's table has no 401 for it), v3 401 with
  the code ``BadRequest`` (v3.0 answers 401; its ``Error`` enum has no other code for it and both WBCSD
  tools expect ``BadRequest``); an expired token ``TokenExpired`` 401 in both, so a client knows to fetch a
  new one;
- ``AccessDenied`` 403 only for a valid token that lacks the permission (the ``read`` scope, the ``write``
  scope an answering event needs); a valid reading client that is shared nothing gets 200 and an empty list;
- malformed parameters ``BadRequest`` 400; a filter value the parameter's schema forbids (a ``companyId``
  that is no URN, a ``status`` outside the enum) matches nothing instead, as the conformance tool expects;
- a footprint the caller cannot see: v2 ``NoSuchFootprint`` (v2's normative error table, which the 2.3
  OpenAPI enum alone spells ``NotFound``), v3 ``NotFound``; 404 either way, like one that does not exist,
  so nothing about its existence leaks.

Pages are keyset pages: the ``cursor`` of a next-page link encodes the last row's ``(created_at, id)``, so
the link returns the same page each time it is called (v3 "Pagination" 4 to 6) and costs one index range scan
however deep it goes, unlike an offset. The list's queries are SQL, in ``lca.pact.listing``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from oauth2_provider.models import AccessToken

from core.proxies import peer_address
from core.throttling import window_allows
from lca.pact import filters, listing
from lca.pact.models import PactFootprint
from passports.access import client_grant_rows

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000


class PactError(Exception):
    """An answer in the specification's ``{"code", "message"}`` form."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self) -> HttpResponse:
        body = json.dumps({"code": self.code, "message": self.message})
        response = HttpResponse(body, status=self.status, content_type="application/json")
        for name, value in self.headers.items():
            response[name] = value
        return response


def bad_request(message: str) -> PactError:
    return PactError(400, "BadRequest", message)


def not_found(version: str, message: str = "The requested footprint does not exist.") -> PactError:
    return PactError(404, "NoSuchFootprint" if version == "2" else "NotFound", message)


def access_denied(message: str) -> PactError:
    return PactError(403, "AccessDenied", message)


def unauthenticated(version: str, message: str) -> PactError:
    """No usable token: v2 400 ``BadRequest``, v3 401 (RFC 6750 asks 401 to name the scheme it wants)."""
    if version == "2":
        return bad_request(message)
    return PactError(401, "BadRequest", message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


@dataclass(frozen=True)
class Caller:
    client_id: int
    organization_id: int
    scopes: frozenset[str]


#: What ``identify`` decides on, read through django-oauth-toolkit's AccessToken model in one query: the
#: token's expiry and scope, its API client (by the application's ``api_client`` relation) and organization.
_TOKEN_FIELDS: Final = (
    "expires",
    "scope",
    "application__api_client__id",
    "application__api_client__organization_id",
    "application__api_client__revoked_at",
    "application__api_client__scopes",
    "application__api_client__organization__is_active",
)


def too_many(wait: int) -> PactError:
    return PactError(
        429, "TooManyRequests", f"Too many requests; retry in {wait} s.", headers={"Retry-After": str(wait)}
    )


def authenticate(request: HttpRequest, version: str) -> Caller:
    """The caller, counted against its budget: each partner client has its own (``PACT_THROTTLE_RATE``), and
    requests without a usable token count against their address (``PACT_THROTTLE_ANON_RATE``; the real peer,
    see ``core.proxies``), so a flood of bad tokens does not spend a partner's budget or cost a query each."""
    try:
        caller = identify(request, version)
    except PactError as error:
        if error.status in {400, 401}:
            wait = window_allows(f"pact-anon:{peer_address(request)}", settings.PACT_THROTTLE_ANON_RATE)
            if wait:
                raise too_many(wait) from error
        raise
    wait = window_allows(f"pact-client:{caller.client_id}", settings.PACT_THROTTLE_RATE)
    if wait:
        raise too_many(wait)
    return caller


def identify(request: HttpRequest, version: str) -> Caller:
    """The API client behind the request's bearer token, in one query; raises ``PactError`` otherwise.

    django-oauth-toolkit deletes nothing when a token expires, so an expired token is still found by its
    checksum, which tells "expired" (401 ``TokenExpired``: fetch a new token) from "unknown". A token of a
    revoked client, or of a deactivated organization, is no longer a token. One query through
    django-oauth-toolkit's own model (token, client and organization), reading only what is decided on.
    """
    scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated(
            version, "Send an OAuth2 access token from /auth/token as 'Authorization: Bearer <token>'."
        )
    checksum = hashlib.sha256(token.strip().encode()).hexdigest()
    row = AccessToken.objects.filter(token_checksum=checksum).values_list(*_TOKEN_FIELDS).first()
    if row is None:
        raise unauthenticated(version, "The access token is invalid.")
    expires, token_scope, client_id, organization_id, revoked_at, client_scopes, org_active = row
    if expires < timezone.now():
        raise PactError(401, "TokenExpired", "The access token has expired; request a new one.")
    if client_id is None or revoked_at is not None or not org_active:
        raise unauthenticated(version, "The API client of this access token is revoked.")
    scopes = frozenset(token_scope.split()) & frozenset(client_scopes.split())
    return Caller(client_id=client_id, organization_id=organization_id, scopes=scopes)


def require_scope(caller: Caller, scope: str) -> None:
    if scope not in caller.scopes:
        raise access_denied(f"The access token lacks the '{scope}' scope.")


def shares_of(caller: Caller) -> listing.Shares:
    """What the caller's grants with the ``pact_footprints`` right cover (one query, ``passports.access``);
    ``AccessDenied`` when its token lacks the ``read`` scope. A client nobody grants footprints to reads an
    empty list: its token is valid, there is just nothing for it. Read on every request: a revoked or expired
    grant stops the next one."""
    require_scope(caller, "read")
    rows = client_grant_rows(caller.client_id, "pact_footprints")
    grants: dict[tuple[int, int | None], int] = {}
    for grant, org, product in rows:
        grants.setdefault((org, product), grant)
    return listing.Shares(
        organizations={org for _grant, org, product in rows if product is None},
        products={product for _grant, _org, product in rows if product is not None},
        grants=grants,
    )


def visible_footprints(caller: Caller) -> QuerySet[PactFootprint]:
    """Footprints shared with the caller's client, as a queryset (one footprint, or a request's answer)."""
    return PactFootprint.objects.filter(shares_of(caller).q())


def parse_limit(query: QueryDict) -> int:
    raw = query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise bad_request("limit must be a positive integer.")
    return min(int(raw), MAX_LIMIT)


def encode_cursor(created_at: datetime, pk: int) -> str:
    raw = json.dumps([created_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, int]:
    try:
        created, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        moment = datetime.fromisoformat(created)
        if not isinstance(pk, int) or moment.tzinfo is None:
            raise ValueError(text)
    except (ValueError, TypeError) as exc:
        raise bad_request("The pagination cursor is malformed.") from exc
    return moment, pk


def list_conditions(request: HttpRequest, version: str, shares: listing.Shares) -> listing.Conditions:
    """What the caller may see, narrowed by the version's filters: v3's query parameters, v2's ``$filter``."""
    conditions = listing.Conditions()
    shares.limit(conditions)
    try:
        if version == "2":
            conditions.add(f"{listing.column('document_v2')} IS NOT NULL")
            filters.v2_filter_conditions(conditions, request.GET.get("$filter", ""))
        else:
            criteria = {name: request.GET.getlist(name) for name in filters.V3_CRITERIA}
            filters.v3_conditions(conditions, criteria)
    except filters.FilterError as exc:
        raise bad_request(str(exc)) from exc
    return conditions


def next_link(request: HttpRequest, cursor: str) -> str:
    """An absolute link on the request's own host, keeping every parameter but the cursor (RFC 8288)."""
    query = request.GET.copy()
    query["cursor"] = cursor
    url = request.build_absolute_uri(request.path) + "?" + query.urlencode()
    return f'<{url}>; rel="next"'


def page_of(
    request: HttpRequest, conditions: listing.Conditions, *, document: str, limit: int
) -> tuple[list[str], list[tuple[int, str]], str | None]:
    """The page's documents as JSON text (read as text from the database: no parse and re-serialise), their
    rows' ``(id, creation time as text)`` (for the access log) and the next-page link if more rows remain."""
    cursor = request.GET.get("cursor")
    if cursor:
        listing.after(conditions, *decode_cursor(cursor))
    rows = listing.page(conditions, document=document, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    link = next_link(request, encode_cursor(listing.moment_from_db(last[0]), last[1])) if last else None
    return [text for _created, _pk, text in rows], [(pk, created) for created, pk, _text in rows], link


def json_list_response(texts: list[str], link: str | None) -> HttpResponse:
    response = HttpResponse('{"data":[' + ",".join(texts) + "]}", content_type="application/json")
    if link:
        response["Link"] = link
    return response

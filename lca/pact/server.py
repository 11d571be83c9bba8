"""The host side of the PACT API: who is calling, what they may see, filters, pages and the error answers.

Callers authenticate with the same OAuth2 client-credentials tokens as ``/api/v1`` (issued at
``/auth/token``). The answers follow the specifications' error table (v2.3 §6.9, v3.0 "Error responses"):
an unknown or missing token is ``AccessDenied`` 403, an expired one ``TokenExpired`` 401, a client nobody
shares footprints with ``AccessDenied`` 403, malformed parameters ``BadRequest`` 400, a footprint the
caller cannot see ``NotFound`` 404 (both OpenAPI files name the v2 ``NoSuchFootprint`` case ``NotFound``;
their ``Error`` schema allows no other spelling, and a footprint of a company that did not share it with
the caller answers 404 like one that does not exist, so nothing about its existence leaks).

Pages are keyset pages: the ``cursor`` of a next-page link encodes the last row's ``(created_at, id)``, so
the link returns the same page each time it is called (v3 "Pagination" 4 to 6) and costs one index range scan
however deep it goes, unlike an offset. The list's queries are SQL, in ``lca.pact.listing``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from oauth2_provider.models import AccessToken

from lca.pact import listing
from lca.pact.models import PactFootprint, Sharing
from passports.models import ApiClient, Organization

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000
V3_LIST_FILTERS: Final = ("productId", "companyId", "geography", "classification")
V3_TIME_FILTERS: Final = ("validOn", "validAfter", "validBefore")


class PactError(Exception):
    """An answer in the specification's ``{"code", "message"}`` form."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> HttpResponse:
        body = json.dumps({"code": self.code, "message": self.message})
        return HttpResponse(body, status=self.status, content_type="application/json")


def bad_request(message: str) -> PactError:
    return PactError(400, "BadRequest", message)


def not_found(message: str = "The requested footprint does not exist.") -> PactError:
    return PactError(404, "NotFound", message)


def access_denied(message: str) -> PactError:
    return PactError(403, "AccessDenied", message)


@dataclass(frozen=True)
class Caller:
    client_id: int
    organization_id: int
    scopes: frozenset[str]


def _token_sql() -> str:
    token, client, org = AccessToken._meta, ApiClient._meta, Organization._meta
    # Table names from the models' metadata; every value is a parameter.
    return (
        "SELECT t.expires < %s, t.scope, c.id, c.organization_id, c.revoked_at IS NOT NULL, c.scopes, o.is_active "  # noqa: S608
        f"FROM {token.db_table} t "
        f"LEFT JOIN {client.db_table} c ON c.application_id = t.application_id "
        f"LEFT JOIN {org.db_table} o ON o.id = c.organization_id "
        f"WHERE t.token_checksum = %s"
    )


TOKEN_SQL: Final = _token_sql()
SHARING_SQL: Final = f"SELECT organization_id, product_id FROM {Sharing._meta.db_table} WHERE partner_id = %s"  # noqa: S608


def authenticate(request: HttpRequest) -> Caller:
    """The API client behind the request's bearer token, in one query; raises ``PactError`` otherwise.

    django-oauth-toolkit deletes nothing when a token expires, so an expired token is still found by its
    checksum, which tells "expired" (401 ``TokenExpired``: fetch a new token) from "unknown" (403). The
    query is SQL (see ``lca.pact.listing``): token, client and organization, reading only what is decided on.
    """
    scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise access_denied("Send an OAuth2 access token from /auth/token as 'Authorization: Bearer <token>'.")
    checksum = hashlib.sha256(token.strip().encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_SQL, [listing.moment_param(timezone.now()), checksum])
        row = cursor.fetchone()
    if row is None:
        raise access_denied("The access token is invalid.")
    expired, token_scope, client_id, organization_id, revoked, client_scopes, org_active = row
    if expired:
        raise PactError(401, "TokenExpired", "The access token has expired; request a new one.")
    if client_id is None or revoked or not org_active:
        raise access_denied("The API client of this access token is revoked.")
    scopes = frozenset(token_scope.split()) & frozenset(client_scopes.split())
    return Caller(client_id=client_id, organization_id=organization_id, scopes=scopes)


def shares_of(caller: Caller) -> listing.Shares:
    """The caller's sharings (one query); ``AccessDenied`` when the client may read none, or its token lacks
    the ``read`` scope."""
    if "read" not in caller.scopes:
        raise access_denied("The access token lacks the 'read' scope.")
    with connection.cursor() as cursor:
        cursor.execute(SHARING_SQL, [caller.client_id])
        rows = cursor.fetchall()
    if not rows:
        raise access_denied("No organization shares product footprints with this client.")
    return listing.Shares(
        organizations={org for org, product in rows if product is None},
        products={product for _org, product in rows if product is not None},
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


def _moment(query: QueryDict, name: str) -> datetime | None:
    raw = query.get(name)
    if raw is None:
        return None
    moment = parse_datetime(raw.replace(" ", "+"))
    if moment is None:
        raise bad_request(f"{name} must be an RFC 3339 date-time.")
    return moment if moment.tzinfo else timezone.make_aware(moment, UTC)


def v3_filters(conditions: listing.Conditions, query: QueryDict) -> None:
    """v3 ``ListFootprints`` filters: a repeated parameter ORs its values, different parameters AND."""
    columns = {"productId": "product_ids_key", "companyId": "company_ids_key", "classification": "classifications_key"}
    for name, column in columns.items():
        values = [v.strip().lower() for v in query.getlist(name) if v.strip()]
        if values:
            if any(not v.startswith("urn:") for v in values):
                raise bad_request(f"{name} values must be URNs.")
            listing.containing_any(conditions, column, values)
    geographies = sorted({v.strip().upper().split("-", 1)[0] for v in query.getlist("geography") if v.strip()})
    if geographies:
        # We declare geography at country level; a region or subdivision filter matches its country code.
        conditions.add(f"{listing.column('geography')} IN ({listing.placeholders(geographies)})", *geographies)
    start, end = listing.column("validity_start"), listing.column("validity_end")
    valid_on = _moment(query, "validOn")
    if valid_on is not None:
        conditions.add(f"{start} <= %s AND {end} >= %s", *[listing.moment_param(valid_on)] * 2)
    valid_after = _moment(query, "validAfter")
    if valid_after is not None:
        conditions.add(f"{start} > %s", listing.moment_param(valid_after))
    valid_before = _moment(query, "validBefore")
    if valid_before is not None:
        conditions.add(f"{end} < %s", listing.moment_param(valid_before))
    statuses = sorted({v.strip().lower() for v in query.getlist("status") if v.strip()})
    if statuses:
        known = {"active": PactFootprint.Status.ACTIVE, "deprecated": PactFootprint.Status.DEPRECATED}
        if any(s not in known for s in statuses):
            raise bad_request("status must be Active or Deprecated.")
        wanted = [str(known[s]) for s in statuses]
        conditions.add(f"{listing.column('status')} IN ({listing.placeholders(wanted)})", *wanted)


def next_link(request: HttpRequest, cursor: str) -> str:
    """An absolute link on the request's own host, keeping every parameter but the cursor (RFC 8288)."""
    query = request.GET.copy()
    query["cursor"] = cursor
    url = request.build_absolute_uri(request.path) + "?" + query.urlencode()
    return f'<{url}>; rel="next"'


def page_of(
    request: HttpRequest, conditions: listing.Conditions, *, document: str, limit: int
) -> tuple[list[str], str | None]:
    """The page's documents as JSON text (read as text from the database: no parse and re-serialise) and
    the next-page link if more rows remain."""
    cursor = request.GET.get("cursor")
    if cursor:
        listing.after(conditions, *decode_cursor(cursor))
    rows = listing.page(conditions, document=document, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    link = next_link(request, encode_cursor(listing.moment_from_db(last[0]), last[1])) if last else None
    return [text for _created, _pk, text in rows], link


def json_list_response(texts: list[str], link: str | None) -> HttpResponse:
    response = HttpResponse('{"data":[' + ",".join(texts) + "]}", content_type="application/json")
    if link:
        response["Link"] = link
    return response

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
however deep it goes, unlike an offset.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from django.db.models import Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from oauth2_provider.models import AccessToken

from lca.pact.models import PactFootprint, Sharing
from passports.models import ApiClient

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
    client: ApiClient
    scopes: frozenset[str]


def authenticate(request: HttpRequest) -> Caller:
    """The API client behind the request's bearer token, in one query; raises ``PactError`` otherwise.

    django-oauth-toolkit deletes nothing when a token expires, so an expired token is still found by its
    checksum, which tells "expired" (401 ``TokenExpired``: fetch a new token) from "unknown" (403).
    """
    scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise access_denied("Send an OAuth2 access token from /auth/token as 'Authorization: Bearer <token>'.")
    checksum = hashlib.sha256(token.strip().encode()).hexdigest()
    access = (
        AccessToken.objects.select_related("application__api_client__organization")
        .filter(token_checksum=checksum)
        .first()
    )
    if access is None:
        raise access_denied("The access token is invalid.")
    if access.is_expired():
        raise PactError(401, "TokenExpired", "The access token has expired; request a new one.")
    client: ApiClient | None = getattr(access.application, "api_client", None) if access.application else None
    if client is None or client.revoked_at is not None or not client.organization.is_active:
        raise access_denied("The API client of this access token is revoked.")
    return Caller(client=client, scopes=frozenset(access.scope.split()) & client.scope_set)


def visible_footprints(caller: Caller) -> QuerySet[PactFootprint]:
    """Footprints shared with the caller's client (one query for the sharings); ``AccessDenied`` when the
    client may read none, or its token lacks the ``read`` scope."""
    if "read" not in caller.scopes:
        raise access_denied("The access token lacks the 'read' scope.")
    shares = list(Sharing.objects.filter(partner=caller.client).values_list("organization_id", "product_id"))
    if not shares:
        raise access_denied("No organization shares product footprints with this client.")
    whole_orgs = {org for org, product in shares if product is None}
    products = {product for _org, product in shares if product is not None}
    return PactFootprint.objects.filter(Q(organization_id__in=whole_orgs) | Q(product_id__in=products))


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


def after_cursor(queryset: QuerySet[PactFootprint], cursor: str | None) -> QuerySet[PactFootprint]:
    if not cursor:
        return queryset
    created, pk = decode_cursor(cursor)
    return queryset.filter(Q(created_at__gt=created) | Q(created_at=created, pk__gt=pk))


def _moment(query: QueryDict, name: str) -> datetime | None:
    raw = query.get(name)
    if raw is None:
        return None
    moment = parse_datetime(raw.replace(" ", "+"))
    if moment is None:
        raise bad_request(f"{name} must be an RFC 3339 date-time.")
    return moment if moment.tzinfo else timezone.make_aware(moment, UTC)


def _contains_any(field: str, values: list[str]) -> Q:
    condition = Q()
    for value in values:
        condition |= Q(**{f"{field}__contains": f"|{value.strip().lower()}|"})
    return condition


def apply_v3_filters(queryset: QuerySet[PactFootprint], query: QueryDict) -> QuerySet[PactFootprint]:
    """v3 ``ListFootprints`` filters: a repeated parameter ORs its values, different parameters AND."""
    columns = {"productId": "product_ids_key", "companyId": "company_ids_key", "classification": "classifications_key"}
    for name, column in columns.items():
        values = [v for v in query.getlist(name) if v.strip()]
        if values:
            if any(not v.strip().lower().startswith("urn:") for v in values):
                raise bad_request(f"{name} values must be URNs.")
            queryset = queryset.filter(_contains_any(column, values))
    geographies = [v.strip().upper() for v in query.getlist("geography") if v.strip()]
    if geographies:
        # We declare geography at country level; a region or subdivision filter matches its country code.
        queryset = queryset.filter(geography__in={g.split("-", 1)[0] for g in geographies})
    valid_on = _moment(query, "validOn")
    if valid_on is not None:
        queryset = queryset.filter(validity_start__lte=valid_on, validity_end__gte=valid_on)
    valid_after = _moment(query, "validAfter")
    if valid_after is not None:
        queryset = queryset.filter(validity_start__gt=valid_after)
    valid_before = _moment(query, "validBefore")
    if valid_before is not None:
        queryset = queryset.filter(validity_end__lt=valid_before)
    statuses = [v.strip().lower() for v in query.getlist("status") if v.strip()]
    if statuses:
        known = {"active": PactFootprint.Status.ACTIVE, "deprecated": PactFootprint.Status.DEPRECATED}
        if any(s not in known for s in statuses):
            raise bad_request("status must be Active or Deprecated.")
        queryset = queryset.filter(status__in=[known[s] for s in statuses])
    return queryset


def next_link(request: HttpRequest, cursor: str) -> str:
    """An absolute link on the request's own host, keeping every parameter but the cursor (RFC 8288)."""
    query = request.GET.copy()
    query["cursor"] = cursor
    url = request.build_absolute_uri(request.path) + "?" + query.urlencode()
    return f'<{url}>; rel="next"'


def page_of(
    request: HttpRequest, queryset: QuerySet[PactFootprint], *, document: str, limit: int
) -> tuple[list[str], str | None]:
    """The page's documents as JSON text (read as text from the database: no parse and re-serialise) and
    the next-page link if more rows remain."""
    # The page's ids first (an index-ordered scan), then only their documents cast to text: casting in
    # the same select made PostgreSQL cast every visible row before sorting.
    page_ids = after_cursor(queryset, request.GET.get("cursor")).order_by("created_at", "pk").values("pk")
    rows = list(
        PactFootprint.objects.filter(pk__in=Subquery(page_ids[: limit + 1]))
        .order_by("created_at", "pk")
        .annotate(document_text=Cast(document, TextField()))
        .values_list("created_at", "pk", "document_text")
    )
    more = len(rows) > limit
    rows = rows[:limit]
    texts = [value if isinstance(value, str) else json.dumps(value) for _c, _pk, value in rows]
    link = next_link(request, encode_cursor(rows[-1][0], rows[-1][1])) if more and rows else None
    return texts, link


def json_list_response(texts: list[str], link: str | None) -> HttpResponse:
    response = HttpResponse('{"data":[' + ",".join(texts) + "]}", content_type="application/json")
    if link:
        response["Link"] = link
    return response

"""The data-recipient side: pull a supplier's footprints from its PACT host and send it events.

``PactClient`` gets an access token by client credentials (RFC 6749 §4.4, HTTP Basic, form-encoded),
keeps it in the cache until shortly before it expires and fetches a new one when the host answers
``TokenExpired``; follows ``Link: <...>; rel="next"`` pages only on the supplier's own host (a link
elsewhere would carry our token away); checks every document against ``lca.pact.contract``; and retries
connection failures and 5xx answers with exponential backoff. Every request goes through
``core.netguard.guarded_client``: private and loopback addresses are refused unless listed in
``settings.OUTBOUND_ALLOWLIST``.

``footprints_store`` turns pulled documents into ``SupplierFootprint`` rows of the components whose GTIN
the footprint names, and schedules the recalculation of the products that use them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.netguard import OutboundUrlRefusedError, guarded_client
from lca.models import SupplierFootprint
from lca.pact.contract import ContractError, check_list_body
from lca.pact.events import CONTENT_TYPE
from lca.pact.mapping import DEPRECATED, PactMappingError, ReceivedFootprint, gtins_of, read_document
from lca.pact.models import SupplierEndpoint
from lca.services import recalculation_schedule, supplier_footprint_create, supplier_footprint_update
from passports import audit
from passports.models import Organization, Product

_LINK_NEXT: Final = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)
TOKEN_MARGIN_SECONDS: Final = 30
MAX_PAGES: Final = 10_000


class PactClientError(Exception):
    """The supplier's host could not be used; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` target of an RFC 8288 Link header, if any."""
    if not header:
        return None
    match = _LINK_NEXT.search(header)
    return match.group(1) if match else None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class PactClient:
    """One supplier's PACT host, seen from our side."""

    def __init__(
        self,
        endpoint: SupplierEndpoint,
        *,
        http: httpx.Client | None = None,
        attempts: int = 4,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.http = http or guarded_client(timeout=15.0)
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    # -- tokens --------------------------------------------------------------------------------------------------
    @property
    def _cache_key(self) -> str:
        return f"pact:token:{self.endpoint.pk}:{self.endpoint.client_id}"

    def token(self, *, fresh: bool = False) -> str:
        cached = None if fresh else cache.get(self._cache_key)
        if cached:
            return str(cached)
        response = self._send(
            "POST",
            self.endpoint.auth_url,
            data={"grant_type": "client_credentials"},
            auth=(self.endpoint.client_id, self.endpoint.secret()),
            headers={"Accept": "application/json"},
        )
        if response.status_code != 200:
            raise PactClientError(f"The token endpoint answered {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = int(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise PactClientError("The token endpoint answered no access_token.") from exc
        cache.set(self._cache_key, token, max(1, lifetime - TOKEN_MARGIN_SECONDS))
        return token

    # -- transport -----------------------------------------------------------------------------------------------
    def _send(self, method: str, url: str, **options: Any) -> httpx.Response:
        """One request, retried with exponential backoff on connection errors and 5xx answers."""
        last: str = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            try:
                response = self.http.request(method, url, **options)
            except OutboundUrlRefusedError as exc:
                raise PactClientError(f"Refused outbound address: {exc}") from exc
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                continue
            return response
        raise PactClientError(f"{method} {url} failed after {self.attempts} attempts ({last}).", retryable=True)

    def _authorized(self, method: str, url: str, **options: Any) -> httpx.Response:
        headers = dict(options.pop("headers", {}))
        headers["Authorization"] = f"Bearer {self.token()}"
        response = self._send(method, url, headers=headers, **options)
        if response.status_code in {401, 403} and _code_of(response) in {"TokenExpired", "AccessDenied"}:
            # The cached token expired or was revoked early: one fresh token, one more try.
            headers["Authorization"] = f"Bearer {self.token(fresh=True)}"
            response = self._send(method, url, headers=headers, **options)
        return response

    # -- API -----------------------------------------------------------------------------------------------------
    def footprints(self, *, limit: int = 100) -> Iterator[dict[str, Any]]:
        """Every footprint the supplier shares with us, page by page, each checked against the contract."""
        version = self.endpoint.spec_version
        url: str | None = f"{self.endpoint.base_url}/{version}/footprints?limit={limit}"
        home = _origin(self.endpoint.base_url)
        pages = 0
        while url is not None:
            pages += 1
            if pages > MAX_PAGES:
                raise PactClientError("The supplier's pagination does not end.")
            response = self._authorized("GET", url, headers={"Accept": "application/json"})
            if response.status_code != 200:
                raise PactClientError(f"GET {url} answered {response.status_code}: {response.text[:200]}")
            try:
                body = response.json()
                check_list_body(body, version=version)
            except (ValueError, ContractError) as exc:
                raise PactClientError(f"The supplier's answer is not a PACT v{version} list: {exc}") from exc
            yield from body["data"]
            url = next_link(response.headers.get("link"))
            if url is not None and _origin(url) != home:
                raise PactClientError(f"The next-page link leaves the supplier's host: {url}")

    def post_event(self, event: dict[str, Any], *, version: str | None = None) -> None:
        """POST a CloudEvent to the partner's events endpoint of ``version`` (the endpoint's by default: an
        answer goes out in the version of the request it answers)."""
        version = version or self.endpoint.spec_version
        response = self._authorized(
            "POST",
            f"{self.endpoint.base_url}/{version}/events",
            json=event,
            headers={"Content-Type": CONTENT_TYPE},
        )
        if response.status_code != 200:
            raise PactClientError(
                f"The partner refused the event: {response.status_code} {response.text[:200]}",
                retryable=response.status_code in {401, 408, 429},
            )


def _code_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""


@dataclass
class StoreReport:
    """What one pull changed."""

    received: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    unmatched: int = 0
    refused: list[str] = field(default_factory=list)
    component_ids: set[int] = field(default_factory=set)


def _day(moment: datetime | None) -> Any:
    return moment.date() if moment is not None else None


def _fields_of(footprint: ReceivedFootprint, partner: str) -> dict[str, Any]:
    return {
        "kg_co2e_per_unit": footprint.kg_co2e_per_unit,
        "declared_unit": footprint.declared_unit,
        "biogenic_co2_kg_per_unit": footprint.biogenic_co2_kg_per_unit,
        "luc_kg_co2e_per_unit": footprint.luc_kg_co2e_per_unit,
        "gwp": footprint.gwp if footprint.gwp in {"AR4", "AR5", "AR6"} else "AR6",
        "primary": True,
        "source": f"PACT v{footprint.spec_version.split('.', 1)[0]} ProductFootprint {footprint.pf_id}"[:300],
        "partner": partner[:200],
        "pact_id": footprint.pf_id,
        "valid_from": _day(footprint.valid_from),
        "valid_until": _day(footprint.valid_until),
    }


def _audit(org: Organization, action: str, component: Product, footprint: ReceivedFootprint, partner: str) -> None:

    audit.record(
        org_id=org.pk,
        action=f"supplier_footprint.{action}",
        object_type="supplier_footprint",
        object_id=component.pk,
        object_repr=f"{component.name} ({component.gtin})",
        details={
            "pact_id": str(footprint.pf_id),
            "partner": partner[:200],
            "kg_co2e_per_unit": str(footprint.kg_co2e_per_unit),
            "declared_unit": footprint.declared_unit,
        },
    )


@transaction.atomic
def footprints_store(*, org: Organization, documents: list[dict[str, Any]], partner: str) -> StoreReport:
    """Record received footprints as the organization's supplier footprints of the products they name (by GTIN).

    A footprint already held (same PACT id) is updated; one now ``Deprecated`` is removed, as PACT asks
    recipients not to use deprecated footprints. Every change is an event of the organization's audit trail
    (pulled or sent in answer to our request alike). One recalculation is scheduled for all touched components.
    """

    report = StoreReport()
    for document in documents:
        report.received += 1
        try:
            footprint = read_document(document)
        except PactMappingError as exc:
            report.refused.append(f"{document.get('id', '?')}: {exc}")
            continue
        gtins = gtins_of(footprint.product_ids)
        components = list(Product.objects.filter(organization=org, gtin__in=gtins)) if gtins else []
        if not components:
            report.unmatched += 1
            continue
        for component in components:
            held = SupplierFootprint.objects.filter(organization=org, component=component, pact_id=footprint.pf_id)
            if footprint.status == DEPRECATED:
                removed, _ = held.delete()
                if removed:
                    report.removed += removed
                    report.component_ids.add(component.pk)
                    _audit(org, "pact_removed", component, footprint, partner)
                continue
            existing = held.first()
            fields = _fields_of(footprint, partner or footprint.company_name)
            if existing is None:
                supplier_footprint_create(org=org, component=component, schedule=False, **fields)
                report.created += 1
                _audit(org, "pact_received", component, footprint, partner)
            else:
                supplier_footprint_update(declaration=existing, schedule=False, **fields)
                report.updated += 1
                _audit(org, "pact_updated", component, footprint, partner)
            report.component_ids.add(component.pk)
    if report.component_ids:
        recalculation_schedule(
            component_ids=sorted(report.component_ids), org=org, reason=f"PACT footprints from {partner}"
        )
    return report


def post_event_to(url: str, event: dict[str, Any], *, http: httpx.Client | None = None) -> None:
    """POST a CloudEvent to an events URL we hold no credentials for (resolved from a request's ``source``),
    through the outbound guard; ``PactClientError`` says whether trying later may help."""
    client = http or guarded_client(timeout=15.0)
    try:
        response = client.post(url, json=event, headers={"Content-Type": CONTENT_TYPE})
    except OutboundUrlRefusedError as exc:
        raise PactClientError(f"Refused outbound address: {exc}") from exc
    except httpx.HTTPError as exc:
        raise PactClientError(f"POST {url} failed ({type(exc).__name__}: {exc}).", retryable=True) from exc
    if response.status_code != 200:
        raise PactClientError(
            f"The partner refused the event: {response.status_code} {response.text[:200]}",
            retryable=response.status_code >= 500 or response.status_code in {408, 429},
        )


def endpoint_pull(*, endpoint: SupplierEndpoint, client: PactClient | None = None) -> StoreReport:
    """Pull every footprint a supplier shares with us and store the ones that name our components."""
    pact = client or PactClient(endpoint)
    try:
        documents = list(pact.footprints())
    except PactClientError as exc:
        SupplierEndpoint.objects.filter(pk=endpoint.pk).update(last_error=str(exc)[:2000])
        raise
    report = footprints_store(org=endpoint.organization, documents=documents, partner=endpoint.name)
    SupplierEndpoint.objects.filter(pk=endpoint.pk).update(last_pulled_at=timezone.now(), last_error="")
    return report

"""Writing PACT rows: publishing a product's footprint, sharing it, registering a partner's endpoint."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.jobs import enqueue_after_commit
from lca.pact.events import build_event
from lca.pact.filters import CPC_URN, FilterError, check_criteria, has_v3_criteria
from lca.pact.mapping import (
    DEPRECATED,
    PactFacts,
    PactMappingError,
    PactRecord,
    gtin_urn,
    to_v2,
    to_v3,
    urn_match_key,
)
from lca.pact.models import PactEvent, PactFootprint, SupplierEndpoint
from lca.pact.tasks import pact_event_deliver
from passports.models import ApiClient, Grant, Organization, Product
from passports.services.grants import grant_create

# PACT v2 §4.1.5: without a stated validity period a footprint is valid for 3 years from the end of its
# reference period; we state it explicitly so both versions' filters see the same period.
DEFAULT_VALIDITY = timedelta(days=3 * 365)
#: The purpose of a grant made by `sharing_create` (the form and the API ask for the partner's own words).
PACT_PURPOSE = "Product carbon footprint exchange (PACT)"


def _key(values: list[str] | tuple[str, ...]) -> str:
    return "|" + "|".join(urn_match_key(v) for v in values) + "|"


def company_ids_of(org: Organization) -> tuple[str, ...]:
    """URNs naming the organization: LEI, GLN, EORI where known, always our own uuid-free slug URN."""
    ids = []
    if org.lei:
        ids.append(f"urn:lei:{org.lei}")
    if org.gln:
        ids.append(f"urn:epc:id:sgln:{org.gln}")
    if org.eori:
        ids.append(f"urn:eori:{org.eori}")
    ids.append(f"urn:pact:company:dpp:{org.slug}")
    return tuple(ids)


def facts_for_product(
    *,
    product: Product,
    declared_unit: str,
    pcf_excluding_biogenic: Decimal,
    pcf_including_biogenic: Decimal | None = None,
    mass_kg_per_declared_unit: Decimal | None = None,
    luc_ghg: Decimal = Decimal(0),
    primary_data_share: Decimal | None = None,
    gwp: str = "AR6",
    reference_period: tuple[datetime, datetime] | None = None,
    cpc_code: str = "",
    comment: str = "",
    boundary: str = "Cradle to gate.",
    subdivision: str = "",
) -> PactFacts:
    """Facts of one product as the organization declares them, named from the product and organization rows."""
    org = product.organization
    end = timezone.now().replace(microsecond=0)
    start, end = reference_period or (end - timedelta(days=365), end)
    including = pcf_excluding_biogenic if pcf_including_biogenic is None else pcf_including_biogenic
    uptake = min(Decimal(0), including - pcf_excluding_biogenic)
    classifications = (f"urn:pact:productclassification:un-cpc:{cpc_code}",) if cpc_code else ()
    return PactFacts(
        company_name=org.name,
        company_ids=company_ids_of(org),
        product_ids=(gtin_urn(product.gtin),),
        product_name=product.name,
        product_description=product.description or product.name,
        classifications=classifications,
        cpc_code=cpc_code,
        declared_unit=declared_unit,
        unit_amount=Decimal(1),
        mass_kg_per_declared_unit=(
            mass_kg_per_declared_unit
            if mass_kg_per_declared_unit is not None
            else (Decimal(1) if declared_unit == "kg" else Decimal(0))
        ),
        pcf_excluding_biogenic=pcf_excluding_biogenic,
        pcf_including_biogenic=including,
        fossil_ghg=max(Decimal(0), pcf_excluding_biogenic - luc_ghg),
        luc_ghg=luc_ghg,
        biogenic_uptake=uptake,
        fossil_carbon_content=Decimal(0),
        biogenic_carbon_content=Decimal(0),
        primary_data_share=primary_data_share,
        gwp=gwp,
        geography_country=org.country or None,
        geography_subdivision=subdivision.strip().upper() or None,
        reference_period_start=start,
        reference_period_end=end,
        boundary=boundary,
        comment=comment,
    )


def _render(row: PactFootprint, facts: PactFacts) -> None:
    """Render both documents and the filter columns from the row's identity and the facts."""
    record = PactRecord(
        id=row.pf_id,
        facts=facts,
        created=row.created_at,
        version=row.version,
        preceding_ids=tuple(row.preceding_ids),
        status=row.status,
        status_comment=row.status_comment,
        updated=row.updated_at,
        validity_start=row.validity_start,
        validity_end=row.validity_end,
    )
    row.document_v3 = to_v3(record)
    try:
        row.document_v2 = to_v2(record)
    except PactMappingError:
        # A unit v2 cannot name (piece, hour), or no CPC code: this footprint is served in v3 only.
        row.document_v2 = None
    row.facts = facts.to_json()
    row.product_ids_key = _key(facts.product_ids)
    row.company_ids_key = _key(facts.company_ids)
    row.classifications_key = _key(facts.classifications) if facts.classifications else ""
    row.geography = facts.geography_country or ""
    row.geography_subdivision = facts.geography_subdivision or ""


def pact_footprint_build(
    *,
    org: Organization,
    product: Product,
    facts: PactFacts,
    previous: PactFootprint | None = None,
    source_footprint: Any = None,
    created_at: datetime | None = None,
) -> PactFootprint:
    """An unsaved row for ``facts`` (for bulk loading); ``pact_footprint_publish`` is the everyday path."""
    facts.check()
    now = created_at or timezone.now()
    row = PactFootprint(
        organization=org,
        product=product,
        source_footprint=source_footprint,
        version=(previous.version + 1) if previous else 0,
        preceding_ids=[*(previous.preceding_ids if previous else []), *([str(previous.pf_id)] if previous else [])],
        created_at=now,
        updated_at=None,
        validity_start=facts.reference_period_end,
        validity_end=facts.reference_period_end + DEFAULT_VALIDITY,
    )
    _render(row, facts)
    return row


@transaction.atomic
def pact_footprint_publish(
    *, org: Organization, product: Product, facts: PactFacts, source_footprint: Any = None
) -> PactFootprint:
    """Publish a product's footprint: a new ProductFootprint whose ``precedingPfIds`` name the one(s) it
    replaces, which turn ``Deprecated`` (PACT v2 §4.1.4 / v3 lifecycle: a change is a new id)."""
    if product.organization_id != org.pk:
        raise PactMappingError("The product belongs to another organization.")
    previous = (
        PactFootprint.objects.select_for_update()
        .filter(organization=org, product=product, status=PactFootprint.Status.ACTIVE)
        .order_by("-created_at", "-pk")
        .first()
    )
    row = pact_footprint_build(
        org=org, product=product, facts=facts, previous=previous, source_footprint=source_footprint
    )
    if previous is not None:
        pact_footprint_deprecate(row=previous, comment=f"Replaced by {row.pf_id}.")
    row.save()
    return row


def pact_footprint_deprecate(*, row: PactFootprint, comment: str = "") -> PactFootprint:
    row.status = DEPRECATED
    row.status_comment = comment
    row.updated_at = timezone.now()
    _render(row, PactFacts.from_json(row.facts))
    row.save()
    return row


def sharing_create(*, org: Organization, partner: ApiClient, product: Product | None = None, by: Any = None) -> Grant:
    """Let ``partner`` read the organization's footprints (one product's, or all with ``product=None``).

    A PACT sharing is a grant with the ``pact_footprints`` right (``passports.services.grants``), so it is
    listed, revoked and logged like any other; an identical grant in force is returned instead of a second one.
    """
    if product is not None and product.organization_id != org.pk:
        raise PactMappingError("The product belongs to another organization.")
    scope = Grant.Scope.ALL if product is None else Grant.Scope.PRODUCTS
    existing = Grant.objects.in_force().filter(
        organization=org, grantee_client=partner, pact_footprints=True, scope=scope
    )
    if product is not None:
        existing = existing.filter(products=product)
    found = existing.first()
    if found is not None:
        return found
    return grant_create(
        grantor=org,
        by=by,
        grantee_client=partner,
        scope=scope,
        products=[product] if product is not None else [],
        rights=["pact_footprints"],
        purpose=PACT_PURPOSE,
    )


def supplier_endpoint_create(
    *,
    org: Organization,
    name: str,
    base_url: str,
    auth_url: str,
    client_id: str,
    secret: str,
    spec_version: str = SupplierEndpoint.Version.V3,
    answers_client: ApiClient | None = None,
) -> SupplierEndpoint:
    endpoint = SupplierEndpoint(
        organization=org,
        name=name,
        base_url=base_url.rstrip("/"),
        auth_url=auth_url,
        client_id=client_id,
        spec_version=spec_version,
        answers_client=answers_client,
    )
    endpoint.set_secret(secret)
    endpoint.full_clean(exclude=["secret_sealed"])
    endpoint.save()
    return endpoint


def _v2_example(criteria: dict[str, list[str]]) -> dict[str, Any]:
    """v3-style criteria as a v2 request's footprint by example (``data.pf``)."""
    pf: dict[str, Any] = {}
    if criteria.get("productId"):
        pf["productIds"] = criteria["productId"]
    if criteria.get("companyId"):
        pf["companyIds"] = criteria["companyId"]
    cpc = [c.rsplit(":", 1)[-1] for c in criteria.get("classification", []) if c.lower().startswith(CPC_URN)]
    if cpc:
        pf["productCategoryCpc"] = cpc[0]
    if criteria.get("geography"):
        pf["pcf"] = {"geographyCountry": criteria["geography"][0]}
    return pf


@transaction.atomic
def pact_request_create(*, endpoint: SupplierEndpoint, criteria: dict[str, list[str]], comment: str = "") -> PactEvent:
    """Ask a supplier's host for footprints (a ``RequestCreated`` event) and queue its delivery.

    The answer comes back to our events endpoint from the client we gave that supplier (the endpoint's
    ``answers_client``), which must hold the ``write`` scope; the request's row then shows it fulfilled or
    rejected. ``PactMappingError`` names a criterion that cannot be read.
    """

    wanted = {name: [v.strip() for v in values if v.strip()] for name, values in criteria.items()}
    wanted = {name: values for name, values in wanted.items() if values}
    if not has_v3_criteria(wanted):
        raise PactMappingError("A request needs at least one criterion (a product id, a company id, a geography...).")
    try:
        check_criteria(wanted)
    except FilterError as exc:
        raise PactMappingError(str(exc)) from exc
    version = endpoint.spec_version
    data: dict[str, Any] = {"pf": _v2_example(wanted)} if version == "2" else dict(wanted)
    if version == "2" and not data["pf"]:
        raise PactMappingError("A v2 request asks by product id, company id, CPC code or country.")
    if comment:
        data["comment"] = comment[:500]
    body = build_event(
        version=version, kind="created", source=f"{settings.PLATFORM_BASE_URL}/{version}/events", data=data
    )
    row = PactEvent.objects.create(
        organization=endpoint.organization,
        direction=PactEvent.Direction.OUTBOUND,
        spec_version=version,
        event_id=body["id"],
        event_type=body["type"],
        source=body["source"],
        payload=body,
        endpoint=endpoint,
        status=PactEvent.Status.PENDING,
    )
    enqueue_after_commit(pact_event_deliver, row.pk)
    return row

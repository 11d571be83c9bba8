"""Demo PACT data for ``manage.py seed_demo``: each demo organization publishes footprints of its products
and shares them with a partner client of the other organization, so /2 and /3 answer out of the box; the
importer has registered the maker's host (this same server) as a supplier host and one request of its is
answered, so the exchange pages show a live example."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from lca.pact.events import build_event
from lca.pact.models import PactEvent, PactFootprint, SupplierEndpoint
from lca.pact.services import facts_for_product, pact_footprint_publish, sharing_create, supplier_endpoint_create
from lca.pact.tasks import _answer_received, request_answer
from passports.models import ApiClient, Organization, Product
from passports.services.tenants import api_client_create

# kg CO2e per declared unit; plausible cradle-to-gate magnitudes for the demo products, not measurements.
DEMO_TOTALS = (Decimal("61.3"), Decimal("12.8"), Decimal("4.75"), Decimal("88.1"))
DEMO_CPC = "46410"  # UN CPC 2.1: primary cells and batteries


def _client(of: Organization, name: str, scopes: list[str]) -> tuple[ApiClient, str]:
    """The named demo client, and its secret when it is made now (stored hashed: later runs cannot know it)."""
    existing = ApiClient.objects.filter(organization=of, name=name).first()
    if existing is not None:
        return existing, ""
    return api_client_create(org=of, name=name, scopes=scopes)


def seed_exchange(*, buyer: Organization, supplier: Organization, reader: ApiClient, secret: str) -> None:
    """The buyer registers the supplier's host (this server) with the reader client's credentials, gives the
    supplier a client to answer with, and has one request answered. The request's way through the two hosts
    is recorded as the HTTP exchange would leave it, without a server running during the seed."""
    base = settings.PLATFORM_BASE_URL
    answers, answers_secret = _client(buyer, "PACT demo supplier answers", ["read", "write"])
    host = supplier_endpoint_create(
        org=buyer,
        name=supplier.name,
        base_url=base,
        auth_url=f"{base}/auth/token",
        client_id=reader.client_id,
        secret=secret,
        answers_client=answers,
    )
    if answers_secret and not SupplierEndpoint.objects.filter(organization=supplier, answers_client=reader).exists():
        supplier_endpoint_create(
            org=supplier,
            name=buyer.name,
            base_url=base,
            auth_url=f"{base}/auth/token",
            client_id=answers.client_id,
            secret=answers_secret,
            answers_client=reader,
        )
    wanted = PactFootprint.objects.filter(organization=supplier, status=PactFootprint.Status.ACTIVE).first()
    if wanted is None:
        return
    body = build_event(
        version="3",
        kind="created",
        source=f"{base}/3/events",
        data={"productId": wanted.document_v3["productIds"], "comment": "Demo request"},
    )
    common = {"spec_version": "3", "event_id": body["id"], "event_type": body["type"], "source": body["source"]}
    sent = PactEvent.objects.create(
        organization=buyer, direction="out", payload=body, endpoint=host, status=PactEvent.Status.DELIVERED, **common
    )
    received = PactEvent.objects.create(
        organization=supplier, direction="in", payload=body, client=reader, status=PactEvent.Status.HANDLED, **common
    )
    answer = request_answer(event=received)
    PactEvent.objects.filter(pk=answer.pk).update(status=PactEvent.Status.DELIVERED, attempts=1)
    arrived = PactEvent.objects.create(
        organization=buyer,
        direction="in",
        spec_version="3",
        event_id=answer.event_id,
        event_type=answer.event_type,
        source=answer.source,
        payload=answer.payload,
        client=answers,
        in_reply_to=sent,
        status=PactEvent.Status.HANDLED,
    )
    _answer_received(arrived, "fulfilled" if "Fulfilled" in answer.event_type else "rejected")
    arrived.save(update_fields=["last_error"])


def seed_pact(tenants: Any) -> int:
    """Publish up to four footprints per demo organization (the last one updated once, so both versions'
    lifecycles show) and share them with the other organization's demo partner client. Idempotent."""
    made = 0
    pairs = ((tenants.maker, tenants.importer), (tenants.importer, tenants.maker))
    readers = {}
    for org, partner_org in pairs:
        reader, secret = _client(partner_org, "PACT demo partner", ["read"])
        readers[org.pk] = (reader, secret)
        sharing_create(org=org, partner=reader)
        if PactFootprint.objects.filter(organization=org).exists():
            continue
        products = list(Product.objects.filter(organization=org).order_by("pk")[: len(DEMO_TOTALS)])
        for product, total in zip(products, DEMO_TOTALS, strict=False):
            facts = facts_for_product(
                product=product,
                declared_unit="kg",
                pcf_excluding_biogenic=total,
                primary_data_share=Decimal("35"),
                cpc_code=DEMO_CPC,
            )
            pact_footprint_publish(org=org, product=product, facts=facts)
            made += 1
        if products:
            last = products[-1]
            revised = facts_for_product(
                product=last, declared_unit="kg", pcf_excluding_biogenic=DEMO_TOTALS[0] - 1, cpc_code=DEMO_CPC
            )
            pact_footprint_publish(org=org, product=last, facts=revised)
            made += 1
    reader, secret = readers[tenants.maker.pk]
    if secret:  # first run: the importer's credentials for the maker's host are known only now
        seed_exchange(buyer=tenants.importer, supplier=tenants.maker, reader=reader, secret=secret)
    return made

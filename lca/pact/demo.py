"""Demo PACT data for ``manage.py seed_demo``: each demo organization publishes footprints of its products
and shares them with a partner client of the other organization, so /2 and /3 answer out of the box."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lca.pact.models import PactFootprint
from lca.pact.services import facts_for_product, pact_footprint_publish, sharing_create
from passports.models import ApiClient, Organization, Product

# kg CO2e per declared unit; plausible cradle-to-gate magnitudes for the demo products, not measurements.
DEMO_TOTALS = (Decimal("61.3"), Decimal("12.8"), Decimal("4.75"), Decimal("88.1"))
DEMO_CPC = "46410"  # UN CPC 2.1: primary cells and batteries


def _partner_client(of: Organization) -> ApiClient:
    from passports.services.tenants import api_client_create

    existing = ApiClient.objects.filter(organization=of, name="PACT demo partner").first()
    if existing is not None:
        return existing
    client, _secret = api_client_create(org=of, name="PACT demo partner", scopes=["read"])
    return client


def seed_pact(tenants: Any) -> int:
    """Publish up to four footprints per demo organization (the last one updated once, so both versions'
    lifecycles show) and share them with the other organization's demo partner client. Idempotent."""
    made = 0
    pairs = ((tenants.maker, tenants.importer), (tenants.importer, tenants.maker))
    for org, partner_org in pairs:
        sharing_create(org=org, partner=_partner_client(partner_org))
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
    return made

"""The demo world serves PACT footprints: each organization shares its own with the other's partner client."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lca.pact.models import PactFootprint
from passports.models import Grant, Product

pytestmark = pytest.mark.django_db


def test_seed_demo_publishes_and_shares_footprints() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123  # output not under test
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123  # idempotent: no new rows
    sharings = list(Grant.objects.filter(pact_footprints=True, purpose__startswith="Product carbon footprint"))
    assert len(sharings) == 2
    with_products = [s for s in sharings if Product.objects.filter(organization=s.organization).exists()]
    assert with_products
    for sharing in sharings:
        assert sharing.grantee_client is not None
        assert sharing.grantee_client.organization_id != sharing.organization_id
    for sharing in with_products:
        rows = PactFootprint.objects.filter(organization=sharing.organization)
        assert rows.filter(status="Active").count() >= 1
        assert rows.filter(status="Deprecated").count() == 1  # the revised one keeps its predecessor

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


def test_seed_demo_registers_a_supplier_host_and_answers_one_request() -> None:
    """The exchange pages have a live example: the importer's host registration of the maker (same server,
    secret sealed) and one fulfilled request, with the maker's answer recorded on both sides."""
    from lca.pact.models import PactEvent, SupplierEndpoint
    from passports.models import Organization

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123  # output not under test
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123  # idempotent
    importer = Organization.objects.get(slug="rheinland-battery")
    host = SupplierEndpoint.objects.get(organization=importer)
    assert host.secret() and host.secret() not in host.secret_sealed
    assert host.answers_client is not None and "write" in host.answers_client.scopes
    sent = PactEvent.objects.get(organization=importer, direction="out", in_reply_to__isnull=True)
    assert sent.status == PactEvent.Status.FULFILLED and sent.endpoint == host
    answer = PactEvent.objects.get(direction="out", in_reply_to__event_id=sent.event_id)
    assert answer.event_type.endswith("RequestFulfilledEvent.3") and answer.payload["data"]["pfs"]
    # The maker registered the importer's host too, so a live request is answered over HTTP.
    assert SupplierEndpoint.objects.exclude(organization=importer).get().answers_client.client_id == host.client_id
    # The answered request is a PACT read of the maker's footprints by the importer: in the maker's access log.
    from passports.models import AccessLogEntry

    logged = AccessLogEntry.objects.filter(output="pact", reader_organization=importer)
    assert {str(e.footprint_id) for e in logged} == {pf["id"] for pf in answer.payload["data"]["pfs"]}

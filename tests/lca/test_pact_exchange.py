"""Two organizations on one platform talking PACT over real HTTP (pytest-django's live server on 127.0.0.1):
the buyer pulls the supplier's footprints into its bill of materials, and asks for one by event."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from celery.utils.time import get_exponential_backoff_interval

from lca.models import SupplierFootprint
from lca.pact.client import PactClient, endpoint_pull, footprints_store
from lca.pact.events import build_event
from lca.pact.models import PactEvent
from lca.pact.services import pact_request_create, sharing_create, supplier_endpoint_create
from lca.pact.tasks import (
    DELIVERY_BACKOFF,
    DELIVERY_BACKOFF_MAX,
    DELIVERY_MAX_RETRIES,
    PactDeliveryError,
    event_deliver,
    pact_deliveries_resume,
    pact_event_deliver,
    request_answer,
)
from passports.models import AuditEvent
from tests.factories import ProductFactory
from tests.lca.pact_support import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def supply_chain(tenant: Any, other_tenant: Any, make_credentials: Any, live_server: Any) -> dict[str, Any]:
    """other_tenant supplies a cathode (GTIN shared by both records) to tenant, and issued tenant a client."""
    supplier, buyer = other_tenant.org, tenant.org
    cathode = ProductFactory(organization=supplier, name="Cathode")
    published = publish(supplier, product=cathode, total="2.5")
    issued = make_credentials(supplier, ("read",), name="for the buyer", outside_party=True)
    sharing_create(org=supplier, partner=issued.client)
    component = ProductFactory(organization=buyer, gtin=cathode.gtin, name="Cathode (bought)")
    endpoint = supplier_endpoint_create(
        org=buyer,
        name="Cathode supplier",
        base_url=live_server.url,
        auth_url=f"{live_server.url}/auth/token",
        client_id=issued.client_id,
        secret=issued.secret,
    )
    return {"published": published, "component": component, "endpoint": endpoint, "issued": issued}


def test_pull_stores_supplier_footprints_and_changes_the_product_footprint(tenant: Any, supply_chain: Any) -> None:
    from lca.computation import footprint_compute
    from lca.services import bom_line_create

    pack = ProductFactory(organization=tenant.org, name="Pack")
    bom_line_create(org=tenant.org, product=pack, component=supply_chain["component"], quantity=Decimal(4), unit="kg")
    report = endpoint_pull(endpoint=supply_chain["endpoint"])
    assert (report.received, report.created, report.unmatched) == (1, 1, 0)
    row = SupplierFootprint.objects.get(organization=tenant.org, component=supply_chain["component"])
    assert row.kg_co2e_per_unit == Decimal("2.5")
    assert row.pact_id == str(supply_chain["published"].pf_id)
    assert row.luc_kg_co2e_per_unit == Decimal("0.25")
    # 4 kg of cathode at 2.5 kg CO2e/kg: 10 kg CO2e per pack.
    assert footprint_compute(product=pack).total_kg_co2e == pytest.approx(10.0)
    # A second pull updates in place, it does not duplicate.
    again = endpoint_pull(endpoint=supply_chain["endpoint"])
    assert (again.created, again.updated) == (0, 1)
    assert SupplierFootprint.objects.filter(organization=tenant.org).count() == 1


def test_pull_follows_pages_and_reuses_the_token(tenant: Any, other_tenant: Any, supply_chain: Any) -> None:
    for _ in range(4):
        publish(other_tenant.org)
    calls: list[str] = []

    def record(request: httpx.Request) -> None:
        calls.append(request.url.path)

    from core.netguard import guarded_client

    http = guarded_client(event_hooks={"request": [record]})
    client = PactClient(supply_chain["endpoint"], http=http)
    documents = list(client.footprints(limit=2))
    assert len(documents) == 5
    assert calls.count("/3/footprints") == 3  # 5 footprints, 2 a page
    assert calls.count("/auth/token") == 1  # cached for the later pages
    list(PactClient(supply_chain["endpoint"], http=http).footprints(limit=10))
    assert calls.count("/auth/token") == 1  # and across clients, until it nearly expires


def test_pull_refuses_private_addresses_unless_allowed(supply_chain: Any, settings: Any) -> None:
    from lca.pact.client import PactClientError

    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(PactClientError, match="Refused outbound address"):
        endpoint_pull(endpoint=supply_chain["endpoint"])


def test_request_event_is_fulfilled_at_the_requesters_events_endpoint(
    tenant: Any, make_credentials: Any, live_server: Any, supply_chain: Any
) -> None:
    """The buyer asks for the cathode's footprint; the supplier's platform answers at the buyer's /3/events,
    with the client the buyer gave it, and the buyer's request shows fulfilled."""
    supplier = supply_chain["published"].organization
    # The buyer gives the supplier a client to answer with (writing needs "write") and ties it to the
    # supplier's host; the supplier registers the buyer's host with those credentials.
    for_supplier = make_credentials(tenant.org, ("read", "write"), name="supplier's answers")
    buyer_side = supply_chain["endpoint"]
    buyer_side.answers_client = for_supplier.client
    buyer_side.save(update_fields=["answers_client"])
    supplier_endpoint_create(
        org=supplier,
        name="Buyer",
        base_url=live_server.url,
        auth_url=f"{live_server.url}/auth/token",
        client_id=for_supplier.client_id,
        secret=for_supplier.secret,
        answers_client=supply_chain["issued"].client,
    )
    gtin = supply_chain["component"].gtin
    request = pact_request_create(endpoint=buyer_side, criteria={"productId": [f"urn:gtin:{gtin}"]})
    request.refresh_from_db()
    assert request.status == PactEvent.Status.FULFILLED, request.last_error
    answer = PactEvent.objects.get(direction=PactEvent.Direction.OUTBOUND, in_reply_to__event_id=request.event_id)
    assert answer.event_type.endswith("RequestFulfilledEvent.3")
    assert answer.status == PactEvent.Status.DELIVERED
    assert answer.payload["data"]["requestEventId"] == request.event_id
    received = PactEvent.objects.get(direction=PactEvent.Direction.INBOUND, event_id=answer.event_id)
    assert received.organization == tenant.org and received.status == PactEvent.Status.HANDLED
    assert received.in_reply_to == request
    stored = SupplierFootprint.objects.get(organization=tenant.org)
    assert stored.pact_id == str(supply_chain["published"].pf_id)
    assert AuditEvent.objects.filter(organization=tenant.org, action="supplier_footprint.pact_received").count() == 1

    unknown = pact_request_create(endpoint=buyer_side, criteria={"productId": ["urn:gtin:00000000000000"]})
    unknown.refresh_from_db()
    assert unknown.status == PactEvent.Status.REJECTED
    rejection = PactEvent.objects.get(direction=PactEvent.Direction.OUTBOUND, in_reply_to__event_id=unknown.event_id)
    assert rejection.event_type.endswith("RequestRejectedEvent.3")
    assert rejection.payload["data"]["error"]["code"] == "NotFound"
    assert "urn:gtin:00000000000000" in rejection.payload["data"]["error"]["message"]
    assert unknown.last_error.startswith("NotFound:")


def test_an_unsolicited_fulfilment_changes_nothing(tenant: Any, make_credentials: Any, supply_chain: Any) -> None:
    """Events are not a write path: a RequestFulfilled answering no request of ours, or sent by a read-only
    client, is refused at once and stores no footprint."""
    from rest_framework.test import APIClient

    from tests.conftest import token_request

    gtin = supply_chain["component"].gtin
    forged_pf = dict(supply_chain["published"].document_v3)
    forged_pf["pcf"] = {**forged_pf["pcf"], "pcfExcludingBiogenicUptake": "265534"}
    for scopes, expected in ((("read",), 403), (("read", "write"), 400)):
        sender = make_credentials(tenant.org, scopes, name=f"partner {scopes}")
        supply_chain["endpoint"].answers_client = sender.client
        supply_chain["endpoint"].save(update_fields=["answers_client"])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION="Bearer " + token_request(sender.basic()).json()["access_token"])
        forged = build_event(
            version="3", kind="fulfilled", source="//anyone", data={"requestEventId": "never-sent", "pfs": [forged_pf]}
        )
        answer = api.post("/3/events", json.dumps(forged), content_type="application/cloudevents+json")
        assert answer.status_code == expected, answer.content
    assert not SupplierFootprint.objects.filter(organization=tenant.org, component__gtin=gtin).exists()
    assert not PactEvent.objects.filter(direction=PactEvent.Direction.INBOUND).exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def forwarder(live_server: Any) -> Iterator[tuple[int, Any]]:
    """A port where nothing listens until ``start()``: then it forwards to the live server (the requester
    coming back up)."""
    port = _free_port()
    servers: list[ThreadingHTTPServer] = []

    class Forward(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's handler name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
            answer = httpx.post(live_server.url + self.path, content=body, headers=headers)
            self.send_response(answer.status_code)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *args: Any) -> None:
            return

    def start() -> None:
        server = ThreadingHTTPServer(("127.0.0.1", port), Forward)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    yield port, start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_answer_to_a_requester_that_is_down_is_retried_until_it_is_up(
    tenant: Any, make_credentials: Any, live_server: Any, supply_chain: Any, forwarder: Any
) -> None:
    port, start = forwarder
    supplier = supply_chain["published"].organization
    for_supplier = make_credentials(tenant.org, ("read", "write"), name="supplier's callback")
    supply_chain["endpoint"].answers_client = for_supplier.client
    supply_chain["endpoint"].save(update_fields=["answers_client"])
    supplier_endpoint_create(
        org=supplier,
        name="Buyer (down)",
        base_url=f"http://127.0.0.1:{port}",
        auth_url=f"{live_server.url}/auth/token",
        client_id=for_supplier.client_id,
        secret=for_supplier.secret,
        answers_client=supply_chain["issued"].client,
    )
    gtin = supply_chain["component"].gtin
    body = build_event(version="2", kind="created", source="//buyer", data={"pf": {"productIds": [f"urn:gtin:{gtin}"]}})
    inbound = PactEvent.objects.create(
        organization=supplier,
        direction=PactEvent.Direction.INBOUND,
        spec_version="2",
        event_id=body["id"],
        event_type=body["type"],
        source=body["source"],
        payload=body,
        client=supply_chain["issued"].client,
        status=PactEvent.Status.RECEIVED,
    )
    # The buyer's own record of the request it sent (the answer is accepted only for a request it sent).
    PactEvent.objects.create(
        organization=tenant.org,
        direction=PactEvent.Direction.OUTBOUND,
        spec_version="2",
        event_id=body["id"],
        event_type=body["type"],
        source=body["source"],
        payload=body,
        endpoint=supply_chain["endpoint"],
        status=PactEvent.Status.DELIVERED,
    )
    answer = request_answer(event=inbound)
    for attempt in (1, 2):
        with pytest.raises(PactDeliveryError):
            event_deliver(event_id=answer.pk)
        answer.refresh_from_db()
        assert (answer.attempts, answer.status) == (attempt, PactEvent.Status.RETRYING)
    start()
    assert event_deliver(event_id=answer.pk).status == PactEvent.Status.DELIVERED
    answer.refresh_from_db()
    assert answer.attempts == 3
    assert SupplierFootprint.objects.filter(organization=tenant.org).count() == 1
    # The Celery task waits 2, 4, 8 ... s (capped at 10 min) between attempts, and gives up after the last.
    assert pact_event_deliver.autoretry_for == (PactDeliveryError,)
    assert pact_event_deliver.max_retries == DELIVERY_MAX_RETRIES
    waits = [
        get_exponential_backoff_interval(DELIVERY_BACKOFF, n, DELIVERY_BACKOFF_MAX, full_jitter=False) for n in range(4)
    ]
    assert waits == [2, 4, 8, 16]


def test_eager_delivery_to_a_dead_endpoint_waits_for_the_resume_sweep(
    tenant: Any, make_credentials: Any, live_server: Any, supply_chain: Any
) -> None:
    supplier = supply_chain["published"].organization
    for_supplier = make_credentials(tenant.org, ("read",), name="dead callback")
    supplier_endpoint_create(
        org=supplier,
        name="Buyer (gone)",
        base_url=f"http://127.0.0.1:{_free_port()}",
        auth_url=f"{live_server.url}/auth/token",
        client_id=for_supplier.client_id,
        secret=for_supplier.secret,
        answers_client=supply_chain["issued"].client,
    )
    body = build_event(version="3", kind="created", source="//buyer", data={"productId": ["urn:gtin:1"]})
    inbound = PactEvent.objects.create(
        organization=supplier,
        direction="in",
        spec_version="3",
        event_id=body["id"],
        event_type=body["type"],
        source="//buyer",
        payload=body,
        client=supply_chain["issued"].client,
        status="received",
    )
    answer = request_answer(event=inbound)
    pact_event_deliver.apply(args=[answer.pk])  # eager: no broker to wait with, so no exception either
    answer.refresh_from_db()
    assert (answer.status, answer.attempts) == (PactEvent.Status.RETRYING, 1)
    assert answer.next_attempt_at is not None and answer.next_attempt_at > answer.updated_at
    assert pact_deliveries_resume() == 0  # not due yet: the next attempt waits its back-off
    PactEvent.objects.filter(pk=answer.pk).update(next_attempt_at=answer.updated_at)
    assert pact_deliveries_resume() == 1
    answer.refresh_from_db()
    assert answer.attempts == 2
    # The last allowed attempt settles it as failed instead of asking for another retry.
    assert event_deliver(event_id=answer.pk, final=True).status == PactEvent.Status.FAILED


def test_published_event_makes_the_buyer_pull_the_new_footprint(
    tenant: Any, other_tenant: Any, make_credentials: Any, live_server: Any, supply_chain: Any
) -> None:
    """The supplier announces a changed footprint; the buyer's platform pulls it at once, over HTTP."""
    buyer_endpoint = supply_chain["endpoint"]
    endpoint_pull(endpoint=buyer_endpoint)
    component = supply_chain["component"]
    assert SupplierFootprint.objects.get(component=component).kg_co2e_per_unit == Decimal("2.5")
    # The buyer gave the supplier a client to send events with, and ties it to the supplier's host.
    notifier = make_credentials(tenant.org, ("read",), name="supplier's events")
    buyer_endpoint.answers_client = notifier.client
    buyer_endpoint.save(update_fields=["answers_client"])
    cathode = supply_chain["published"].product
    changed = publish(other_tenant.org, product=cathode, total="3.1")
    towards_buyer = supplier_endpoint_create(
        org=other_tenant.org,
        name="Buyer",
        base_url=live_server.url,
        auth_url=f"{live_server.url}/auth/token",
        client_id=notifier.client_id,
        secret=notifier.secret,
    )
    event = build_event(version="3", kind="published", source="//supplier", data={"pfIds": [str(changed.pf_id)]})
    PactClient(towards_buyer).post_event(event)
    received = PactEvent.objects.get(direction=PactEvent.Direction.INBOUND, event_id=event["id"])
    assert received.status == PactEvent.Status.HANDLED and received.last_error == ""
    assert SupplierFootprint.objects.get(component=component).kg_co2e_per_unit == Decimal("3.1")


def test_published_event_from_a_client_without_an_endpoint_is_noted(
    tenant: Any, make_credentials: Any, live_server: Any, supply_chain: Any
) -> None:
    stranger = make_credentials(tenant.org, ("read",), name="no endpoint")
    sender = supplier_endpoint_create(
        org=supply_chain["published"].organization,
        name="Buyer",
        base_url=live_server.url,
        auth_url=f"{live_server.url}/auth/token",
        client_id=stranger.client_id,
        secret=stranger.secret,
    )
    event = build_event(
        version="3", kind="published", source="//supplier", data={"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}
    )
    PactClient(sender).post_event(event)
    received = PactEvent.objects.get(direction=PactEvent.Direction.INBOUND, event_id=event["id"])
    assert received.status == PactEvent.Status.HANDLED
    assert "nothing to pull" in received.last_error
    assert SupplierFootprint.objects.filter(organization=tenant.org).count() == 0


def test_a_received_footprint_finds_the_component_under_either_gtin_spelling(tenant: Any, other_tenant: Any) -> None:
    """The supplier names its product by the 14-digit GTIN; the buyer entered the component with 13 digits."""
    supplied = publish(other_tenant.org)
    assert supplied.product.gtin.startswith("0")
    component = ProductFactory(organization=tenant.org, gtin=supplied.product.gtin[1:], gtin_claim=False)
    report = footprints_store(org=tenant.org, documents=[supplied.document_v3], partner="Supplier")
    assert (report.created, report.unmatched) == (1, 0)
    assert SupplierFootprint.objects.get(organization=tenant.org).component == component

"""The PACT exchange in a real browser: a buyer registers its supplier's host (the supplier is another
organization on this same live server), tests the connection, pulls the supplier's footprint into its bill
of materials, asks for it by a RequestCreated event and sees the request fulfilled; then the same page in
Korean. Everything between the two organizations goes over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from lca.models import SupplierFootprint
from lca.pact.models import PactEvent
from lca.pact.services import sharing_create, supplier_endpoint_create
from tests.browser.conftest import log_in, screenshot
from tests.factories import ProductFactory
from tests.lca.pact_support import publish

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_register_a_supplier_host_pull_and_request_a_footprint(
    page: Any, live_server: Any, tenant: Any, other_tenant: Any, make_credentials: Any
) -> None:
    url = live_server.url
    supplier, buyer = other_tenant.org, tenant.org
    cathode = ProductFactory(organization=supplier, name="Cathode")
    publish(supplier, product=cathode, total="2.5")
    # The buyer records the component under its maker's GTIN, without claiming the maker's prefix.
    ProductFactory(organization=buyer, gtin=cathode.gtin, name="Cathode (bought)", gtin_claim=False)
    # What the supplier gave the buyer (read credentials) and the buyer gave the supplier (to answer with).
    reader = make_credentials(supplier, ("read",), name="for the buyer", outside_party=True)
    sharing_create(org=supplier, partner=reader.client)
    answers = make_credentials(buyer, ("read", "write"), name="Cathode supplier answers")
    supplier_endpoint_create(
        org=supplier,
        name="Buyer",
        base_url=url,
        auth_url=f"{url}/auth/token",
        client_id=answers.client_id,
        secret=answers.secret,
        answers_client=reader.client,
    )

    log_in(page, live_server, tenant.editor)
    page.goto(f"{url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="PACT exchange").click()
    page.get_by_text("Register a supplier host").click()
    page.locator("#id_name").fill("Cathode supplier")
    page.get_by_label("API base URL").fill(url)
    page.get_by_label("Client id").fill(reader.client_id)
    page.get_by_label("Client secret").fill(reader.secret)
    page.get_by_label("Our API client this supplier answers with").select_option(value=str(answers.client.pk))
    page.get_by_role("button", name="Register host").click()
    page.get_by_text("Supplier host Cathode supplier registered.").wait_for()

    page.get_by_role("button", name="Test connection to Cathode supplier").click()
    page.get_by_text("Connected to Cathode supplier: it shares footprints with us.").wait_for()
    page.get_by_role("button", name="Pull into the bill of materials from Cathode supplier").click()
    page.get_by_text("1 footprints: 1 new").wait_for()
    assert SupplierFootprint.objects.get(organization=buyer).pact_id

    page.get_by_text("Request a footprint from Cathode supplier").click()
    page.get_by_label("Product id (URN or GTIN)").fill(cathode.gtin)
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("sent to Cathode supplier").wait_for()
    request = PactEvent.objects.get(organization=buyer, direction="out", in_reply_to__isnull=True)
    assert request.status == PactEvent.Status.FULFILLED, request.last_error
    row = page.get_by_role("row", name=request.event_id)
    assert "Fulfilled" in row.inner_text()
    screenshot(page, "pact-exchange")

    page.locator("#lang-select").select_option("ko")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert page.get_by_role("heading", name="PACT 데이터 교환").is_visible()
    assert "이행됨" in page.get_by_role("row", name=request.event_id).inner_text()
    screenshot(page, "pact-exchange-ko")


def test_publish_and_deprecate_from_the_product_page(page: Any, live_server: Any, tenant: Any) -> None:
    url = live_server.url
    product = ProductFactory(organization=tenant.org, name="Cell module")
    log_in(page, live_server, tenant.editor)
    page.goto(f"{url}/pact/products/{product.pk}/")
    page.get_by_label("Footprint (kg CO2e per declared unit, excluding biogenic)").fill("12.5")
    page.get_by_label("UN CPC code").fill("46410")
    page.get_by_role("button", name="Publish to PACT").click()
    page.get_by_text("Published footprint").wait_for()
    assert page.get_by_role("link", name="v2.3").is_visible()
    page.get_by_role("button", name="Deprecate").click()
    page.get_by_text("is deprecated").wait_for()
    assert page.get_by_role("cell", name="Deprecated").is_visible()

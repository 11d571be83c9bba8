"""The PACT exchange pages: publish, revise and deprecate a product's footprint, register a supplier host, and
what each role may do; the whole exchange over HTTP is in tests/browser/test_pact_flow.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lca.pact.models import PactEvent, PactFootprint, SupplierEndpoint
from lca.pact.services import supplier_endpoint_create
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_publish_revise_and_deprecate_from_the_product_page(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org, name="Cell module")
    editor = _client(tenant.editor)
    url = reverse("pact-product-page", args=[product.pk])
    # No computed footprint and no figure: the form says what is missing.
    refused = editor.post(url, {"declared_unit": "kg", "cpc_code": "46410"})
    assert refused.status_code == 200 and "no computed footprint" in refused.content.decode()
    assert editor.post(url, {"total": "12.5", "declared_unit": "kg", "cpc_code": "46410"}).status_code == 302
    first = PactFootprint.objects.get(product=product)
    assert first.document_v3["pcf"]["pcfExcludingBiogenicUptake"] == "12.5"
    editor.post(url, {"total": "11", "declared_unit": "kg", "cpc_code": "46410"})
    first.refresh_from_db()
    revised = PactFootprint.objects.get(product=product, status="Active")
    assert first.status == "Deprecated" and revised.preceding_ids == [str(first.pf_id)]
    document = editor.get(reverse("pact-document-page", args=[revised.pf_id, "2"]))
    assert json.loads(document.content)["data"]["version"] == 1
    editor.post(reverse("pact-deprecate-page", args=[revised.pf_id]), {"comment": "Product discontinued"})
    revised.refresh_from_db()
    assert (revised.status, revised.status_comment) == ("Deprecated", "Product discontinued")
    page = editor.get(url).content.decode()
    assert "Product discontinued" in page and str(first.pf_id) in page
    # Bad input names the field.
    bad = editor.post(url, {"total": "-1", "declared_unit": "kg", "cpc_code": "abc"})
    assert bad.status_code == 200 and bad.content.decode().count("error-text") == 2


def test_publish_the_computed_footprint(tenant: Any) -> None:
    from lca.computation import footprint_compute
    from lca.services import activity_create

    product = ProductFactory(organization=tenant.org)
    activity_create(
        org=tenant.org, product=product, stage="production", process="Direct", amount=2, unit="kg", gas="CO2_fossil"
    )
    computed = footprint_compute(product=product)
    editor = _client(tenant.editor)
    editor.post(reverse("pact-product-page", args=[product.pk]), {"declared_unit": "kg", "cpc_code": "46410"})
    row = PactFootprint.objects.get(product=product)
    assert row.source_footprint == computed
    assert float(row.facts["pcf_excluding_biogenic"]) == pytest.approx(computed.total_kg_co2e)


def test_viewers_read_and_only_editors_act(tenant: Any, other_tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    viewer = _client(tenant.viewer)
    assert viewer.get(reverse("pact-page")).status_code == 200
    page = viewer.get(reverse("pact-product-page", args=[product.pk]))
    assert page.status_code == 200 and "Publish to PACT" not in page.content.decode()
    publish = viewer.post(reverse("pact-product-page", args=[product.pk]), {"total": "1", "declared_unit": "kg"})
    assert publish.status_code == 403
    assert viewer.post(reverse("pact-host-add-page"), {}).status_code == 403
    assert _client(other_tenant.owner).get(reverse("pact-product-page", args=[product.pk])).status_code == 404


def test_register_a_supplier_host_with_its_secret_sealed(tenant: Any, make_credentials: Any) -> None:
    answers = make_credentials(tenant.org, ("read", "write"), name="Supplier answers")
    editor = _client(tenant.editor)
    form = {
        "name": "Cathode supplier",
        "base_url": "https://pact.supplier.example/",
        "auth_url": "",
        "client_id": "our-id-at-supplier",
        "secret": "s3cret-value-at-supplier",
        "spec_version": "3",
        "answers_client": answers.client.pk,
    }
    assert editor.post(reverse("pact-host-add-page"), form).status_code == 302
    host = SupplierEndpoint.objects.get(organization=tenant.org)
    assert (host.base_url, host.auth_url) == (
        "https://pact.supplier.example",
        "https://pact.supplier.example/auth/token",
    )
    assert host.secret() == "s3cret-value-at-supplier" and "s3cret" not in host.secret_sealed
    page = editor.get(reverse("pact-page")).content.decode()
    assert "Cathode supplier" in page and "s3cret" not in page
    bad = editor.post(reverse("pact-host-add-page"), {**form, "base_url": "not a url"})
    assert bad.status_code == 400 and "error-text" in bad.content.decode()
    # A request with no criteria is refused with a message, nothing is sent.
    none = editor.post(reverse("pact-host-request-page", args=[host.pk]), {"product_id": ""})
    assert none.status_code == 400 and "at least one criterion" in none.content.decode()


def test_a_request_carries_every_criterion_and_names_a_bad_one_beside_its_field(
    tenant: Any, make_credentials: Any
) -> None:
    answers = make_credentials(tenant.org, ("read", "write"), name="Supplier answers")
    host = supplier_endpoint_create(
        org=tenant.org,
        name="Cell supplier",
        base_url="https://pact.supplier.example",
        auth_url="https://pact.supplier.example/auth/token",
        client_id="id",
        secret="secret-value",
        answers_client=answers.client,
    )
    editor = _client(tenant.editor)
    url = reverse("pact-host-request-page", args=[host.pk])
    sent = editor.post(
        url,
        {
            "product_id": "8801234000017",
            "classification": "46410",
            "status": "Deprecated",
            "valid_on": "2026-06-01",
            "geography": "kr",
        },
    )
    assert sent.status_code == 302
    event = PactEvent.objects.get(organization=tenant.org, direction=PactEvent.Direction.OUTBOUND)
    assert event.payload["data"] == {
        "productId": ["urn:gtin:08801234000017"],
        "geography": ["KR"],
        "classification": ["urn:pact:productclassification:un-cpc:46410"],
        "status": ["Deprecated"],
        "validOn": ["2026-06-01T00:00:00Z"],
    }
    bad = editor.post(url, {"company_id": "Acme Ltd", "geography": "Korea", "valid_on": "soon"})
    page = bad.content.decode()
    assert bad.status_code == 400
    assert page.count("error-text") == 3, page
    assert "URN" in page and "UN M49" in page
    assert PactEvent.objects.filter(organization=tenant.org).count() == 1  # nothing more sent


def test_a_footprint_for_one_province_is_published_with_its_subdivision(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    editor = _client(tenant.editor)
    url = reverse("pact-product-page", args=[product.pk])
    country = tenant.org.country
    elsewhere = "JP-13" if country != "JP" else "KR-26"
    for code, problem in ((elsewhere, f"is not in {country}"), ("Busan", "ISO 3166-2 code")):
        refused = editor.post(url, {"total": "3", "declared_unit": "kg", "subdivision": code})
        page = refused.content.decode()
        assert refused.status_code == 200 and page.count("error-text") == 1 and problem in page
    assert not PactFootprint.objects.filter(product=product).exists()
    assert (
        editor.post(url, {"total": "3", "declared_unit": "kg", "subdivision": f"{country.lower()}-26"}).status_code
        == 302
    )
    row = PactFootprint.objects.get(product=product)
    assert row.document_v3["pcf"]["geographyCountrySubdivision"] == f"{country}-26"
    assert row.geography == country and row.geography_subdivision == f"{country}-26"

"""Product pages: list (search, filters, pages, no query per row), create, edit, roles and tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from passports.models import Product
from tests.factories import FacilityFactory, ProductFactory, gtin_from, make_passport

pytestmark = pytest.mark.django_db


def product_fields(**changes: Any) -> dict[str, Any]:
    fields = {
        "name": "HBE-R229 rack",
        "name_ko": "HBE-R229 랙",
        "gtin": gtin_from(424242),
        "category": "battery",
        "cn_code": "85076000",
        "brand": "Hanbit",
        "model_name": "R229",
        "facility": "",
        "expected_lifetime_years": "15",
        "description": "",
        "description_ko": "",
    }
    fields.update(changes)
    return fields


def test_editors_create_a_product_for_their_own_organization(client: Client, tenant: Any) -> None:
    facility = FacilityFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    response = client.post(reverse("product-create-page"), product_fields(facility=facility.pk))
    product = Product.objects.get(gtin=gtin_from(424242))
    assert response.url == reverse("product-detail-page", args=[product.pk])  # type: ignore[attr-defined]
    assert (product.organization, product.facility, product.name_ko) == (tenant.org, facility, "HBE-R229 랙")


def test_a_wrong_gtin_and_another_organizations_facility_are_refused(
    client: Client, tenant: Any, other_tenant: Any
) -> None:
    theirs = FacilityFactory(organization=other_tenant.org)
    client.force_login(tenant.editor)
    wrong_check_digit = gtin_from(424242)[:-1] + str((int(gtin_from(424242)[-1]) + 1) % 10)
    response = client.post(reverse("product-create-page"), product_fields(gtin=wrong_check_digit, facility=theirs.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="field field-error') == 2
    assert not Product.objects.exists()


def test_the_same_gtin_twice_in_one_organization_is_refused(client: Client, tenant: Any) -> None:
    ProductFactory(organization=tenant.org, gtin=gtin_from(424242))
    client.force_login(tenant.editor)
    response = client.post(reverse("product-create-page"), product_fields())
    assert "Another product of your organization has this GTIN." in response.content.decode()


def test_editing_keeps_the_product_in_its_organization(client: Client, tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    client.post(reverse("product-edit-page", args=[product.pk]), product_fields(gtin=product.gtin, name="Renamed"))
    product.refresh_from_db()
    assert (product.name, product.organization) == ("Renamed", tenant.org)


def test_viewers_cannot_create_or_edit(client: Client, tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.viewer)
    assert client.get(reverse("product-create-page")).status_code == 403
    assert client.post(reverse("product-edit-page", args=[product.pk]), product_fields()).status_code == 403
    assert "New product" not in client.get(reverse("product-list-page")).content.decode()


def test_another_organizations_product_is_not_found(client: Client, tenant: Any, other_tenant: Any) -> None:
    product = ProductFactory(organization=other_tenant.org)
    client.force_login(tenant.owner)
    assert client.get(reverse("product-detail-page", args=[product.pk])).status_code == 404
    assert client.get(reverse("product-edit-page", args=[product.pk])).status_code == 404
    assert client.get(reverse("passport-create-page", args=[product.pk])).status_code == 404


def test_search_filters_and_pages(client: Client, tenant: Any, other_tenant: Any) -> None:
    ProductFactory(organization=tenant.org, name="Alpha rack", category="battery")
    ProductFactory(organization=tenant.org, name="Cotton shirt", name_ko="면 셔츠", category="textile")
    ProductFactory(organization=other_tenant.org, name="Alpha foreign")
    for n in range(26):
        ProductFactory(organization=tenant.org, name=f"Zeta {n:02d}", category="steel")
    client.force_login(tenant.viewer)
    url = reverse("product-list-page")
    assert "Alpha foreign" not in client.get(url, {"q": "Alpha"}).content.decode()
    assert "Cotton shirt" in client.get(url, {"q": "면 셔츠"}).content.decode()
    textile = client.get(url, {"category": "textile"}).content.decode()
    assert "Cotton shirt" in textile and "Alpha rack" not in textile
    first = client.get(url).content.decode()
    assert "28 results" in first and "Page 1 of 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Zeta 25" in second and "Alpha rack" not in second


def test_the_list_and_the_product_page_do_not_query_per_row(
    client: Client, tenant: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(tenant.viewer)
    product = ProductFactory(organization=tenant.org)
    make_passport(tenant.org, product=product)
    list_url = reverse("product-list-page")
    detail_url = reverse("product-detail-page", args=[product.pk])
    client.get(list_url)
    with django_assert_max_num_queries(12) as listing:
        client.get(list_url)
    listing_queries = len(listing.captured_queries)
    with django_assert_max_num_queries(12) as detail:
        client.get(detail_url)
    detail_queries = len(detail.captured_queries)
    for n in range(10):
        facility = FacilityFactory(organization=tenant.org)
        make_passport(tenant.org, product=ProductFactory(organization=tenant.org, facility=facility))
        make_passport(tenant.org, product=product, granularity="item", serial=f"S{n}")
    with django_assert_max_num_queries(listing_queries):
        client.get(list_url)
    with django_assert_max_num_queries(detail_queries):
        client.get(detail_url)

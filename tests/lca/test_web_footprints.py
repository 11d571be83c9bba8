"""Footprint pages: activity data entered per stage, the footprint recomputed after each change, the chart."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lca.models import ActivityData, EmissionFactor, Footprint
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def add(client: Client, product: Any, **fields: Any) -> Any:
    data = {"stage": "production", "process": "Cell formation", "amount": "2", "unit": "kg", "gas": "", "factor": ""}
    data.update(fields)
    return client.post(reverse("footprint-activity-add-page", args=[product.pk]), data, HTTP_HX_REQUEST="true")


def test_adding_activity_data_recomputes_and_redraws_the_footprint(client: Client, tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    response = add(client, product, gas="CO2_fossil", amount="12.5")
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="footprint-editor" id="footprint-editor">')
    footprint = Footprint.objects.get(product=product, is_current=True)
    assert footprint.total_kg_co2e == pytest.approx(12.5)  # 12.5 kg fossil CO2, GWP 1
    assert footprint.by_stage["production"] == pytest.approx(12.5)
    assert 'max="12.5" value="12.5" class="bar"' in html  # the production bar, full length
    add(client, product, stage="distribution", process="Truck to port", gas="CO2_fossil", amount="2.5")
    current = Footprint.objects.get(product=product, is_current=True)
    assert current.total_kg_co2e == pytest.approx(15.0)
    # Two bars now, scaled to the largest stage: production 12.5 (full) and distribution 2.5 (a fifth).
    page = client.get(reverse("footprint-product-page", args=[product.pk])).content.decode()
    assert 'max="12.5" value="12.5"' in page and 'max="12.5" value="2.5"' in page
    assert page.count('class="bar"') == 2


def test_an_emission_factor_multiplies_the_amount(client: Client, tenant: Any) -> None:
    factor = EmissionFactor.objects.filter(organization__isnull=True, unit="kWh").first()
    if factor is None:
        pytest.skip("no shared kWh emission factor is loaded")
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    add(client, product, process="Grid electricity", amount="100", unit="kWh", factor=str(factor.pk))
    footprint = Footprint.objects.get(product=product, is_current=True)
    assert footprint.total_kg_co2e == pytest.approx(100 * footprint_per_unit(factor), rel=1e-3)


def footprint_per_unit(factor: EmissionFactor) -> float:
    """kg CO2e per unit under IPCC AR6 100-year GWPs (WG1 Table 7.15): fossil CH4 29.8, biogenic CH4 27.0,
    N2O 273; fossil and land-use CO2 count 1, biogenic CO2 is reported apart, CO2e given as such counts as is."""
    return (
        float(factor.co2_fossil)
        + float(factor.co2_luc)
        + 29.8 * float(factor.ch4_fossil)
        + 27.0 * float(factor.ch4_biogenic)
        + 273 * float(factor.n2o)
        + float(factor.co2e_other)
    )


def test_a_wrong_unit_is_shown_beside_the_field_and_nothing_is_stored(client: Client, tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    html = add(client, product, gas="CO2_fossil", unit="kWh").content.decode()
    assert 'class="field field-error' in html
    assert not ActivityData.objects.exists()
    factor = EmissionFactor.objects.filter(unit="kg").first()
    if factor is not None:
        add(client, product, gas="CO2_fossil", factor=str(factor.pk))  # two sources: refused
        assert not ActivityData.objects.exists()


def test_removing_a_row_recomputes(client: Client, tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    add(client, product, gas="CO2_fossil", amount="4")
    add(client, product, stage="use", process="Charging losses", gas="CO2_fossil", amount="1")
    row = ActivityData.objects.get(stage="use")
    client.post(reverse("footprint-activity-delete-page", args=[product.pk, row.pk]), HTTP_HX_REQUEST="true")
    assert Footprint.objects.get(product=product, is_current=True).total_kg_co2e == pytest.approx(4.0)


def test_viewers_read_and_other_organizations_are_not_found(client: Client, tenant: Any, other_tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    add(client, product, gas="CO2_fossil")
    row = ActivityData.objects.get()
    client.force_login(tenant.viewer)
    assert client.get(reverse("footprint-product-page", args=[product.pk])).status_code == 200
    assert add(client, product, gas="CO2_fossil").status_code == 403
    client.force_login(other_tenant.owner)
    assert client.get(reverse("footprint-product-page", args=[product.pk])).status_code == 404
    assert add(client, product, gas="CO2_fossil").status_code == 404
    delete = reverse("footprint-activity-delete-page", args=[product.pk, row.pk])
    assert client.post(delete).status_code == 404
    assert ActivityData.objects.filter(pk=row.pk).exists()


def test_the_footprint_list_does_not_query_per_product(
    client: Client, tenant: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(tenant.editor)
    product = ProductFactory(organization=tenant.org)
    add(client, product, gas="CO2_fossil")
    url = reverse("footprint-list-page")
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    few_queries = len(few.captured_queries)
    for _ in range(6):
        add(client, ProductFactory(organization=tenant.org), gas="CO2_fossil")
    with django_assert_max_num_queries(few_queries):
        assert "kg CO2e" in client.get(url).content.decode()

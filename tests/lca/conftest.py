"""Row makers for the carbon footprint tests: factors, products with a declared unit, activities, BOM lines.

They go through the services, so every row the tests use passed the same checks as an API write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest

from lca import services
from lca.models import ActivityData, BomLine, EmissionFactor, FootprintProfile, SupplierFootprint
from passports.models import Organization, Product
from tests.factories import ProductFactory

REL = 1e-6


def make_factor(
    org: Organization | None = None, key: str = "test-grid", unit: str = "kWh", **gases: Any
) -> EmissionFactor:
    """A factor with source and licence; ``gases`` are kg per unit (co2_fossil=0.5...)."""
    values = {name: Decimal(str(value)) for name, value in gases.items()}
    fields = {
        "dataset": "test dataset",
        "name": f"test factor {key}",
        "unit": unit,
        "region": "KR",
        "year": 2024,
        "source": "hand-made for tests",
        "licence": "CC0-1.0",
        **values,
    }
    if org is None:
        return EmissionFactor.objects.create(key=key, **fields)
    return services.factor_create(org=org, key=key, **fields)


def make_product(org: Organization, name: str, unit: str = "piece", **profile: Any) -> Product:
    product = cast(Product, ProductFactory(organization=org, name=name))
    if unit != "piece" or profile:
        services.profile_create(org=org, product=product, declared_unit=unit, **profile)
    return product


def make_activity(product: Product, stage: str, amount: Any, unit: str, **source: Any) -> ActivityData:
    return services.activity_create(
        org=product.organization,
        product=product,
        stage=stage,
        process=f"{stage} step",
        amount=Decimal(str(amount)),
        unit=unit,
        **source,
    )


def make_line(product: Product, component: Product, quantity: Any, unit: str, stage: str = "raw_material") -> BomLine:
    return services.bom_line_create(
        org=product.organization,
        product=product,
        component=component,
        quantity=Decimal(str(quantity)),
        unit=unit,
        stage=stage,
    )


def make_supplier(component: Product, kg: Any, unit: str = "kg", **fields: Any) -> SupplierFootprint:
    fields.setdefault("source", "PACT footprint from a test supplier")
    fields.setdefault("schedule", False)  # nothing stored depends on it yet
    return services.supplier_footprint_create(
        org=component.organization, component=component, kg_co2e_per_unit=Decimal(str(kg)), declared_unit=unit, **fields
    )


def profile_of(product: Product) -> FootprintProfile:
    return FootprintProfile.objects.get(product=product)


@pytest.fixture
def org(tenant: Any) -> Organization:
    return tenant.org

"""The LCA models: the shared dataset loaded at migrate time, and the rules the database itself enforces."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lca import services
from lca.data import STARTER_CSV
from lca.models import ActivityData, BomLine, EmissionFactor, Footprint
from tests.lca.conftest import make_activity, make_factor, make_product

pytestmark = pytest.mark.django_db


def test_every_shipped_factor_is_in_the_database_and_names_its_source_and_licence() -> None:
    with STARTER_CSV.open(encoding="utf-8") as handle:
        shipped = {row["id"]: row for row in csv.DictReader(handle)}
    stored = {factor.key: factor for factor in EmissionFactor.objects.filter(organization__isnull=True)}
    assert set(shipped) <= set(stored)
    for key, row in shipped.items():
        factor = stored[key]
        assert factor.source.strip() and factor.licence.strip(), key
        assert factor.source == row["source"] and factor.licence == row["licence"]
        assert factor.unit == row["unit"]
        # Values as written in the file (decimals compare by value: "0.147573" == 0.147573000000).
        for column in ("co2_fossil", "ch4_fossil", "n2o", "co2e_other"):
            assert getattr(factor, column) == Decimal(row[column] or "0"), (key, column)


def test_loading_the_shared_dataset_again_changes_nothing() -> None:
    before = list(EmissionFactor.objects.filter(organization__isnull=True).values_list("pk", "updated_at"))
    report = services.shared_factors_sync()
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == len(before)
    after = list(EmissionFactor.objects.filter(organization__isnull=True).values_list("pk", "updated_at"))
    assert after == before


def test_the_database_refuses_a_factor_without_source_or_licence() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EmissionFactor.objects.create(
            key="no-source", dataset="d", name="n", unit="kg", region="KR", source="", licence="CC0-1.0"
        )


def test_shared_keys_are_unique_and_an_organization_may_reuse_one(org: Any) -> None:
    make_factor(None, "shared-x")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_factor(None, "shared-x")
    own = make_factor(org, "shared-x")
    assert not own.is_shared
    with pytest.raises(ValidationError):
        make_factor(org, "shared-x")


def test_visible_factors_are_the_shared_ones_and_the_organizations_own(tenant: Any, other_tenant: Any) -> None:
    mine = make_factor(tenant.org, "mine")
    theirs = make_factor(other_tenant.org, "theirs")
    visible = set(EmissionFactor.objects.visible_to(tenant.org).values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible
    assert EmissionFactor.objects.filter(organization__isnull=True).count() >= 82
    assert set(EmissionFactor.objects.filter(organization__isnull=True).values_list("pk", flat=True)) <= visible


def test_an_activity_has_exactly_one_source(org: Any) -> None:
    product = make_product(org, "P")
    grid = make_factor(org, "grid")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityData.objects.create(
            organization=org,
            product=product,
            stage="production",
            process="x",
            amount=1,
            unit="kWh",
            factor=grid,
            gas="CO2_fossil",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityData.objects.create(
            organization=org, product=product, stage="production", process="x", amount=1, unit="kWh"
        )
    with pytest.raises(ValidationError, match="exactly one"):
        make_activity(product, "production", 1, "kWh")


def test_data_quality_is_rated_on_all_three_criteria_or_none(org: Any) -> None:
    product = make_product(org, "P")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityData.objects.create(
            organization=org,
            product=product,
            stage="production",
            process="x",
            amount=1,
            unit="kg",
            gas="CO2_fossil",
            dq_technology=1,
        )
    with pytest.raises(ValidationError):
        make_activity(product, "production", 1, "kg", gas="CO2_fossil", dq_technology=4, dq_geography=1, dq_time=1)


def test_units_are_checked_where_they_are_entered(org: Any) -> None:
    product = make_product(org, "P")
    grid = make_factor(org, "grid", "kWh")
    with pytest.raises(ValidationError) as error:
        make_activity(product, "production", 1, "kg", factor=grid)
    assert "unit" in error.value.message_dict and "[mass]" in str(error.value)
    with pytest.raises(ValidationError) as error:
        make_activity(product, "production", 1, "kWh", gas="CO2_fossil")
    assert "unit" in error.value.message_dict
    with pytest.raises(ValidationError):
        make_activity(product, "production", 1, "furlongs per fortnight squared", gas="CO2_fossil")
    assert make_activity(product, "production", 500, "MWh", factor=grid).unit == "MWh"


def test_a_product_is_not_its_own_component(org: Any) -> None:
    product = make_product(org, "P")
    with pytest.raises(IntegrityError), transaction.atomic():
        BomLine.objects.create(organization=org, product=product, component=product, quantity=1, unit="piece")


def test_rows_of_another_organization_cannot_be_linked(tenant: Any, other_tenant: Any) -> None:
    mine = make_product(tenant.org, "mine")
    theirs = make_product(other_tenant.org, "theirs")
    their_factor = make_factor(other_tenant.org, "their-grid")
    with pytest.raises(ValidationError):
        services.bom_line_create(org=tenant.org, product=mine, component=theirs, quantity=1, unit="piece")
    with pytest.raises(ValidationError):
        make_activity(mine, "production", 1, "kWh", factor=their_factor)


def test_only_one_current_footprint_per_product(org: Any) -> None:
    product = make_product(org, "P")
    make_activity(product, "production", 1, "kg", gas="CO2_fossil")
    first = services.footprint_compute(product=product)
    with pytest.raises(IntegrityError), transaction.atomic():
        Footprint.objects.create(
            organization=org,
            product=product,
            gwp="AR6",
            declared_unit="piece",
            total_kg_co2e=1,
            total_including_biogenic=1,
            input_hash="x",
        )
    assert Footprint.objects.get(is_current=True, product=product) == first

"""Recalculation when a factor or a supplier footprint changes: who is affected, batches, progress, resumption.

Celery runs eagerly here (tests' settings), so a job enqueued after commit runs when the service's
transaction commits; ``django_capture_on_commit_callbacks(execute=True)`` makes those commits happen.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from lca import services
from lca.models import BomLine, Footprint, RecalculationJob
from lca.selectors import factor_row, products_affected_by
from tests.lca.conftest import REL, make_activity, make_factor, make_line, make_product, make_supplier

pytestmark = pytest.mark.django_db


def current(product: Any) -> Footprint:
    return Footprint.objects.get(product=product, is_current=True)


@pytest.fixture
def chain(org: Any) -> dict[str, Any]:
    """pack <- cell <- cathode (grid electricity) and cell <- separator (supplier footprint); plus a bystander.

    cathode: 2 kWh x 0.5 = 1.0 per kg. separator: 0.8 per m2. cell: 0.5 kg cathode + 1 m2 separator = 1.3.
    pack: 10 cells = 13.0. bystander: 1 kg CO2 direct.
    """
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    cathode = make_product(org, "cathode", unit="kg")
    make_activity(cathode, "production", 2, "kWh", factor=grid)
    separator = make_product(org, "separator", unit="m**2")
    declaration = make_supplier(separator, "0.8", "m**2")
    cell = make_product(org, "cell")
    make_line(cell, cathode, "0.5", "kg")
    make_line(cell, separator, 1, "m**2")
    pack = make_product(org, "pack")
    make_line(pack, cell, 10, "piece", stage="")
    bystander = make_product(org, "bystander")
    make_activity(bystander, "production", 1, "kg", gas="CO2_fossil")
    for product in (cathode, separator, cell, pack, bystander):
        services.footprint_compute(product=product)
    return {
        "grid": grid,
        "cathode": cathode,
        "separator": separator,
        "cell": cell,
        "pack": pack,
        "bystander": bystander,
        "declaration": declaration,
    }


def test_affected_products_climb_the_bill_of_materials(org: Any, chain: dict[str, Any]) -> None:
    by_factor = products_affected_by(org=org, factor_ids=[chain["grid"].pk])
    assert by_factor == sorted(chain[k].pk for k in ("cathode", "cell", "pack"))
    by_component = products_affected_by(org=org, component_ids=[chain["separator"].pk])
    assert by_component == sorted(chain[k].pk for k in ("separator", "cell", "pack"))


def test_a_changed_factor_recalculates_every_product_that_uses_it(
    org: Any, chain: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # Grid 0.5 -> 0.7: cathode 1.4, cell 0.7 + 0.8 = 1.5, pack 15.0; separator and bystander untouched.
    bystander_before = current(chain["bystander"]).pk
    with django_capture_on_commit_callbacks(execute=True):
        services.factor_update(factor=chain["grid"], co2_fossil=Decimal("0.7"))
    [job] = RecalculationJob.objects.filter(organization=org)
    assert (job.status, job.cause, job.products_total, job.products_done) == ("done", "factor", 3, 3)
    assert (job.products_changed, job.products_unchanged, job.products_failed) == (3, 0, 0)
    assert job.progress == 1.0
    assert current(chain["cathode"]).total_kg_co2e == pytest.approx(1.4, rel=REL)
    assert current(chain["cell"]).total_kg_co2e == pytest.approx(1.5, rel=REL)
    pack = current(chain["pack"])
    assert pack.total_kg_co2e == pytest.approx(15.0, rel=REL)
    assert (pack.trigger, pack.job_id) == ("recalculation", job.pk)
    assert current(chain["bystander"]).pk == bystander_before
    assert Footprint.objects.filter(product=chain["pack"]).count() == 2


def test_a_changed_supplier_footprint_recalculates_its_buyers(
    org: Any, chain: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # Separator 0.8 -> 0.3 per m2: cell 1.0 + ... = 0.5 + 0.3 = 0.8, pack 8.0.
    with django_capture_on_commit_callbacks(execute=True):
        services.supplier_footprint_update(declaration=chain["declaration"], kg_co2e_per_unit=Decimal("0.3"))
    job = RecalculationJob.objects.get(organization=org)
    assert job.cause == "supplier_footprint" and job.status == "done"
    assert current(chain["cell"]).total_kg_co2e == pytest.approx(0.8, rel=REL)
    assert current(chain["pack"]).total_kg_co2e == pytest.approx(8.0, rel=REL)
    assert current(chain["separator"]).total_kg_co2e == pytest.approx(0.3, rel=REL)


def test_a_changed_shared_factor_recalculates_in_every_organization_that_uses_it(
    tenant: Any, other_tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    shared = make_factor(None, "shared-grid", "kWh", co2_fossil=0.5)
    products = []
    for org in (tenant.org, other_tenant.org):
        product = make_product(org, f"{org.slug} product")
        make_activity(product, "production", 4, "kWh", factor=shared)
        services.footprint_compute(product=product)
        products.append(product)
    unrelated = make_product(other_tenant.org, "no grid")
    make_activity(unrelated, "production", 1, "kg", gas="CO2_fossil")
    services.footprint_compute(product=unrelated)
    with django_capture_on_commit_callbacks(execute=True):
        services.factors_load(rows=[replace(factor_row(shared), co2_fossil=0.25)], org=None)
    jobs = RecalculationJob.objects.all()
    assert sorted(job.organization_id for job in jobs) == sorted([tenant.org.pk, other_tenant.org.pk])
    for product in products:
        assert current(product).total_kg_co2e == pytest.approx(1.0, rel=REL)  # 4 kWh x 0.25
    assert Footprint.objects.filter(product=unrelated).count() == 1


def test_batches_commit_with_their_progress_and_a_run_resumes_after_the_last(
    org: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Seven products on one factor, batches of three: 3 + 3 + 1. A run stopped after the first batch is
    # resumed by running the job again, which stores each product exactly once.
    settings.LCA_RECALCULATION_BATCH = 3
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    products = []
    for n in range(7):
        product = make_product(org, f"P{n}")
        make_activity(product, "production", n + 1, "kWh", factor=grid)
        services.footprint_compute(product=product)
        products.append(product)
    with django_capture_on_commit_callbacks(execute=False):
        services.factor_update(factor=grid, co2_fossil=Decimal("1.0"))
    job = RecalculationJob.objects.get()
    assert job.status == "queued"
    # As if a worker had committed one batch and died: plan and first batch done, status running.
    job.product_ids = sorted(p.pk for p in products)
    job.products_total, job.status = 7, "running"
    job.save()
    services.footprints_recompute(org=org, product_ids=job.product_ids[:3], job=job)
    RecalculationJob.objects.filter(pk=job.pk).update(products_done=3, products_changed=3)
    services.recalculation_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.products_done, job.products_changed, job.products_unchanged) == ("done", 7, 7, 0)
    for n, product in enumerate(products):
        assert Footprint.objects.filter(product=product).count() == 2
        assert current(product).total_kg_co2e == pytest.approx(n + 1, rel=REL)
    # Running a finished job again does nothing.
    services.recalculation_job_run(job_id=job.pk)
    assert Footprint.objects.filter(organization=org).count() == 14


def test_a_redelivered_batch_is_not_stored_twice(org: Any, django_capture_on_commit_callbacks: Any) -> None:
    # The products of a batch whose commit already happened keep their footprint: same inputs, same hash.
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    product = make_product(org, "P")
    make_activity(product, "production", 2, "kWh", factor=grid)
    services.footprint_compute(product=product)
    outcome = services.footprints_recompute(org=org, product_ids=[product.pk])
    assert (len(outcome.stored), outcome.unchanged) == (0, [product.pk])
    assert Footprint.objects.filter(product=product).count() == 1


def test_a_failing_product_does_not_stop_the_others(org: Any, django_capture_on_commit_callbacks: Any) -> None:
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    good = make_product(org, "good")
    make_activity(good, "production", 2, "kWh", factor=grid)
    bad = make_product(org, "bad")
    make_activity(bad, "production", 2, "kWh", factor=grid)
    services.footprint_compute(product=good)
    services.footprint_compute(product=bad)
    part = make_product(org, "part", unit="kg")
    line = make_line(bad, part, 1, "kg")
    BomLine.objects.filter(pk=line.pk).update(unit="kWh")  # a unit that no longer fits (edited elsewhere)
    with django_capture_on_commit_callbacks(execute=True):
        services.factor_update(factor=grid, co2_fossil=Decimal("1.0"))
    job = RecalculationJob.objects.get()
    assert (job.status, job.products_changed, job.products_failed) == ("done", 1, 1)
    [error] = job.errors
    assert error["product"] == bad.pk and error["row"] == {
        "kind": "bom_line",
        "id": line.pk,
        "product": bad.pk,
        "field": "unit",
    }
    assert current(good).total_kg_co2e == pytest.approx(2.0, rel=REL)
    assert current(bad).total_kg_co2e == pytest.approx(1.0, rel=REL)  # the previous one stays current


def test_recalculation_queries_do_not_grow_with_the_batch(org: Any, django_assert_max_num_queries: Any) -> None:
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    parts = [make_product(org, f"part {n}", unit="kg") for n in range(3)]
    for part in parts:
        make_activity(part, "production", 1, "kWh", factor=grid)

    def batch(count: int) -> list[int]:
        ids = []
        for n in range(count):
            product = make_product(org, f"product {count}-{n}")
            make_activity(product, "production", n + 1, "kWh", factor=grid)
            make_line(product, parts[n % 3], 1, "kg")
            ids.append(product.pk)
        return ids

    small, large = batch(3), batch(30)
    with django_assert_max_num_queries(12) as few:
        services.footprints_recompute(org=org, product_ids=small)
    with django_assert_max_num_queries(12) as many:
        services.footprints_recompute(org=org, product_ids=large)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert Footprint.objects.filter(product_id__in=large, is_current=True).count() == 30


def test_a_large_batch_stores_the_same_rows_as_a_single_calculation(org: Any) -> None:
    # 250 products: on PostgreSQL the batch is written with COPY, below 200 rows with bulk_create; either way
    # each stored row equals the one computed for its product alone (JSON columns, NULLs and all).
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    ids = []
    for n in range(250):
        product = make_product(org, f"P{n}")
        make_activity(product, "production", n + 1, "kWh", factor=grid, primary=n % 2 == 0)
        ids.append(product.pk)
    outcome = services.footprints_recompute(org=org, product_ids=ids)
    assert sorted(outcome.stored) == ids
    stored = {fp.product_id: fp for fp in Footprint.objects.filter(product_id__in=ids, is_current=True)}
    assert len(stored) == 250
    fields = [
        "total_kg_co2e",
        "by_stage",
        "by_gas",
        "primary_data_share",
        "data_quality",
        "factors_used",
        "gaps",
        "battery",
        "input_hash",
        "gwp",
        "declared_unit",
        "trigger",
        "job_id",
        "organization_id",
    ]
    for n in (0, 1, 249):
        bulk = stored[ids[n]]
        single = services.footprint_compute(product=bulk.product)
        assert bulk.total_kg_co2e == pytest.approx((n + 1) * 0.5, rel=REL)
        for name in fields:
            expected = getattr(single, name) if name != "trigger" else "recalculation"
            assert getattr(bulk, name) == expected, name
        assert bulk.result == {**single.result, "functional_unit": single.result["functional_unit"]}
        assert bulk.battery is None and Footprint.objects.filter(pk=bulk.pk, battery__isnull=True).exists()

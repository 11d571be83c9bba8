"""A real worker killed (kill -9) in the middle of a recalculation: a restarted worker finishes it, and every
product gets exactly one new footprint. Runs against PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from lca import services
from lca.models import Footprint, RecalculationJob
from tests.lca.conftest import make_activity, make_factor, make_product
from tests.workers import WorkerProcess, wait_for

PRODUCTS = 400
BATCH = 10


def _job() -> RecalculationJob | None:
    return RecalculationJob.objects.order_by("-pk").first()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 10 in the worker too: it reads the environment the fixture passes on."""
    monkeypatch.setenv("LCA_RECALCULATION_BATCH", str(BATCH))


@pytest.mark.celery_worker
@pytest.mark.slow
def test_a_worker_killed_mid_recalculation_is_resumed_and_no_footprint_is_lost_or_doubled(
    small_batches: None, celery_worker: WorkerProcess, tenant: Any
) -> None:
    org = tenant.org
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    products = []
    for n in range(PRODUCTS):
        product = make_product(org, f"P{n}")
        make_activity(product, "production", n + 1, "kWh", factor=grid)
        products.append(product)
    services.footprints_recompute(org=org, product_ids=[p.pk for p in products])
    with transaction.atomic():
        services.factor_update(factor=grid, co2_fossil=Decimal("2"))

    def mid_way() -> RecalculationJob | None:
        job = _job()
        return job if job and job.products_total and BATCH <= job.products_done < job.products_total else None

    wait_for(mid_way, 120, 0.02)
    celery_worker.kill()
    at_kill = _job()
    assert at_kill is not None and at_kill.status == RecalculationJob.Status.RUNNING
    assert 0 < at_kill.products_done < PRODUCTS
    # Exactly the committed batches are stored: one new current footprint per product done, no more.
    assert Footprint.objects.filter(organization=org, job=at_kill).count() == at_kill.products_done
    first_runner = at_kill.runner

    celery_worker.start()
    done = wait_for(lambda: (j := _job()) is not None and j.status == RecalculationJob.Status.DONE and j, 180, 0.2)
    assert done.runner != first_runner, celery_worker.log()
    assert (done.products_total, done.products_done, done.products_changed) == (PRODUCTS, PRODUCTS, PRODUCTS)
    assert Footprint.objects.filter(organization=org, job=done).count() == PRODUCTS
    for n, product in enumerate(products):
        assert Footprint.objects.filter(product=product).count() == 2
        current = Footprint.objects.get(product=product, is_current=True)
        assert current.total_kg_co2e == pytest.approx((n + 1) * 2.0, rel=1e-6)

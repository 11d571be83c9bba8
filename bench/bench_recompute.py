"""Benchmark: recompute 10,000 products' stored footprints after a factor change, on PostgreSQL.

Run from the repository root: ``.venv/bin/python bench/bench_recompute.py``. ``DATABASE_URL`` names the
database (default ``postgres://postgres@127.0.0.1:5432/dpp_bench_lca``); it is created and migrated when
missing, and the catalogue is generated once and reused:

- 40 purchased materials with suppliers' declared footprints and 60 sub-assemblies made from them with
  their own activity data (a shared bill of materials, some loops through recycled material);
- 10,000 products, each with 4 activities over 3 lifecycle stages (the organization's grid factor,
  natural gas, sea freight, a direct emission) and 3 bill-of-materials lines to sub-assemblies, one of
  them carrying the sub-assembly's own stages over; one product in ten is a battery with a per-kWh figure.

Timed, each beside its target:
- the recalculation job a change of the grid factor queues (find the affected products through the BOM in
  SQL, recompute them in batches, store 10,000 footprints with their provenance), run in this process as
  an eager Celery task would, with its queries per batch;
- ``footprints_recompute`` of all 10,000 at once, and one ``footprint_compute`` (a single product's
  request), for comparison.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dpp_bench_lca"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.pop("REDIS_URL", None)  # the job runs here, eagerly; a broker would hand it to another process

PRODUCTS = 10_000
MATERIALS = 40
SUBASSEMBLIES = 60
TARGET_SECONDS = 30.0
ORG_SLUG = "bench-lca"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if os.environ["DATABASE_URL"].startswith("postgres"):
    ensure_database(os.environ["DATABASE_URL"])

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.disable(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from lca import services  # noqa: E402
from lca.models import (  # noqa: E402
    ActivityData,
    BomLine,
    EmissionFactor,
    Footprint,
    FootprintProfile,
    RecalculationJob,
    SupplierFootprint,
)
from passports import identifiers  # noqa: E402
from passports.models import Organization, Product  # noqa: E402


def gtin(n: int) -> str:
    body = f"0899{n:09d}"
    return body + str(identifiers.gs1_check_digit(body))


def generate(org: Organization) -> None:
    """The catalogue, in bulk (a few seconds); kept in the database for the next run."""
    shared = {f.key: f for f in EmissionFactor.objects.filter(organization__isnull=True)}
    grid = services.factor_create(
        org=org,
        key="bench-grid",
        dataset="bench meter data",
        name="grid, metered",
        unit="kWh",
        region="KR",
        co2e_other=Decimal("0.458"),
        source="bench",
        licence="CC0-1.0",
    )
    products = Product.objects.bulk_create(
        [
            Product(organization=org, gtin=gtin(n), name=f"bench product {n}", category="bench")
            for n in range(MATERIALS + SUBASSEMBLIES + PRODUCTS)
        ],
        batch_size=2000,
    )
    materials = products[:MATERIALS]
    subassemblies = products[MATERIALS : MATERIALS + SUBASSEMBLIES]
    finished = products[MATERIALS + SUBASSEMBLIES :]
    FootprintProfile.objects.bulk_create(
        [FootprintProfile(organization=org, product=p, declared_unit="kg") for p in materials + subassemblies]
        + [
            FootprintProfile(
                organization=org,
                product=p,
                declared_unit="piece",
                rated_energy_kwh=Decimal(60) if n % 10 == 0 else None,
                full_equivalent_cycles=Decimal(1200) if n % 10 == 0 else None,
            )
            for n, p in enumerate(finished)
        ],
        batch_size=2000,
    )
    SupplierFootprint.objects.bulk_create(
        [
            SupplierFootprint(
                organization=org,
                component=p,
                kg_co2e_per_unit=Decimal(2 + n % 9),
                declared_unit="kg",
                source="bench supplier PCF",
                partner=f"supplier {n}",
            )
            for n, p in enumerate(materials)
        ]
    )
    lines, activities = [], []
    for n, p in enumerate(subassemblies):
        for k in range(3):
            lines.append(
                BomLine(
                    organization=org,
                    product=p,
                    component=materials[(n * 3 + k) % MATERIALS],
                    quantity=Decimal("0.3") + Decimal(k) / 10,
                    unit="kg",
                    stage="raw_material",
                )
            )
        if n % 10 == 9:  # recycled material fed back from a later sub-assembly: a loop
            lines.append(
                BomLine(
                    organization=org,
                    product=p,
                    component=subassemblies[(n + 7) % SUBASSEMBLIES],
                    quantity=Decimal("0.05"),
                    unit="kg",
                    stage="raw_material",
                )
            )
        activities.append(
            ActivityData(
                organization=org,
                product=p,
                stage="production",
                process="machining",
                amount=Decimal(2 + n % 5),
                unit="kWh",
                factor=grid,
                primary=True,
                dq_technology=1,
                dq_geography=1,
                dq_time=1,
            )
        )
        activities.append(
            ActivityData(
                organization=org,
                product=p,
                stage="production",
                process="heat",
                amount=Decimal("0.002"),
                unit="MMBtu",
                factor=shared["fuel-natural-gas-hhv"],
            )
        )
    for n, p in enumerate(finished):
        activities += [
            ActivityData(
                organization=org,
                product=p,
                stage="production",
                process="assembly",
                amount=Decimal(5 + n % 13),
                unit="kWh",
                factor=grid,
                primary=True,
                dq_technology=1,
                dq_geography=1,
                dq_time=2,
            ),
            ActivityData(
                organization=org,
                product=p,
                stage="production",
                process="curing",
                amount=Decimal("0.001"),
                unit="MMBtu",
                factor=shared["fuel-natural-gas-hhv"],
            ),
            ActivityData(
                organization=org,
                product=p,
                stage="distribution",
                process="sea freight",
                amount=Decimal(20 + n % 7),
                unit="t.km",
                factor=shared["freight-sea-container-ship-average"],
                dq_technology=2,
                dq_geography=3,
                dq_time=2,
            ),
            ActivityData(
                organization=org,
                product=p,
                stage="end_of_life",
                process="shredding",
                amount=Decimal("0.05"),
                unit="kg",
                gas="CO2_fossil",
            ),
        ]
        for k in range(3):
            lines.append(
                BomLine(
                    organization=org,
                    product=p,
                    component=subassemblies[(n * 7 + k * 11) % SUBASSEMBLIES],
                    quantity=Decimal("0.5") + Decimal(k),
                    unit="kg",
                    stage="" if k == 0 else "raw_material",
                )
            )
    ActivityData.objects.bulk_create(activities, batch_size=5000)
    BomLine.objects.bulk_create(lines, batch_size=5000)


class Clock:
    """Wall time, and CPU time of this process (the machine may be shared; the database's own CPU is not in it)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU"


def verdict(clock: Clock) -> str:
    return f"(target {TARGET_SECONDS:.0f} s) {'OK' if clock.wall < TARGET_SECONDS else 'OVER TARGET'}"


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {connection.vendor}")
    with Clock() as total:
        run()
    print(f"total run {total}")


def run() -> None:
    call_command("migrate", verbosity=0)
    org, _ = Organization.objects.get_or_create(
        slug=ORG_SLUG, defaults={"name": "Bench LCA", "country": "KR", "role": "manufacturer"}
    )
    if not Product.objects.filter(organization=org).exists():
        with Clock() as clock, transaction.atomic():
            generate(org)
        print(f"generated the catalogue: {clock}")
    ids = list(Product.objects.filter(organization=org, category="bench").order_by("pk").values_list("pk", flat=True))[
        MATERIALS + SUBASSEMBLIES :
    ]
    if len(ids) != PRODUCTS:
        raise SystemExit(f"the {ORG_SLUG} organization holds {len(ids)} products, not {PRODUCTS}; drop the database")
    # History of earlier runs is not needed: keep the tables the size of one run.
    Footprint.objects.filter(organization=org, is_current=False).delete()
    RecalculationJob.objects.filter(organization=org).delete()
    if Footprint.objects.filter(organization=org, is_current=True).count() < PRODUCTS:
        with Clock() as clock, transaction.atomic():
            services.footprints_recompute(org=org, product_ids=ids, skip_unchanged=False)
        print(f"first footprints of {PRODUCTS:,} products: {clock}")

    # A change of the organization's grid factor: every product uses it, directly and through its BOM.
    grid = EmissionFactor.objects.get(organization=org, key="bench-grid")
    new_value = Decimal("0.458") if grid.co2e_other != Decimal("0.458") else Decimal("0.462")
    with Clock() as clock:
        services.factor_update(factor=grid, co2e_other=new_value)  # the job runs on commit (eager Celery)
    job = RecalculationJob.objects.filter(organization=org).order_by("-pk").first()
    if job is None or job.status != "done":
        raise SystemExit(f"the recalculation job did not finish: {job}")
    if job.products_changed != job.products_total or job.products_total < PRODUCTS:
        raise SystemExit(f"the job stored {job.products_changed} of {job.products_total} footprints")
    print(
        f"recalculation job after a factor change, {job.products_total:,} footprints stored in batches of "
        f"{services.recalculation_batch_size():,}: {clock} {verdict(clock)}; "
        f"{job.products_total / clock.wall:,.0f} products/s"
    )

    reset_queries()
    with CaptureQueriesContext(connection) as queries, Clock() as clock, transaction.atomic():
        outcome = services.footprints_recompute(org=org, product_ids=ids, skip_unchanged=False)
    print(
        f"footprints_recompute of {PRODUCTS:,} products in one batch: {clock} {verdict(clock)}; "
        f"{len(queries.captured_queries)} queries + 1 COPY, {len(outcome.stored):,} stored, "
        f"{len(outcome.failed)} failed"
    )

    with Clock() as clock, transaction.atomic():
        outcome = services.footprints_recompute(org=org, product_ids=ids)
    print(f"same batch with nothing changed (input hashes only): {clock}, {len(outcome.unchanged):,} unchanged")

    product = Product.objects.get(pk=ids[0])
    with Clock() as clock:
        footprint = services.footprint_compute(product=product)
    print(
        f"one product's footprint on request: {clock.wall * 1000:.0f} ms wall "
        f"({footprint.total_kg_co2e:.3f} kg CO2e, {len(footprint.factors_used)} factors used)"
    )


if __name__ == "__main__":
    main()

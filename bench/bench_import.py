"""Benchmark: a million-row activity-data CSV imported end to end on PostgreSQL.

    python bench/bench_import.py [--rows 1000000] [--chunk 10000]

Writes a ~100 MB CSV to a temporary folder (10,000 products x 5 lifecycle stages x 20 processes, one
activity each), then measures on the same database:

- the limit: ``COPY`` of the same file into a plain table of text and number columns (no keys, no checks);
- the import: ``import_job_create`` (sniffing, storing the upload) and the Celery task run in-process
  (``import_job_task.apply``): every row parsed, converted, validated with the LCA app's rules, looked up
  by natural key and copied into ``lca_activitydata`` in checkpointed chunks.

- a 50-row upload's dry run (create the job, check every row, nothing written), beside its 300 ms target:
  a small file must not pay for the machinery that makes large ones fast.

Prints rows per second beside the target (100,000/s, and at least a tenth of the raw COPY rate of the same
run) and the limit, and peak memory beside 300 MB. CPU time is printed beside wall time because the machine
may be shared. ``DATABASE_URL`` names the database
(default ``postgres://postgres@127.0.0.1:5432/dpp_bench``); it is created if missing. The rows it adds are
deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_ROWS_PER_SECOND = 100_000
MEMORY_LIMIT_MB = 300
SMALL_ROWS = 50
SMALL_TARGET_MS = 300
PRODUCTS = 10_000
STAGES = ("raw_material", "production", "distribution", "use", "end_of_life")
PROCESSES = 20
HEADER = "gtin,stage,process,amount,unit,factor,gas,primary,dq_technology,dq_geography,dq_time,notes"


def gtin(n: int) -> str:
    body = f"0881{n:09d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def write_csv(path: Path, rows: int) -> None:
    """One activity per (product, stage, process): every row is a new natural key. One row in ten is a
    direct emission of fossil CO2 in kg; the others use the shared Korean grid factor, per kWh."""
    generator = random.Random(20260504)
    gtins = [gtin(n) for n in range(PRODUCTS)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        lines = []
        for n in range(rows):
            product, stage, process = n % PRODUCTS, (n // PRODUCTS) % 5, n // (PRODUCTS * 5)
            amount = f"{generator.randrange(1, 10**7) / 1000:.3f}"
            source = "kg,,CO2_fossil" if n % 10 == 9 else "kWh,electricity-grid-kr-2021,"
            dq = "1,2,2" if n % 3 else ",,"
            lines.append(
                f"{gtins[product]},{STAGES[stage]},process {process:02d},{amount},{source},"
                f"{'true' if n % 2 else 'false'},{dq},meter reading {n % 97}\r\n"
            )
            if len(lines) == 10_000:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def raw_copy(path: Path) -> float:
    """Seconds to COPY the file as it is into a plain table: the floor for moving these bytes in."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_raw (gtin text, stage text, process text, amount numeric, unit text, "
            'factor text, gas text, "primary" boolean, dq_technology smallint, dq_geography smallint, '
            "dq_time smallint, notes text)"
        )
        start = time.perf_counter()
        with cursor.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)") as copy, path.open("rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                copy.write(block)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_raw")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dpp_bench")
    os.environ.pop("REDIS_URL", None)  # the task runs in this process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")  # DEBUG off: no query log
    ensure_database(url)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        os.environ["MEDIA_ROOT"] = folder
        run(Path(folder), args.rows, args.chunk)


def run(folder: Path, rows: int, chunk: int) -> None:
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    from lca.models import ActivityData
    from passports.imports.services import import_job_create
    from passports.imports.tasks import import_job_task
    from passports.models import ImportJob, Organization, Product

    call_command("migrate", verbosity=0)
    path = folder / "activity.csv"
    start = time.perf_counter()
    write_csv(path, rows)
    size_mb = path.stat().st_size / 1e6
    print(f"file: {rows:,} rows, {size_mb:,.0f} MB written in {time.perf_counter() - start:.1f} s")

    copy_seconds = raw_copy(path)
    copy_rate = rows / copy_seconds
    print(f"raw COPY of the same rows (the limit): {copy_rate:,.0f} rows/s ({copy_seconds:.1f} s)")

    org = Organization.objects.create(
        name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}", country="KR", role="manufacturer"
    )
    Product.objects.bulk_create(
        [Product(organization=org, gtin=gtin(n), name=f"Product {n}", category="battery") for n in range(PRODUCTS)],
        batch_size=5000,
    )
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            job = import_job_create(
                org=org,
                by=None,
                upload=File(handle, name="activity.csv"),
                kind="activity-data",
                mode=ImportJob.Mode.COMMIT,
                policy=ImportJob.Policy.VALID_ROWS,
                chunk_rows=chunk,
                enqueue=False,
            )
        import_job_task.apply(args=[job.pk])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        job.refresh_from_db()
        stored = ActivityData.objects.filter(organization=org).count()
        sample = ActivityData.objects.filter(organization=org).order_by("pk").first()
        if job.status != "done" or (job.rows_created, job.rows_rejected, stored) != (rows, 0, rows):
            raise SystemExit(f"import incomplete: {job.status} {job.error_en} {job.rows_created=} {stored=}")
        if sample is None or not isinstance(sample.amount, Decimal):
            raise SystemExit("stored amounts are not decimals")
        rate = rows / wall
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"import end to end: {rate:,.0f} rows/s ({wall:.1f} s wall, {cpu:.1f} s CPU in this process) "
            f"(target {TARGET_ROWS_PER_SECOND:,}/s, limit {copy_rate:,.0f}/s raw COPY)"
        )
        print(
            f"  = {rate / TARGET_ROWS_PER_SECOND:.0%} of target, {rate / copy_rate:.1%} of the COPY limit "
            "(target at least 10%)"
        )
        print(
            f"  per CPU second of this process: {rows / cpu:,.0f} rows/s (wall time above includes waiting for a "
            "CPU on a shared machine and for PostgreSQL)"
        )
        print(f"peak memory (maxrss): {peak_mb:,.0f} MB (limit {MEMORY_LIMIT_MB} MB)")
        small_dry_run(folder, org)
    finally:
        cleanup(org)


def small_dry_run(folder: Path, org: Any) -> None:
    """A 50-row upload's dry run, five times: create the job and check every row, nothing written."""
    from django.core.files import File

    from passports.imports.services import import_job_create
    from passports.imports.tasks import import_job_task
    from passports.models import ImportJob

    small = folder / "small.csv"
    write_csv(small, SMALL_ROWS)
    timings = []
    for _attempt in range(5):
        start = time.perf_counter()
        with small.open("rb") as handle:
            job = import_job_create(
                org=org, by=None, upload=File(handle, name="small.csv"), kind="activity-data",
                mode=ImportJob.Mode.DRY_RUN, policy=ImportJob.Policy.VALID_ROWS, enqueue=False,
            )  # fmt: skip
        import_job_task.apply(args=[job.pk])
        timings.append((time.perf_counter() - start) * 1000)
        job.refresh_from_db()
        if job.status != "done" or job.rows_updated != SMALL_ROWS:  # the big import stored these keys
            raise SystemExit(f"small dry run: {job.status} {job.rows_created=} {job.rows_updated=}")
    print(
        f"{SMALL_ROWS}-row dry run: median {sorted(timings)[2]:.0f} ms of 5, best {min(timings):.0f} ms "
        f"(target under {SMALL_TARGET_MS} ms)"
    )


def cleanup(org: object) -> None:
    from django.db import connection

    from passports.models import ImportJob, Product

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lca_activitydata WHERE organization_id = %s", [org.pk])  # type: ignore[attr-defined]
    for job in ImportJob.objects.filter(organization=org):
        job.row_errors.all().delete()
        job.delete()
    Product.objects.filter(organization=org).delete()
    org.delete()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

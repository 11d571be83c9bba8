"""Benchmark: compliance reports from the database, and a batch pack on one worker.

Run from the repository root: ``.venv/bin/python bench/bench_reports.py``. It migrates a throw-away SQLite
database, publishes passports through the real services, then times
- one report of a published passport, database queries included (lookup, effective data, signing info),
  for the demo battery passport and for a shorter ESPR passport, each beside its page count;
- a pack of 200 reports built in this process (what one worker with concurrency 1 does);
- bare reportlab laying out the 3-page reference document of bench_pdf.py, as the floor.
Figures are printed beside their targets, wall time and CPU time both (the machine may be shared).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
WORK = Path(tempfile.mkdtemp(prefix="bench-reports-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ.pop("REDIS_URL", None)

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.disable(logging.INFO)  # publication's own tasks log every step; the figures are what we print

from bench_pdf import bare_reportlab  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from exporters.reports import packs  # noqa: E402
from exporters.reports.pdf import register_fonts  # noqa: E402
from exporters.reports.rendering import render_version_report  # noqa: E402
from exporters.reports.selectors import passport_for_report, version_for_report  # noqa: E402
from passports import identifiers  # noqa: E402
from passports.models import Organization, Passport, PassportSchema, Product  # noqa: E402
from passports.schema_files import example_files  # noqa: E402
from passports.services.passports import passport_create, passport_publish  # noqa: E402

PACK_SIZE = 200
POOL = 2  # a Celery worker's default pool on this 2-core machine


def _example(name: str) -> dict[str, object]:
    import json

    path = next(path for path in example_files() if path.name == name)
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _gtin(number: int) -> str:
    body = f"0880{number:09d}"
    return body + str(identifiers.gs1_check_digit(body))


def _publish(org: Organization, number: int, category: str, example: str, *, publish: bool = True) -> Passport:
    schema = PassportSchema.objects.get(category=category, version="1.0")
    product = Product.objects.create(
        organization=org, gtin=_gtin(number), name=f"Bench product {number}", category=category
    )
    passport = passport_create(
        org=org,
        product=product,
        granularity="model",
        schema=schema,
        data=_example(example),
        base_url=settings.PLATFORM_BASE_URL,
    )
    if publish:
        passport_publish(passport=passport)
    return passport


def _median(work: Callable[[], object], runs: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _report_of(org: Organization, passport: Passport) -> bytes:
    found = passport_for_report(org=org, pk=passport.pk)
    return render_version_report(version_for_report(found), tier="public", lang="en")


def _single(label: str, org: Organization, passports: list[Passport]) -> None:
    pages = len(PdfReader(io.BytesIO(_report_of(org, passports[0]))).pages)
    queue = iter(passports[1:])  # a new passport (and QR code) every run: no per-process cache helps
    wall, cpu = _median(lambda: _report_of(org, next(queue)), len(passports) - 1)
    print(
        f"one {label} report, {pages} pages, with QR and DB queries: {wall * 1000:.1f} ms wall, "
        f"{cpu * 1000:.1f} ms CPU (target < 100 ms for 3 pages; {cpu * 1000 / pages:.1f} ms CPU per page)"
    )


def _chunk(pack_id: int, first: int, last: int) -> None:
    packs.pack_render_chunk(pack_id, first, last)


def _pool_pack(org: Organization, batch: list[Passport]) -> None:
    """One worker with its default pool: the pack's chunks spread over POOL forked processes."""
    from django.db import connections

    pack = packs.pack_create(org=org, passports=batch, lang="en", tier="public", source="bench pool")
    started = packs.pack_start(pack.pk)
    if started is None:
        raise SystemExit("the pack was done before it started")
    chunks = packs.missing_chunks(started)
    connections.close_all()  # each forked process opens its own connection
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(POOL) as pool:
        pool.starmap(_chunk, [(pack.pk, first, last) for first, last in chunks])
    built = packs.pack_finish(pack.pk)
    wall = time.perf_counter() - start
    if built is None or built.done != PACK_SIZE:
        raise SystemExit(f"the pack did not finish: {built}")
    print(
        f"pack of {PACK_SIZE} reports, one worker with a pool of {POOL}: {PACK_SIZE / wall:,.1f} reports/s wall "
        f"(target >= 30 reports/s)"
    )


def _sequential_pack(org: Organization, batch: list[Passport]) -> None:
    pack = packs.pack_create(org=org, passports=batch, lang="en", tier="public", source="bench")
    start, start_cpu = time.perf_counter(), time.process_time()
    built = packs.pack_build(pack.pk)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if built.status != "done" or built.done != PACK_SIZE:
        raise SystemExit(f"the pack did not finish: {built}")
    print(
        f"pack of {PACK_SIZE} reports, one process: {PACK_SIZE / wall:,.1f} reports/s wall, "
        f"{PACK_SIZE / cpu:,.1f}/s per core of CPU, ZIP {built.size / 1024 / 1024:.1f} MB (target >= 30 reports/s)"
    )


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    register_fonts()
    org = Organization.objects.create(name="Bench Energy", slug="bench-energy", country="KR", role="manufacturer")
    battery = [_publish(org, n, "battery", "battery-1.0-ev-pack.json") for n in range(1, 12)]
    espr = [_publish(org, n, "espr-core", "espr-core-1.0-office-chair.json") for n in range(100, 111)]
    _single("battery compliance", org, battery)
    _single("ESPR compliance", org, espr)

    extra = range(200, 200 + PACK_SIZE - len(battery) - len(espr))
    # The filler stays draft: publishing also signs and backs up each version, minutes for 200 here, and a
    # draft's report costs a little more (it is validated for its checklist), so the rate errs low.
    batch = battery + espr + [_publish(org, n, "battery", "battery-1.0-ev-pack.json", publish=False) for n in extra]
    _pool_pack(org, batch)  # first: forked processes must not inherit QR codes cached by an earlier pack
    _sequential_pack(org, batch)
    wall, cpu = _median(bare_reportlab, 20)
    print(
        f"bare reportlab, 3-page reference document: {1 / wall:,.1f}/s, {wall * 1000:.1f} ms wall, "
        f"{cpu * 1000:.1f} ms CPU (the floor, no target)"
    )
    print(f"benchmark took {time.perf_counter() - started:.0f} s; data in {WORK}")


if __name__ == "__main__":
    main()

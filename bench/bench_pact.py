"""Benchmark of the PACT list endpoint: GET /3/footprints?limit=100 over HTTP, gunicorn (sync, 2 workers) on
PostgreSQL with 10,000 footprints, under a threaded load generator on 127.0.0.1.

Run: ``python bench/bench_pact.py`` (``DATABASE_URL`` defaults to
postgres://postgres@127.0.0.1:5432/dpp_bench_pact; the database is created and migrated if needed).
Targets: 500 requests/s and p99 under 100 ms. Every request walks a different page through its keyset
cursor, so the figure is not one cached page. The query count per request is asserted constant in
tests/lca/test_pact_server.py (3 for limit=10 and limit=100).
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.loadgen import cpu_seconds  # noqa: E402  # after the path that finds it

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dpp_bench_pact")
os.environ["DATABASE_URL"] = DATABASE_URL
# Base settings: production-like middleware without the test settings' static-file autorefresh.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
# The per-client PACT throttle runs on every request (its cache round trips are part of the figure), with a
# budget the one bench client cannot exhaust: the list is measured, not the 1200/min default.
os.environ.setdefault("PACT_THROTTLE_RATE", "100000000/min")

FOOTPRINTS = 10_000
PRODUCTS = 200
THREADS = 4
MAX_REQUESTS = 6_000
MAX_SECONDS = 15.0
TARGET_RPS = 500
TARGET_P99_MS = 100.0


def ensure_database() -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load_data() -> str:
    """10,000 footprints of one supplier shared with one partner client; returns the partner's token."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from lca.pact.models import PactFootprint
    from lca.pact.services import facts_for_product, pact_footprint_build, sharing_create
    from passports.identifiers import gs1_check_digit
    from passports.models import Organization, Product
    from passports.services.tenants import api_client_create

    call_command("migrate", verbosity=0)
    supplier, _ = Organization.objects.get_or_create(
        slug="bench-supplier", defaults={"name": "Bench Supplier", "country": "KR", "role": "manufacturer"}
    )
    buyer, _ = Organization.objects.get_or_create(
        slug="bench-buyer", defaults={"name": "Bench Buyer", "country": "DE", "role": "importer"}
    )
    if PactFootprint.objects.filter(organization=supplier).count() < FOOTPRINTS:
        PactFootprint.objects.filter(organization=supplier).delete()
        Product.objects.filter(organization=supplier).delete()
        products = Product.objects.bulk_create(
            [
                Product(
                    organization=supplier,
                    gtin=(body := f"0990{n:09d}") + str(gs1_check_digit(body)),
                    name=f"Bench cell {n}",
                    category="battery",
                )
                for n in range(PRODUCTS)
            ]
        )
        start = datetime(2025, 1, 1, tzinfo=UTC)
        rows = []
        for n in range(FOOTPRINTS):
            product = products[n % PRODUCTS]
            product.organization = supplier
            facts = facts_for_product(
                product=product,
                declared_unit="kg",
                pcf_excluding_biogenic=Decimal(10 + n % 97) / 4,
                cpc_code="46410",
                primary_data_share=Decimal(n % 100),
            )
            rows.append(
                pact_footprint_build(
                    org=supplier, product=product, facts=facts, created_at=start + timedelta(seconds=n)
                )
            )
        PactFootprint.objects.bulk_create(rows, batch_size=1000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lca_pactfootprint")
    client, _secret = api_client_create(org=buyer, name=f"bench partner {time.time_ns()}", scopes=["read"])
    sharing_create(org=supplier, partner=client)
    token = f"bench-{time.time_ns()}"
    AccessToken.objects.create(
        token=token, application=client.application, expires=timezone.now() + timedelta(hours=1), scope="read"
    )
    return token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(  # our own interpreter's gunicorn, fixed arguments
        [gunicorn, "config.wsgi", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def page_paths(port: int, token: str) -> list[str]:
    """Every page of the list (100 pages of 100) by following the Link headers, checking completeness."""
    paths = ["/3/footprints?limit=100"]
    seen = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while True:
        conn.request("GET", paths[-1], headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"list answered {response.status}: {body[:200]!r}")
        seen += body.count(b'"specVersion"')
        link = response.getheader("Link")
        if not link:
            break
        target = urlsplit(link[1 : link.index(">")])
        paths.append(f"{target.path}?{target.query}")
    conn.close()
    if seen != FOOTPRINTS:
        raise SystemExit(f"the pages held {seen} footprints, not {FOOTPRINTS}")
    return paths


def load(port: int, token: str, paths: list[str]) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(MAX_REQUESTS))
    deadline = time.perf_counter() + MAX_SECONDS
    errors: list[int] = []

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        own: list[float] = []
        for n in counter:
            if time.perf_counter() > deadline:
                break
            began = time.perf_counter()
            conn.request("GET", paths[n % len(paths)], headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            own.append(time.perf_counter() - began)
            if response.status != 200:
                errors.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{len(errors)} failed requests: {sorted(set(errors))}")
    return len(latencies), elapsed, latencies


def main() -> None:
    ensure_database()
    token = load_data()
    port = free_port()
    server = start_gunicorn(port)
    try:
        paths = page_paths(port, token)
        load(port, token, paths[:10])  # warm-up: workers import, connections open
        cpu_before = cpu_seconds(parent=server.pid)
        database_before = cpu_seconds(command="postgres")
        client_before = time.process_time()
        count, elapsed, latencies = load(port, token, paths)
        cpu = cpu_seconds(parent=server.pid) - cpu_before
        database_cpu = cpu_seconds(command="postgres") - database_before
        client_cpu = time.process_time() - client_before
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    median = statistics.median(latencies) * 1000
    rate = count / elapsed
    print(f"PACT list, {FOOTPRINTS:,} footprints on PostgreSQL, gunicorn sync x2, {THREADS} client threads")
    print(f"GET /3/footprints?limit=100: {rate:,.0f} requests/s (target {TARGET_RPS}/s) over {count:,} requests")
    print(f"  latency p50 {median:.1f} ms, p99 {p99:.1f} ms (target p99 < {TARGET_P99_MS:.0f} ms)")
    per_core = count / cpu if cpu else float("nan")
    print(f"  server CPU: {cpu * 1000 / count:.1f} ms per request = {per_core * 2:,.0f} requests/s on 2 free cores")
    print(
        f"  CPU per request elsewhere: PostgreSQL {database_cpu * 1000 / count:.1f} ms, "
        f"this load generator {client_cpu * 1000 / count:.1f} ms"
    )
    print(f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other jobs share them)")
    print(f"  pages walked through Link headers: {len(paths)} (each request a different keyset page)")


if __name__ == "__main__":
    main()

"""Benchmark of what a QR code scan costs: the anonymous passport page (HTML), the passport data (JSON) and the
resolver's redirect, over HTTP, gunicorn (sync, 2 workers) on PostgreSQL with Redis as the shared cache.

Run: ``python bench/bench_resolver.py`` (``DATABASE_URL`` defaults to
postgres://postgres@127.0.0.1:5432/dpp_bench_resolver, ``REDIS_URL`` to redis://127.0.0.1:6379/13; the database is
created and migrated, and 40 battery passports published, if needed).
Targets (issue 16): 2,000 requests/s for the anonymous HTML and JSON views on two workers, p99 under 50 ms, and a
revocation visible on the very next request. The answers are kept by ``exporters/resolver/public_cache.py``; a short run
with the cache off gives the figure it replaces.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dpp_bench_resolver")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["PUBLIC_PAGE_CACHE"] = "1"

from bench.loadgen import Result, cpu_seconds, free_port, request_bytes, run, start_gunicorn, stop  # noqa: E402

PASSPORTS = 40
CLIENTS = 3
REQUESTS = 30_000
SECONDS = 10.0
TARGET_RPS = 2_000
TARGET_P99_MS = 50.0
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "en-GB,en;q=0.9"}


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load_data() -> list[str]:
    """Published battery passports (signed, QR codes made) of one organization; returns their identifiers."""
    import json

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from passports.identifiers import gs1_check_digit
    from passports.models import Organization, Passport, Product
    from passports.selectors.passports import schema_by_key
    from passports.services.passports import passport_create, passport_publish

    call_command("migrate", verbosity=0)
    org, _ = Organization.objects.get_or_create(
        slug="bench-resolver", defaults={"name": "Bench Cells", "country": "KR", "role": "manufacturer"}
    )
    schema = schema_by_key("battery/1.0")
    example = ROOT / "passports" / "schemas" / "examples" / "battery-1.0-ev-pack.json"
    data = json.loads(example.read_text(encoding="utf-8"))
    made = Passport.objects.filter(organization=org).count()
    published = Passport.objects.filter(organization=org, versions__status="published").count()
    for n in range(made, made + max(0, PASSPORTS - published)):  # one is revoked by each run
        body = f"0991{n:09d}"
        product = Product.objects.create(
            organization=org, gtin=body + str(gs1_check_digit(body)), name=f"Bench pack {n}", category="battery"
        )
        passport = passport_create(
            org=org, product=product, granularity="model", schema=schema, data=data, lot="", serial="",
            base_url=settings.PLATFORM_BASE_URL,
        )  # fmt: skip
        passport_publish(passport=passport)
    return [
        p.identifier
        for p in Passport.objects.filter(organization=org, versions__status="published").order_by("pk")[:PASSPORTS]
    ]


def report(name: str, result: Result, server_cpu: float, target: bool = True) -> None:
    ok = {code.decode(): number for code, number in result.statuses.items()}
    print(
        f"{name}: {result.rate:,.0f} requests/s over {result.count:,} requests"
        + (f" (target {TARGET_RPS:,}/s)" if target else "")
    )
    print(
        f"  latency p50 {result.percentile(0.5):.1f} ms, p99 {result.percentile(0.99):.1f} ms"
        f"{'' if not target else f' (target < {TARGET_P99_MS:.0f} ms)'}; status codes {ok}"
    )
    per_request = (server_cpu + result.client_cpu) / result.count
    print(
        f"  CPU per request: gunicorn {server_cpu * 1000 / result.count:.2f} ms, "
        f"load generator {result.client_cpu * 1000 / result.count:.2f} ms: "
        f"{2 / per_request:,.0f} requests/s on 2 free cores (the wall-clock rate shares them with other jobs)"
    )


def measure(port: int, server_pid: int, name: str, paths: list[str], headers: dict[str, str], **limits: float) -> None:
    requests = [request_bytes(path, headers) for path in paths]
    run(port, requests, clients=2, total=len(requests) * 12, seconds=30)  # warm-up: every answer kept in both workers
    before = cpu_seconds(parent=server_pid)
    result = run(
        port,
        requests,
        clients=CLIENTS,
        total=int(limits.get("total", REQUESTS)),
        seconds=float(limits.get("seconds", SECONDS)),
    )
    report(name, result, cpu_seconds(parent=server_pid) - before, target=bool(limits.get("target", True)))


def revocation_is_visible(port: int, identifier: str) -> bool:
    """Revoke one passport in this process (committed), then ask gunicorn for its page at once."""
    import http.client

    from passports.models import PassportVersion
    from passports.services.passports import passport_revoke

    page = "/dpp" + urlsplit(identifier).path

    def fetch() -> str:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", page, headers=BROWSER)
        body = conn.getresponse().read().decode()
        conn.close()
        return body

    if "has been revoked" in fetch():
        raise SystemExit(f"{identifier} was revoked before the benchmark: reset its database")
    version = PassportVersion.objects.get(passport__identifier=identifier, status="published")
    passport_revoke(version=version, reason="benchmark: visible on the next request?", by=None)
    return "has been revoked by its issuer" in fetch()


def main() -> None:
    ensure_database()
    identifiers = load_data()
    paths = [urlsplit(identifier).path for identifier in identifiers]
    port = free_port()
    server = start_gunicorn(port, dict(os.environ))
    try:
        print(
            f"Resolver, {len(paths)} published passports on PostgreSQL, Redis cache, gunicorn sync x2, "
            f"{CLIENTS} client processes"
        )
        measure(port, server.pid, "anonymous page GET /dpp/01/... (HTML)", ["/dpp" + p for p in paths], BROWSER)
        measure(
            port,
            server.pid,
            "passport data GET /01/...?format=json (JSON)",
            [p + "?format=json" for p in paths],
            {"Accept": "application/json"},
        )
        measure(port, server.pid, "scan GET /01/... (307 to the page)", paths, BROWSER)
        visible = revocation_is_visible(port, identifiers[-1])
        print(f"revocation visible on the next request: {'yes' if visible else 'NO'} (target yes)")
    finally:
        stop(server)
    uncached = dict(os.environ, PUBLIC_PAGE_CACHE="0")
    server = start_gunicorn(port, uncached)
    try:
        measure(
            port,
            server.pid,
            "for comparison, cache off: page (HTML)",
            ["/dpp" + p for p in paths],
            BROWSER,
            total=1500,
            seconds=5,
            target=False,
        )
    finally:
        stop(server)
    print(f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other jobs share them)")
    time.sleep(0)


if __name__ == "__main__":
    main()

"""Benchmark: the readiness cockpit of one organization with 10,000 products, against its 1 s target.

    python bench/bench_readiness.py            # PostgreSQL at DATABASE_URL (default below), created if missing
    BENCH_READINESS_SQLITE=1 python bench/bench_readiness.py   # an SQLite file under var/ instead

The catalogue is made in bulk as the services would leave it: products in five categories and three
facilities, one model passport for 90 % of them, each with a version whose completeness and gaps by clause
are what ``passports.readiness`` computes for real example data (a quarter of the drafts with a field
removed, so they have a real gap), a third of them published, plus 20 item passports under some products.
Then each cockpit view is requested through Django's test client, logged in as the owner, as a browser
would: page 1, a filtered view, the last page, and the API. Each figure is the median of 7 requests after
one warm-up, printed beside the 1 s target, with its query count (which must not grow with the catalogue).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PRODUCTS = int(os.environ.get("BENCH_READINESS_PRODUCTS", "10000"))
TARGET_SECONDS = 1.0
REPEAT = 7
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dpp_bench_readiness"


def _database_url() -> str:
    if os.environ.get("BENCH_READINESS_SQLITE"):
        (ROOT / "var").mkdir(exist_ok=True)
        path = ROOT / "var" / "bench_readiness.sqlite3"
        path.unlink(missing_ok=True)  # a fresh catalogue every run
        return f"sqlite:///{path}"
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


os.environ["DATABASE_URL"] = _database_url()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

import django  # noqa: E402  # after the environment that configures it

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from passports import identifiers, readiness  # noqa: E402
from passports.documents import content_hash  # noqa: E402
from passports.models import (  # noqa: E402
    Facility,
    Membership,
    Organization,
    Passport,
    PassportSchema,
    PassportVersion,
    Product,
)
from passports.schema_files import example_files  # noqa: E402
from passports.validation import validate  # noqa: E402

CATEGORIES = ("battery", "textile", "steel", "espr-core", "cbam-installation")


def _gtin(n: int) -> str:
    body = f"0990{n:09d}"
    return body + str(identifiers.gs1_check_digit(body))


def _variants(schema: PassportSchema) -> list[tuple[dict, int, dict, int]]:
    """(data, error_count, gaps, completeness) for the schema's first example, whole and with one field cut."""
    import json

    path = sorted(example_files(schema.category, schema.version))[0]
    whole = json.loads(path.read_text(encoding="utf-8"))
    cut = json.loads(path.read_text(encoding="utf-8"))
    first_section = next(iter(cut))
    if isinstance(cut[first_section], dict) and cut[first_section]:
        cut[first_section].pop(next(iter(cut[first_section])))
    found = []
    for data in (whole, cut):
        issues = validate(schema.document, data)
        percent, gaps = readiness.summary(schema.document, data, issues)
        found.append((data, len(issues), gaps, percent))
    return found


def build() -> tuple[Organization, object]:
    from django.contrib.auth import get_user_model

    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench Cells", slug="bench-cells", country="KR")
    owner = get_user_model().objects.create_user("bench-owner")  # logged in with force_login, no password
    Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
    facilities = [Facility.objects.create(organization=org, name=f"Plant {i}", country="KR") for i in range(3)]
    schemas = {s.category: s for s in PassportSchema.objects.filter(version="1.0")}
    variants = {category: _variants(schemas[category]) for category in CATEGORIES}
    with transaction.atomic():
        products = Product.objects.bulk_create(
            [
                Product(
                    organization=org,
                    gtin=_gtin(n),
                    name=f"Product {n:05d}",
                    category=CATEGORIES[n % len(CATEGORIES)],
                    facility=facilities[n % 3],
                )
                for n in range(PRODUCTS)
            ],
            batch_size=2000,
        )
        with_passport = [p for n, p in enumerate(products) if n % 10 != 0]
        passports = Passport.objects.bulk_create(
            [
                Passport(
                    organization=org,
                    product=p,
                    granularity="model",
                    schema=schemas[p.category],
                    identifier=f"https://bench.example/01/{p.gtin}",
                    status="published" if n % 3 == 0 else "draft",
                )
                for n, p in enumerate(with_passport)
            ],
            batch_size=2000,
        )
        versions = []
        for n, passport in enumerate(passports):
            data, errors, gaps, percent = variants[passport.product.category][1 if n % 4 == 1 else 0]
            published = passport.status == "published"
            if published:
                data, errors, gaps, percent = variants[passport.product.category][0]
            versions.append(
                PassportVersion(
                    organization=org,
                    passport=passport,
                    number=1,
                    schema=passport.schema,
                    data=data,
                    status="published" if published else "draft",
                    content_hash=content_hash(data),
                    error_count=errors,
                    completeness=percent,
                    clause_gaps=gaps,
                )
            )
        PassportVersion.objects.bulk_create(versions, batch_size=2000)
        items = Passport.objects.bulk_create(
            [
                Passport(
                    organization=org,
                    product=passports[0].product,
                    granularity="item",
                    serial=f"S{i:04d}",
                    parent=passports[0],
                    schema=passports[0].schema,
                    identifier=f"https://bench.example/01/{passports[0].product.gtin}/21/S{i:04d}",
                )
                for i in range(20)
            ]
        )
        PassportVersion.objects.bulk_create(
            [
                PassportVersion(
                    organization=org, passport=item, number=1, schema=item.schema, data={}, content_hash="0" * 64
                )
                for item in items
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return org, owner


def measure(client: Client, url: str) -> tuple[float, int, int]:
    response = client.get(url)  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries.captured_queries), response.status_code


def main() -> int:
    started = time.perf_counter()
    _org, owner = build()
    print(f"catalogue: {PRODUCTS:,} products on {connection.vendor}, built in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(owner)
    last = (PRODUCTS + 49) // 50
    views = {
        "cockpit, page 1": "/readiness/",
        "cockpit, in scope 2027-02-18 and not published": "/readiness/?deadline=2027-02-18",
        "cockpit, drafts with errors": "/readiness/?status=invalid",
        f"cockpit, last page ({last})": f"/readiness/?page={last}",
        "API /api/v1/readiness/": "/api/v1/readiness/",
    }
    failed = False
    print(f"{'view':52} {'median':>9} {'target':>8} {'queries':>8}")
    for label, url in views.items():
        seconds, queries, _status = measure(client, url)
        ok = seconds < TARGET_SECONDS
        failed |= not ok
        figure, target = f"{seconds * 1000:7.0f} ms", f"{TARGET_SECONDS * 1000:6.0f} ms"
        print(f"{label:52} {figure} {target} {queries:8d}  {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

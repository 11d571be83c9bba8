"""Benchmark: every list, page and dashboard under 100 ms as one organization grows to 1,000,000 item passports.

    python bench/bench_scale.py [--steps 1000,10000,100000,1000000]

Issue 17, item 8. Makes a fresh PostgreSQL database (``DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/dpp_bench_scale``, dropped and created) with one organization, 10 products
and their model passports, then grows the organization's item passports step by step (1k, 10k, 100k, 1M by
default). Rows are written by bulk SQL (``INSERT ... SELECT FROM generate_series``), not through the services:
what is measured is reading them. Each item has one version; 60 % are published, the rest drafts, a tenth of
those with validation errors, spread over the products and their model passports, timestamps one second apart
with every 50th pair tied (so the id must break ties).

After each step (and ``VACUUM ANALYZE``) each view is requested through Django's test client, logged in as the owner,
as a browser or an API client would: the API passport list (page 1 and a cursor page 90 % deep), the web
passport list (page 1 and the same deep page), the dashboard, a model passport's page, and search by GTIN, by
product name and by serial. Each figure is the median of 9 requests after one warm-up, the time Django takes
to answer in this process (no HTTP server in front), printed beside the 100 ms target with the part of it
spent in SQL and its query count, which must not grow with the catalogue. The table at the end is the curve per view.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0
REPEAT = 9
PRODUCTS = 10
BASE_URL = "https://dpp.example.com"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dpp_bench_scale"


def fresh_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")


def setup() -> tuple[object, object, list[object]]:
    """The organization, its owner and its products, each with a model passport and a published version."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from passports import identifiers
    from passports.models import Membership, Organization, Passport, PassportSchema, PassportVersion, Product

    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench Cells", slug="bench-cells", country="KR")
    owner = get_user_model().objects.create_user("bench-owner")  # force_login: no password needed
    Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
    schema = PassportSchema.objects.get(category="battery", version="1.0")
    products = []
    for n in range(PRODUCTS):
        body = f"0880000{n:06d}"
        gtin = body + str(identifiers.gs1_check_digit(body))
        product = Product.objects.create(
            organization=org,
            gtin=gtin,
            name=f"Pouch cell type {n:02d}",
            name_ko=f"파우치 셀 {n:02d}",
            category="battery",
        )
        model = Passport.objects.create(
            organization=org,
            product=product,
            granularity="model",
            schema=schema,
            identifier=f"{BASE_URL}/01/{gtin}",
            status="published",
        )
        PassportVersion.objects.create(
            organization=org,
            passport=model,
            number=1,
            schema=schema,
            data={},
            status="published",
            content_hash="0" * 64,
        )
        products.append(product)
    return org, owner, products


def existing() -> tuple[object, object, list[object]]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from passports.models import Organization, Product

    org = Organization.objects.get(slug="bench-cells")
    owner = get_user_model().objects.get(username="bench-owner")
    return org, owner, list(Product.objects.filter(organization=org).order_by("pk"))


def item_count(org: object) -> int:
    from passports.models import Passport

    return Passport.objects.filter(organization=org, granularity="item").count()


ITEMS_SQL = """
INSERT INTO passports_passport (organization_id, product_id, granularity, lot, serial, parent_id, schema_id,
    identifier, status, created_by_id, created_at, updated_at, retain_until, registry_id, registry_registered_at)
SELECT %(org)s, m.product_id, 'item', '', s.serial, m.id, m.schema_id,
    %(base)s || '/01/' || pr.gtin || '/21/' || s.serial,
    CASE WHEN g %% 10 < 6 THEN 'published' ELSE 'draft' END, NULL, s.at, s.at, NULL, '', NULL
FROM generate_series(%(first)s, %(last)s) AS g
CROSS JOIN LATERAL (SELECT 'SN' || lpad(g::text, 8, '0') AS serial,
    TIMESTAMPTZ '2026-01-01 00:00:00+00' + (g - CASE WHEN g %% 50 = 1 THEN 1 ELSE 0 END) * INTERVAL '1 second'
    AS at) AS s
JOIN passports_passport m ON m.organization_id = %(org)s AND m.granularity = 'model'
    AND m.product_id = (%(products)s)[1 + g %% %(nproducts)s]
JOIN passports_product pr ON pr.id = m.product_id
"""

VERSIONS_SQL = """
INSERT INTO passports_passportversion (organization_id, passport_id, number, schema_id, data, base_version_id, status,
    content_hash, revision, error_count, completeness, clause_gaps, created_by_id, created_at, updated_at,
    published_at, published_by_id, superseded_at, revoked_at, revocation_reason)
SELECT p.organization_id, p.id, 1, p.schema_id, '{}'::jsonb, mv.id, p.status, md5(p.identifier) || md5(p.serial), 1,
    CASE WHEN p.status = 'draft' AND p.id %% 4 = 0 THEN 1 + p.id %% 7 ELSE 0 END, 90, '{}'::jsonb, NULL,
    p.created_at, p.updated_at, CASE WHEN p.status = 'published' THEN p.updated_at END, NULL, NULL, NULL, ''
FROM passports_passport p
JOIN passports_passportversion mv ON mv.passport_id = p.parent_id AND mv.number = 1
WHERE p.organization_id = %(org)s AND p.granularity = 'item' AND p.serial BETWEEN %(from_serial)s AND %(to_serial)s
"""


def grow(org: object, products: list[object], have: int, want: int) -> float:
    """Items ``have + 1`` to ``want`` (and their versions), by bulk SQL in chunks of 100,000; seconds taken."""
    from django.db import connection, transaction

    started = time.perf_counter()
    for first in range(have + 1, want + 1, 100_000):
        last = min(first + 99_999, want)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                ITEMS_SQL,
                {
                    "org": org.pk,  # type: ignore[attr-defined]
                    "base": BASE_URL,
                    "first": first,
                    "last": last,
                    "products": [p.pk for p in products],  # type: ignore[attr-defined]
                    "nproducts": len(products),
                },
            )
            cursor.execute(
                VERSIONS_SQL,
                {"org": org.pk, "from_serial": f"SN{first:08d}", "to_serial": f"SN{last:08d}"},  # type: ignore[attr-defined]
            )
    with connection.cursor() as cursor:
        # What autovacuum would have done after such a load: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE passports_passport")
        cursor.execute("VACUUM ANALYZE passports_passportversion")
    return time.perf_counter() - started


def measure(client: object, url: str) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # type: ignore[attr-defined]  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times, sql_times = [], []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url)  # type: ignore[attr-defined]
            times.append(time.perf_counter() - started)
        sql_times.append(sum(float(query["time"]) for query in queries.captured_queries))
    return statistics.median(times) * 1000, statistics.median(sql_times) * 1000, len(queries.captured_queries)


def views(org: object, products: list[object], total: int) -> dict[str, str]:
    from django.urls import reverse

    from core.keyset import OLDER, Cursor
    from passports.models import Passport

    deep_row = (
        Passport.objects.filter(organization=org)
        .order_by("-updated_at", "-pk")
        .values_list("updated_at", "pk")[int(total * 0.9)]
    )
    deep = Cursor(OLDER, deep_row[0], deep_row[1]).encode()
    model = Passport.objects.get(product=products[3], granularity="model")
    gtin = products[3].gtin  # type: ignore[attr-defined]
    serial = f"SN{total // 2:08d}"
    return {
        "API list, page 1": "/api/v1/passports/",
        "API list, 90 % deep (cursor)": f"/api/v1/passports/?cursor={deep}",
        "web list, page 1": reverse("passport-list-page"),
        "web list, 90 % deep (cursor)": f"{reverse('passport-list-page')}?cursor={deep}",
        "dashboard": reverse("home"),
        "model passport page": reverse("passport-detail-page", args=[model.pk]),
        "API list, drafts": "/api/v1/passports/?status=draft",
        "API list, model passports": "/api/v1/passports/?granularity=model",
        "API list, one schema": "/api/v1/passports/?schema=battery/1.0",
        "product list": reverse("product-list-page"),
        "product page": reverse("product-detail-page", args=[products[3].pk]),  # type: ignore[attr-defined]
        "API search by GTIN": f"/api/v1/passports/?search={gtin}",
        "API search by name": "/api/v1/passports/?search=cell%20type%2003",
        "API search by serial": f"/api/v1/passports/?search={serial}",
        "web search by GTIN": f"{reverse('passport-list-page')}?q={gtin}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="1000,10000,100000,1000000")
    parser.add_argument("--again", action="store_true", help="measure the database a previous run left, as it is")
    args = parser.parse_args()
    steps = [int(step) for step in args.steps.split(",")]
    if args.again:
        org, owner, products = existing()
        steps = [item_count(org)]
    else:
        fresh_database(os.environ["DATABASE_URL"])
        org, owner, products = setup()
    from django.test import Client

    client = Client()
    client.force_login(owner)
    curve: dict[str, list[tuple[float, int]]] = {}
    have = 0
    for want in steps:
        seconds = 0.0 if args.again else grow(org, products, have, want)
        have = want
        print(f"\n{want:,} item passports (+{PRODUCTS} models), grown in {seconds:.1f} s")
        print(f"  {'view':34} {'median':>9} {'of it SQL':>10} {'target':>8} {'queries':>8}")
        for label, url in views(org, products, want).items():
            ms, sql_ms, queries = measure(client, url)
            curve.setdefault(label, []).append((ms, queries))
            verdict = "ok" if ms < TARGET_MS else "MISSED"
            print(f"  {label:34} {ms:6.1f} ms {sql_ms:7.1f} ms {TARGET_MS:5.0f} ms {queries:8d}  {verdict}", flush=True)
    print(f"\nThe curve (median ms per view; target {TARGET_MS:.0f} ms at every size)")
    print(f"  {'view':34} " + " ".join(f"{step:>10,}" for step in steps))
    missed = False
    for label, figures in curve.items():
        missed |= any(ms >= TARGET_MS for ms, _queries in figures)
        print(f"  {label:34} " + " ".join(f"{ms:7.1f} ms" for ms, _queries in figures))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Concurrent writes on the real database: one key, one object; one ETag, one winner.

These run only on PostgreSQL (the real-services run): SQLite serialises every writer, so it cannot show a
race. The requests go over real sockets to a threaded live server, each in its own thread with its own
database connection, released together by a barrier.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest
from django.db import connection

from passports.models import ColumnMapping, IdempotencyKey, Passport, PassportVersion, Product
from tests.conftest import token_request
from tests.factories import gtin_from, make_passport
from tests.workers import database_url_for_test_db

pytestmark = [pytest.mark.services, pytest.mark.slow]

CONCURRENT = 20


@pytest.fixture
def postgres(transactional_db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises writers, so there is no race to show")


@pytest.fixture
def bearer(postgres: None, tenant: Any, make_credentials: Any) -> dict[str, str]:
    credentials = make_credentials(tenant.org, ("read", "write"))
    token = token_request(credentials.basic()).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def together(count: int, call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """Run ``call(i)`` in ``count`` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def run(index: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_concurrent_posts_with_one_key_create_one_object(
    live_server: Any, bearer: dict[str, str], tenant: Any
) -> None:
    body = {"gtin": gtin_from(4242), "name": "Concurrent pack", "category": "battery", "cn_code": "85076000"}
    headers = {**bearer, "Idempotency-Key": "one-key-twenty-requests"}
    url = f"{live_server.url}/api/v1/products/"

    def post(_index: int) -> httpx.Response:
        return httpx.post(url, json=body, headers=headers, timeout=60)

    answers = together(CONCURRENT, post)
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    created = [a for a in answers if a.status_code == 201]
    originals = [a for a in created if "idempotent-replayed" not in a.headers]
    assert len(originals) == 1, statuses  # exactly one request did the work
    assert len({a.content for a in created}) == 1  # every replay is that answer, byte for byte
    busy = [a for a in answers if a.status_code == 409]
    assert all(a.headers["retry-after"] == "1" for a in busy)
    assert Product.objects.filter(organization=tenant.org, gtin=body["gtin"]).count() == 1
    # The requests refused as in flight may retry: they get the stored answer, and still one object.
    retried = together(len(busy) or 1, post)
    assert {a.status_code for a in retried} == {201}
    assert {a.content for a in retried} == {originals[0].content}
    assert Product.objects.filter(organization=tenant.org, gtin=body["gtin"]).count() == 1
    assert IdempotencyKey.objects.filter(key="one-key-twenty-requests").count() == 1


@pytest.mark.parametrize("what", ["product", "passport", "mapping"])
def test_concurrent_creates_without_a_key_never_answer_500(
    live_server: Any, bearer: dict[str, str], tenant: Any, what: str
) -> None:
    """Without the header every request runs; the services check that a name is free and then insert, so the
    losers of the race meet the database's unique constraint. They must get an answer (409), never a 500."""
    product = Product.objects.create(organization=tenant.org, gtin=gtin_from(4444), name="p", category="battery")
    path, body, model, lookup = {
        "product": (
            "products/",
            {"gtin": gtin_from(4343), "name": "No key", "category": "battery", "cn_code": "85076000"},
            Product,
            {"gtin": gtin_from(4343)},
        ),
        "passport": (
            "passports/",
            {"product": product.pk, "granularity": "model", "schema": "battery/1.0", "data": {}},
            Passport,
            {"product": product},
        ),
        "mapping": (
            "imports/mappings/",
            {"kind": "products", "name": "Partner layout", "mapping": {"Artikel": "gtin"}},
            ColumnMapping,
            {"name": "Partner layout"},
        ),
    }[what]
    url = f"{live_server.url}/api/v1/{path}"
    answers = together(CONCURRENT, lambda _i: httpx.post(url, json=body, headers=bearer, timeout=60))
    statuses = [a.status_code for a in answers]
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 400, 409}, statuses
    refused = [a.json()["error"]["code"] for a in answers if a.status_code == 409]
    assert set(refused) <= {"conflict"}, refused
    assert model.objects.filter(organization=tenant.org, **lookup).count() == 1


def _draft(tenant: Any, live_server: Any, bearer: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    passport = make_passport(tenant.org)
    url = f"{live_server.url}/api/v1/passports/{passport.pk}"
    detail = httpx.get(url, headers=bearer, timeout=30)
    assert detail.status_code == 200, detail.text
    return url, detail.headers["etag"], detail.json()["current_version"]["data"]


def test_two_concurrent_patches_with_one_etag_one_wins_one_gets_412(
    live_server: Any, bearer: dict[str, str], tenant: Any
) -> None:
    for _round in range(5):
        url, etag, data = _draft(tenant, live_server, bearer)
        before = PassportVersion.objects.get(passport_id=int(url.rsplit("/", 1)[1]), status="draft").revision

        def patch(index: int, url: str = url, etag: str = etag, data: dict[str, Any] = data) -> httpx.Response:
            changed = {**data, "note": f"writer {index}"}
            return httpx.patch(url, json={"data": changed}, headers={**bearer, "If-Match": etag}, timeout=60)

        answers = together(2, patch)
        assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
        winner = next(a for a in answers if a.status_code == 200)
        version = PassportVersion.objects.get(passport_id=int(url.rsplit("/", 1)[1]), status="draft")
        assert version.revision == before + 1  # one update, not two
        assert winner.headers["etag"] == version.etag


def _raw_connection() -> psycopg.Connection[Any]:
    """A connection of our own to the test database, outside Django's."""
    return psycopg.connect(database_url_for_test_db(), autocommit=False)


def test_the_draft_update_waits_for_the_row_lock_and_checks_the_etag_under_it(
    live_server: Any, bearer: dict[str, str], tenant: Any
) -> None:
    """The service locks the version (SELECT ... FOR UPDATE) before comparing ETags.

    Another transaction holds the row and changes it; the PATCH sent meanwhile must wait (not read the old
    revision and overwrite), then see the new ETag and answer 412.
    """
    url, etag, data = _draft(tenant, live_server, bearer)
    version = PassportVersion.objects.get(passport_id=int(url.rsplit("/", 1)[1]), status="draft")
    before = version.revision
    with _raw_connection() as other:
        other.execute("SELECT id FROM passports_passportversion WHERE id = %s FOR UPDATE", [version.pk])
        results: list[httpx.Response] = []
        sender = threading.Thread(
            target=lambda: results.append(
                httpx.patch(url, json={"data": data}, headers={**bearer, "If-Match": etag}, timeout=60)
            )
        )
        sender.start()
        time.sleep(1.5)
        assert not results, "the PATCH did not wait for the row lock"
        waiting = other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
        assert waiting is not None and waiting[0] >= 1
        other.execute("UPDATE passports_passportversion SET revision = revision + 1 WHERE id = %s", [version.pk])
        other.commit()
        sender.join(timeout=30)
    assert [r.status_code for r in results] == [412]
    version.refresh_from_db()
    assert version.revision == before + 1  # only the other writer's change

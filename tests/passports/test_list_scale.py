"""Lists that stay fast as the catalogue grows (issue 17, item 8): keyset pages, bounded counts, search that
reaches passports through indexes, and the PostgreSQL plans that make them so."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.counts import row_count, row_counts
from passports.models import Passport
from passports.selectors.passports import passport_search
from tests.factories import ProductFactory, make_passport


def _newest_first(org: Any) -> list[int]:
    return list(Passport.objects.filter(organization=org).order_by("-updated_at", "-pk").values_list("pk", flat=True))


@pytest.fixture
def seven(tenant: Any) -> list[int]:
    """Seven passports, three of them sharing one timestamp, so the id must break the tie between pages."""
    model = make_passport(tenant.org)
    for n in range(6):
        make_passport(tenant.org, granularity="item", product=model.product, serial=f"SN-{n:04d}")
    same = timezone.now()
    tied = _newest_first(tenant.org)[2:5]
    Passport.objects.filter(pk__in=tied).update(updated_at=same)
    return _newest_first(tenant.org)


def _cursor(link: str | None) -> str | None:
    return parse_qs(urlsplit(link).query)["cursor"][0] if link else None


def test_the_api_walks_every_passport_by_cursor_once_in_both_directions(
    seven: list[int], tenant: Any, other_tenant: Any, login_api: Any
) -> None:
    make_passport(other_tenant.org)
    api = login_api(tenant.viewer)
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"page_size": 3}
    while True:
        body = api.get("/api/v1/passports/", params).json()
        pages.append(body)
        if not body["next"]:
            break
        params = {"page_size": 3, "cursor": _cursor(body["next"])}
    assert [row["id"] for page in pages for row in page["results"]] == seven
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert {(page["count"], page["count_exact"]) for page in pages} == {(7, True)}
    assert pages[0]["previous"] is None
    back = api.get("/api/v1/passports/", {"page_size": 3, "cursor": _cursor(pages[2]["previous"])}).json()
    assert [row["id"] for row in back["results"]] == seven[3:6]
    first = api.get("/api/v1/passports/", {"page_size": 3, "cursor": _cursor(back["previous"])}).json()
    assert [row["id"] for row in first["results"]] == seven[:3]
    assert first["previous"] is None


def test_page_numbers_keep_working_and_a_bad_cursor_is_refused(seven: list[int], tenant: Any, login_api: Any) -> None:
    api = login_api(tenant.viewer)
    second = api.get("/api/v1/passports/", {"page_size": 3, "page": 2}).json()
    assert [row["id"] for row in second["results"]] == seven[3:6]
    assert (second["count"], second["count_exact"]) == (7, True)
    assert "page=3" in second["next"]
    for bad in ("nonsense", "bnwyMDI2LTEyLTA3fDE"):
        refused = api.get("/api/v1/passports/", {"cursor": bad})
        assert refused.status_code == 400
        assert "cursor" in str(refused.json())


def test_the_web_list_pages_by_cursor(seven: list[int], tenant: Any, client: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("passports.web.passports.PAGE_SIZE", 4)
    client.force_login(tenant.viewer)
    url = reverse("passport-list-page")
    first = client.get(url)
    assert [p.pk for p in first.context["page"]] == seven[:4]
    assert "7 results" in first.content.decode()
    older = first.context["page"].older.encode()
    assert f"cursor={older}" in first.content.decode()
    second = client.get(url, {"cursor": older})
    assert [p.pk for p in second.context["page"]] == seven[4:]
    assert second.context["page"].older is None
    # A cursor that is not one of ours starts from the newest rather than failing.
    assert [p.pk for p in client.get(url, {"cursor": "%%%"}).context["page"]] == seven[:4]


def test_search_finds_by_gtin_name_lot_and_serial_in_the_own_tenant_only(
    tenant: Any, other_tenant: Any, login_api: Any
) -> None:
    cell = ProductFactory(organization=tenant.org, name="Pouch cell 60Ah", name_ko="파우치 셀")
    model = make_passport(tenant.org, product=cell)
    item = make_passport(tenant.org, granularity="item", product=cell, serial="QX-77120")
    batch = make_passport(tenant.org, granularity="batch", product=cell, lot="LOT-K9")
    unrelated = make_passport(tenant.org, name="Steel rack")
    make_passport(other_tenant.org, name="Pouch cell 60Ah")
    api = login_api(tenant.viewer)

    def found(term: str) -> set[int]:
        return {row["id"] for row in api.get("/api/v1/passports/", {"search": term}).json()["results"]}

    everything_of_the_cell = {model.pk, item.pk, batch.pk}
    assert found("pouch CELL") == everything_of_the_cell
    assert found("파우치") == everything_of_the_cell
    assert found(cell.gtin) == everything_of_the_cell
    assert found("x-771") == {item.pk}
    assert found("lot-k") == {batch.pk}
    assert found("rack") == {unrelated.pk}
    assert found("nothing-like-this") == set()


def test_counts_are_exact_in_one_query_below_the_bound(tenant: Any, django_assert_num_queries: Any) -> None:
    for _ in range(3):
        make_passport(tenant.org)
    org_passports = Passport.objects.filter(organization=tenant.org)
    with django_assert_num_queries(1):
        counts = row_counts({"all": org_passports, "published": org_passports.filter(status="published")})
    assert (counts["all"].value, counts["all"].exact) == (3, True)
    assert (counts["published"].value, counts["published"].exact) == (0, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bound and the estimate are PostgreSQL's")
def test_above_the_bound_a_count_is_an_estimate_never_below_it(tenant: Any) -> None:
    for _ in range(4):
        make_passport(tenant.org)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE passports_passport")
    estimated = row_count(Passport.objects.filter(organization=tenant.org), exact_up_to=2)
    assert not estimated.exact
    assert estimated.value >= 3
    assert row_count(Passport.objects.filter(organization=tenant.org), exact_up_to=4).value == 4


def _plan(sql: str, *, off: tuple[str, ...], params: Any = None) -> str:
    with connection.cursor() as cursor:
        # A table this small is read whole, or through the wrong index; with those plans off, what remains
        # shows whether the index meant for the query can answer it at all, and with which condition.
        for plan in off:
            cursor.execute(f"SET LOCAL enable_{plan} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_a_deep_page_starts_an_index_range_scan_at_its_cursor(seven: list[int], tenant: Any, login_api: Any) -> None:
    api = login_api(tenant.viewer)
    link = api.get("/api/v1/passports/", {"page_size": 2}).json()["next"]
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/passports/", {"page_size": 2, "cursor": _cursor(link)}).status_code == 200
    page_sql = next(q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and "LIMIT 3" in q["sql"])
    plan = _plan(page_sql, off=("seqscan", "bitmapscan", "sort"))
    assert "passport_org_recent" in plan, plan
    assert "Index Cond: ((organization_id = " in plan and "ROW(updated_at, id) < ROW(" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_every_arm_of_a_search_has_an_index(seven: list[int], tenant: Any) -> None:
    """The search condition is an OR of conditions on the passport table alone, each of which an index answers
    (so PostgreSQL can combine them in a BitmapOr when matches are few): the product key for the products
    that match, the trigram indexes on serial and lot for Django's ``UPPER(column::text) LIKE``."""
    cell = Passport.objects.get(pk=seven[-1]).product
    condition = passport_search(org=tenant.org, term=cell.gtin)
    sql, params = Passport.objects.filter(condition).values("pk").query.sql_with_params()
    plan = _plan(sql, off=("seqscan", "indexscan"), params=params)
    assert "BitmapOr" in plan, plan
    for index in ("passport_serial_trgm", "passport_lot_trgm", "passports_passport_product_id"):
        assert index in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts are estimated on PostgreSQL only")
def test_pages_label_an_estimated_count_as_one(seven: list[int], tenant: Any, client: Any, monkeypatch: Any) -> None:
    """Past the bound, the list, the dashboard and the API say the count is an estimate rather than pose it as
    exact (here the bound is lowered to 3 so seven passports pass it)."""
    monkeypatch.setattr("core.counts.EXACT_UP_TO", 3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE passports_passport")
    client.force_login(tenant.viewer)
    listing = client.get(reverse("passport-list-page")).content.decode()
    assert "results (estimated)" in listing and ">7 results" not in listing
    assert "(estimated)" in client.get(reverse("home")).content.decode()
    body = client.get("/api/v1/passports/").json()
    assert body["count_exact"] is False and body["count"] >= 4


@pytest.mark.parametrize("schema", ["a", "battery/99.0"])
def test_a_schema_filter_that_names_no_schema_lists_nothing(tenant: Any, login_api: Any, schema: str) -> None:
    """Found by the API fuzzing: a schema nobody has made the id list empty, which the ORM writes no SQL for,
    and the bounded count failed on it (a 500)."""
    make_passport(tenant.org)
    for query in ({"schema": schema}, {"schema": schema, "page": 1}):
        answer = login_api(tenant.owner).get("/api/v1/passports/", query)
        assert answer.status_code == 200
        assert answer.json()["results"] == []

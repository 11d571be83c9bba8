"""The PACT host endpoints against the published v2.3 and v3.0 OpenAPI files: every answer checked."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from lca.pact.models import PactFootprint
from lca.pact.services import sharing_create
from tests.factories import ProductFactory
from tests.lca.pact_support import assert_conforms, publish

pytestmark = pytest.mark.django_db

LIST = {"2": "/2/footprints", "3": "/3/footprints"}
DETAIL = {"2": "/2/footprints/{id}", "3": "/3/footprints/{id}"}


@pytest.fixture
def partner(tenant: Any, other_tenant: Any, make_credentials: Any) -> Any:
    """other_tenant's API client, with which tenant shares all its footprints; returns (client, api)."""
    from tests.conftest import token_request

    credentials = make_credentials(other_tenant.org, ("read",), name="buyer")
    sharing_create(org=tenant.org, partner=credentials.client)
    token = token_request(credentials.basic()).json()["access_token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return credentials, api, token


@pytest.mark.parametrize("version", ["2", "3"])
def test_list_and_get_conform(version: str, tenant: Any, partner: Any) -> None:
    _credentials, api, _token = partner
    first = publish(tenant.org)
    publish(tenant.org, unit="piece")  # v3 only: v2 has no "piece" declared unit
    body = assert_conforms(version, LIST[version], "get", api.get(LIST[version]))
    ids = [pf["id"] for pf in body["data"]]
    assert str(first.pf_id) in ids
    assert len(ids) == (1 if version == "2" else 2)
    assert all(pf["specVersion"].startswith(version + ".") for pf in body["data"])
    one = assert_conforms(version, DETAIL[version], "get", api.get(f"{LIST[version]}/{first.pf_id}"))
    assert one["data"]["id"] == str(first.pf_id)
    assert one["data"]["productIds"] == [f"urn:gtin:{first.product.gtin}"]


@pytest.mark.parametrize("version", ["2", "3"])
def test_errors_conform(version: str, tenant: Any, other_tenant: Any, partner: Any, bearer_api: Any) -> None:
    credentials, api, _token = partner
    hidden = publish(other_tenant.org)  # not shared with anyone
    missing = api.get(f"{LIST[version]}/{hidden.pf_id}")
    assert missing.status_code == 404
    if version == "2":
        # v2's normative error table (and both WBCSD tools) say NoSuchFootprint; only the 2.3 OpenAPI enum
        # spells it NotFound, so this body is checked by hand.
        assert json.loads(missing.content) == {
            "code": "NoSuchFootprint",
            "message": json.loads(missing.content)["message"],
        }
    else:
        assert assert_conforms(version, DETAIL[version], "get", missing)["code"] == "NotFound"
    bad_id = api.get(f"{LIST[version]}/not-a-uuid")
    assert assert_conforms(version, DETAIL[version], "get", bad_id)["code"] == "BadRequest"
    bad_limit = api.get(LIST[version], {"limit": "-1"})
    assert assert_conforms(version, LIST[version], "get", bad_limit)["code"] == "BadRequest"
    # No usable token: v2 400 BadRequest, v3 401 (code BadRequest, with the Bearer challenge).
    unauthenticated = 400 if version == "2" else 401
    anonymous = APIClient().get(LIST[version])
    assert anonymous.status_code == unauthenticated
    assert assert_conforms(version, LIST[version], "get", anonymous)["code"] == "BadRequest"
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    wrong_answer = wrong.get(LIST[version])
    assert wrong_answer.status_code == unauthenticated
    assert assert_conforms(version, LIST[version], "get", wrong_answer)["code"] == "BadRequest"
    if version == "3":
        assert wrong_answer["WWW-Authenticate"].startswith("Bearer")
    # A valid token of a client nobody shares with reads an empty list: AccessDenied is for missing rights.
    stranger = bearer_api(other_tenant.org, ("read",))
    empty = stranger.get(LIST[version])
    assert assert_conforms(version, LIST[version], "get", empty) == {"data": []}
    # Expired: the token row is still there (DOT deletes nothing), so it is told apart from an unknown one.
    AccessToken.objects.filter(application=credentials.client.application).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    expired = api.get(LIST[version])
    assert expired.status_code == 401
    assert assert_conforms(version, LIST[version], "get", expired)["code"] == "TokenExpired"


def test_write_only_token_is_denied(tenant: Any, other_tenant: Any, make_credentials: Any) -> None:
    from tests.conftest import token_request

    credentials = make_credentials(other_tenant.org, ("write",), name="writer")
    sharing_create(org=tenant.org, partner=credentials.client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + token_request(credentials.basic()).json()["access_token"])
    assert api.get("/3/footprints").status_code == 403


@pytest.mark.parametrize("version", ["2", "3"])
def test_pagination_link_is_stable_and_complete(version: str, tenant: Any, partner: Any) -> None:
    _credentials, api, _token = partner
    made = {str(publish(tenant.org).pf_id) for _ in range(5)}
    seen: list[str] = []
    url: str | None = f"{LIST[version]}?limit=2"
    pages = 0
    while url:
        response = api.get(url)
        body = assert_conforms(version, LIST[version], "get", response)
        assert len(body["data"]) <= 2
        seen += [pf["id"] for pf in body["data"]]
        link = response.headers.get("Link")
        if link is None:
            break
        assert link.endswith('>; rel="next"')
        target = link[1 : link.index(">")]
        parts = urlsplit(target)
        assert parts.scheme == "http" and parts.netloc == "testserver"  # absolute, on the request's host
        again = api.get(f"{parts.path}?{parts.query}")
        assert again.content == api.get(f"{parts.path}?{parts.query}").content  # same page on each call
        url = f"{parts.path}?{parts.query}"
        pages += 1
    assert pages == 2  # 5 rows, 2 per page: links after pages 1 and 2, none after page 3
    assert sorted(seen) == sorted(made)


def test_link_page_survives_new_rows_before_it(tenant: Any, partner: Any) -> None:
    """Keyset, not offset: a footprint published after the link was made does not shift the next page."""
    _credentials, api, _token = partner
    for _ in range(4):
        publish(tenant.org)
    first = api.get("/3/footprints?limit=2")
    link = first.headers["Link"]
    target = urlsplit(link[1 : link.index(">")])
    before = json.loads(api.get(f"{target.path}?{target.query}").content)["data"]
    publish(tenant.org)
    after = json.loads(api.get(f"{target.path}?{target.query}").content)["data"]
    assert [pf["id"] for pf in before] == [pf["id"] for pf in after]


def test_v3_filters(tenant: Any, partner: Any) -> None:
    _credentials, api, _token = partner
    a = publish(tenant.org)
    b = publish(tenant.org, cpc="41532")
    c = publish(tenant.org)
    updated_c = publish(tenant.org, product=c.product, total="10")  # deprecates c

    def ids(**params: Any) -> set[str]:
        body = assert_conforms("3", "/3/footprints", "get", api.get("/3/footprints", params))
        return {pf["id"] for pf in body["data"]}

    gtin_a = f"URN:GTIN:{a.product.gtin}"  # case-insensitive match
    assert ids(productId=gtin_a) == {str(a.pf_id)}
    assert ids(productId=[gtin_a, f"urn:gtin:{b.product.gtin}"]) == {str(a.pf_id), str(b.pf_id)}  # OR
    assert ids(classification="urn:pact:productclassification:un-cpc:41532") == {str(b.pf_id)}
    both = {
        "productId": [gtin_a, f"urn:gtin:{b.product.gtin}"],
        "classification": "urn:pact:productclassification:un-cpc:41532",
    }
    assert ids(**both) == {str(b.pf_id)}  # AND across parameters
    assert ids(status="Deprecated") == {str(c.pf_id)}
    assert str(updated_c.pf_id) in ids(status="active")
    assert ids(geography="kr") == {str(x.pf_id) for x in (a, b, c, updated_c)}
    assert ids(geography="DE") == set()
    # Validity: reference period ends 2025-01-01, footprints valid 3 years (1095 days) from then.
    assert len(ids(validOn="2026-06-01T00:00:00Z")) == 4
    assert ids(validOn="2024-06-01T00:00:00Z") == set()
    assert len(ids(validAfter="2024-12-31T00:00:00Z")) == 4
    assert ids(validBefore="2027-01-01T00:00:00Z") == set()
    assert ids(companyId="urn:pact:company:dpp:nobody") == set()
    assert len(ids(companyId=f"urn:pact:company:dpp:{tenant.org.slug}")) == 4
    empty = api.get("/3/footprints", {"productId": "urn:gtin:00000000000000"})
    assert empty.status_code == 200 and json.loads(empty.content) == {"data": []}
    # Values the parameter schema forbids match nothing (the conformance tool's negative cases); a date that
    # does not parse is refused.
    for forbidden in ({"status": "Gone"}, {"productId": "no-urn"}, {"companyId": "abc"}, {"geography": "XX"}):
        assert ids(**forbidden) == set()
    bad = api.get("/3/footprints", {"validOn": "yesterday"})
    assert assert_conforms("3", "/3/footprints", "get", bad)["code"] == "BadRequest"
    assert "validOn" in json.loads(bad.content)["message"]


def test_versioning_across_versions(tenant: Any, partner: Any) -> None:
    """v2: version counter and precedingPfIds; v3: a new id, the old one Deprecated."""
    _credentials, api, _token = partner
    old = publish(tenant.org)
    new = publish(tenant.org, product=old.product, total="11")
    old_v2 = json.loads(api.get(f"/2/footprints/{old.pf_id}").content)["data"]
    new_v2 = json.loads(api.get(f"/2/footprints/{new.pf_id}").content)["data"]
    assert (old_v2["version"], old_v2["status"]) == (0, "Deprecated")
    assert (new_v2["version"], new_v2["status"]) == (1, "Active")
    assert new_v2["precedingPfIds"] == [str(old.pf_id)]
    new_v3 = json.loads(api.get(f"/3/footprints/{new.pf_id}").content)["data"]
    assert "version" not in new_v3 and new_v3["precedingPfIds"] == [str(old.pf_id)]
    assert new_v3["pcf"]["pcfExcludingBiogenicUptake"] == "11"


def test_sharing_per_product(tenant: Any, other_tenant: Any, make_credentials: Any) -> None:
    from tests.conftest import token_request

    credentials = make_credentials(other_tenant.org, ("read",), name="one-product buyer")
    shared = publish(tenant.org)
    unshared = publish(tenant.org)
    sharing_create(org=tenant.org, partner=credentials.client, product=shared.product)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + token_request(credentials.basic()).json()["access_token"])
    ids = [pf["id"] for pf in json.loads(api.get("/3/footprints").content)["data"]]
    assert ids == [str(shared.pf_id)]
    assert api.get(f"/3/footprints/{unshared.pf_id}").status_code == 404
    assert api.get(f"/2/footprints/{shared.pf_id}").status_code == 200


def test_list_query_count_is_constant(tenant: Any, partner: Any) -> None:
    _credentials, api, _token = partner
    product = ProductFactory(organization=tenant.org)
    rows = [publish(tenant.org) for _ in range(3)]
    PactFootprint.objects.bulk_create(
        [
            PactFootprint(
                organization=tenant.org,
                product=product,
                facts=rows[0].facts,
                document_v2=rows[0].document_v2,
                document_v3=rows[0].document_v3,
                product_ids_key=rows[0].product_ids_key,
                company_ids_key=rows[0].company_ids_key,
            )
            for _ in range(120)
        ]
    )
    first_reads = []
    for limit in (10, 50):  # 10 footprints read for the first time, then 40 more (one SQLite insert batch)
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/3/footprints", {"limit": limit})
        assert len(json.loads(response.content)["data"]) == limit
        first_reads.append(len(queries))
    # The access log takes a page's first reads in bulk, whatever their number.
    assert first_reads[0] == first_reads[1], first_reads
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/3/footprints", {"limit": 50})
    assert len(json.loads(response.content)["data"]) == 50
    # A partner polling what it read today: token + client (one joined query), the sharings, the page; the
    # access log costs nothing more, since this process remembers what it logged for the client today.
    assert len(queries) == 3, [q["sql"] for q in queries]


@pytest.mark.parametrize("version", ["2", "3"])
def test_events_endpoint(version: str, partner: Any, django_capture_on_commit_callbacks: Any) -> None:
    from lca.pact.events import CONTENT_TYPE, build_event
    from lca.pact.models import PactEvent

    _credentials, api, _token = partner
    published = build_event(
        version=version, kind="published", source="//supplier", data={"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(f"/{version}/events", json.dumps(published), content_type=CONTENT_TYPE)
    assert (accepted.status_code, accepted.content) == (200, b"")  # "200 with an empty body" in both versions
    assert PactEvent.objects.get(event_id=published["id"]).status == PactEvent.Status.HANDLED
    wrong_type = {**published, "type": "org.example.Other"}
    refused = api.post(f"/{version}/events", json.dumps(wrong_type), content_type=CONTENT_TYPE)
    assert assert_conforms(version, f"/{version}/events", "post", refused)["code"] == "BadRequest"
    plain_json = api.post(f"/{version}/events", json.dumps(published), content_type="application/json")
    assert assert_conforms(version, f"/{version}/events", "post", plain_json)["code"] == "BadRequest"
    anonymous = APIClient().post(f"/{version}/events", json.dumps(published), content_type=CONTENT_TYPE)
    assert anonymous.status_code == (400 if version == "2" else 401)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_a_deep_page_is_an_index_range_scan(tenant: Any, partner: Any) -> None:
    """The next-page cursor starts an index range scan at the previous page's last row, so a deep page costs
    what the first does; an OR of comparisons made PostgreSQL read the index from its start and filter."""
    _credentials, api, _token = partner
    for _ in range(3):
        publish(tenant.org)
    link = api.get("/3/footprints?limit=1").headers["Link"]
    target = urlsplit(link[1 : link.index(">")])
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"{target.path}?{target.query}").status_code == 200
    # The page's query (the access log's queries follow it).
    page_sql = next(q["sql"] for q in queries.captured_queries if "CAST(" in q["sql"] and "document_v3" in q["sql"])
    with connection.cursor() as cursor:
        # A table this small would be read whole, or through the organization's index and sorted; with those
        # plans off, the keyset index is still read from its start if the cursor is no index condition.
        for plan in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{plan} = off")
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Cond: (ROW(created_at, id) > ROW(" in plan, plan


def test_a_gtin_matches_in_its_13_and_14_digit_spellings(tenant: Any, partner: Any) -> None:
    """A product entered with its GTIN-13 is found by a partner naming its 14-digit form, and the other way."""
    _credentials, api, _token = partner
    thirteen = ProductFactory(organization=tenant.org)
    thirteen.gtin = thirteen.gtin.removeprefix("0")
    thirteen.save(update_fields=["gtin"])
    short = publish(tenant.org, product=thirteen)
    long = publish(tenant.org)
    assert len(thirteen.gtin) == 13 and long.product.gtin.startswith("0")

    def ids(version: str, **params: Any) -> set[str]:
        body = assert_conforms(version, LIST[version], "get", api.get(LIST[version], params))
        return {pf["id"] for pf in body["data"]}

    assert ids("3", productId=f"urn:gtin:0{thirteen.gtin}") == {str(short.pf_id)}
    assert ids("3", productId=f"urn:gtin:{long.product.gtin[1:]}") == {str(long.pf_id)}
    v2 = f"productIds/any(p:(p eq 'urn:gtin:0{thirteen.gtin}'))"
    assert ids("2", **{"$filter": v2}) == {str(short.pf_id)}
    # What we publish keeps the spelling the owner entered.
    assert short.document_v3["productIds"] == [f"urn:gtin:{thirteen.gtin}"]


def test_geography_filters_match_subdivisions_countries_and_regions(tenant: Any, partner: Any) -> None:
    """A country matches its subdivisions' footprints, a subdivision only its own, a UN M49 region its countries'."""
    from dataclasses import replace

    from lca.pact.services import pact_footprint_publish
    from tests.lca.pact_support import make_facts

    _credentials, api, _token = partner
    product = ProductFactory(organization=tenant.org)
    facts = replace(make_facts(product), geography_country="KR", geography_subdivision="KR-26")
    busan = pact_footprint_publish(org=tenant.org, product=product, facts=facts)
    korea = publish(tenant.org)
    assert korea.geography == "KR" and busan.geography_subdivision == "KR-26"

    def ids(version: str, **params: Any) -> set[str]:
        body = assert_conforms(version, LIST[version], "get", api.get(LIST[version], params))
        return {pf["id"] for pf in body["data"]}

    both = {str(busan.pf_id), str(korea.pf_id)}
    assert ids("3", geography="KR") == both
    assert ids("3", geography="KR-26") == {str(busan.pf_id)}
    assert ids("3", geography="KR-11") == set()
    assert ids("3", geography="030") == both  # Eastern Asia
    assert ids("3", geography="150") == set()  # Europe
    assert ids("3", geography=["KR-26", "DE"]) == {str(busan.pf_id)}
    assert ids("2", **{"$filter": "pcf/geographyCountrySubdivision eq 'KR-26'"}) == {str(busan.pf_id)}
    assert ids("2", **{"$filter": "pcf/geographyCountry eq 'KR'"}) == both

"""/api/v1/grants/ and /api/v1/access-log/: the web page's operations, the same checks, the same role rule."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from passports.models import Grant
from passports.services.passports import passport_publish
from tests.factories import ProductFactory, make_passport

pytestmark = pytest.mark.django_db


def test_an_owner_grants_lists_and_revokes_over_the_api(
    tenant: Any, other_tenant: Any, login_api: Any, bearer_api: Any
) -> None:
    owner = login_api(tenant.owner)
    product = ProductFactory(organization=tenant.org)
    body = {
        "grantee": other_tenant.org.slug,
        "rights": ["legitimate_interest", "pact_footprints"],
        "scope": "products",
        "products": [product.pk],
        "purpose": "Repair manuals for our service partner",
    }
    created = owner.post("/api/v1/grants/", body, format="json")
    assert created.status_code == 201, created.content
    grant = created.json()
    assert grant["grantee_organization"]["slug"] == other_tenant.org.slug
    assert (grant["rights"], grant["products"], grant["state"]) == (body["rights"], [product.pk], "active")
    assert [g["id"] for g in owner.get("/api/v1/grants/").json()["results"]] == [grant["id"]]
    assert login_api(tenant.viewer).get(f"/api/v1/grants/{grant['id']}").status_code == 200  # members read
    assert login_api(tenant.editor).post(f"/api/v1/grants/{grant['id']}/revoke").status_code == 403
    assert bearer_api(tenant.org, ("read", "write")).post("/api/v1/grants/", body, format="json").status_code == 403
    assert login_api(other_tenant.owner).get(f"/api/v1/grants/{grant['id']}").status_code == 404
    revoked = owner.post(f"/api/v1/grants/{grant['id']}/revoke")
    assert (revoked.status_code, revoked.json()["state"]) == (200, "revoked")


def test_bad_grants_answer_400_naming_the_field(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    owner = login_api(tenant.owner)
    theirs = ProductFactory(organization=other_tenant.org)
    base = {"grantee": other_tenant.org.slug, "rights": ["legitimate_interest"], "purpose": "x"}
    cases = [
        ({"grantee": tenant.org.slug}, "grantee"),
        ({"grantee": "nobody"}, "grantee"),
        ({"scope": "products", "products": [theirs.pk]}, "products"),
        ({"rights": ["authority"]}, "rights"),
        ({"rights": []}, "rights"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ]
    for fields, field in cases:
        response = owner.post("/api/v1/grants/", {**base, **fields}, format="json")
        assert response.status_code == 400, (fields, response.content)
        assert field in json.dumps(response.json()), fields
    assert not Grant.objects.exists()


def test_the_access_log_over_the_api(tenant: Any, other_tenant: Any, login_api: Any, bearer_api: Any) -> None:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport, by=tenant.owner)
    login_api(tenant.owner).post(
        "/api/v1/grants/",
        {"grantee": other_tenant.org.slug, "rights": ["legitimate_interest"], "purpose": "Audit"},
        format="json",
    )
    partner = bearer_api(other_tenant.org, ("read",))
    response = partner.get(urlsplit(passport.identifier).path, HTTP_ACCEPT="application/json")
    while response.status_code in {301, 302, 307, 308}:
        response = partner.get(response["Location"], HTTP_ACCEPT="application/json")
    log = login_api(tenant.viewer).get("/api/v1/access-log/", {"passport": passport.pk}).json()["results"]
    assert [(e["passport"], e["tier"], e["output"], e["basis"]) for e in log] == [
        (passport.pk, "legitimate_interest", "json", "grant")
    ]
    assert login_api(tenant.owner).get("/api/v1/access-log/", {"output": "pdf"}).json()["results"] == []
    assert login_api(tenant.owner).get("/api/v1/access-log/", {"tier": "nonsense"}).status_code == 400
    assert login_api(other_tenant.owner).get("/api/v1/access-log/").json()["results"] == []
    assert APIClient().get("/api/v1/access-log/").status_code in {401, 403}


def test_the_schema_documents_the_chosen_products_and_passports_of_a_grant_both_ways(db: Any, api: Any) -> None:
    """The ids a grant covers are read back, not write-only: clients generated from the schema see them."""
    schemas = api.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for name in ("Grant", "GrantRequest"):
        for field in ("products", "passports"):
            prop = schemas[name]["properties"][field]
            assert prop["type"] == "array" and prop["items"]["type"] == "integer", (name, field, prop)
            assert not prop.get("writeOnly") and not prop.get("readOnly"), (name, field, prop)


def test_a_grant_reads_back_its_chosen_products(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    product = make_passport(tenant.org).product
    owner = login_api(tenant.owner)
    made = owner.post(
        "/api/v1/grants/",
        {
            "grantee": other_tenant.org.slug,
            "rights": ["legitimate_interest"],
            "scope": "products",
            "products": [product.pk],
            "purpose": "Repair",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["products"] == [product.pk] and made.json()["passports"] == []
    assert owner.get(f"/api/v1/grants/{made.json()['id']}/").json()["products"] == [product.pk]


def test_access_log_filters_refuse_ids_no_row_can_have(tenant: Any, login_api: Any) -> None:
    """Found by the stateful API fuzzing: an id past 2^63 reached SQLite (OverflowError, a 500)."""
    api = login_api(tenant.owner)
    for name in ("passport", "reader"):
        answer = api.get("/api/v1/access-log/", {name: 2**70})
        assert answer.status_code == 400
        assert name in json.dumps(answer.json())
    assert api.get("/api/v1/access-log/", {"passport": 2**63 - 1}).json()["results"] == []

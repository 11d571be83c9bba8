"""The tenant API: facilities, members, the current organization; scoping and roles."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def test_owner_lists_only_own_facilities(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    mine = FacilityFactory(organization=tenant.org, name="Cheongju plant")
    FacilityFactory(organization=other_tenant.org, name="Hamburg plant")
    response = login_api(tenant.owner).get("/api/v1/facilities/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_other_organizations_facility_is_404_for_every_method(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    theirs = FacilityFactory(organization=other_tenant.org)
    client = login_api(tenant.owner)
    url = f"/api/v1/facilities/{theirs.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "mine now"}).status_code == 404
    assert client.delete(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "mine now"


def test_404_uses_the_error_envelope(tenant: Any, login_api: Any) -> None:
    body = login_api(tenant.owner).get("/api/v1/facilities/999999/").json()
    assert body["error"]["code"] == "not_found"
    assert body["error"]["details"] == []


def test_malformed_id_is_404_not_500(tenant: Any, login_api: Any) -> None:
    assert login_api(tenant.owner).get("/api/v1/facilities/not-a-number/").status_code == 404


def test_anonymous_is_refused(api: APIClient, tenant: Any) -> None:
    facility = FacilityFactory(organization=tenant.org)
    assert api.get("/api/v1/facilities/").status_code in (401, 403)
    assert api.get(f"/api/v1/facilities/{facility.pk}/").status_code in (401, 403)
    assert api.get("/api/v1/organization/").status_code in (401, 403)


def test_editor_creates_and_viewer_cannot(tenant: Any, login_api: Any) -> None:
    payload = {"name": "Ulsan plant", "country": "KR", "unlocode": "KRUSN", "gln": "8801234000017"}
    created = login_api(tenant.editor).post("/api/v1/facilities/", payload)
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "Ulsan plant"
    refused = login_api(tenant.viewer).post("/api/v1/facilities/", {**payload, "name": "other"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


def test_invalid_identifiers_are_named_by_pointer(tenant: Any, login_api: Any) -> None:
    response = login_api(tenant.editor).post(
        "/api/v1/facilities/", {"name": "Bad", "country": "KR", "gln": "8801234000018", "unlocode": "K1"}
    )
    assert response.status_code == 400
    pointers = {d["pointer"] for d in response.json()["error"]["details"]}
    assert {"/gln", "/unlocode"} <= pointers


def test_current_organization(tenant: Any, login_api: Any) -> None:
    body = login_api(tenant.viewer).get("/api/v1/organization/").json()
    assert body["slug"] == tenant.org.slug


def test_members_listed_for_own_org_only(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    names = {row["username"] for row in login_api(tenant.owner).get("/api/v1/members/").json()["results"]}
    assert names == {tenant.owner.username, tenant.editor.username, tenant.viewer.username}


def test_list_query_count_is_constant(tenant: Any, login_api: Any, django_assert_max_num_queries: Any) -> None:
    FacilityFactory.create_batch(30, organization=tenant.org)
    client = login_api(tenant.owner)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/facilities/?page_size=100")
    assert len(response.json()["results"]) == 30

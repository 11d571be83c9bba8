"""Access requests: a partner asks from the public page or the API, the owner grants or refuses with one click,
the partner sees the answer; a flood from one party is refused."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from passports.models import AccessRequest, AuditEvent, Grant
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fetch(client: Any, url: str, **headers: Any) -> Any:
    response = client.get(url, **headers)
    while response.status_code in {301, 302, 307, 308}:
        response = client.get(response["Location"], **headers)
    return response


@pytest.fixture
def published(tenant: Any) -> Any:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


def test_ask_from_the_public_page_grant_with_one_click(tenant: Any, other_tenant: Any, published: Any) -> None:
    partner, owner = as_user(other_tenant.viewer), as_user(tenant.owner)
    page = fetch(partner, urlsplit(published.identifier).path).content.decode()
    link = reverse("access-request-new-page")
    assert link in page  # "Request access to the restricted data"
    form = partner.get(link, {"identifier": published.identifier})
    assert form.status_code == 200 and tenant.org.name in form.content.decode()
    sent = partner.post(link, {"identifier": published.identifier, "purpose": "Certified recycler, dismantling plan"})
    assert sent.status_code == 302
    asked = AccessRequest.objects.get()
    assert (asked.requester, asked.status, asked.requested_by) == (other_tenant.org, "pending", other_tenant.viewer)
    assert "Certified recycler" in owner.get(reverse("partners-page")).content.decode()
    assert "Pending" in partner.get(reverse("partners-page")).content.decode()
    owner.post(reverse("access-request-answer-page", args=[asked.pk]), {"_action": "grant"})
    asked.refresh_from_db()
    assert asked.status == "granted" and asked.grant is not None
    assert list(asked.grant.products.all()) == [published.product]
    data = json.loads(fetch(partner, urlsplit(published.identifier).path, HTTP_ACCEPT="application/json").content)
    assert "battery_materials" in data["material_composition"]
    assert "Granted" in partner.get(reverse("partners-page")).content.decode()
    again = owner.post(reverse("access-request-answer-page", args=[asked.pk]), {"_action": "refuse"})
    assert again.status_code == 302  # already answered: a message, nothing changes
    asked.refresh_from_db()
    assert asked.status == "granted"


def test_refuse_over_the_api_and_the_requester_sees_it(
    tenant: Any, other_tenant: Any, published: Any, login_api: Any, bearer_api: Any
) -> None:
    partner = bearer_api(other_tenant.org, ("read", "write"))
    made = partner.post(
        "/api/v1/access-requests/", {"identifier": published.identifier, "purpose": "Second-life test"}, format="json"
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert login_api(tenant.editor).post(f"/api/v1/access-requests/{pk}/refuse").status_code == 403
    refused = login_api(tenant.owner).post(f"/api/v1/access-requests/{pk}/refuse")
    assert refused.json()["status"] == "refused"
    mine = partner.get("/api/v1/access-requests/", {"direction": "sent"}).json()["results"]
    assert [(r["id"], r["status"]) for r in mine] == [(pk, "refused")]
    assert partner.get(f"/api/v1/access-requests/{pk}").json()["status"] == "refused"
    assert not Grant.objects.exists()
    actions = set(AuditEvent.objects.filter(organization=tenant.org).values_list("action", flat=True))
    assert {"access_request.received", "access_request.refused"} <= actions


def test_bad_requests_and_a_flood_are_refused(tenant: Any, other_tenant: Any, published: Any, login_api: Any) -> None:
    partner = login_api(other_tenant.owner)

    def ask(**body: Any) -> Any:
        return partner.post("/api/v1/access-requests/", {"identifier": published.identifier, "purpose": "x", **body},
                            format="json")  # fmt: skip

    assert "identifier" in json.dumps(ask(identifier="https://nowhere.example/01/1").json())
    assert "purpose" in json.dumps(ask(purpose=" ").json())
    own = login_api(tenant.owner).post(
        "/api/v1/access-requests/", {"identifier": published.identifier, "purpose": "x"}, format="json"
    )
    assert own.status_code == 400
    assert [ask().status_code for _ in range(4)] == [201, 201, 201, 400]
    assert "waiting" in json.dumps(ask().json())
    assert AccessRequest.objects.count() == 3


def test_pending_requests_are_on_the_owners_dashboard(tenant: Any, other_tenant: Any, published: Any) -> None:
    """Issue 14 item 4: the owner sees what waits for an answer where it lands, and answers with one click."""
    from passports.services.access_requests import access_request_create

    asked = access_request_create(
        requester=other_tenant.org, passport=published, purpose="Dismantling plan for our recycling line"
    )
    owner, viewer = as_user(tenant.owner), as_user(tenant.viewer)
    answer = reverse("access-request-answer-page", args=[asked.pk])
    page = owner.get(reverse("home")).content.decode()
    assert "Dismantling plan for our recycling line" in page and other_tenant.org.name in page and answer in page
    assert "답변을 기다리는 접근 요청" in owner.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    seen_by_viewer = viewer.get(reverse("home")).content.decode()
    assert "Dismantling plan" in seen_by_viewer and answer not in seen_by_viewer  # answering is an owner's act
    assert "Dismantling plan" not in as_user(other_tenant.owner).get(reverse("home")).content.decode()
    owner.post(answer, {"_action": "refuse"})
    assert "No access request is waiting." in owner.get(reverse("home")).content.decode()

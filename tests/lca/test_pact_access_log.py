"""Footprints read through the PACT API land in their owner's access log (issue: who may see restricted data,
item 5: "which output (... PACT)"), once per footprint, client and day, each covered by the audit chain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from lca.pact.events import build_event
from lca.pact.models import PactEvent
from lca.pact.tasks import request_answer
from passports.models import AccessLogEntry, AuditEvent
from passports.services.grants import grant_revoke
from tests.lca.pact_support import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(tenant: Any, other_tenant: Any, make_credentials: Any) -> Any:
    """other_tenant's API client, to which tenant grants every footprint: (credentials, api, grant)."""
    from lca.pact.services import sharing_create
    from tests.conftest import token_request

    credentials = make_credentials(other_tenant.org, ("read",), name="buyer")
    grant = sharing_create(org=tenant.org, partner=credentials.client)
    token = token_request(credentials.basic()).json()["access_token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return credentials, api, grant


def pact_entries(org: Any) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(organization=org, output="pact").order_by("pk"))


@pytest.mark.parametrize("version", ["2", "3"])
def test_a_listed_footprint_is_logged_once_a_day_with_its_grant(
    version: str, tenant: Any, other_tenant: Any, partner: Any
) -> None:
    credentials, api, grant = partner
    footprint = publish(tenant.org)
    assert api.get(f"/{version}/footprints").status_code == 200
    entries = pact_entries(tenant.org)
    assert [(e.footprint_id, e.product_id, e.passport_id) for e in entries] == [
        (footprint.pf_id, footprint.product_id, None)
    ]
    entry = entries[0]
    assert (entry.grant_id, entry.basis, entry.tier) == (grant.pk, "grant", "legitimate_interest")
    assert (entry.reader_client_id, entry.reader_organization_id) == (credentials.client.pk, other_tenant.org.pk)
    assert "buyer" in entry.reader_label and other_tenant.org.name in entry.reader_label
    event = AuditEvent.objects.get(organization=tenant.org, action="footprint.read")
    assert event.details["access_log"] == [entry.pk]
    assert event.details["footprints"] == [str(footprint.pf_id)]
    # Polling the same data again the same day writes nothing more.
    for _ in range(3):
        api.get(f"/{version}/footprints")
        api.get(f"/{version}/footprints/{footprint.pf_id}")
    assert len(pact_entries(tenant.org)) == 1
    assert AuditEvent.objects.filter(organization=tenant.org, action="footprint.read").count() == 1


def test_a_detail_read_is_logged_and_a_new_footprint_is_a_new_entry(tenant: Any, partner: Any) -> None:
    _credentials, api, _grant = partner
    first = publish(tenant.org)
    assert api.get(f"/3/footprints/{first.pf_id}").status_code == 200
    assert [e.footprint_id for e in pact_entries(tenant.org)] == [first.pf_id]
    second = publish(tenant.org)
    api.get("/3/footprints")
    assert {e.footprint_id for e in pact_entries(tenant.org)} == {first.pf_id, second.pf_id}


def test_nothing_is_logged_without_a_grant_or_after_revocation(tenant: Any, partner: Any) -> None:
    _credentials, api, grant = partner
    footprint = publish(tenant.org)
    grant_revoke(grant=grant, by=None)
    assert json.loads(api.get("/3/footprints").content)["data"] == []
    assert api.get(f"/3/footprints/{footprint.pf_id}").status_code == 404
    assert pact_entries(tenant.org) == []


def test_a_request_answered_by_event_is_logged(tenant: Any, partner: Any) -> None:
    credentials, _api, _grant = partner
    footprint = publish(tenant.org)
    body = build_event(
        version="3", kind="created", source="//buyer", data={"productId": [f"urn:gtin:{footprint.product.gtin}"]}
    )
    inbound = PactEvent.objects.create(
        organization=tenant.org,
        direction=PactEvent.Direction.INBOUND,
        spec_version="3",
        event_id=body["id"],
        event_type=body["type"],
        source=body["source"],
        payload=body,
        client=credentials.client,
        status=PactEvent.Status.RECEIVED,
    )
    answer = request_answer(event=inbound)
    assert [pf["id"] for pf in answer.payload["data"]["pfs"]] == [str(footprint.pf_id)]
    assert [e.footprint_id for e in pact_entries(tenant.org)] == [footprint.pf_id]


def test_owner_reads_pact_entries_in_the_api_the_page_and_the_csv(
    tenant: Any, partner: Any, client: Any, login_api: Any
) -> None:
    _credentials, api, _grant = partner
    footprint = publish(tenant.org)
    api.get("/3/footprints")
    rows = login_api(tenant.owner).get("/api/v1/access-log/", {"output": "pact"}).json()["results"]
    assert [(r["footprint_id"], r["identifier"], r["passport"]) for r in rows] == [
        (str(footprint.pf_id), f"PACT {footprint.pf_id}", None)
    ]
    client.force_login(tenant.owner)
    page = client.get("/partners/access-log/")
    assert page.status_code == 200 and f"PACT {footprint.pf_id}" in page.content.decode()
    csv_text = client.get("/partners/access-log/", {"format": "csv"}).content.decode("utf-8-sig")
    header, line = csv_text.splitlines()[:2]
    assert "footprint" in header.split(",")
    assert str(footprint.pf_id) in line.split(",")

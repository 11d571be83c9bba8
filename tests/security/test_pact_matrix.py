"""Every caller role against the PACT host (``/2`` and ``/3``): which footprints each reads, and the log.

The PACT side of the tier matrix (``test_tier_matrix.py``, issue 14 "Done when": every output format with
every role). A footprint is readable only under a grant in force from its owner with the ``pact_footprints``
right; the ``legitimate_interest`` right alone gives none, and a passport tier gives no footprint. Reads by
outsiders land in the owner's access log with the grant they used; nothing else is logged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from passports.models import AccessLogEntry, Grant, Organization
from passports.services.grants import grant_create, grant_revoke
from tests.conftest import token_request
from tests.factories import OrganizationFactory
from tests.lca.pact_support import publish

pytestmark = pytest.mark.django_db

#: role -> whether it reads the owner's footprint
READS: dict[str, bool] = {
    "grantee_client": True,
    "grantee_organization_client": True,
    "client_of_legitimate_interest_grantee": False,
    "ex_grantee_revoked": False,
    "ex_grantee_expired": False,
    "grant_not_started": False,
    "other_tenant_client": False,
    "outside_party_client_of_owner": False,
    "outside_party_client_of_owner_granted": True,
}


def _client(make_credentials: Callable[..., Any], org: Organization, *, outside_party: bool = False) -> Any:
    return make_credentials(org, ("read",), name="pact matrix", outside_party=outside_party)


def _bearer(credentials: Any) -> Client:
    token = token_request(credentials.basic()).json()["access_token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _grant(tenant: Any, *, rights: list[str], **grantee: Any) -> Grant:
    return grant_create(grantor=tenant.org, by=tenant.owner, rights=rights, purpose="Supplier footprints", **grantee)


@pytest.fixture
def callers(tenant: Any, other_tenant: Any, make_credentials: Callable[..., Any]) -> dict[str, tuple[Any, Client]]:
    made: dict[str, Any] = {}
    for role in READS:
        owner = tenant.org if role.startswith("outside_party") else OrganizationFactory(name=f"PACT {role}")
        if role == "other_tenant_client":
            owner = other_tenant.org
        made[role] = _client(make_credentials, owner, outside_party=role.startswith("outside_party"))
    _grant(tenant, rights=["pact_footprints"], grantee_client=made["grantee_client"].client)
    _grant(
        tenant, rights=["pact_footprints"], grantee_organization=made["grantee_organization_client"].client.organization
    )
    _grant(
        tenant,
        rights=["legitimate_interest"],
        grantee_organization=made["client_of_legitimate_interest_grantee"].client.organization,
    )
    revoked = _grant(tenant, rights=["pact_footprints"], grantee_client=made["ex_grantee_revoked"].client)
    grant_revoke(grant=revoked, by=tenant.owner)
    expired = _grant(tenant, rights=["pact_footprints"], grantee_client=made["ex_grantee_expired"].client)
    past = timezone.now() - timedelta(days=30)
    Grant.objects.filter(pk=expired.pk).update(starts_at=past, expires_at=past + timedelta(days=1))
    _grant(
        tenant,
        rights=["pact_footprints"],
        grantee_client=made["grant_not_started"].client,
        starts_at=timezone.now() + timedelta(days=1),
    )
    _grant(tenant, rights=["pact_footprints"], grantee_client=made["outside_party_client_of_owner_granted"].client)
    return {role: (credentials, _bearer(credentials)) for role, credentials in made.items()}


@pytest.mark.parametrize("version", ["2", "3"])
@pytest.mark.parametrize("role", sorted(READS))
def test_each_role_reads_exactly_the_footprints_granted_to_it(
    tenant: Any, callers: dict[str, tuple[Any, Client]], role: str, version: str
) -> None:
    footprint = publish(tenant.org)
    credentials, client = callers[role]
    listed = client.get(f"/{version}/footprints")
    assert listed.status_code == 200
    ids = [pf["id"] for pf in json.loads(listed.content)["data"]]
    one = client.get(f"/{version}/footprints/{footprint.pf_id}")
    logged = AccessLogEntry.objects.filter(organization=tenant.org, output="pact", reader_client=credentials.client)
    if READS[role]:
        assert ids == [str(footprint.pf_id)]
        assert one.status_code == 200 and json.loads(one.content)["data"]["id"] == str(footprint.pf_id)
        assert [(e.footprint_id, e.basis) for e in logged] == [(footprint.pf_id, "grant")]
        assert logged[0].grant is not None and logged[0].grant.pact_footprints
    else:
        assert ids == []
        assert one.status_code == 404
        assert json.loads(one.content)["code"] == ("NoSuchFootprint" if version == "2" else "NotFound")
        assert not logged.exists()


@pytest.mark.parametrize("version", ["2", "3"])
def test_anonymous_and_forged_tokens_read_nothing_and_leave_no_entry(tenant: Any, version: str) -> None:
    footprint = publish(tenant.org)
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer forged-token"}):
        client = Client(**headers)
        assert client.get(f"/{version}/footprints").status_code == (400 if version == "2" else 401)
        assert client.get(f"/{version}/footprints/{footprint.pf_id}").status_code == (400 if version == "2" else 401)
    assert not AccessLogEntry.objects.filter(output="pact").exists()

"""Every caller role against every output of one passport: the tier each gets, and zero fields above it.

Issue 14, "Done when": the route matrix (``tests/test_route_matrix.py``) declares who reaches each route; this
is the tier side of it, with the roles the access model knows: the owner's own people, a grantee (person and
API client), an ex-grantee (revoked, expired), a verified authority, a withdrawn and a self-declared
"authority", the economic operator the passport names, an outside-party client of the owner, another tenant
and anonymous. Each reads the passport page, its JSON, each tier's credential data link and the owner's
exports; what it gets must be exactly its tier's data (``tier_data``), reads above the public tier by outsiders
are in the access log with their basis, and the owner's exports answer nobody else.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exporters.models import IssuedCredential
from exporters.services.credentials import tier_data
from passports.models import AccessLogEntry, AuthorityStatus, Grant, Organization
from passports.services.authorities import authority_verify, authority_withdraw
from passports.services.grants import grant_create, grant_revoke
from passports.services.passports import passport_publish
from passports.tiers import TIERS, tier_rank
from tests.conftest import token_request
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, make_passport

pytestmark = pytest.mark.django_db

OPERATOR_EORI = "DE5512340000123"  # named by the battery example's operator_information

#: role -> (tier it must get, basis the access log records or None when nothing is logged)
EXPECTED: dict[str, tuple[str, str | None]] = {
    "owner_member": ("authority", None),
    "anonymous": ("public", None),
    "other_tenant": ("public", None),
    "grantee_person": ("legitimate_interest", "grant"),
    "grantee_client": ("legitimate_interest", "grant"),
    "ex_grantee_revoked": ("public", None),
    "ex_grantee_expired": ("public", None),
    "verified_authority": ("authority", "authority"),
    "withdrawn_authority": ("public", None),
    "self_declared_authority": ("public", None),
    "economic_operator": ("legitimate_interest", "operator"),
    "outside_party_client_of_owner": ("public", None),
}


@dataclass
class World:
    passport: Any
    version: Any
    credential_key: str
    callers: dict[str, Client]


def _org_with_person(name: str, **fields: Any) -> tuple[Organization, Any]:
    org = OrganizationFactory(name=name, **fields)
    person = UserFactory(username=f"{org.slug}-person")
    MembershipFactory(organization=org, user=person, role="owner")
    return org, person


def _person(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bearer(make_credentials: Callable[..., Any], org: Organization, *, outside_party: bool = False) -> Client:
    credentials = make_credentials(org, ("read",), name="matrix client", outside_party=outside_party)
    token = token_request(credentials.basic()).json()["access_token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _grant(tenant: Any, grantee: Organization) -> Grant:
    return grant_create(
        grantor=tenant.org,
        by=tenant.owner,
        grantee_organization=grantee,
        rights=["legitimate_interest"],
        purpose="Recycling",
    )


@pytest.fixture
def world(tenant: Any, other_tenant: Any, make_credentials: Callable[..., Any]) -> World:
    staff = UserFactory(username="platform-staff-matrix", is_staff=True)
    grantee, grantee_person = _org_with_person("Grantee Recycling")
    revoked, revoked_person = _org_with_person("Revoked Repairs")
    expired, expired_person = _org_with_person("Expired Repairs")
    msa, msa_person = _org_with_person("Verified Surveillance")
    withdrawn, withdrawn_person = _org_with_person("Withdrawn Surveillance")
    _fake, fake_person = _org_with_person("Market Surveillance Authority (self-declared)")
    _operator, operator_person = _org_with_person("Named Importer", eori=OPERATOR_EORI)
    _grant(tenant, grantee)
    grant_revoke(grant=_grant(tenant, revoked), by=tenant.owner)
    past = timezone.now() - timedelta(days=30)
    Grant.objects.filter(pk=_grant(tenant, expired).pk).update(starts_at=past, expires_at=past + timedelta(days=1))
    verify = {"kind": AuthorityStatus.Kind.MARKET_SURVEILLANCE, "member_state": "DE", "evidence": "letter", "by": staff}
    authority_verify(org=msa, **verify)
    authority_withdraw(status=authority_verify(org=withdrawn, **verify), reason="mandate ended", by=staff)
    passport = make_passport(tenant.org)
    version = passport_publish(passport=passport, by=tenant.owner)
    issued = IssuedCredential.objects.get(version=version)
    callers = {
        "owner_member": _person(tenant.viewer),
        "anonymous": Client(),
        "other_tenant": _person(other_tenant.owner),
        "grantee_person": _person(grantee_person),
        "grantee_client": _bearer(make_credentials, grantee),
        "ex_grantee_revoked": _person(revoked_person),
        "ex_grantee_expired": _person(expired_person),
        "verified_authority": _person(msa_person),
        "withdrawn_authority": _person(withdrawn_person),
        "self_declared_authority": _person(fake_person),
        "economic_operator": _person(operator_person),
        "outside_party_client_of_owner": _bearer(make_credentials, tenant.org, outside_party=True),
    }
    return World(passport, version, issued.credential_id.rsplit(":", 1)[-1], callers)


def _leaves(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_leaves(value) for value in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_leaves(value) for value in node)) if node else set()
    return {node} if isinstance(node, str) and len(node) >= 8 else set()


def _markers(version: Any) -> dict[str, str]:
    """For each tier above public, one text value that only viewers of that tier (or above) are given."""
    views = {tier: tier_data(version, tier) for tier in TIERS}
    found = {}
    for lower, upper in itertools.pairwise(TIERS):
        only_upper = sorted(_leaves(views[upper]) - _leaves(views[lower]))
        assert only_upper, f"the example passport has no text at the {upper} tier to look for"
        found[upper] = only_upper[0]
    return found


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_gets_its_tier_and_nothing_above_it(world: World, role: str) -> None:
    tier, basis = EXPECTED[role]
    client = world.callers[role]
    path = urlsplit(world.passport.identifier).path

    data = client.get(path, {"format": "json"})
    assert data.status_code == 200, (role, data.status_code)
    assert json.loads(data.content) == tier_data(world.version, tier), role

    page = client.get("/dpp" + path)
    assert page.status_code == 200, (role, page.status_code)
    html = page.content.decode()
    for marked_tier, marker in _markers(world.version).items():
        shown = escape(marker) in html or marker in html
        assert shown == (tier_rank(marked_tier) <= tier_rank(tier)), (role, marked_tier, marker)

    slug = world.passport.organization.slug
    for asked in TIERS:
        link = reverse("passport-data", kwargs={"slug": slug, "credential": world.credential_key, "tier": asked})
        answer = client.get(link)
        if tier_rank(asked) <= tier_rank(tier):
            assert answer.status_code == 200 and json.loads(answer.content) == tier_data(world.version, asked)
        else:
            assert answer.status_code == (401 if role == "anonymous" else 403), (role, asked, answer.status_code)

    for name, query in (("passport-export", "?format=csv&tier=authority"), ("passport-report-pdf", "?tier=authority")):
        export = client.get(reverse(name, kwargs={"pk": world.passport.pk}) + query)
        if role == "owner_member":
            assert export.status_code == 200, (role, name, export.status_code)
        else:
            assert export.status_code in {401, 403, 404}, (role, name, export.status_code)

    logged = AccessLogEntry.objects.filter(passport=world.passport)
    if basis is None:
        assert not logged.exists(), role
    else:
        assert set(logged.values_list("basis", flat=True)) == {basis}, role
        assert set(logged.values_list("output", flat=True)) == {"json", "html", "vc"}, role
        assert set(logged.values_list("tier", flat=True)) <= {t for t in TIERS[1:] if tier_rank(t) <= tier_rank(tier)}

"""Verified authorities: only platform staff make an organization an authority, and only then its people and
clients see the authority tier; both ways of doing it (command, admin) are audited."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from passports.access import access_for, tier_for, viewer_of_client, viewer_of_user
from passports.models import AuditEvent, AuthorityStatus, Organization
from passports.services.passports import passport_publish
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, make_passport

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Any:
    return UserFactory(username="platform-staff", is_staff=True, is_superuser=True)


@pytest.fixture
def msa(db: Any) -> tuple[Organization, Any]:
    """A German market surveillance authority on the platform with one member, not yet verified."""
    org = OrganizationFactory(slug="bnetza-msa", name="Marktüberwachung Batterien", country="DE")
    member = MembershipFactory(organization=org, user=UserFactory(username="inspector")).user
    return org, member


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_authority", *args, stdout=out)
    return out.getvalue()


def test_only_a_verified_authoritys_people_and_clients_see_the_authority_tier(
    tenant: Any, msa: Any, staff: Any, make_credentials: Any
) -> None:
    org, inspector = msa
    passport = make_passport(tenant.org)
    client = make_credentials(org, ("read",)).client
    assert tier_for(viewer_of_user(inspector), passport) == "public"  # calling itself an authority is nothing
    said = verify("--org", org.slug, "--kind", "market_surveillance", "--member-state", "de",
                  "--evidence", "Appointment letter 2026-114; phone confirmation", "--by", staff.username)  # fmt: skip
    assert "Verified: Marktüberwachung Batterien" in said
    for viewer in (viewer_of_user(inspector), viewer_of_client(client)):
        access = access_for(viewer, passport)
        assert (access.tier, access.basis) == ("authority", "authority")
    status = AuthorityStatus.objects.get(organization=org)
    assert (status.member_state, status.verified_by) == ("DE", staff)
    verify("--org", org.slug, "--kind", "market_surveillance", "--by", staff.username, "--withdraw",
           "--reason", "appointment ended")  # fmt: skip
    assert tier_for(viewer_of_user(inspector), passport) == "public"  # from the next request on
    actions = list(AuditEvent.objects.filter(organization=org, object_type="authority_status").values_list(
        "action", "actor_label"))  # fmt: skip
    assert actions == [("authority.verified", staff.username), ("authority.withdrawn", staff.username)]


def test_the_resolver_serves_the_authority_tier_to_a_verified_authority(
    tenant: Any, msa: Any, staff: Any, login_api: Any
) -> None:
    org, inspector = msa
    passport = make_passport(tenant.org)
    passport_publish(passport=passport, by=tenant.owner)
    verify("--org", org.slug, "--kind", "notified_body", "--member-state", "FR", "--evidence", "NANDO NB 0081",
           "--by", staff.username)  # fmt: skip
    api = login_api(inspector)
    response = api.get(urlsplit(passport.identifier).path, HTTP_ACCEPT="application/json")
    while response.status_code in {301, 302, 307, 308}:
        response = api.get(response["Location"], HTTP_ACCEPT="application/json")
    data = json.loads(response.content)
    assert data["labeling"]["result_of_test_report"].endswith(".pdf")  # Annex XIII point 3


def test_bad_verifications_are_refused_with_the_option_named(tenant: Any, msa: Any, staff: Any) -> None:
    org, inspector = msa
    base = ["--org", org.slug, "--by", staff.username]
    cases = [
        (["--kind", "market_surveillance", "--member-state", "KR", "--evidence", "x"], "--member-state"),
        (["--kind", "customs", "--evidence", "x"], "--member-state"),
        (["--kind", "commission", "--member-state", "BE", "--evidence", "x"], "--member-state"),
        (["--kind", "commission"], "--evidence"),
    ]
    for args, named in cases:
        with pytest.raises(CommandError, match=named):
            verify(*base, *args)
    with pytest.raises(CommandError, match="staff"):
        verify("--org", org.slug, "--by", inspector.username, "--kind", "commission", "--evidence", "x")
    with pytest.raises(CommandError, match="not a verified authority"):
        verify(*base, "--kind", "commission", "--withdraw")
    assert not AuthorityStatus.objects.exists()
    verify(*base, "--kind", "commission", "--evidence", "Commission DG GROW, confirmed")
    with pytest.raises(CommandError, match="already a verified authority"):
        verify(*base, "--kind", "commission", "--evidence", "again")


def test_the_command_explains_itself() -> None:
    from passports.management.commands.verify_authority import Command

    text = Command().create_parser("manage.py", "verify_authority").format_help()
    for option in ("--org", "--kind", "--member-state", "--evidence", "--by", "--withdraw", "market_surveillance"):
        assert option in text


def test_staff_verify_and_withdraw_in_the_admin(tenant: Any, msa: Any, staff: Any) -> None:
    org, inspector = msa
    passport = make_passport(tenant.org)
    admin = Client()
    admin.force_login(staff)
    refused = admin.post(
        "/admin/passports/authoritystatus/add/",
        {"organization": org.pk, "kind": "market_surveillance", "member_state": "US", "evidence": "x"},
    )
    assert refused.status_code == 200 and "EU or EEA state" in refused.content.decode()
    added = admin.post(
        "/admin/passports/authoritystatus/add/",
        {"organization": org.pk, "kind": "market_surveillance", "member_state": "AT", "evidence": "Letter 7"},
    )
    assert added.status_code == 302
    status = AuthorityStatus.objects.get()
    assert tier_for(viewer_of_user(inspector), passport) == "authority"
    admin.post(
        "/admin/passports/authoritystatus/",
        {"action": "withdraw", "_selected_action": [status.pk]},
    )
    status.refresh_from_db()
    assert status.withdrawn_by == staff
    assert tier_for(viewer_of_user(inspector), passport) == "public"
    events = AuditEvent.objects.filter(organization=org, object_type="authority_status")
    assert [e.action for e in events.order_by("seq")] == ["authority.verified", "authority.withdrawn"]
    assert APIClient().get("/admin/passports/authoritystatus/").status_code == 302  # anonymous: to login

"""Grants: what a data owner lets a partner read, and the tier rule that reads them (``passports.access``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from passports.access import ANONYMOUS, access_for, client_grant_scope, tier_for, viewer_of_client, viewer_of_user
from passports.models import AuditEvent, Grant
from passports.services.grants import grant_create, grant_revoke
from tests.factories import OrganizationFactory, ProductFactory, make_passport

pytestmark = pytest.mark.django_db

LI = ["legitimate_interest"]


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are compared in English, whatever language an earlier request left active in this thread."""
    with translation.override("en"):
        yield


def _grant(tenant: Any, other_tenant: Any, **fields: Any) -> Grant:
    fields.setdefault("grantee_organization", other_tenant.org)
    fields.setdefault("rights", LI)
    return grant_create(grantor=tenant.org, by=tenant.owner, purpose="Repair and recycling of our packs", **fields)


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    return {field: " ".join(messages) for field, messages in exc.value.message_dict.items()}


def test_a_grant_to_an_organization_gives_its_people_and_clients_the_tier(
    tenant: Any, other_tenant: Any, make_credentials: Any
) -> None:
    passport = make_passport(tenant.org)
    partner_person = viewer_of_user(other_tenant.viewer)
    partner_client = viewer_of_client(make_credentials(other_tenant.org, ("read",)).client)
    assert tier_for(partner_person, passport) == tier_for(partner_client, passport) == "public"
    grant = _grant(tenant, other_tenant)
    for viewer in (partner_person, partner_client):
        access = access_for(viewer, passport)
        assert (access.tier, access.basis, access.grant_id) == ("legitimate_interest", "grant", grant.pk)
    assert tier_for(ANONYMOUS, passport) == "public"
    assert tier_for(viewer_of_user(tenant.viewer), passport) == "authority"  # the owner's own people


def test_a_grant_to_a_client_covers_that_client_alone(tenant: Any, other_tenant: Any, make_credentials: Any) -> None:
    passport = make_passport(tenant.org)
    chosen = make_credentials(other_tenant.org, ("read",), name="recycler ERP").client
    sibling = make_credentials(other_tenant.org, ("read",), name="other system").client
    grant_create(grantor=tenant.org, by=tenant.owner, grantee_client=chosen, rights=LI, purpose="Recycling")
    assert tier_for(viewer_of_client(chosen), passport) == "legitimate_interest"
    assert tier_for(viewer_of_client(sibling), passport) == "public"
    assert tier_for(viewer_of_user(other_tenant.owner), passport) == "public"


def test_each_scope_covers_what_it_names_and_nothing_else(tenant: Any, other_tenant: Any) -> None:
    battery = make_passport(tenant.org)
    textile = make_passport(tenant.org, category="textile")
    item = make_passport(tenant.org, product=battery.product, granularity="item", serial="S1", data={})
    item.parent = battery
    item.save(update_fields=["parent"])
    viewer = viewer_of_user(other_tenant.viewer)

    def tiers() -> tuple[str, str, str]:
        return tier_for(viewer, battery), tier_for(viewer, textile), tier_for(viewer, item)

    grant = _grant(tenant, other_tenant, scope="category", category="textile")
    assert tiers() == ("public", "legitimate_interest", "public")
    grant_revoke(grant=grant, by=tenant.owner)
    grant = _grant(tenant, other_tenant, scope="products", products=[battery.product])
    assert tiers() == ("legitimate_interest", "public", "legitimate_interest")
    grant_revoke(grant=grant, by=tenant.owner)
    grant = _grant(tenant, other_tenant, scope="passports", passports=[battery])
    assert tiers() == ("legitimate_interest", "public", "legitimate_interest")  # an item of a chosen model
    grant_revoke(grant=grant, by=tenant.owner)
    _grant(tenant, other_tenant, scope="passports", passports=[item])
    assert tiers() == ("public", "public", "legitimate_interest")
    _grant(tenant, other_tenant, scope="all")
    assert tiers() == ("legitimate_interest",) * 3


def test_revoked_expired_and_future_grants_give_nothing_from_the_next_call(tenant: Any, other_tenant: Any) -> None:
    passport = make_passport(tenant.org)
    viewer = viewer_of_user(other_tenant.viewer)
    grant = _grant(tenant, other_tenant)
    assert tier_for(viewer, passport) == "legitimate_interest"
    revoked = grant_revoke(grant=grant, by=tenant.owner)
    assert (revoked.revoked_by, revoked.state()) == (tenant.owner, "revoked")
    assert tier_for(viewer, passport) == "public"
    now = timezone.now()
    later = _grant(tenant, other_tenant, starts_at=now + timedelta(days=1))
    assert (later.state(), tier_for(viewer, passport)) == ("scheduled", "public")
    ending = _grant(tenant, other_tenant, expires_at=now + timedelta(hours=1))
    assert tier_for(viewer, passport) == "legitimate_interest"
    Grant.objects.filter(pk=ending.pk).update(starts_at=now - timedelta(days=2), expires_at=now - timedelta(days=1))
    ending.refresh_from_db()
    assert (ending.state(), tier_for(viewer, passport)) == ("expired", "public")


def test_a_pact_grant_gives_no_passport_tier_and_a_passport_grant_no_footprints(
    tenant: Any, other_tenant: Any, make_credentials: Any
) -> None:
    passport = make_passport(tenant.org)
    client = make_credentials(other_tenant.org, ("read",)).client
    grant_create(grantor=tenant.org, by=tenant.owner, grantee_client=client, rights=["pact_footprints"], purpose="PCF")
    assert tier_for(viewer_of_client(client), passport) == "public"
    assert client_grant_scope(client.pk, "pact_footprints") == [(tenant.org.pk, None)]
    assert client_grant_scope(client.pk, "legitimate_interest") == []


def test_client_grant_scope_lists_every_scope_in_one_query(
    tenant: Any, other_tenant: Any, make_credentials: Any, django_assert_num_queries: Any
) -> None:
    client = make_credentials(other_tenant.org, ("read",)).client
    chosen = ProductFactory(organization=tenant.org, category="battery")
    textile = ProductFactory(organization=tenant.org, category="textile")
    passport = make_passport(tenant.org)
    third = OrganizationFactory()
    common = {"by": None, "rights": ["pact_footprints"], "purpose": "PCF exchange"}
    grant_create(grantor=tenant.org, grantee_client=client, scope="products", products=[chosen], **common)
    grant_create(
        grantor=tenant.org, grantee_organization=other_tenant.org, scope="category", category="textile", **common
    )
    grant_create(grantor=tenant.org, grantee_client=client, scope="passports", passports=[passport], **common)
    grant_create(grantor=third, grantee_client=client, **common)
    with django_assert_num_queries(1):
        rows = client_grant_scope(client.pk, "pact_footprints")
    expected = [(tenant.org.pk, chosen.pk), (tenant.org.pk, textile.pk), (tenant.org.pk, passport.product_id)]
    assert sorted(rows, key=str) == sorted([*expected, (third.pk, None)], key=str)


def test_nobody_grants_itself_anything(tenant: Any, make_credentials: Any) -> None:
    own_client = make_credentials(tenant.org, ("read",)).client
    for grantee in ({"grantee_organization": tenant.org}, {"grantee_client": own_client}):
        with pytest.raises(ValidationError) as refused:
            grant_create(grantor=tenant.org, by=tenant.owner, rights=LI, purpose="x", **grantee)
        assert "grantee" in _errors(refused)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Grant.objects.create(organization=tenant.org, grantee_organization=tenant.org, legitimate_interest=True)
    assert not Grant.objects.exists()


def test_a_grant_names_only_the_grantors_products_and_passports(tenant: Any, other_tenant: Any) -> None:
    theirs = make_passport(other_tenant.org)
    ours = make_passport(tenant.org)
    with pytest.raises(ValidationError) as refused:
        _grant(tenant, other_tenant, scope="products", products=[ours.product, theirs.product])
    assert _errors(refused) == {"products": f"Product {theirs.product_id} is not one of your organization's."}
    with pytest.raises(ValidationError) as refused:
        _grant(tenant, other_tenant, scope="passports", passports=[theirs])
    assert _errors(refused) == {"passports": f"Passport {theirs.pk} is not one of your organization's."}
    assert not Grant.objects.exists()


def test_bad_terms_are_named_field_by_field(tenant: Any, other_tenant: Any, make_credentials: Any) -> None:
    past = timezone.now() - timedelta(days=1)
    revoked = make_credentials(other_tenant.org, ("read",)).client
    revoked.revoked_at = timezone.now()
    revoked.save()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"rights": []}, {"rights"}),
        ({"rights": ["authority"]}, {"rights"}),  # the authority tier is no grant's to give
        ({"purpose": " "}, {"purpose"}),
        ({"expires_at": past}, {"expires_at"}),
        ({"scope": "category", "category": "spaceships"}, {"category"}),
        ({"scope": "products"}, {"products"}),
        ({"scope": "everything"}, {"scope"}),
        ({"grantee_organization": None, "grantee_client": revoked}, {"grantee"}),
        ({"grantee_organization": None}, {"grantee"}),
    ]
    for fields, expected in cases:
        with pytest.raises(ValidationError) as refused:
            grant_create(
                grantor=tenant.org,
                by=tenant.owner,
                **{"grantee_organization": other_tenant.org, "rights": LI, "purpose": "Repairs", **fields},
            )
        assert set(_errors(refused)) == expected, fields
    assert not Grant.objects.exists()


def test_giving_and_revoking_are_in_the_grantors_audit_chain(tenant: Any, other_tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    grant = _grant(tenant, other_tenant, scope="products", products=[product])
    grant_revoke(grant=grant, by=tenant.owner)
    events = AuditEvent.objects.filter(organization=tenant.org, object_type="grant").order_by("seq")
    assert [e.action for e in events] == ["grant.created", "grant.scope", "grant.updated"]
    assert events[1].details == {"products": [product.pk], "passports": []}
    assert events[1].actor_label == tenant.owner.username

"""The organization page: owners manage details and members; editors and viewers are refused by the server."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from passports.models import Invitation, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def membership(tenant: Any, user: Any) -> Membership:
    return Membership.objects.get(organization=tenant.org, user=user)


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_owners_reach_the_organization_pages(client: Client, tenant: Any, role: str) -> None:
    client.force_login(getattr(tenant, role))
    target = membership(tenant, tenant.viewer)
    assert client.get(reverse("organization-page")).status_code == 403
    assert client.post(reverse("organization-page"), {"name": "Taken over"}).status_code == 403
    assert client.post(reverse("member-add-page"), {"who": "x", "role": "owner"}).status_code == 403
    assert client.post(reverse("member-update-page", args=[target.pk]), {"role": "owner"}).status_code == 403
    assert client.get(reverse("api-client-list-page")).status_code == 403
    assert "/organization/" not in client.get(reverse("home")).content.decode()
    target.refresh_from_db()
    assert target.role == "viewer"


def test_owner_adds_a_member_by_email_and_changes_the_role(client: Client, tenant: Any) -> None:
    newcomer = UserFactory(username="newcomer", email="New.Comer@example.test")
    client.force_login(tenant.owner)
    client.post(reverse("member-add-page"), {"who": "new.comer@example.test", "role": "viewer"})
    assert not Membership.objects.filter(organization=tenant.org, user=newcomer).exists()  # invited, not added
    client.force_login(newcomer)
    invitation = Invitation.objects.get(organization=tenant.org)
    client.post(reverse("invitation-answer-page", args=[invitation.pk]), {"_action": "accept"})
    client.force_login(tenant.owner)
    added = membership(tenant, newcomer)
    assert added.role == "viewer"
    response = client.post(reverse("member-update-page", args=[added.pk]), {"role": "editor"}, follow=True)
    assert "newcomer is now Editor." in response.content.decode()
    added.refresh_from_db()
    assert added.role == "editor"


def test_an_unknown_account_is_not_reported(client: Client, tenant: Any) -> None:
    """The form is no account-name oracle (issue 21): an unknown name is invited like a known one."""
    client.force_login(tenant.owner)
    response = client.post(reverse("member-add-page"), {"who": "nobody@example.test", "role": "viewer"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No account has this user name" not in page
    assert "Invitation recorded for" in page


def test_owner_removes_a_member(client: Client, tenant: Any) -> None:
    client.force_login(tenant.owner)
    target = membership(tenant, tenant.viewer)
    client.post(reverse("member-update-page", args=[target.pk]), {"_action": "remove"})
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_the_last_owner_can_neither_leave_nor_step_down(client: Client, tenant: Any) -> None:
    client.force_login(tenant.owner)
    owner = membership(tenant, tenant.owner)
    response = client.post(reverse("member-update-page", args=[owner.pk]), {"role": "viewer"}, follow=True)
    assert "at least one owner" in response.content.decode()
    client.post(reverse("member-update-page", args=[owner.pk]), {"_action": "remove"})
    owner.refresh_from_db()
    assert owner.role == "owner"
    # With a second owner, the first may step down.
    second = membership(tenant, tenant.editor)
    client.post(reverse("member-update-page", args=[second.pk]), {"role": "owner"})
    client.post(reverse("member-update-page", args=[owner.pk]), {"role": "editor"})
    owner.refresh_from_db()
    assert owner.role == "editor"


def test_another_organizations_member_is_not_found(client: Client, tenant: Any, other_tenant: Any) -> None:
    client.force_login(tenant.owner)
    theirs = membership(other_tenant, other_tenant.viewer)
    assert client.post(reverse("member-update-page", args=[theirs.pk]), {"_action": "remove"}).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_owner_edits_the_organizations_identifiers(client: Client, tenant: Any) -> None:
    client.force_login(tenant.owner)
    fields = {"name": "Acme Cells Co.", "country": "KR", "role": "manufacturer", "lei": "", "eori": "", "vat": ""}
    response = client.post(reverse("organization-page"), {**fields, "gln": "1234567890123"})
    assert response.status_code == 200  # a GLN with a wrong check digit is refused
    assert 'class="field field-error' in response.content.decode()
    client.post(reverse("organization-page"), {**fields, "gln": "", "website": "acme.example"})
    tenant.org.refresh_from_db()
    assert (tenant.org.name, tenant.org.website) == ("Acme Cells Co.", "https://acme.example")


def test_members_page_does_not_query_per_member(
    client: Client, tenant: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(tenant.owner)
    url = reverse("organization-page")
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    few_queries = len(few.captured_queries)
    for n in range(10):
        Membership.objects.create(organization=tenant.org, user=UserFactory(username=f"extra{n}"), role="viewer")
    with django_assert_max_num_queries(few_queries):
        assert "extra9" in client.get(url).content.decode()

"""Members join by invitation, with their consent; the form reveals nothing about accounts (issue 21, item 9).

Before: an owner added any account at once, another tenant's user even as owner, and the form said "No account
has this user name" for names that do not exist, so it doubled as an account-name oracle.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from passports.models import AuditEvent, Invitation, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _invite(client: Any, who: str, role: str = "owner") -> str:
    response = client.post("/organization/members/add/", {"who": who, "role": role}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    return re.sub(r"\s+", " ", page.replace(who, "NAME"))


def test_an_owner_cannot_add_another_tenants_user_without_consent(tenant: Any, other_tenant: Any, client: Any) -> None:
    client.force_login(tenant.owner)
    _invite(client, other_tenant.owner.username)
    assert not Membership.objects.filter(organization=tenant.org, user=other_tenant.owner).exists()
    assert Invitation.objects.filter(organization=tenant.org, who=other_tenant.owner.username).exists()
    assert AuditEvent.objects.filter(organization=tenant.org, action="invitation.sent").exists()


def test_the_answer_is_the_same_whether_or_not_the_name_exists(tenant: Any, other_tenant: Any, client: Any) -> None:
    from django.test import Client

    def answer(who: str) -> tuple[int, list[str], int]:
        fresh = Client()  # a session of its own, so no message of the other call is carried over
        fresh.force_login(tenant.owner)
        response = fresh.post("/organization/members/add/", {"who": who, "role": "viewer"})
        said = [str(message).replace(who, "NAME") for message in response.wsgi_request._messages]
        return response.status_code, said, Invitation.objects.filter(who=who.lower()).count()

    assert answer(other_tenant.viewer.username) == answer("nobody-has-this-name")


def test_the_invited_person_accepts_and_joins_with_the_role(tenant: Any, other_tenant: Any, client: Any) -> None:
    client.force_login(tenant.owner)
    _invite(client, other_tenant.viewer.email or other_tenant.viewer.username, role="editor")
    client.force_login(other_tenant.viewer)
    page = client.get("/invitations/")
    assert tenant.org.name in page.content.decode()
    invitation = Invitation.objects.get(organization=tenant.org)
    client.post(f"/invitations/{invitation.pk}/answer/", {"_action": "accept"})
    membership = Membership.objects.get(organization=tenant.org, user=other_tenant.viewer)
    assert membership.role == "editor"
    assert AuditEvent.objects.filter(organization=tenant.org, action="invitation.accepted").exists()
    # Answered: it cannot be answered again.
    assert client.post(f"/invitations/{invitation.pk}/answer/", {"_action": "accept"}).status_code == 404


def test_declining_leaves_no_membership(tenant: Any, other_tenant: Any, client: Any) -> None:
    client.force_login(tenant.owner)
    _invite(client, other_tenant.viewer.username)
    invitation = Invitation.objects.get(organization=tenant.org)
    client.force_login(other_tenant.viewer)
    client.post(f"/invitations/{invitation.pk}/answer/", {"_action": "decline"})
    assert not Membership.objects.filter(organization=tenant.org, user=other_tenant.viewer).exists()
    assert Invitation.objects.get(pk=invitation.pk).declined_at is not None


def test_nobody_else_can_accept_and_expired_invitations_are_gone(tenant: Any, other_tenant: Any, client: Any) -> None:
    client.force_login(tenant.owner)
    _invite(client, other_tenant.viewer.username)
    invitation = Invitation.objects.get(organization=tenant.org)
    client.force_login(other_tenant.owner)  # not the person invited
    assert client.post(f"/invitations/{invitation.pk}/answer/", {"_action": "accept"}).status_code == 404
    assert not Membership.objects.filter(organization=tenant.org, user=other_tenant.owner).exists()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(other_tenant.viewer)
    assert client.post(f"/invitations/{invitation.pk}/answer/", {"_action": "accept"}).status_code == 404
    assert not Membership.objects.filter(organization=tenant.org, user=other_tenant.viewer).exists()


def test_a_person_with_no_organization_yet_sees_and_accepts(tenant: Any, client: Any) -> None:
    newcomer = UserFactory(username="newcomer", email="new@example.org")
    client.force_login(tenant.owner)
    _invite(client, "NEW@example.org", role="viewer")
    client.force_login(newcomer)
    invitation = Invitation.objects.get(organization=tenant.org)
    assert tenant.org.name in client.get("/invitations/").content.decode()
    client.post(f"/invitations/{invitation.pk}/answer/", {"_action": "accept"})
    assert Membership.objects.get(organization=tenant.org, user=newcomer).role == "viewer"

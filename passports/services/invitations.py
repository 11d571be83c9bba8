"""Inviting people into an organization and answering invitations (issue 21, item 9).

``invitation_create`` never looks the name up: it records the invitation whatever the name, so an owner learns
nothing about which accounts exist. ``invitations_for`` finds the open invitations addressed to a person (by user
name or e-mail address, compared without case), and only that person can accept or decline them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from passports import audit
from passports.models import Invitation, Membership, Organization

#: How long an invitation stays open.
INVITATION_DAYS = 14


def _address(who: str) -> str:
    return who.strip().lower()


@transaction.atomic
def invitation_create(*, org: Organization, who: str, role: str, by: Any) -> Invitation:
    """Invites ``who`` with ``role``; an open invitation of the same address is renewed with the new role."""
    address = _address(who)
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=org, who=address, accepted_at__isnull=True, declined_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if invitation is None:
        invitation = Invitation(organization=org, who=address)
    invitation.role = role
    invitation.invited_by = by
    invitation.expires_at = now + dt.timedelta(days=INVITATION_DAYS)
    invitation.full_clean()
    invitation.save()
    audit.record(
        org_id=org.pk,
        action="invitation.sent",
        object_type="invitation",
        object_id=invitation.pk,
        object_repr=address,
        details={"role": role},
        by=by,
    )
    return invitation


def invitations_open(*, org: Organization) -> QuerySet[Invitation]:
    """The organization's invitations nobody answered yet (shown to its owners, as typed)."""
    return Invitation.objects.filter(
        organization=org, accepted_at__isnull=True, declined_at__isnull=True, expires_at__gt=timezone.now()
    )


def invitations_for(user: User) -> QuerySet[Invitation]:
    """The open invitations addressed to ``user`` by user name or e-mail address."""
    names = Q(who=_address(user.get_username()))
    email = _address(getattr(user, "email", "") or "")
    if email:
        names |= Q(who=email)
    return (
        Invitation.objects.filter(
            names, accepted_at__isnull=True, declined_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("organization")
        .order_by("-created_at")
    )


@transaction.atomic
def invitation_answer(*, pk: int, user: User, accept: bool) -> Invitation:
    """``user`` accepts (becoming a member with the role offered) or declines; 404 for anyone else's invitation."""
    invitation = invitations_for(user).select_for_update(of=("self",)).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No open invitation of yours with this id.")
    now = timezone.now()
    if accept:
        invitation.accepted_at = now
        Membership.objects.update_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
    else:
        invitation.declined_at = now
    invitation.answered_by = user
    invitation.save(update_fields=["accepted_at", "declined_at", "answered_by", "updated_at"])
    audit.record(
        org_id=invitation.organization_id,
        action="invitation.accepted" if accept else "invitation.declined",
        object_type="invitation",
        object_id=invitation.pk,
        object_repr=invitation.who,
        details={"role": invitation.role},
        by=user,
    )
    return invitation

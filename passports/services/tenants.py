"""Creating and changing organizations, memberships, facilities and API clients.

Refusals are ``ApplicationError``s: the API answers them in the error envelope, the pages show their message.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Application, RefreshToken

from core.application_errors import ApplicationError
from passports.models import ApiClient, Facility, Membership, Organization
from passports.services.identity import gln_gtin_clash


class LastOwnerError(ApplicationError):
    """An organization must keep at least one owner, or nobody could manage it any more."""

    code, status, field = "last_owner", 409, "/role"
    message = _("The organization needs at least one owner; make someone else owner first.")


class ClientRevokedError(ApplicationError):
    """A revoked API client stays revoked; its holder gets a new client instead."""

    code, status = "revoked", 409
    message = _("A revoked client cannot be changed; create a new one.")


class ScopesRefusedError(ApplicationError):
    """A client needs at least one scope, each one of ``ApiClient.SCOPES``."""

    code, field = "invalid", "/scopes"
    message = _("Choose at least one scope.")


@transaction.atomic
def organization_create(*, owner: User | None = None, **fields: Any) -> Organization:
    """A new tenant; its creator becomes its first owner."""
    org = Organization(**fields)
    org.full_clean()
    org.save()
    if owner is not None:
        Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
    return org


@transaction.atomic
def membership_set(*, org: Organization, user: User, role: str) -> Membership:
    """Adds a person to an organization or changes their role there."""
    membership, _created = Membership.objects.update_or_create(organization=org, user=user, defaults={"role": role})
    membership.full_clean()
    return membership


def _check_gln_not_gtin(facility: Facility) -> None:
    clash = gln_gtin_clash(org_id=facility.organization_id, gln=facility.gln or None)
    if clash is not None:
        raise ValidationError({"gln": [clash]})


@transaction.atomic
def facility_create(*, org: Organization, **fields: Any) -> Facility:
    facility = Facility(organization=org, **fields)
    _check_gln_not_gtin(facility)
    facility.full_clean()
    facility.save()
    return facility


@transaction.atomic
def facility_update(*, facility: Facility, **fields: Any) -> Facility:
    for name, value in fields.items():
        setattr(facility, name, value)
    _check_gln_not_gtin(facility)
    facility.full_clean()
    facility.save()
    return facility


@transaction.atomic
def api_client_create(
    *, org: Organization, name: str, scopes: list[str], outside_party: bool = False
) -> tuple[ApiClient, str]:
    """A partner system's credentials. Returns the raw secret: the only moment it exists unhashed.

    ``outside_party``: the client is handed to a partner that is not on the platform; it reads only what the
    organization grants it, not the organization's own data (``ApiClient.outside_party``).
    """
    unknown = set(scopes) - set(ApiClient.SCOPES)
    if unknown or not scopes:
        raise ValueError(f"Unknown or missing scopes: {sorted(unknown) or 'none given'}; use {ApiClient.SCOPES}")
    raw_secret = secrets.token_urlsafe(40)
    application = Application(
        name=f"{org.slug}: {name}",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=raw_secret,
        hash_client_secret=True,
    )
    application.save()
    client = ApiClient.objects.create(
        application=application,
        organization=org,
        name=name,
        scopes=" ".join(sorted(set(scopes))),
        outside_party=outside_party,
    )
    return client, raw_secret


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> ApiClient:
    """Revokes a client and ends its tokens at once (authentication also refuses a revoked client)."""
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
    RefreshToken.objects.filter(application_id=locked.application_id).delete()
    AccessToken.objects.filter(application_id=locked.application_id).delete()
    return locked


@transaction.atomic
def api_client_scopes_set(*, client: ApiClient, scopes: list[str]) -> ApiClient:
    """Changes what a client may ask for; tokens it holds lose the scopes taken away (they are checked on use)."""
    if client.revoked_at is not None:
        raise ClientRevokedError
    unknown = set(scopes) - set(ApiClient.SCOPES)
    if unknown or not scopes:
        raise ScopesRefusedError
    client.scopes = " ".join(sorted(set(scopes)))
    client.save(update_fields=["scopes", "updated_at"])
    return client


@transaction.atomic
def membership_change(*, membership: Membership, role: str | None) -> None:
    """Changes a member's role, or removes the member when ``role`` is None; never the last owner."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    owners = Membership.objects.select_for_update().filter(
        organization_id=locked.organization_id, role=Membership.Role.OWNER
    )
    if locked.role == Membership.Role.OWNER and role != Membership.Role.OWNER and owners.count() <= 1:
        raise LastOwnerError
    if role is None:
        locked.delete()
    else:
        locked.role = role
        locked.full_clean()
        locked.save(update_fields=["role", "updated_at"])

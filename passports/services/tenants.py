"""Creating and changing organizations, memberships, facilities and API clients."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.models import Application

from passports.models import ApiClient, Facility, Membership, Organization
from passports.services.identity import gln_gtin_clash


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

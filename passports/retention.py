"""How long published passport data is kept, and offboarding an organization without losing any of it.

ESPR (Regulation (EU) 2024/1781) Art. 9 to 11: the passport stays available for the period set for its product
group, at least the product's expected lifetime, and that holds even after the insolvency, liquidation or
cessation of activity of the economic operator that issued it. So:

- ``retention_end`` (plain): the end date is the first publication plus the product's expected lifetime
  (``Product.expected_lifetime_years``), else the schema's ``x-expected-lifetime-years`` for its category,
  else ``DEFAULT_LIFETIME_YEARS``;
- ``passport_retention_set`` stores it on the passport at each publication (never moving it earlier);
- ``organization_offboard`` closes an organization's access (members' logins to it, API clients) and keeps
  every published passport, key and status list where it is, so what was published keeps resolving and
  verifying.

The deletion guards themselves live with the models (``passports.models.retention``) and, on PostgreSQL,
in a trigger (migration ``0004``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from passports import audit
from passports.models import ApiClient, Membership, Organization, Passport, PassportVersion
from passports.models.retention import PUBLISHED_STATUSES, RetentionError
from passports.signals import passport_published

#: Used when neither the product nor its schema says how long the product lasts: ten years, the period for
#: which EU harmonisation acts built on Decision No 768/2008/EC (Annex I, Art. R2(3)) commonly make
#: manufacturers keep their technical documentation, so no passport is kept shorter than its documentation.
DEFAULT_LIFETIME_YEARS: Final = 10
SCHEMA_LIFETIME_KEY: Final = "x-expected-lifetime-years"

__all__ = [
    "DEFAULT_LIFETIME_YEARS",
    "OffboardResult",
    "RetentionError",
    "add_years",
    "lifetime_years",
    "organization_offboard",
    "passport_retention_set",
    "retention_end",
]


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole calendar years; 29 February lands on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def lifetime_years(product_years: int | None, schema_years: Any) -> int:
    """The product's own expected lifetime, else its category's, else the default."""
    if product_years:
        return int(product_years)
    if isinstance(schema_years, int) and not isinstance(schema_years, bool) and schema_years > 0:
        return schema_years
    return DEFAULT_LIFETIME_YEARS


def retention_end(first_published: dt.date, product_years: int | None, schema_years: Any) -> dt.date:
    return add_years(first_published, lifetime_years(product_years, schema_years))


def passport_retention_set(passport: Passport) -> dt.date | None:
    """Compute and store the passport's ``retain_until`` from its first publication; never moves it earlier."""
    first = (
        passport.versions.filter(status__in=PUBLISHED_STATUSES, published_at__isnull=False)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if first is None:
        return passport.retain_until
    end = retention_end(
        first.date(), passport.product.expected_lifetime_years, passport.schema.document.get(SCHEMA_LIFETIME_KEY)
    )
    if passport.retain_until is None or end > passport.retain_until:
        passport.retain_until = end
        passport.save(update_fields=["retain_until", "updated_at"])
    return passport.retain_until


def _set_at_publication(sender: Any, version: PassportVersion, **kwargs: Any) -> None:
    passport_retention_set(Passport.objects.select_related("product", "schema").get(pk=version.passport_id))


def connect_receivers() -> None:
    """Called once from ``PassportsConfig.ready``: the end date is set inside the publishing transaction."""
    passport_published.connect(_set_at_publication, dispatch_uid="passports.retention.at_publication")


@dataclass(frozen=True)
class OffboardResult:
    users_deactivated: int
    clients_revoked: int
    passports_kept: int


@transaction.atomic
def organization_offboard(*, org: Organization, by: Any = None) -> OffboardResult:
    """Close an organization's access and keep everything it published.

    The organization is marked inactive (every membership stops granting access: ``passports.tenancy`` only
    serves active organizations), people who belong to no other active organization can no longer log in,
    and API clients are revoked with their tokens. Nothing published is touched: passports, versions,
    credentials, keys and status lists stay, so QR codes keep resolving and signatures keep verifying.
    """

    now = timezone.now()
    locked = Organization.objects.select_for_update().get(pk=org.pk)
    locked.is_active = False
    locked.save(update_fields=["is_active", "updated_at"])
    member_ids = set(Membership.objects.filter(organization=locked).values_list("user_id", flat=True))
    elsewhere = set(
        Membership.objects.filter(user_id__in=member_ids, organization__is_active=True)
        .exclude(organization=locked)
        .values_list("user_id", flat=True)
    )
    users = 0
    for user in get_user_model().objects.filter(pk__in=member_ids - elsewhere, is_active=True):
        user.is_active = False
        user.save(update_fields=["is_active"])
        users += 1
    clients = 0
    for client in ApiClient.objects.filter(organization=locked, revoked_at__isnull=True):
        client.revoked_at = now
        client.save(update_fields=["revoked_at", "updated_at"])
        RefreshToken.objects.filter(application_id=client.application_id).delete()
        AccessToken.objects.filter(application_id=client.application_id).delete()
        clients += 1
    kept = Passport.objects.filter(organization=locked, versions__status__in=PUBLISHED_STATUSES).distinct().count()
    audit.record(
        org_id=locked.pk,
        action="organization.offboarded",
        object_type="organization",
        object_id=locked.pk,
        object_repr=locked.name,
        details={"users_deactivated": users, "clients_revoked": clients, "passports_kept": kept},
        by=by,
    )
    return OffboardResult(users_deactivated=users, clients_revoked=clients, passports_kept=kept)

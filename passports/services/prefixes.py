"""Claiming GS1 Company Prefixes (organizations) and deciding contested ones (platform staff, audited).

The rule they feed is in ``passports.prefixes``. A claim needs no proof: an uncontested claim works at once, so
a company is not held up by a queue; a claim that overlaps another organization's freezes the GTINs both cover
until staff verify one, with the evidence they checked written into the audit chain (as for authorities).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from passports import audit
from passports.models import CompanyPrefix, Organization, Passport, PassportVersion
from passports.models.prefixes import PREFIX_PATTERN
from passports.prefixes import gtin_body
from passports.services.passports import passport_revoke


def _require_staff(by: Any) -> None:
    if by is None or not getattr(by, "is_staff", False) or not getattr(by, "is_active", False):
        raise PermissionDenied("Only the platform's staff verify or reject GS1 Company Prefixes.")


def overlapping(prefix: str) -> Q:
    """Claims whose GTINs overlap ``prefix``'s: the same prefix, a shorter one it starts with, or a longer one."""
    shorter = [prefix[:length] for length in range(4, len(prefix))]
    return Q(prefix__in=[*shorter, prefix]) | Q(prefix__startswith=prefix)


def _record(claim: CompanyPrefix, action: str, by: Any, **details: Any) -> None:
    audit.record(
        org_id=claim.organization_id,
        action=action,
        object_type="company_prefix",
        object_id=claim.pk,
        object_repr=claim.prefix,
        details={"prefix": claim.prefix, "status": claim.status, **details},
        by=by,
    )


@transaction.atomic
def prefix_claim(*, org: Organization, prefix: str, by: Any = None) -> CompanyPrefix:
    """Registers ``prefix`` for ``org``; ``ValidationError`` on ``prefix`` when it is malformed or held already."""
    prefix = prefix.strip()
    if not re.fullmatch(PREFIX_PATTERN, prefix):
        raise ValidationError({"prefix": [_("A GS1 Company Prefix is 4 to 12 digits.")]})
    if CompanyPrefix.objects.filter(organization=org, prefix=prefix).exists():
        raise ValidationError({"prefix": [_("Your organization registered this prefix already.")]})
    claim = CompanyPrefix.objects.create(
        organization=org, prefix=prefix, claimed_by=by if isinstance(by, User) else None
    )
    others = (
        CompanyPrefix.objects.filter(overlapping(prefix))
        .exclude(organization=org)
        .exclude(status=CompanyPrefix.Status.REJECTED)
        .count()
    )
    _record(claim, "company_prefix.claimed", by, overlapping_claims=others)
    return claim


@transaction.atomic
def prefix_verify(*, claim: CompanyPrefix, evidence: str, by: Any) -> CompanyPrefix:
    """Staff confirm ``claim``'s organization holds the prefix; it then wins every GTIN it covers."""
    _require_staff(by)
    if not evidence.strip():
        raise ValidationError({"evidence": [_("Say what was checked (GS1 licence record, GEPIR, licensee letter).")]})
    locked = CompanyPrefix.objects.select_for_update().get(pk=claim.pk)
    rival = (
        CompanyPrefix.objects.filter(overlapping(locked.prefix), status=CompanyPrefix.Status.VERIFIED)
        .exclude(organization_id=locked.organization_id)
        .first()
    )
    if rival is not None:
        raise ValidationError(
            {"prefix": [_("Another organization holds a verified overlapping prefix (%(p)s).") % {"p": rival.prefix}]}
        )
    locked.status = CompanyPrefix.Status.VERIFIED
    locked.evidence = evidence.strip()
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "evidence", "decided_by", "decided_at", "updated_at"])
    displaced = _displace_squatters(locked, by=by)
    _record(locked, "company_prefix.verified", by, evidence=locked.evidence[:500], displaced_passports=displaced)
    return locked


def _displace_squatters(claim: CompanyPrefix, *, by: Any) -> int:
    """Other organizations' passports under a now verified prefix: revoked, and their identifier freed.

    The resolver stopped serving them when the prefix became contested; the holder must also be able to create
    its own passport under the same GTIN, which the unique identifier would refuse ("exists already"). Their
    published versions stay stored (retention) but are revoked, so their credentials read as revoked; the
    identifier gets a suffix naming why.
    """

    squatted = (
        Passport.objects.select_for_update()
        .exclude(organization_id=claim.organization_id)
        .filter(product__gtin__contains=claim.prefix.lstrip("0") or claim.prefix)  # exact check below
        .select_related("product")
    )
    count = 0
    for passport in squatted:
        if not gtin_body(passport.product.gtin).startswith(claim.prefix):
            continue
        for version in passport.versions.filter(status__in=[PassportVersion.Status.PUBLISHED, "superseded"]):
            passport_revoke(
                version=version, reason=f"GS1 Company Prefix {claim.prefix} verified for another organization", by=by
            )
        Passport.objects.filter(pk=passport.pk).update(identifier=f"{passport.identifier}#displaced-{passport.pk}")
        audit.record(
            org_id=passport.organization_id,
            action="passport.displaced",
            object_type="passport",
            object_id=passport.pk,
            object_repr=passport.identifier,
            details={"prefix": claim.prefix, "holder": claim.organization_id},
            by=by,
        )
        count += 1
    return count


@transaction.atomic
def prefix_reject(*, claim: CompanyPrefix, evidence: str, by: Any) -> CompanyPrefix:
    """Staff find ``claim`` unfounded: it no longer covers anything (the row stays as history)."""
    _require_staff(by)
    if not evidence.strip():
        raise ValidationError({"evidence": [_("Say why the claim is rejected.")]})
    locked = CompanyPrefix.objects.select_for_update().get(pk=claim.pk)
    locked.status = CompanyPrefix.Status.REJECTED
    locked.evidence = evidence.strip()
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "evidence", "decided_by", "decided_at", "updated_at"])
    _record(locked, "company_prefix.rejected", by, evidence=locked.evidence[:500])
    return locked


def _contested(claim: CompanyPrefix, rivals: list[tuple[int, str]]) -> bool:
    """``claim`` is contested when another organization's live claim overlaps it and none of them is verified."""
    if claim.status != CompanyPrefix.Status.CLAIMED:
        return False
    others = [status for org_id, status in rivals if org_id != claim.organization_id]
    return bool(others) and CompanyPrefix.Status.VERIFIED not in others


def contested_among(claims: list[CompanyPrefix]) -> set[int]:
    """The ids of ``claims`` (a page of one organization's list) that are contested, in one query."""
    if not claims:
        return set()
    query = Q()
    for claim in claims:
        query |= overlapping(claim.prefix)
    live = list(
        CompanyPrefix.objects.filter(query)
        .exclude(status=CompanyPrefix.Status.REJECTED)
        .values_list("prefix", "organization_id", "status")
    )
    return {
        claim.pk
        for claim in claims
        if _contested(
            claim,
            [
                (org, status)
                for prefix, org, status in live
                if prefix.startswith(claim.prefix) or claim.prefix.startswith(prefix)
            ],
        )
    }


def contested_claims() -> list[CompanyPrefix]:
    """Every contested claim on the platform (staff's queue), indexed so that it stays linear in the claims."""
    live = list(CompanyPrefix.objects.exclude(status=CompanyPrefix.Status.REJECTED).select_related("organization"))
    exact: dict[str, list[CompanyPrefix]] = {}
    below: dict[str, list[CompanyPrefix]] = {}  # a prefix -> the longer claims that start with it
    for claim in live:
        exact.setdefault(claim.prefix, []).append(claim)
        for length in range(4, len(claim.prefix)):
            below.setdefault(claim.prefix[:length], []).append(claim)
    contested = []
    for claim in live:
        overlaps = [
            *below.get(claim.prefix, []),
            *(other for length in range(4, len(claim.prefix) + 1) for other in exact.get(claim.prefix[:length], [])),
        ]
        if _contested(claim, [(other.organization_id, other.status) for other in overlaps]):
            contested.append(claim)
    return contested

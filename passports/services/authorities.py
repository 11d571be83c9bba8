"""Verifying and withdrawing authority status: platform staff only, every step in the audit chain.

The market rule applied (SECURITY.md, "Who sees what"): the platform holds passports of products placed on
the Union market, and records no per-country availability, so a market surveillance or customs authority of
any EU or EEA state (Regulation (EU) 2019/1020 Art. 10 and 25: each acts on products made available on the
Union market, in cooperation) gets the authority tier on every passport. A state outside the EU/EEA cannot
be verified as one: its authorities have no right under EU law to the restricted data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passports import audit
from passports.models import Organization
from passports.models.authorities import EU_EEA_STATES, AuthorityStatus


def _require_staff(by: Any) -> None:
    if by is None or not getattr(by, "is_staff", False) or not getattr(by, "is_active", False):
        raise PermissionDenied("Only the platform's staff verify or withdraw authorities.")


def authority_problems(*, org: Organization, kind: str, member_state: str, evidence: str) -> dict[str, str]:
    """What is wrong with verifying ``org`` as ``kind``, by field (empty: nothing). The admin form shows it."""
    member_state = member_state.strip().upper()
    errors: dict[str, str] = {}
    if kind not in AuthorityStatus.Kind.values:
        errors["kind"] = _("Use one of: %(kinds)s.") % {"kinds": ", ".join(AuthorityStatus.Kind.values)}
    elif kind in AuthorityStatus.NATIONAL_KINDS and member_state not in EU_EEA_STATES:
        errors["member_state"] = _(
            "Name the EU or EEA state that appointed or notified it (two letters, e.g. DE); “%(state)s” is not one."
        ) % {"state": member_state}
    elif kind == AuthorityStatus.Kind.COMMISSION and member_state:
        errors["member_state"] = _("The Commission acts for no single member state: leave it blank.")
    if not evidence.strip():
        errors["evidence"] = _("Say what was checked (NANDO number, appointment, confirmed contact).")
    if not errors and AuthorityStatus.objects.current().filter(organization=org, kind=kind).exists():
        errors["kind"] = _("%(org)s is already a verified authority of this kind.") % {"org": org.name}
    return errors


@transaction.atomic
def authority_verify(*, org: Organization, kind: str, member_state: str, evidence: str, by: Any) -> AuthorityStatus:
    """Records ``org`` as a verified authority of ``kind``; ``ValidationError`` names the field at fault."""
    _require_staff(by)
    member_state = member_state.strip().upper()
    errors = authority_problems(org=org, kind=kind, member_state=member_state, evidence=evidence)
    if errors:
        raise ValidationError(errors)
    status = AuthorityStatus.objects.create(
        organization=org, kind=kind, member_state=member_state, evidence=evidence.strip(), verified_by=by
    )
    audit.record(
        org_id=org.pk,
        action="authority.verified",
        object_type="authority_status",
        object_id=status.pk,
        object_repr=str(status),
        details={"kind": kind, "member_state": member_state, "evidence": evidence.strip()[:500]},
        by=by,
    )
    return status


@transaction.atomic
def authority_withdraw(*, status: AuthorityStatus, reason: str, by: Any) -> AuthorityStatus:
    """Ends a verified status now: from the next request its organization's people see what anyone sees."""
    _require_staff(by)
    locked = AuthorityStatus.objects.select_for_update().get(pk=status.pk)
    if locked.withdrawn_at is None:
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = by
        locked.withdrawal_reason = reason.strip()[:300]
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
        audit.record(
            org_id=locked.organization_id,
            action="authority.withdrawn",
            object_type="authority_status",
            object_id=locked.pk,
            object_repr=str(locked),
            details={"kind": locked.kind, "reason": locked.withdrawal_reason},
            by=by,
        )
    return locked

"""Asking for access and answering: the partner asks, the data owner grants (a real ``Grant``) or refuses.

A party may not flood an owner: it keeps at most ``MAX_PENDING`` unanswered requests per owner, and asks at
most ``MAX_PER_DAY`` times a day in all; past that its request is refused with the reason, nothing stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passports import audit
from passports.models import ApiClient, Grant, Organization, Passport
from passports.models.access_requests import AccessRequest
from passports.services.grants import grant_create

MAX_PENDING: Final = 3
MAX_PER_DAY: Final = 20


@transaction.atomic
def access_request_create(
    *, requester: Organization, passport: Passport, purpose: str, by: Any = None, client: ApiClient | None = None
) -> AccessRequest:
    """A request from ``requester`` about ``passport``; ``ValidationError`` names the field or the limit."""
    if passport.organization_id == requester.pk:
        raise ValidationError({"passport": _("This is your own organization's passport: you already see all of it.")})
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say who you are and why you need the restricted data.")})
    # Lock the requester's row so that two simultaneous requests count each other.
    Organization.objects.select_for_update().filter(pk=requester.pk).first()
    sent = AccessRequest.objects.filter(requester=requester)
    if (
        sent.filter(organization_id=passport.organization_id, status=AccessRequest.Status.PENDING).count()
        >= MAX_PENDING
    ):
        raise ValidationError(
            {
                "passport": _("You already have %(n)d requests waiting for this organization's answer.")
                % {"n": MAX_PENDING}
            }
        )
    if sent.filter(created_at__gte=timezone.now() - timedelta(days=1)).count() >= MAX_PER_DAY:
        raise ValidationError({"passport": _("Too many requests today; try again tomorrow.")})
    request = AccessRequest.objects.create(
        organization_id=passport.organization_id,
        requester=requester,
        requested_by=by if getattr(by, "pk", None) and not hasattr(by, "client") else None,
        requested_by_client=client,
        passport=passport,
        purpose=purpose.strip()[:1000],
    )
    audit.record(
        org_id=passport.organization_id,
        action="access_request.received",
        object_type="access_request",
        object_id=request.pk,
        object_repr=str(request),
        details={"requester": requester.name, "passport": passport.pk},
        by=by,
    )
    return request


def _decide(request: AccessRequest, status: str, by: Any) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != AccessRequest.Status.PENDING:
        raise ValidationError({"status": _("This request was already answered.")})
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = by if getattr(by, "pk", None) and not hasattr(by, "client") else None
    return locked


@transaction.atomic
def access_request_grant(*, request: AccessRequest, by: Any, expires_at: Any = None) -> AccessRequest:
    """Grants what was asked: the legitimate-interest data of the passport's product, with the stated purpose."""
    locked = _decide(request, AccessRequest.Status.GRANTED, by)
    locked.grant = grant_create(
        grantor=locked.organization,
        by=by,
        grantee_organization=locked.requester,
        rights=["legitimate_interest"],
        scope=Grant.Scope.PRODUCTS,
        products=[locked.passport.product_id],
        purpose=locked.purpose,
        expires_at=expires_at,
    )
    locked.save()
    return locked


@transaction.atomic
def access_request_refuse(*, request: AccessRequest, by: Any) -> AccessRequest:
    locked = _decide(request, AccessRequest.Status.REFUSED, by)
    locked.save()
    audit.record(
        org_id=locked.organization_id,
        action="access_request.refused",
        object_type="access_request",
        object_id=locked.pk,
        object_repr=str(locked),
        by=by,
    )
    return locked

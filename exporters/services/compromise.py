"""A compromised signing key: withdraw it and re-sign, at once, everything it signed.

Apart from ``keys`` because it sits above the credential and status-list services (it re-signs both), while
those services ask ``keys`` for the current key: kept in ``keys`` it made the three modules import each other.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from exporters.models import SigningKey
from exporters.services.credentials import credential_resign
from exporters.services.keys import UnknownKeyError
from exporters.services.status_lists import status_lists_resign
from passports.models import Organization

logger = logging.getLogger(__name__)


@transaction.atomic
def key_compromise(*, org: Organization, kid: str) -> SigningKey:
    """Mark a key compromised: it leaves the DID document and nothing it signed verifies any more.

    Everything the key signed is re-signed at once with a current key (a new one if the compromised key was
    current): the organization's status lists, and every credential it issued, which keeps its id, content and
    status entry, so the passports stay verifiable and revoked ones stay revoked.
    """
    key = SigningKey.objects.select_for_update().filter(organization=org, kid=kid).first()
    if key is None:
        raise UnknownKeyError(f"no signing key {kid!r} in organization {org.slug!r}")
    if key.status != SigningKey.Status.COMPROMISED:
        key.status = SigningKey.Status.COMPROMISED
        key.compromised_at = timezone.now()
        key.save(update_fields=["status", "compromised_at"])
        logger.warning("signing key marked compromised", extra={"organization": org.slug, "kid": key.kid})
    status_lists_resign(org=org, signed_by=key)
    for credential in key.credentials.select_related("version").all():
        credential_resign(credential=credential)
    return key

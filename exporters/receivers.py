"""Receivers of passport events for signing: publishing signs, revoking flips the status bit.

Both signals are sent inside the transaction that changes the version, so the credential and its status move
with the version or not at all: no published version without its credential, no revoked version whose
credential still reads as active.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from exporters.services.credentials import credential_issue, credential_revoke
from passports.models import PassportVersion
from passports.signals import passport_published, passport_revoked


@receiver(passport_published, sender=PassportVersion, dispatch_uid="exporters.sign_at_publication")
def sign_at_publication(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    credential_issue(version=version)


@receiver(passport_revoked, sender=PassportVersion, dispatch_uid="exporters.revoke_credential")
def revoke_credential(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    credential_revoke(version=version)

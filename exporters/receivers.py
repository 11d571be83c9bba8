"""Receivers of passport events for signing (publishing signs, revoking flips the status bit) and for the
public answers kept by ``exporters/resolver/public_cache.py`` (dropped when what they show changes).

Both signals are sent inside the transaction that changes the version, so the credential and its status move
with the version or not at all: no published version without its credential, no revoked version whose
credential still reads as active.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from exporters.models import SigningKey
from exporters.resolver.public_cache import invalidate_all, invalidate_gtin, invalidate_passport
from exporters.services.credentials import credential_issue, credential_revoke
from passports.models import Organization, PassportVersion, Product
from passports.signals import passport_published, passport_revoked


@receiver(passport_published, sender=PassportVersion, dispatch_uid="exporters.sign_at_publication")
def sign_at_publication(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    credential_issue(version=version)


@receiver(passport_revoked, sender=PassportVersion, dispatch_uid="exporters.revoke_credential")
def revoke_credential(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    credential_revoke(version=version)


@receiver(passport_published, sender=PassportVersion, dispatch_uid="exporters.public_cache_publish")
@receiver(passport_revoked, sender=PassportVersion, dispatch_uid="exporters.public_cache_revoke")
def drop_public_answers(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    """A new version or a revocation: the resolver's kept answers for this GTIN go once the change commits."""
    invalidate_passport(version.passport)


@receiver(post_save, sender=Product, dispatch_uid="exporters.public_cache_product")
def drop_product_answers(sender: type[Product], instance: Product, **kwargs: Any) -> None:
    """The product's name is on its passport pages."""
    if instance.gtin:
        invalidate_gtin(instance.gtin)


@receiver(post_save, sender=Organization, dispatch_uid="exporters.public_cache_organization")
@receiver(post_save, sender=SigningKey, dispatch_uid="exporters.public_cache_signing_key")
def drop_all_public_answers(sender: type[Any], **kwargs: Any) -> None:
    """The issuer's name and the check of its signature are on every page of its passports."""
    invalidate_all()

"""Receivers that drop the resolver's kept public answers (``exporters/resolver/public_cache.py``) when something
they show changes outside a publication: a product's name, the issuer's details, its keys.

Publication and revocation drop them as a step of ``exporters.services.publication``; these are model saves
that no service call announces, so a ``post_save`` receiver is where they are seen.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from exporters.models import SigningKey
from exporters.resolver.public_cache import invalidate_all, invalidate_gtin
from passports.models import Organization, Product


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

"""Organizations' signing keys: the key-encryption key, creation and rotation (compromise: ``compromise``).

The private key of a ``SigningKey`` row is only ever held encrypted (``exporters.credentials.keys``) under the
key-encryption key (KEK) the deployment gives in ``SIGNING_KEK``. Production settings refuse to start without it;
in development and tests an empty value derives a development-only KEK from ``SECRET_KEY`` (HKDF-SHA256), with a
warning logged once, so ``make run`` works on a bare machine while no real deployment can fall back to it silently.
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from exporters.credentials.did import did_web
from exporters.credentials.keys import (
    PrivateSigningKey,
    decrypt_private_key,
    encrypt_private_key,
    generate_key,
    kek_from_env_value,
    public_jwk,
)
from exporters.models import SigningKey
from passports.models import Organization

logger = logging.getLogger(__name__)

#: HKDF inputs of the development KEK: a changed label yields another key, so keys encrypted under one
#: derivation can never be opened by a KEK derived for another purpose from the same secret.
_DEV_KEK_SALT = b"dpp-platform/development-kek/v1"
_DEV_KEK_INFO = b"signing-key-encryption"


class UnknownKeyError(LookupError):
    """No key with that id in the organization."""


@functools.lru_cache(maxsize=4)
def _kek_for(kek_setting: str, secret_key: str) -> bytes:
    # Cached per (setting, secret) pair: deriving is cheap, but the warning must be logged once, and tests
    # that override the settings get the KEK that matches them.

    if kek_setting.strip():
        return kek_from_env_value(kek_setting)
    logger.warning(
        "SIGNING_KEK is empty: signing keys are encrypted with a development-only key derived from SECRET_KEY. "
        "Set SIGNING_KEK (32 random bytes, base64) in any real deployment."
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_DEV_KEK_SALT, info=_DEV_KEK_INFO).derive(
        secret_key.encode("utf-8")
    )


def signing_kek() -> bytes:
    """The key-encryption key of this deployment (see the module docstring)."""
    return _kek_for(getattr(settings, "SIGNING_KEK", "") or "", str(settings.SECRET_KEY))


def platform_host() -> str:
    """The host (and port) of ``PLATFORM_BASE_URL``: the did:web host of every organization."""
    return urlsplit(settings.PLATFORM_BASE_URL).netloc


def absolute_url(path: str) -> str:
    """A path of this platform as the public URL under ``PLATFORM_BASE_URL``."""
    return settings.PLATFORM_BASE_URL.rstrip("/") + path


def organization_did(org: Organization) -> str:
    """``did:web:<host>:orgs:<slug>``: the issuer identifier of an organization."""
    return did_web(platform_host(), org.slug)


def platform_bases() -> list[str]:
    """The public address first, then earlier ones still served (``PLATFORM_PREVIOUS_BASE_URLS``).

    Credentials issued under an earlier address keep verifying while that address still reaches this platform:
    its DID documents and status lists are answered for it (README, "Moving to a new public address").
    """
    current = settings.PLATFORM_BASE_URL.rstrip("/")
    earlier = [base.rstrip("/") for base in getattr(settings, "PLATFORM_PREVIOUS_BASE_URLS", [])]
    return [current, *[base for base in earlier if base != current]]


def base_for_host(host: str) -> str | None:
    """The address (current or earlier) whose host is ``host``, as a request or a DID names it."""
    wanted = host.lower()
    return next((base for base in platform_bases() if urlsplit(base).netloc.lower() == wanted), None)


def did_at(org: Organization, base: str) -> str:
    """The organization's DID under one of the platform's addresses."""
    return did_web(urlsplit(base).netloc, org.slug)


def kid_under(did: str, key: SigningKey) -> str:
    """The key's id under ``did``: the stored kid's fragment (its RFC 7638 thumbprint) after that DID.

    The stored ``kid`` names the DID the key was made under and stays as it is (it is bound into the key's
    encryption); signatures name the key under the DID of the credential they sign.
    """
    return f"{did}#{key.kid.rsplit('#', 1)[1]}"


def did_document_url(org: Organization) -> str:
    return absolute_url(reverse("did-document", kwargs={"slug": org.slug}))


def private_key_of(key: SigningKey) -> PrivateSigningKey:
    """Open the stored private key; it lives in memory only as long as the caller keeps it."""
    return decrypt_private_key(key.encrypted_private_key, signing_kek(), key.kid.encode("utf-8"))


def _new_key(org: Organization, alg: str) -> SigningKey:
    generated = generate_key(alg)
    # The fragment is the RFC 7638 thumbprint: stable, unique, and checkable against the key itself.
    kid = f"{organization_did(org)}#{generated.thumbprint}"
    return SigningKey.objects.create(
        organization=org,
        kid=kid,
        alg=generated.alg,
        public_jwk=public_jwk(generated, kid=kid),
        thumbprint=generated.thumbprint,
        fingerprint=generated.fingerprint,
        encrypted_private_key=encrypt_private_key(generated, signing_kek(), kid.encode("utf-8")),
        status=SigningKey.Status.CURRENT,
    )


@transaction.atomic
def key_create(*, org: Organization, alg: str = "EdDSA") -> SigningKey:
    """A new current key for ``org``; the previous current key (if any) is retired and stays published."""
    now = timezone.now()
    # Saved row by row rather than with update(): the audit trail records each key's retirement from its save.
    for previous in SigningKey.objects.select_for_update().filter(organization=org, status=SigningKey.Status.CURRENT):
        previous.status = SigningKey.Status.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at"])
    key = _new_key(org, alg)
    logger.info("signing key created", extra={"organization": org.slug, "kid": key.kid, "alg": key.alg})
    return key


def key_rotate(*, org: Organization, alg: str = "EdDSA") -> SigningKey:
    """Make a new key current. What the old key signed keeps verifying: retired keys stay published."""
    return key_create(org=org, alg=alg)


def current_key(org: Organization) -> SigningKey:
    """The organization's current key, created on first use (keys are made lazily, at first signing)."""
    key = SigningKey.objects.filter(organization=org, status=SigningKey.Status.CURRENT).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _new_key(org, "EdDSA")
    except IntegrityError:
        # Another transaction made the first key meanwhile (one current key per organization): use it.
        return SigningKey.objects.get(organization=org, status=SigningKey.Status.CURRENT)

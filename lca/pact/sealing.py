"""Partner secrets at rest: AES-256-GCM under a key derived from the deployment's key-encryption key.

A supplier's OAuth2 client secret must be sent back to its server, so it cannot be hashed; it is sealed
instead. The key comes from ``settings.SIGNING_KEK`` (the deployment's key-encryption key) or, where none
is set (development, tests), ``SECRET_KEY``, through HKDF with a label of its own, so this key is never the
one that wraps signing keys. Sealed text carries a version prefix so the scheme can change later.
"""

from __future__ import annotations

import base64
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX: Final = "v1:"
_INFO: Final = b"dpp lca.pact partner secrets v1"


class SealError(ValueError):
    """Sealed text that does not open under this deployment's key (tampered, or another key)."""


def _key() -> bytes:
    material = (getattr(settings, "SIGNING_KEK", "") or "").strip() or settings.SECRET_KEY
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material.encode())


def seal(plain: str, *, context: str) -> str:
    """Encrypt ``plain``; ``context`` (e.g. the row's id) is bound as associated data so sealed values
    cannot be swapped between rows."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, plain.encode(), context.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(text: str, *, context: str) -> str:
    if not text.startswith(PREFIX):
        raise SealError("Not a sealed value.")
    raw = base64.urlsafe_b64decode(text[len(PREFIX) :].encode())
    try:
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except InvalidTag as exc:
        raise SealError("The sealed value does not open under this deployment's key.") from exc

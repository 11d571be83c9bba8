"""Signing keys for verifiable passports: generation, encryption at rest, public JWKs, fingerprints.

Why this module exists: a published passport is a W3C Verifiable Credential secured as a JWS
(ESPR, Regulation (EU) 2024/1781, Art. 9-10 ask that passport data be authentic and tamper-evident for
the product's lifetime). The private half of each issuer key is kept in the database only encrypted with
a key-encryption key (KEK) that the deployment provides from its environment; this module never reads
settings itself so it can be tested and benchmarked alone.

Private key material never appears in ``repr``/``str``/``format`` of any object defined here, so it
cannot leak into logs, tracebacks or error reports by accident.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SigningAlg = Literal["EdDSA", "ES256"]

#: Algorithms we issue with. "EdDSA" (with an Ed25519 key) is what verifiers deployed today accept;
#: "Ed25519" is the fully specified name from RFC 9864 and is accepted as an alias on input.
SUPPORTED_ALGS: Final = ("EdDSA", "ES256")
_ALG_ALIASES: Final = {"EdDSA": "EdDSA", "Ed25519": "EdDSA", "ES256": "ES256"}

#: Version tag of the encrypted-key format. A new format gets a new tag, and old blobs stay readable.
_BLOB_VERSION: Final = "v1"
_BLOB_PREFIX: Final = f"dppkey.{_BLOB_VERSION}."
#: Domain separation: the AAD always starts with this, so a blob made for another purpose (or another
#: format version) with the same KEK cannot be replayed as a signing key.
_AAD_DOMAIN: Final = b"dpp-platform/signing-key/" + _BLOB_VERSION.encode() + b"\x00"
_NONCE_BYTES: Final = 12  # 96-bit nonce, the size AES-GCM is specified for (NIST SP 800-38D, 8.2)
_KEK_BYTES: Final = 32  # AES-256

#: RFC 7638 section 3.2: the required members of each key type, hashed in lexicographic order.
_THUMBPRINT_MEMBERS: Final = {
    "OKP": ("crv", "kty", "x"),
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
    "oct": ("k", "kty"),
}


class KeyMaterialError(ValueError):
    """Raised for unusable key material; the message never contains the material itself."""


class WeakKEKError(ValueError):
    """The configured key-encryption key is missing, malformed, too short or obviously not random."""


class KeyDecryptionError(ValueError):
    """The encrypted key could not be opened: wrong KEK, wrong key id (AAD), or a tampered blob."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PrivateSigningKey:
    """A loaded private key ready to sign, with its algorithm.

    It holds the `cryptography` key object and exposes the PEM only through an explicit method
    (``private_pkcs8_pem``), used to encrypt it for storage. Its repr names the algorithm and the
    public thumbprint, never the secret.
    """

    __slots__ = ("_key", "_thumbprint", "alg")

    def __init__(self, key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> None:
        if isinstance(key, ed25519.Ed25519PrivateKey):
            self.alg: SigningAlg = "EdDSA"
        elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
            self.alg = "ES256"
        else:
            raise KeyMaterialError("only Ed25519 and P-256 private keys are supported")
        self._key = key
        self._thumbprint = jwk_thumbprint(_public_jwk_members(key.public_key()))

    @property
    def cryptography_key(self) -> ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey:
        """The underlying key object, for the signing module."""
        return self._key

    @property
    def thumbprint(self) -> str:
        """RFC 7638 thumbprint of the public half: a kid-independent name for the key."""
        return self._thumbprint

    def public_key(self) -> ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey:
        return self._key.public_key()

    def private_pkcs8_pem(self) -> bytes:
        """The unencrypted PKCS#8 PEM. Only for `encrypt_private_key`; never log or store it as is."""
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def __repr__(self) -> str:
        return f"PrivateSigningKey(alg={self.alg!r}, thumbprint={self._thumbprint!r}, private=<redacted>)"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> Any:
        # Pickling would write the secret in clear into caches or task queues: refuse it.
        raise TypeError("PrivateSigningKey cannot be pickled; store it with encrypt_private_key()")


@dataclass(frozen=True)
class GeneratedKey:
    """A fresh key pair. The key id is not part of it: the caller names the key (e.g. a DID URL)
    when it publishes it, so the same material can be stored before its id is known."""

    alg: SigningAlg
    private_key: PrivateSigningKey = field(repr=False)
    public_jwk: dict[str, str]
    thumbprint: str
    fingerprint: str

    def __repr__(self) -> str:
        return f"GeneratedKey(alg={self.alg!r}, thumbprint={self.thumbprint!r}, private=<redacted>)"

    __str__ = __repr__


def generate_key(alg: str = "EdDSA") -> GeneratedKey:
    """Make a new signing key pair: Ed25519 for "EdDSA" (the default), P-256 for "ES256"."""
    canonical = _ALG_ALIASES.get(alg)
    if canonical == "EdDSA":
        private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey = ed25519.Ed25519PrivateKey.generate()
    elif canonical == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        raise KeyMaterialError(f"unsupported signing algorithm {alg!r}; use one of {SUPPORTED_ALGS}")
    signing_key = PrivateSigningKey(private)
    jwk = _public_jwk_members(private.public_key())
    return GeneratedKey(
        alg=signing_key.alg,
        private_key=signing_key,
        public_jwk=jwk,
        thumbprint=signing_key.thumbprint,
        fingerprint=key_fingerprint(jwk),
    )


def load_private_key(pem: bytes | str) -> PrivateSigningKey:
    """Load an unencrypted PKCS#8 PEM (as produced by `PrivateSigningKey.private_pkcs8_pem`)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        # The parser's message can quote the input; keep it (and its traceback context) out.
        raise KeyMaterialError("not a readable unencrypted PEM private key") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyMaterialError("only Ed25519 and P-256 private keys are supported")
    return PrivateSigningKey(key)


# --------------------------------------------------------------------------------------------------
# Key-encryption key and encryption at rest
# --------------------------------------------------------------------------------------------------


def kek_from_env_value(value: str) -> bytes:
    """Decode the key-encryption key given in the environment: 32 random bytes in base64 or base64url.

    Refused, with a message that never repeats the value:
    - anything that is not strict base64/base64url, or does not decode to exactly 32 bytes;
    - 32 bytes with fewer than 16 distinct byte values (32 random bytes have about 30; fewer than 16
      happens by chance with probability about 3e-10, so it means a pattern such as a repeated byte);
    - 32 bytes that are all printable ASCII (chance about (95/256)^32 = 1.6e-14 for random bytes, so it
      means a passphrase was base64-encoded instead of a random key being generated).

    Generate one with
    ``python -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())"``.
    """
    text = (value or "").strip()
    if not text:
        raise WeakKEKError("the key-encryption key is empty")
    if "-" in text or "_" in text:
        text = text.replace("-", "+").replace("_", "/")
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise WeakKEKError("the key-encryption key is not valid base64 or base64url") from None
    if len(raw) != _KEK_BYTES:
        raise WeakKEKError(f"the key-encryption key must decode to {_KEK_BYTES} bytes, got {len(raw)}")
    if len(set(raw)) < 16:
        raise WeakKEKError("the key-encryption key has too few distinct bytes to be random")
    printable = set(string.printable.encode("ascii"))
    if all(byte in printable for byte in raw):
        raise WeakKEKError("the key-encryption key decodes to printable text, not random bytes")
    return raw


def _check_kek(kek: bytes) -> None:
    if not isinstance(kek, bytes | bytearray) or len(kek) != _KEK_BYTES:
        raise WeakKEKError(f"the key-encryption key must be {_KEK_BYTES} bytes (use kek_from_env_value)")


def _pem_of(private: PrivateSigningKey | GeneratedKey | bytes | str) -> bytes:
    if isinstance(private, GeneratedKey):
        return private.private_key.private_pkcs8_pem()
    if isinstance(private, PrivateSigningKey):
        return private.private_pkcs8_pem()
    # Raw PEM: load it once so that garbage is refused now, not at signing time years later.
    return load_private_key(private).private_pkcs8_pem()


def encrypt_private_key(
    private_pem_or_bytes: PrivateSigningKey | GeneratedKey | bytes | str, kek: bytes, aad: bytes
) -> str:
    """Encrypt a private key for storage: AES-256-GCM with a fresh random 96-bit nonce.

    ``aad`` binds the blob to its key id (pass e.g. the kid encoded as UTF-8): a blob copied onto
    another key's row fails to decrypt. The result is ``dppkey.v1.<nonce>.<ciphertext+tag>`` in
    base64url, safe for a text column.
    """
    _check_kek(kek)
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(bytes(kek)).encrypt(nonce, _pem_of(private_pem_or_bytes), _AAD_DOMAIN + aad)
    return f"{_BLOB_PREFIX}{_b64url(nonce)}.{_b64url(ciphertext)}"


def decrypt_private_key(blob: str, kek: bytes, aad: bytes) -> PrivateSigningKey:
    """Open a blob made by `encrypt_private_key` with the same KEK and AAD, and load the key."""
    _check_kek(kek)
    if not isinstance(blob, str) or not blob.startswith(_BLOB_PREFIX):
        raise KeyDecryptionError("unknown encrypted-key format (expected dppkey.v1.)")
    parts = blob[len(_BLOB_PREFIX) :].split(".")
    if len(parts) != 2:
        raise KeyDecryptionError("malformed encrypted key")
    try:
        nonce, ciphertext = _b64url_decode(parts[0]), _b64url_decode(parts[1])
    except (binascii.Error, ValueError) as exc:
        raise KeyDecryptionError("malformed encrypted key") from exc
    if len(nonce) != _NONCE_BYTES:
        raise KeyDecryptionError("malformed encrypted key")
    try:
        pem = AESGCM(bytes(kek)).decrypt(nonce, ciphertext, _AAD_DOMAIN + aad)
    except InvalidTag:
        raise KeyDecryptionError("wrong key-encryption key, wrong key id, or tampered blob") from None
    return load_private_key(pem)


# --------------------------------------------------------------------------------------------------
# Public JWKs, thumbprints, fingerprints
# --------------------------------------------------------------------------------------------------


def _public_jwk_members(public: Any) -> dict[str, str]:
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    if isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        numbers = public.public_numbers()
        # RFC 7518 6.2.1.2: coordinates are the full 32-byte big-endian octet strings.
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
        }
    raise KeyMaterialError("only Ed25519 and P-256 keys are supported")


def public_jwk(
    key: GeneratedKey | PrivateSigningKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey,
    kid: str | None = None,
) -> dict[str, str]:
    """The public JWK (OKP/Ed25519 or EC/P-256) with ``kid`` and ``alg``.

    Without a ``kid`` the RFC 7638 thumbprint is used, so a key always has a stable name.
    """
    if isinstance(key, GeneratedKey):
        members = dict(key.public_jwk)
        alg: str = key.alg
    elif isinstance(key, PrivateSigningKey):
        members = _public_jwk_members(key.public_key())
        alg = key.alg
    else:
        members = _public_jwk_members(key)
        alg = "EdDSA" if members["kty"] == "OKP" else "ES256"
    members["kid"] = kid if kid is not None else jwk_thumbprint(members)
    members["alg"] = alg
    return members


def _thumbprint_input(jwk: Mapping[str, Any]) -> bytes:
    kty = jwk.get("kty")
    if kty not in _THUMBPRINT_MEMBERS:
        raise KeyMaterialError(f"unsupported JWK key type {kty!r}")
    required = _THUMBPRINT_MEMBERS[kty]
    missing = [name for name in required if not isinstance(jwk.get(name), str)]
    if missing:
        raise KeyMaterialError(f"JWK lacks required member(s) {missing}")
    # RFC 7638 3.3: members in lexicographic order, no whitespace, UTF-8.
    return json.dumps({name: jwk[name] for name in required}, separators=(",", ":"), sort_keys=True).encode()


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url without padding)."""
    return _b64url(hashlib.sha256(_thumbprint_input(jwk)).digest())


def key_fingerprint(jwk: Mapping[str, Any]) -> str:
    """The same SHA-256 as the thumbprint, in upper-case hex grouped by four for people to compare
    aloud or on paper, e.g. ``90FA CAFE ...`` (16 groups)."""
    digest = hashlib.sha256(_thumbprint_input(jwk)).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))

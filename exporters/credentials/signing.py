"""Compact JWS signing and verification for passport credentials (VC-JOSE-COSE, RFC 7515).

Signing and verifying go through joserfc. Before joserfc sees a token, the verifier parses it
itself and refuses, each with its own error code, everything that must never reach a signature
check: malformed or non-canonical base64url, ``alg: none``, algorithms outside the allow-list,
an ``alg`` that does not fit the resolved key (the classic algorithm-swap attacks), headers that
would change how the token is processed (``crit``, ``b64``, embedded ``jwk``/``jku``/``x5u``), a
missing or unknown ``kid``, and keys the resolver marks compromised.

The key resolver is injected (``resolve_key(kid) -> JWK dict | None``) so this module reads no
database and no settings. A resolver may add ``"status": "current" | "retired" | "compromised"``
to the JWK it returns; anything but the public JWK members is ignored when importing the key.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.errors import BadSignatureError, ExceededSizeError, JoseError
from joserfc.jwk import ECKey, OKPKey
from joserfc.jws import JWSRegistry

from exporters.credentials.keys import GeneratedKey, PrivateSigningKey

#: What verifiers accept by default. "Ed25519" (RFC 9864) and "EdDSA" (RFC 8037) name the same
#: signature over an Ed25519 key; we issue "EdDSA" because deployed verifiers (PyJWT among them)
#: know only that name, and accept both.
DEFAULT_ALLOWED_ALGS: Final = ("EdDSA", "Ed25519", "ES256")

#: Key type and curve each algorithm must be used with (RFC 8037 3.1, RFC 7518 3.4).
_ALG_KEY_TYPES: Final[dict[str, tuple[str, str]]] = {
    "EdDSA": ("OKP", "Ed25519"),
    "Ed25519": ("OKP", "Ed25519"),
    "ES256": ("EC", "P-256"),
}

#: Header parameters we issue and accept. Everything else is refused rather than ignored: `crit` and
#: `b64` change how the signature is computed (RFC 7797), and `jwk`/`jku`/`x5u`/`x5c` would let the
#: token carry its own key, which a verifier must never trust.
_ALLOWED_HEADER_MEMBERS: Final = frozenset({"alg", "kid", "typ", "cty"})

#: Public JWK members passed to the key importer; private (`d`) and resolver-specific members are not.
_PUBLIC_JWK_MEMBERS: Final = ("kty", "crv", "x", "y")

KEY_STATUS_MEMBER: Final = "status"
KEY_STATUS_COMPROMISED: Final = "compromised"

#: Sizes: a passport credential with its data attached stays well under 1 MiB; anything bigger is
#: refused before any decoding work (a cheap guard against oversized input on a public endpoint).
MAX_TOKEN_BYTES: Final = 1_500_000
_MAX_HEADER_BYTES: Final = 2048
_MAX_PAYLOAD_BYTES: Final = 1_048_576

_B64URL_CHARS: Final = re.compile(r"[A-Za-z0-9_-]*")


class VerificationErrorCode(StrEnum):
    """Why a token was refused. Stable strings: API responses and audit events carry them."""

    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    ALG_NONE = "alg_none"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    ALG_KEY_MISMATCH = "alg_key_mismatch"
    UNSUPPORTED_HEADER = "unsupported_header"
    MISSING_KID = "missing_kid"
    UNKNOWN_KID = "unknown_kid"
    KEY_COMPROMISED = "key_compromised"
    BAD_SIGNATURE = "bad_signature"
    # Credential-level checks (exporters.credentials.vc.verify_credential)
    WRONG_TYPE = "wrong_type"
    INVALID_CREDENTIAL = "invalid_credential"
    ISSUER_MISMATCH = "issuer_mismatch"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


class VerificationError(Exception):
    """A token was refused; ``code`` says why (a `VerificationErrorCode`)."""

    def __init__(self, code: VerificationErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SigningError(ValueError):
    """The signing request itself is wrong (e.g. an algorithm that does not fit the key)."""


@dataclass(frozen=True)
class VerifiedJWS:
    """A token whose signature checked out, with what was learnt on the way."""

    header: dict[str, Any]
    payload: bytes
    kid: str
    alg: str
    jwk: dict[str, str]
    key_status: str | None


# joserfc warns on every use of "EdDSA" because RFC 9864 deprecates the polymorphic name in favour
# of "Ed25519". We issue "EdDSA" on purpose (see DEFAULT_ALLOWED_ALGS), so that one warning would
# fire on every signature and drown real ones. Rather than filtering warnings globally (which is
# neither thread-safe nor limited to us), our registry holds an EdDSA algorithm object identical to
# joserfc's except that it carries no deprecation notice. Every other warning stays as it is.
_EdDSABase: Any = type(JWSRegistry.algorithms["EdDSA"])


class _EdDSAWithoutDeprecationNotice(_EdDSABase):
    security_warning = None


class _PassportJWSRegistry(JWSRegistry):
    """joserfc's registry with our size limits and the quiet EdDSA entry."""

    algorithms = {
        **JWSRegistry.algorithms,
        "EdDSA": _EdDSAWithoutDeprecationNotice(),
    }
    max_header_length = _MAX_HEADER_BYTES
    max_payload_length = _MAX_PAYLOAD_BYTES


# One registry per algorithm: joserfc then checks that the token's alg is exactly the one we decided
# to accept for this key, a second line behind our own checks.
_REGISTRIES: Final = {alg: _PassportJWSRegistry(algorithms=[alg]) for alg in _ALG_KEY_TYPES}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _strict_b64url_decode(segment: str, part: str) -> bytes:
    """Decode base64url (RFC 7515 2: no padding) and insist on the canonical encoding.

    Python's decoder ignores the unused low bits of the last character, so two different strings
    can decode to the same bytes. A token is refused unless it is the one canonical spelling of its
    bytes: then any change to a signed token's text is a change the verifier sees.
    """
    if not _B64URL_CHARS.fullmatch(segment) or len(segment) % 4 == 1:
        raise VerificationError(VerificationErrorCode.MALFORMED, f"{part} is not base64url")
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise VerificationError(VerificationErrorCode.MALFORMED, f"{part} is not base64url") from None
    if _b64url(raw) != segment:
        raise VerificationError(VerificationErrorCode.MALFORMED, f"{part} is not canonical base64url")
    return raw


def _check_signing_key(private_key: PrivateSigningKey | GeneratedKey, alg: str) -> PrivateSigningKey:
    key = private_key.private_key if isinstance(private_key, GeneratedKey) else private_key
    if not isinstance(key, PrivateSigningKey):
        raise SigningError("private_key must be a PrivateSigningKey (see exporters.credentials.keys)")
    wanted = _ALG_KEY_TYPES.get(alg)
    if wanted is None:
        raise SigningError(f"unsupported signing algorithm {alg!r}")
    key_alg = "EdDSA" if wanted[0] == "OKP" else "ES256"
    if key.alg != key_alg:
        raise SigningError(f"algorithm {alg} needs a {wanted[1]} key, this key is for {key.alg}")
    return key


def sign_compact(
    payload: bytes,
    private_key: PrivateSigningKey | GeneratedKey,
    kid: str,
    *,
    alg: str = "EdDSA",
    typ: str = "vc+jwt",
    cty: str | None = None,
) -> str:
    """Sign ``payload`` as a JWS Compact Serialization with header ``{alg, kid, typ[, cty]}``.

    ``typ`` defaults to ``vc+jwt``, the media type VC-JOSE-COSE (section 3.1.1) registers for a
    credential secured with JOSE; ``cty`` is left out unless given.
    """
    if not kid:
        raise SigningError("a kid is required: verifiers find the public key by it")
    key = _check_signing_key(private_key, alg)
    header: dict[str, str] = {"alg": alg, "kid": kid}
    if typ:
        header["typ"] = typ
    if cty:
        header["cty"] = cty
    raw_key = key.cryptography_key
    jose_key: OKPKey | ECKey = (
        OKPKey.import_key(raw_key) if isinstance(raw_key, Ed25519PrivateKey) else ECKey.import_key(raw_key)
    )
    try:
        return jws.serialize_compact(header, payload, jose_key, registry=_REGISTRIES[alg])
    except ExceededSizeError as exc:
        raise SigningError(str(exc)) from exc


@functools.lru_cache(maxsize=1024)
def _import_public_key(kty: str, crv: str, x: str, y: str | None) -> OKPKey | ECKey:
    # Importing a JWK costs ~16 µs; verifiers see the same few issuer keys over and over.
    if kty == "OKP":
        return OKPKey.import_key({"kty": kty, "crv": crv, "x": x})
    return ECKey.import_key({"kty": kty, "crv": crv, "x": x, "y": y or ""})


def _parse_header(segment: str) -> dict[str, Any]:
    raw = _strict_b64url_decode(segment, "header")
    if len(raw) > _MAX_HEADER_BYTES:
        raise VerificationError(VerificationErrorCode.TOO_LARGE, "header too large")
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise VerificationError(VerificationErrorCode.MALFORMED, "header is not JSON") from None
    if not isinstance(header, dict):
        raise VerificationError(VerificationErrorCode.MALFORMED, "header is not a JSON object")
    return header


def _check_key_fits_alg(jwk: Mapping[str, Any], alg: str) -> None:
    kty, crv = _ALG_KEY_TYPES[alg]
    if jwk.get("kty") != kty or jwk.get("crv") != crv:
        raise VerificationError(
            VerificationErrorCode.ALG_KEY_MISMATCH,
            f"header alg {alg} needs a {kty}/{crv} key, the key for this kid is {jwk.get('kty')}/{jwk.get('crv')}",
        )
    declared = jwk.get("alg")
    if declared is not None and _ALG_KEY_TYPES.get(declared) != (kty, crv):
        raise VerificationError(
            VerificationErrorCode.ALG_KEY_MISMATCH, f"key is declared for {declared}, token uses {alg}"
        )
    if jwk.get("use", "sig") != "sig":
        raise VerificationError(VerificationErrorCode.ALG_KEY_MISMATCH, "key is not a signature key")


def _accepted_alg(header: Mapping[str, Any], allowed_algs: Collection[str]) -> str:
    """The header's algorithm if we accept it, after refusing `none`, unlisted algorithms and
    header parameters that would change how the token is processed."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise VerificationError(VerificationErrorCode.MALFORMED, "header has no alg")
    if alg.lower() == "none":
        raise VerificationError(VerificationErrorCode.ALG_NONE, "unsecured JWS (alg none) is never accepted")
    if alg not in allowed_algs or alg not in _ALG_KEY_TYPES:
        raise VerificationError(VerificationErrorCode.ALG_NOT_ALLOWED, f"algorithm {alg} is not accepted")
    unexpected = set(header) - _ALLOWED_HEADER_MEMBERS
    if unexpected:
        raise VerificationError(
            VerificationErrorCode.UNSUPPORTED_HEADER, f"header parameters not accepted: {sorted(unexpected)}"
        )
    return alg


def verify_compact(
    token: str,
    resolve_key: Callable[[str], dict[str, Any] | None],
    allowed_algs: Collection[str] = DEFAULT_ALLOWED_ALGS,
) -> VerifiedJWS:
    """Verify a compact JWS and return its header and payload, or raise `VerificationError`.

    The order of checks is deliberate: nothing about the key is looked up until the token is
    well-formed and its algorithm acceptable, and the signature is checked last, with a key whose
    type was matched to the algorithm by us, not by the token.
    """
    if not isinstance(token, str):
        raise VerificationError(VerificationErrorCode.MALFORMED, "token must be a string")
    if len(token) > MAX_TOKEN_BYTES:
        raise VerificationError(VerificationErrorCode.TOO_LARGE, "token too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise VerificationError(VerificationErrorCode.MALFORMED, "a compact JWS has three parts")
    header = _parse_header(parts[0])
    payload = _strict_b64url_decode(parts[1], "payload")
    signature = _strict_b64url_decode(parts[2], "signature")

    alg = _accepted_alg(header, allowed_algs)
    if not signature:
        raise VerificationError(VerificationErrorCode.MALFORMED, "empty signature")

    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise VerificationError(VerificationErrorCode.MISSING_KID, "header has no kid")
    jwk = resolve_key(kid)
    if jwk is None:
        raise VerificationError(VerificationErrorCode.UNKNOWN_KID, f"no published key with kid {kid!r}")
    status = jwk.get(KEY_STATUS_MEMBER)
    if status == KEY_STATUS_COMPROMISED:
        raise VerificationError(
            VerificationErrorCode.KEY_COMPROMISED,
            f"key {kid!r} is marked compromised; its signatures are void",
        )
    _check_key_fits_alg(jwk, alg)

    public = {name: jwk[name] for name in _PUBLIC_JWK_MEMBERS if isinstance(jwk.get(name), str)}
    try:
        jose_key = _import_public_key(public["kty"], public["crv"], public.get("x", ""), public.get("y"))
    except (JoseError, ValueError, KeyError):
        raise VerificationError(VerificationErrorCode.ALG_KEY_MISMATCH, "resolved key is not usable") from None
    try:
        jws.deserialize_compact(token, jose_key, registry=_REGISTRIES[alg])
    except BadSignatureError:
        raise VerificationError(VerificationErrorCode.BAD_SIGNATURE, "signature does not match") from None
    except ExceededSizeError:
        raise VerificationError(VerificationErrorCode.TOO_LARGE, "token part too large") from None
    except (JoseError, ValueError) as exc:
        raise VerificationError(VerificationErrorCode.MALFORMED, f"rejected by JWS parser: {exc}") from None
    return VerifiedJWS(
        header=header,
        payload=payload,
        kid=kid,
        alg=alg,
        jwk=public,
        key_status=status if isinstance(status, str) else None,
    )

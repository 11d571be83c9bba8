"""did:web identifiers and DID documents for issuing organisations.

Each organisation on the platform issues its passports as ``did:web:<host>:orgs:<slug>``; the DID
document served at ``https://<host>/orgs/<slug>/did.json`` lists its public keys. did:web needs no
ledger: trust in a key is trust in the host's TLS certificate, which is what an EU authority or a
customer scanning a QR code already relies on when opening the passport page.

Keys are published as ``JsonWebKey`` verification methods (W3C Controlled Identifiers v1.0) with a
``publicKeyJwk``, the form a VC-JOSE verifier looks up by the JWS ``kid``. Retired keys stay
published, because credentials signed before a rotation must keep verifying for the product's
lifetime (ESPR, Regulation (EU) 2024/1781, Art. 10(1)(f)); compromised keys are removed, so nothing
signed with them verifies any more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import quote, unquote

from exporters.credentials.keys import KeyMaterialError, jwk_thumbprint

DID_CORE_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
#: DID Core v1.0's context predates the ``JsonWebKey`` type; an embedded term definition names it
#: with its IRI from the security vocabulary, so no further remote context is needed.
_JSON_WEB_KEY_TERM: Final = {"JsonWebKey": "https://w3id.org/security#JsonWebKey"}

KeyStatus = Literal["current", "retired", "compromised"]
_KEY_STATUSES: Final = ("current", "retired", "compromised")

# RFC 1123 host names (letters, digits, hyphens, dots), optionally with a port. IP literals are not
# accepted: did:web identifies an organisation by a domain name it controls.
_HOST: Final = re.compile(
    r"(?=.{1,253}(?::|$))(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
_SLUG: Final = re.compile(r"[A-Za-z0-9._~-]+")
_PUBLIC_JWK_MEMBERS: Final = ("kty", "crv", "x", "y", "alg", "use")


class DidError(ValueError):
    """An identifier or key that cannot be published as asked."""


@dataclass(frozen=True)
class PublishedKey:
    """A key as the DID document needs it: its id, public JWK and lifecycle status.

    ``kid`` is the DID URL the JWS header carries (``did:web:...#<fragment>``) or just the fragment.
    """

    kid: str
    public_jwk: Mapping[str, Any]
    status: KeyStatus = "current"


def did_web(host: str, slug: str) -> str:
    """``did:web:<host>:orgs:<slug>``; a port's colon is written ``%3A`` (did:web spec, 3.1.1).

    >>> did_web("passports.example.com:8443", "acme")
    'did:web:passports.example.com%3A8443:orgs:acme'
    """
    normalised = host.strip().lower().rstrip(".")
    match = _HOST.fullmatch(normalised)
    if not match:
        raise DidError(f"{host!r} is not a domain name (with optional port)")
    port = match.group("port")
    if port is not None and not 0 < int(port) < 65536:
        raise DidError(f"port {port} out of range")
    if not slug or not _SLUG.fullmatch(slug):
        raise DidError(f"organisation slug {slug!r} must be letters, digits, '.', '_', '~' or '-'")
    return f"did:web:{quote(normalised, safe='.-')}:orgs:{slug}"


def did_web_url(did: str) -> str:
    """The https URL of the DID document (did:web spec, 3.2 Read).

    ``did:web:host:orgs:slug`` resolves to ``https://host/orgs/slug/did.json``; a DID without a path
    resolves to ``https://host/.well-known/did.json``.
    """
    if not did.startswith("did:web:"):
        raise DidError(f"{did!r} is not a did:web identifier")
    method_specific = did[len("did:web:") :]
    if not method_specific or any(ch in method_specific for ch in "/?#"):
        raise DidError(f"{did!r} is not a plain did:web identifier")
    segments = method_specific.split(":")
    host = unquote(segments[0])
    if not _HOST.fullmatch(host.lower()):
        raise DidError(f"{did!r} does not name a valid host")
    path = segments[1:]
    if any(not segment for segment in path):
        raise DidError(f"{did!r} has an empty path segment")
    if not path:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/{'/'.join(path)}/did.json"


def _method_id(did: str, kid: str) -> str:
    if kid.startswith(did + "#"):
        fragment = kid[len(did) + 1 :]
    elif kid.startswith("#"):
        fragment = kid[1:]
    elif ":" in kid or "#" in kid:
        raise DidError(f"key id {kid!r} belongs to another DID than {did!r}")
    else:
        fragment = kid
    if not fragment:
        raise DidError("key id has an empty fragment")
    return f"{did}#{fragment}"


def _public_only(jwk: Mapping[str, Any]) -> dict[str, Any]:
    if "d" in jwk:
        raise DidError("refusing to publish a private JWK (it has a 'd' member)")
    public = {name: jwk[name] for name in _PUBLIC_JWK_MEMBERS if name in jwk}
    if public.get("kty") not in ("OKP", "EC"):
        raise DidError(f"unsupported key type {public.get('kty')!r}")
    try:
        jwk_thumbprint(public)  # refuses a JWK that lacks its required members
    except KeyMaterialError as exc:
        raise DidError(str(exc)) from None
    return public


def build_did_document(did: str, keys: Iterable[PublishedKey]) -> dict[str, Any]:
    """The DID document: every current and retired key as a ``JsonWebKey`` verification method,
    each listed under ``assertionMethod`` (the relationship for issuing credentials); compromised
    keys are left out entirely."""
    did_web_url(did)  # validates the identifier
    methods: list[dict[str, Any]] = []
    seen: set[str] = set()
    for key in keys:
        if key.status not in _KEY_STATUSES:
            raise DidError(f"unknown key status {key.status!r}")
        if key.status == "compromised":
            continue
        method_id = _method_id(did, key.kid)
        if method_id in seen:
            raise DidError(f"key id {method_id!r} listed twice")
        seen.add(method_id)
        jwk = _public_only(key.public_jwk)
        jwk["kid"] = method_id
        methods.append({"id": method_id, "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk})
    return {
        "@context": [DID_CORE_CONTEXT, dict(_JSON_WEB_KEY_TERM)],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def resolve_key_from_did_document(document: Mapping[str, Any], kid: str) -> dict[str, Any] | None:
    """The JWK that ``kid`` names in a DID document, if it is an assertion method there.

    This is the key resolver a verifier hands to `exporters.credentials.signing.verify_compact` after fetching
    the issuer's did.json (our own resolver reads the database instead).
    """
    allowed = set(document.get("assertionMethod") or [])
    for method in document.get("verificationMethod") or []:
        if method.get("id") == kid and kid in allowed and method.get("type") == "JsonWebKey":
            jwk = method.get("publicKeyJwk")
            return dict(jwk) if isinstance(jwk, Mapping) else None
    return None

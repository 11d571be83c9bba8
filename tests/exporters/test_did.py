"""did:web identifiers, their did.json URLs, and DID documents with key lifecycles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exporters.credentials.did import (
    DidError,
    PublishedKey,
    build_did_document,
    did_web,
    did_web_url,
    resolve_key_from_did_document,
)
from exporters.credentials.keys import generate_key, public_jwk
from exporters.credentials.signing import VerificationError, VerificationErrorCode, sign_compact, verify_compact

DID = "did:web:dpp.example.com:orgs:acme-cells"


@pytest.mark.parametrize(
    ("host", "slug", "did", "url"),
    [
        (
            "dpp.example.com",
            "acme-cells",
            "did:web:dpp.example.com:orgs:acme-cells",
            "https://dpp.example.com/orgs/acme-cells/did.json",
        ),
        (
            "localhost:8443",
            "acme",
            "did:web:localhost%3A8443:orgs:acme",
            "https://localhost:8443/orgs/acme/did.json",
        ),
        (
            "DPP.Example.COM.",
            "a_b.c~d",
            "did:web:dpp.example.com:orgs:a_b.c~d",
            "https://dpp.example.com/orgs/a_b.c~d/did.json",
        ),
    ],
)
def test_did_web_and_its_url(host: str, slug: str, did: str, url: str) -> None:
    assert did_web(host, slug) == did
    assert did_web_url(did) == url


def test_did_without_path_resolves_to_well_known() -> None:
    assert did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        ("", "acme"),
        ("exa mple.com", "acme"),
        ("example.com/evil", "acme"),
        ("-bad.example.com", "acme"),
        ("example.com:0", "acme"),
        ("example.com:70000", "acme"),
        ("example.com", ""),
        ("example.com", "a:b"),
        ("example.com", "a/b"),
        ("example.com", "한빛"),
    ],
)
def test_did_web_refuses_bad_hosts_and_slugs(host: str, slug: str) -> None:
    with pytest.raises(DidError):
        did_web(host, slug)


@pytest.mark.parametrize(
    "did", ["did:key:z6Mk", "did:web:", "did:web:example.com::x", "did:web:example.com:a#frag", "did:web:ex ample"]
)
def test_did_web_url_refuses_non_did_web(did: str) -> None:
    with pytest.raises(DidError):
        did_web_url(did)


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@given(
    labels=st.lists(labels, min_size=2, max_size=4),
    port=st.one_of(st.none(), st.integers(min_value=1, max_value=65535)),
    slug=st.from_regex(r"[A-Za-z0-9._~-]{1,20}", fullmatch=True),
)
def test_did_web_url_round_trip(labels: list[str], port: int | None, slug: str) -> None:
    host = ".".join(labels) + (f":{port}" if port else "")
    assert did_web_url(did_web(host, slug)) == f"https://{host}/orgs/{slug}/did.json"


def _keys() -> tuple[list[PublishedKey], dict[str, dict[str, str]]]:
    current, retired, compromised = generate_key(), generate_key("ES256"), generate_key()
    published = [
        PublishedKey(kid=f"{DID}#{current.thumbprint}", public_jwk=current.public_jwk, status="current"),
        PublishedKey(kid=f"#{retired.thumbprint}", public_jwk=retired.public_jwk, status="retired"),
        PublishedKey(kid=compromised.thumbprint, public_jwk=compromised.public_jwk, status="compromised"),
    ]
    return published, {"current": current, "retired": retired, "compromised": compromised}  # type: ignore[dict-item]


def test_did_document_lists_current_and_retired_keys_only() -> None:
    published, keys = _keys()
    document = build_did_document(DID, published)
    assert document["id"] == DID
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    ids = [method["id"] for method in document["verificationMethod"]]
    assert ids == [f"{DID}#{keys['current'].thumbprint}", f"{DID}#{keys['retired'].thumbprint}"]
    assert document["assertionMethod"] == ids
    for method in document["verificationMethod"]:
        assert method["type"] == "JsonWebKey"
        assert method["controller"] == DID
        assert method["publicKeyJwk"]["kid"] == method["id"]
        assert "d" not in method["publicKeyJwk"]
    assert keys["compromised"].thumbprint not in str(document)


def test_keys_resolved_from_the_did_document_verify_and_compromised_ones_do_not() -> None:
    published, keys = _keys()
    document = build_did_document(DID, published)

    def resolver(kid: str) -> dict[str, str] | None:
        return resolve_key_from_did_document(document, kid)

    for name, alg in (("current", "EdDSA"), ("retired", "ES256")):
        kid = f"{DID}#{keys[name].thumbprint}"
        assert verify_compact(sign_compact(b"{}", keys[name], kid, alg=alg), resolver).kid == kid
    kid = f"{DID}#{keys['compromised'].thumbprint}"
    with pytest.raises(VerificationError) as caught:
        verify_compact(sign_compact(b"{}", keys["compromised"], kid), resolver)
    assert caught.value.code == VerificationErrorCode.UNKNOWN_KID


def test_only_assertion_methods_resolve() -> None:
    published, _ = _keys()
    document = build_did_document(DID, published[:1])
    kid = document["assertionMethod"][0]
    assert resolve_key_from_did_document(document, kid) is not None
    document["assertionMethod"] = []
    assert resolve_key_from_did_document(document, kid) is None


@pytest.mark.parametrize(
    "key",
    [
        PublishedKey(kid="did:web:other.example:orgs:x#k1", public_jwk=generate_key().public_jwk),
        PublishedKey(kid="#", public_jwk=generate_key().public_jwk),
        PublishedKey(kid="k1", public_jwk=public_jwk(generate_key()) | {"d": "secret"}),
        PublishedKey(kid="k1", public_jwk={"kty": "oct", "k": "c2VjcmV0"}),
        PublishedKey(kid="k1", public_jwk={"kty": "OKP", "crv": "Ed25519"}),
        PublishedKey(kid="k1", public_jwk=generate_key().public_jwk, status="lost"),  # type: ignore[arg-type]
    ],
)
def test_did_document_refuses_bad_keys(key: PublishedKey) -> None:
    with pytest.raises(DidError):
        build_did_document(DID, [key])


def test_did_document_refuses_duplicate_ids() -> None:
    key = generate_key()
    twice = [
        PublishedKey(kid="k1", public_jwk=key.public_jwk),
        PublishedKey(kid=f"{DID}#k1", public_jwk=key.public_jwk),
    ]
    with pytest.raises(DidError, match="twice"):
        build_did_document(DID, twice)

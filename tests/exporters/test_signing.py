"""Compact JWS: round trips, tampering, algorithm attacks, key status, independent verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import warnings
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws as joserfc_jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from exporters.credentials.did import PublishedKey, build_did_document, did_web
from exporters.credentials.keys import generate_key, public_jwk
from exporters.credentials.signing import (
    MAX_TOKEN_BYTES,
    SigningError,
    VerificationError,
    VerificationErrorCode,
    sign_compact,
    verify_compact,
)
from exporters.credentials.vc import build_credential, credential_payload
from tests.exporters.test_credentials import ISSUER_DID, battery_model_input

ED_KEY = generate_key("EdDSA")
EC_KEY = generate_key("ES256")
ED_KID = f"{ISSUER_DID}#{ED_KEY.thumbprint}"
EC_KID = f"{ISSUER_DID}#{EC_KEY.thumbprint}"
KEYS = {ED_KID: public_jwk(ED_KEY, ED_KID), EC_KID: public_jwk(EC_KEY, EC_KID)}
B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def resolve(kid: str) -> dict[str, Any] | None:
    return KEYS.get(kid)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def lenient_b64url_decode(segment: str) -> bytes | None:
    """What a permissive decoder makes of a segment (None when it cannot decode it at all)."""
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        return None


def raw_ed25519_token(header: dict[str, Any], payload: bytes) -> str:
    """A token signed with our Ed25519 key but with any header we like, bypassing sign_compact."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(payload)}"
    signature = ED_KEY.private_key.cryptography_key.sign(signing_input.encode())
    return f"{signing_input}.{b64url(signature)}"


def refusal(token: str, resolver: Any = resolve, **kwargs: Any) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_compact(token, resolver, **kwargs)
    return caught.value.code


@pytest.fixture(scope="module")
def credential_token() -> str:
    return sign_compact(credential_payload(build_credential(battery_model_input())), ED_KEY, ED_KID)


@settings(max_examples=60, deadline=None)
@given(
    payload=st.binary(max_size=4096),
    use_ec=st.booleans(),
    typ=st.sampled_from(["vc+jwt", "JWT", ""]),
    cty=st.one_of(st.none(), st.just("vc")),
)
def test_sign_then_verify_returns_the_payload(payload: bytes, use_ec: bool, typ: str, cty: str | None) -> None:
    key, kid, alg = (EC_KEY, EC_KID, "ES256") if use_ec else (ED_KEY, ED_KID, "EdDSA")
    token = sign_compact(payload, key, kid, alg=alg, typ=typ, cty=cty)
    verified = verify_compact(token, resolve)
    assert verified.payload == payload
    assert verified.kid == kid
    assert verified.alg == alg
    expected_header = {"alg": alg, "kid": kid} | ({"typ": typ} if typ else {}) | ({"cty": cty} if cty else {})
    assert verified.header == expected_header


def test_fully_specified_ed25519_name_is_accepted_too() -> None:
    token = sign_compact(b"{}", ED_KEY, ED_KID, alg="Ed25519")
    assert verify_compact(token, resolve).alg == "Ed25519"
    assert refusal(token, allowed_algs=("EdDSA",)) == VerificationErrorCode.ALG_NOT_ALLOWED


def test_eddsa_deprecation_notice_is_silenced_only_for_our_registry() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        token = sign_compact(b"{}", ED_KEY, ED_KID)
        verify_compact(token, resolve)
    assert [w for w in caught if issubclass(w.category, SecurityWarning)] == []
    # joserfc itself still warns when used directly: we removed our noise, not the library's check.
    with pytest.warns(SecurityWarning, match="EdDSA"):
        joserfc_jws.serialize_compact(
            {"alg": "EdDSA"}, b"{}", OKPKey.import_key(ED_KEY.private_key.cryptography_key), algorithms=["EdDSA"]
        )


def test_500_mutated_tokens_all_fail(credential_token: str) -> None:
    """Change one character of a signed credential in its header, payload or signature, 500 times.

    A mutation only counts if the changed segment decodes to different bytes: changing the unused
    low bits of a segment's last character leaves lenient base64url decoding unchanged, so such a
    change is no change to the signed data. Those are counted apart, and must still be refused
    (our decoder insists on the canonical spelling), but they are not among the 500.
    """
    rng = random.Random(20250301)
    parts = credential_token.split(".")
    original = [lenient_b64url_decode(part) for part in parts]
    counted = {0: 0, 1: 0, 2: 0}
    same_bytes = 0
    codes: dict[int, set[str]] = {0: set(), 1: set(), 2: set()}
    while sum(counted.values()) < 500:
        which = sum(counted.values()) % 3  # header, payload and signature in turn
        segment = parts[which]
        # Bias a quarter of the draws to the last four characters, where padding bits live.
        position = rng.randrange(len(segment)) if rng.random() < 0.75 else len(segment) - 1 - rng.randrange(4)
        replacement = rng.choice([c for c in B64URL_ALPHABET if c != segment[position]])
        mutated_segment = segment[:position] + replacement + segment[position + 1 :]
        mutated = parts.copy()
        mutated[which] = mutated_segment
        code = refusal(".".join(mutated))
        if lenient_b64url_decode(mutated_segment) == original[which]:
            same_bytes += 1
            assert code == VerificationErrorCode.MALFORMED
            continue
        counted[which] += 1
        codes[which].add(code)
    assert counted == {0: 167, 1: 167, 2: 166}
    # A changed payload or signature can only break the signature (or, in the last character, also
    # the canonical spelling); a changed header may also break its JSON or name another key or alg.
    assert codes[1] <= {VerificationErrorCode.BAD_SIGNATURE, VerificationErrorCode.MALFORMED}
    assert codes[2] <= {VerificationErrorCode.BAD_SIGNATURE, VerificationErrorCode.MALFORMED}
    assert VerificationErrorCode.BAD_SIGNATURE in codes[1] & codes[2]
    assert same_bytes > 0  # the biased draws did exercise the non-canonical case


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t + "A",
        lambda t: t[:-1],
        lambda t: t.replace(".", "..", 1),
        lambda t: t[:10] + "+" + t[11:],
        lambda t: t[:10] + "=" + t[11:],
        lambda t: t[:20] + " " + t[20:],
        lambda t: t + ".",
        lambda t: "." + t,
        lambda t: t.split(".")[0] + ".." + t.split(".")[2],
    ],
)
def test_structural_damage_is_refused(credential_token: str, damage: Any) -> None:
    assert refusal(damage(credential_token)) in {
        VerificationErrorCode.MALFORMED,
        VerificationErrorCode.BAD_SIGNATURE,
    }


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "e30.e30.", "W10.e30.AAAA", "bm90IGpzb24.e30.AAAA", "!!!.e30.AAAA"],
)
def test_malformed_tokens(token: str) -> None:
    # e30 is {} (no alg), W10 is [] (not an object), bm90IGpzb24 is "not json".
    assert refusal(token) in {VerificationErrorCode.MALFORMED}


def test_oversized_token_is_refused_before_decoding() -> None:
    assert refusal("A" * (MAX_TOKEN_BYTES + 1)) == VerificationErrorCode.TOO_LARGE


@pytest.mark.parametrize("spelling", ["none", "None", "NONE"])
def test_alg_none_is_refused(credential_token: str, spelling: str) -> None:
    _, payload, signature = credential_token.split(".")
    forged_header = b64url(json.dumps({"alg": spelling, "kid": ED_KID, "typ": "vc+jwt"}).encode())
    assert refusal(f"{forged_header}.{payload}.") == VerificationErrorCode.ALG_NONE
    assert refusal(f"{forged_header}.{payload}.{signature}") == VerificationErrorCode.ALG_NONE
    # Even a caller who lists "none" as allowed gets no unsecured token through.
    assert refusal(f"{forged_header}.{payload}.", allowed_algs=("none", "EdDSA")) == VerificationErrorCode.ALG_NONE


def test_header_claiming_es256_for_an_ed25519_key_is_refused() -> None:
    # Signed with the P-256 key, but the kid names the Ed25519 key: the alg does not fit that key.
    token = sign_compact(b"{}", EC_KEY, ED_KID, alg="ES256")
    assert refusal(token) == VerificationErrorCode.ALG_KEY_MISMATCH
    # And the other way round: an EdDSA token whose kid names the P-256 key.
    token = sign_compact(b"{}", ED_KEY, EC_KID)
    assert refusal(token) == VerificationErrorCode.ALG_KEY_MISMATCH


def test_hs256_with_the_public_key_as_hmac_secret_is_refused(credential_token: str) -> None:
    """The classic swap: the attacker MACs with the (public) verification key as the secret."""
    payload = credential_token.split(".")[1]
    public = ED_KEY.private_key.public_key()
    secrets_tried = [
        public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        json.dumps(KEYS[ED_KID]).encode(),
    ]
    for secret in secrets_tried:
        header = b64url(json.dumps({"alg": "HS256", "kid": ED_KID}).encode())
        mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        token = f"{header}.{payload}.{b64url(mac)}"
        assert refusal(token) == VerificationErrorCode.ALG_NOT_ALLOWED
        # Listing HS256 as allowed does not help: no HMAC algorithm is ever paired with a key here.
        assert refusal(token, allowed_algs=("HS256", "EdDSA")) == VerificationErrorCode.ALG_NOT_ALLOWED


def test_unknown_missing_and_compromised_keys(credential_token: str) -> None:
    assert refusal(credential_token, resolver=lambda kid: None) == VerificationErrorCode.UNKNOWN_KID
    no_kid = raw_ed25519_token({"alg": "EdDSA", "typ": "vc+jwt"}, b"{}")
    assert refusal(no_kid) == VerificationErrorCode.MISSING_KID
    compromised = KEYS[ED_KID] | {"status": "compromised"}
    assert refusal(credential_token, resolver=lambda kid: compromised) == VerificationErrorCode.KEY_COMPROMISED
    retired = KEYS[ED_KID] | {"status": "retired"}
    assert verify_compact(credential_token, lambda kid: retired).key_status == "retired"


@pytest.mark.parametrize(
    "extra",
    [
        {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}},
        {"jku": "https://attacker.example/keys.json"},
        {"crit": ["b64"], "b64": False},
        {"x5u": "https://attacker.example/cert.pem"},
    ],
)
def test_headers_that_change_processing_are_refused(extra: dict[str, Any]) -> None:
    token = raw_ed25519_token({"alg": "EdDSA", "kid": ED_KID} | extra, b"{}")
    assert refusal(token) == VerificationErrorCode.UNSUPPORTED_HEADER


def test_raw_token_helper_makes_valid_tokens() -> None:
    # Guards the tests above: without the extra headers, the same helper's token verifies.
    assert verify_compact(raw_ed25519_token({"alg": "EdDSA", "kid": ED_KID}, b"{}"), resolve).payload == b"{}"


def test_resolver_key_that_is_not_a_signing_key_is_refused(credential_token: str) -> None:
    assert refusal(credential_token, resolver=lambda kid: KEYS[ED_KID] | {"use": "enc"}) == (
        VerificationErrorCode.ALG_KEY_MISMATCH
    )
    assert refusal(credential_token, resolver=lambda kid: KEYS[ED_KID] | {"alg": "ES256"}) == (
        VerificationErrorCode.ALG_KEY_MISMATCH
    )
    wrong_key = public_jwk(generate_key(), ED_KID)
    assert refusal(credential_token, resolver=lambda kid: wrong_key) == VerificationErrorCode.BAD_SIGNATURE


def test_signing_refuses_a_mismatched_request() -> None:
    with pytest.raises(SigningError, match="needs a P-256 key"):
        sign_compact(b"{}", ED_KEY, ED_KID, alg="ES256")
    with pytest.raises(SigningError, match="unsupported"):
        sign_compact(b"{}", ED_KEY, ED_KID, alg="HS256")
    with pytest.raises(SigningError, match="kid"):
        sign_compact(b"{}", ED_KEY, "")


@pytest.mark.parametrize("key", [ED_KEY, EC_KEY], ids=["Ed25519", "P-256"])
def test_jwcrypto_verifies_our_token_with_only_the_did_document(key: Any) -> None:
    """An independent JOSE library, given nothing but the JWK from our DID document, agrees."""
    jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
    jwcrypto_jws = pytest.importorskip("jwcrypto.jws")
    did = did_web("dpp.example.com", "hanbit-energy")
    kid = f"{did}#{key.thumbprint}"
    document = build_did_document(did, [PublishedKey(kid=kid, public_jwk=key.public_jwk)])
    (method,) = document["verificationMethod"]
    alg = "ES256" if key.alg == "ES256" else "EdDSA"
    token = sign_compact(credential_payload(build_credential(battery_model_input())), key, kid, alg=alg)

    verifier = jwcrypto_jws.JWS()
    verifier.deserialize(token)
    verifier.verify(jwcrypto_jwk.JWK(**method["publicKeyJwk"]), alg=alg)
    assert json.loads(verifier.payload)["issuer"]["id"] == "did:web:dpp.example.com:orgs:hanbit-energy"
    assert verifier.jose_header["kid"] == method["id"]

    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    other = jwcrypto_jws.JWS()
    other.deserialize(tampered)
    with pytest.raises(jwcrypto_jws.InvalidJWSSignature):
        other.verify(jwcrypto_jwk.JWK(**method["publicKeyJwk"]), alg=alg)

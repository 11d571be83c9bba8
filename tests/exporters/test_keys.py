"""Signing keys: generation, KEK parsing, encryption at rest, JWKs, thumbprints, no secret leaks."""

from __future__ import annotations

import base64
import logging
import pickle
import secrets

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from exporters.credentials.keys import (
    GeneratedKey,
    KeyDecryptionError,
    KeyMaterialError,
    WeakKEKError,
    decrypt_private_key,
    encrypt_private_key,
    generate_key,
    jwk_thumbprint,
    kek_from_env_value,
    key_fingerprint,
    load_private_key,
    public_jwk,
)

KEK = bytes(range(1, 33))  # 32 distinct bytes, not all printable: passes the KEK checks


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def secret_spellings(key: GeneratedKey) -> list[str]:
    """Every form in which the private key could leak into text."""
    raw_key = key.private_key.cryptography_key
    pem = key.private_key.private_pkcs8_pem().decode()
    body = "".join(line for line in pem.splitlines() if "-----" not in line)
    spellings = [body, body[:24], body[-24:]]
    if key.alg == "EdDSA":
        raw = raw_key.private_bytes(  # type: ignore[union-attr]
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
    else:
        raw = raw_key.private_numbers().private_value.to_bytes(32, "big")  # type: ignore[union-attr]
    return [*spellings, raw.hex(), _b64url(raw), base64.b64encode(raw).decode(), repr(raw)]


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_private_key_never_appears_in_repr_str_format_or_logs(alg: str, caplog: pytest.LogCaptureFixture) -> None:
    key = generate_key(alg)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("exporters.test").info("key %s %r", key, key.private_key)
        logging.getLogger("exporters.test").info(f"{key} {key.private_key} {key!r}")  # noqa: G004
    texts = [repr(key), str(key), f"{key}", repr(key.private_key), str(key.private_key), caplog.text]
    texts.append(repr([key, {"k": key.private_key}]))
    for text in texts:
        assert "redacted" in text
        for spelling in secret_spellings(key):
            assert spelling not in text
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(key.private_key)


def test_errors_about_bad_keys_do_not_quote_them() -> None:
    key = generate_key()
    pem = key.private_key.private_pkcs8_pem().decode()
    broken = pem.replace(pem.splitlines()[1][:8], "!!!!!!!!")
    with pytest.raises(KeyMaterialError) as caught:
        load_private_key(broken)
    assert pem.splitlines()[1][8:20] not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("alg", "kty", "crv", "members"), [("EdDSA", "OKP", "Ed25519", 1), ("ES256", "EC", "P-256", 2)]
)
def test_generated_key_and_public_jwk(alg: str, kty: str, crv: str, members: int) -> None:
    key = generate_key(alg)
    jwk = public_jwk(key, "did:web:example.com:orgs:acme#k1")
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == (kty, crv, alg)
    assert jwk["kid"] == "did:web:example.com:orgs:acme#k1"
    assert "d" not in jwk
    coordinates = [jwk[name] for name in ("x", "y") if name in jwk]
    assert len(coordinates) == members
    # 32-byte coordinates: 43 base64url characters without padding.
    assert all(len(value) == 43 for value in coordinates)
    # Without a kid the thumbprint names the key; it is the same for the key and its public half.
    assert public_jwk(key)["kid"] == key.thumbprint == public_jwk(key.private_key.public_key())["kid"]


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(KeyMaterialError, match="unsupported"):
        generate_key("RS256")


def test_thumbprint_matches_rfc_8037_example() -> None:
    # RFC 8037 appendix A.2/A.3: the Ed25519 public key and its RFC 7638 thumbprint.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    # Extra members (kid, alg, use) are not part of the thumbprint input.
    assert jwk_thumbprint(jwk | {"kid": "x", "alg": "EdDSA", "use": "sig"}) == jwk_thumbprint(jwk)


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_thumbprint_agrees_with_jwcrypto(alg: str) -> None:
    jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
    key = generate_key(alg)
    assert jwcrypto_jwk.JWK(**key.public_jwk).thumbprint() == key.thumbprint


def test_fingerprint_is_the_thumbprint_digest_in_grouped_hex() -> None:
    key = generate_key()
    fingerprint = key_fingerprint(key.public_jwk)
    groups = fingerprint.split(" ")
    assert [len(group) for group in groups] == [4] * 16
    digest = base64.urlsafe_b64decode(key.thumbprint + "=")
    assert fingerprint.replace(" ", "") == digest.hex().upper()
    assert key.fingerprint == fingerprint


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_encrypted_key_round_trip(alg: str) -> None:
    key = generate_key(alg)
    blob = encrypt_private_key(key, KEK, b"did:web:example.com:orgs:acme#k1")
    assert blob.startswith("dppkey.v1.")
    for spelling in secret_spellings(key):
        assert spelling not in blob
    opened = decrypt_private_key(blob, KEK, b"did:web:example.com:orgs:acme#k1")
    assert opened.thumbprint == key.thumbprint
    assert opened.alg == key.alg
    # The same key encrypts differently each time: a fresh nonce per blob.
    assert encrypt_private_key(key, KEK, b"x") != encrypt_private_key(key, KEK, b"x")
    # A PEM is accepted too, and checked before it is stored.
    pem_blob = encrypt_private_key(key.private_key.private_pkcs8_pem(), KEK, b"x")
    assert decrypt_private_key(pem_blob, KEK, b"x").thumbprint == key.thumbprint
    with pytest.raises(KeyMaterialError):
        encrypt_private_key(b"not a key", KEK, b"x")


def _flip(blob: str, part: int) -> str:
    prefix, nonce, ciphertext = blob.rsplit(".", 2)
    pieces = [nonce, ciphertext]
    raw = bytearray(base64.urlsafe_b64decode(pieces[part] + "=" * (-len(pieces[part]) % 4)))
    raw[len(raw) // 2] ^= 0x01
    pieces[part] = _b64url(bytes(raw))
    return ".".join([prefix, *pieces])


def test_encrypted_key_refuses_wrong_kek_wrong_kid_and_tampering() -> None:
    key = generate_key()
    blob = encrypt_private_key(key, KEK, b"kid-1")
    other_kek = bytes(reversed(KEK))
    attempts = [
        (blob, other_kek, b"kid-1"),  # wrong KEK
        (blob, KEK, b"kid-2"),  # blob copied onto another key's row
        (_flip(blob, 0), KEK, b"kid-1"),  # nonce changed
        (_flip(blob, 1), KEK, b"kid-1"),  # ciphertext or tag changed
        (blob.replace("dppkey.v1.", "dppkey.v2."), KEK, b"kid-1"),  # unknown format version
        ("dppkey.v1.abc", KEK, b"kid-1"),
    ]
    for attempt_blob, kek, aad in attempts:
        with pytest.raises(KeyDecryptionError):
            decrypt_private_key(attempt_blob, kek, aad)
    with pytest.raises(WeakKEKError):
        decrypt_private_key(blob, KEK[:16], b"kid-1")


@settings(max_examples=50, deadline=None)
@given(raw=st.binary(min_size=32, max_size=32), urlsafe=st.booleans(), padded=st.booleans())
def test_kek_accepts_random_32_bytes_in_either_base64(raw: bytes, urlsafe: bool, padded: bool) -> None:
    encoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    if not padded:
        encoded = encoded.rstrip("=")
    printable = all(32 <= byte < 127 or byte in b"\t\n\r\x0b\x0c" for byte in raw)
    if len(set(raw)) < 16 or printable:
        with pytest.raises(WeakKEKError):
            kek_from_env_value(encoded)
    else:
        assert kek_from_env_value(f"  {encoded}\n") == raw


def test_kek_from_secrets_is_accepted() -> None:
    raw = secrets.token_bytes(32)
    assert kek_from_env_value(base64.b64encode(raw).decode()) == raw


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (base64.b64encode(bytes(range(100, 116))).decode(), "32 bytes"),
        (base64.b64encode(bytes(range(100, 133))).decode(), "32 bytes"),
        ("not base64 at all!", "base64"),
        (base64.b64encode(bytes(32)).decode(), "distinct"),
        (base64.b64encode(b"ab" * 16).decode(), "distinct"),
        (base64.b64encode(b"correct horse battery staple 123").decode(), "printable"),
    ],
    # Fixed values and ids: pytest-xdist workers must collect identical test names.
    ids=["empty", "blank", "16-bytes", "33-bytes", "not-base64", "all-zero", "repeating", "printable"],
)
def test_weak_or_malformed_kek_is_refused(value: str, why: str) -> None:
    with pytest.raises(WeakKEKError, match=why) as caught:
        kek_from_env_value(value)
    if value.strip():
        assert value not in str(caught.value)

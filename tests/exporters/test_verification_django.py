"""Public verification: what a verifier holding only our DID document can check, and what we refuse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jwcrypto import jwk, jws
from rest_framework.test import APIClient

from exporters.api.signing_views import VerifyRateThrottle
from exporters.credentials import verification
from exporters.credentials.keys import generate_key
from exporters.credentials.passport_context import context_path, newest_version
from exporters.credentials.signing import sign_compact
from exporters.credentials.vc import credential_payload
from exporters.credentials.verification import verify_token
from exporters.services.keys import current_key, private_key_of
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def issued(tenant: Any) -> Any:
    version = passport_publish(passport=make_passport(tenant.org), by=tenant.owner)
    return version.issued_credential


def test_a_published_credential_verifies_with_jwcrypto_and_only_the_did_document(issued: Any) -> None:
    header = json.loads(base64.urlsafe_b64decode(issued.jws.split(".", 1)[0] + "=="))
    # The verifier knows only the token; the DID and the document's URL follow from the kid (did:web spec 3.2).
    did = header["kid"].split("#", 1)[0]
    slug = did.rsplit(":", 1)[1]
    response = APIClient().get(f"/orgs/{slug}/did.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    document = response.json()
    assert document["id"] == did
    method = next(m for m in document["verificationMethod"] if m["id"] == header["kid"])
    assert header["kid"] in document["assertionMethod"]
    token = jws.JWS()
    token.deserialize(issued.jws)
    token.verify(jwk.JWK(**method["publicKeyJwk"]), alg="EdDSA")
    assert json.loads(token.payload)["id"] == issued.credential_id


def test_every_one_of_500_mutated_copies_is_refused(issued: Any) -> None:
    token = issued.jws
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    rng = random.Random(20260312)
    seen: set[str] = set()
    while len(seen) < 500:
        position = rng.randrange(len(token))
        replacement = rng.choice(alphabet.replace(token[position], ""))
        mutated = token[:position] + replacement + token[position + 1 :]
        seen.add(mutated)
    outcomes = {mutated: verify_token(mutated) for mutated in seen}
    assert not [m for m, report in outcomes.items() if report.valid]
    codes = {report.errors[0]["code"] for report in outcomes.values()}
    assert "bad_signature" in codes  # the bulk: a changed payload or signature
    refusals = {"bad_signature", "malformed", "unknown_kid", "alg_not_allowed", "alg_none", "issuer_mismatch"}
    refusals |= {"unsupported_header", "missing_kid", "alg_key_mismatch", "wrong_type", "invalid_credential"}
    assert codes <= refusals
    assert verify_token(token).valid  # the original still verifies


def test_alg_none_and_algorithm_swaps_are_refused(issued: Any) -> None:
    header_segment, payload_segment, _signature = issued.jws.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_segment + "=="))
    unsecured = f"{b64url(json.dumps({**header, 'alg': 'none'}).encode())}.{payload_segment}."
    assert verify_token(unsecured).errors[0]["code"] in {"alg_none", "malformed"}
    # HS256 keyed with the public key: the classic confusion attack.
    public_x = issued.signing_key.public_jwk["x"].encode()
    swapped_header = b64url(json.dumps({**header, "alg": "HS256"}).encode())
    mac = hmac.new(public_x, f"{swapped_header}.{payload_segment}".encode(), hashlib.sha256).digest()
    assert verify_token(f"{swapped_header}.{payload_segment}.{b64url(mac)}").errors[0]["code"] == "alg_not_allowed"
    es256_header = b64url(json.dumps({**header, "alg": "ES256"}).encode())
    report = verify_token(f"{es256_header}.{payload_segment}.{_signature}")
    assert report.errors[0]["code"] == "alg_key_mismatch"


def test_unknown_keys_and_keys_of_another_issuer_are_refused(tenant: Any, other_tenant: Any, issued: Any) -> None:
    credential = issued.credential
    stranger = generate_key()
    forged = sign_compact(credential_payload(credential), stranger, f"{credential['issuer']['id']}#forged")
    assert verify_token(forged).errors[0]["code"] == "unknown_kid"
    # Same kid as the real key, wrong private key: the signature cannot match.
    impostor = sign_compact(credential_payload(credential), stranger, issued.kid)
    assert verify_token(impostor).errors[0]["code"] == "bad_signature"
    # Another organization's real key vouching for this issuer's credential.
    other_key = current_key(other_tenant.org)
    borrowed = sign_compact(credential_payload(credential), private_key_of(other_key), other_key.kid)
    assert verify_token(borrowed).errors[0]["code"] == "issuer_mismatch"


def test_an_expired_credential_is_refused(tenant: Any, issued: Any) -> None:
    credential = dict(issued.credential)
    credential["validUntil"] = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    key = current_key(tenant.org)
    expired = sign_compact(credential_payload(credential), private_key_of(key), key.kid)
    report = verify_token(expired)
    assert (report.valid, report.errors[0]["code"]) == (False, "expired")
    assert verify_token(issued.jws, now=datetime.now(UTC) + timedelta(days=3650)).valid  # no expiry of its own


def test_a_changed_attachment_is_refused_even_when_freshly_signed_by_an_outsider(issued: Any) -> None:
    # Editing the attached data and re-signing needs the issuer's key; without it the signature fails.
    header_segment, payload_segment, signature = issued.jws.split(".")
    credential = json.loads(base64.urlsafe_b64decode(payload_segment + "=="))
    credential["credentialSubject"]["product"]["name"] = "Something else"
    tampered = f"{header_segment}.{b64url(credential_payload(credential))}.{signature}"
    assert verify_token(tampered).errors[0]["code"] == "bad_signature"


def test_verify_api_accepts_json_and_raw_vc_jwt_from_anyone(issued: Any, login_api: Any, other_tenant: Any) -> None:
    anonymous = APIClient()
    as_json = anonymous.post("/api/v1/verify", {"credential": issued.jws}, format="json")
    assert as_json.status_code == 200
    body = as_json.json()
    assert body["valid"] is True
    assert body["status"] == "active"
    assert body["kid"] == issued.kid
    assert body["issuer"] == issued.credential["issuer"]["id"]
    assert {check["check"] for check in body["checks"]} >= {"signature", "status:revocation", "data:public"}
    raw = login_api(other_tenant.owner).post("/api/v1/verify", issued.jws, content_type="application/vc+jwt")
    assert raw.status_code == 200
    assert raw.json()["valid"] is True
    broken = anonymous.post("/api/v1/verify", {"credential": issued.jws[:-3] + "AAA"}, format="json")
    assert broken.status_code == 200
    assert broken.json()["valid"] is False
    assert broken.json()["errors"][0]["code"] in {"bad_signature", "malformed"}
    assert anonymous.post("/api/v1/verify", {}, format="json").status_code == 400
    assert anonymous.get("/api/v1/verify").status_code == 200


def test_verify_api_is_throttled(issued: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(VerifyRateThrottle, "THROTTLE_RATES", {"verify": "3/min"})
    client = APIClient(REMOTE_ADDR="198.51.100.23")
    statuses = [client.post("/api/v1/verify", {"credential": issued.jws}, format="json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_contexts_a_credential_names_are_checked_against_their_signed_digests(
    issued: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verifier whose copy of a context differs from the issuer's is told so: the meaning changed."""
    contexts = issued.credential["@context"][1:]
    report = verify_token(issued.jws)
    assert report.valid
    assert {check["check"] for check in report.checks} >= {f"context:{url}" for url in contexts}
    ours = contexts[-1]
    # New credentials name our newest context version.
    assert ours.endswith(context_path(newest_version(verification.document_loader.own_context_paths())))
    real = verification.document_loader.digest_sri
    monkeypatch.setattr(
        verification.document_loader,
        "digest_sri",
        lambda url, base_url=None: "sha256-" + "A" * 43 + "=" if url == ours else real(url, base_url=base_url),
    )
    changed = verify_token(issued.jws)
    assert not changed.valid
    assert [error["code"] for error in changed.errors] == ["context_mismatch"]

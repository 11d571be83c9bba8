"""Signing through the real services: keys at rest, issue at publication, rotation, compromise, revocation."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from exporters.credentials.document_loader import document_bytes
from exporters.credentials.keys import KeyDecryptionError, decrypt_private_key
from exporters.credentials.signing import verify_compact
from exporters.credentials.statuslist import MIN_ENTRIES, StatusBitstring, check_status
from exporters.credentials.vc import decode_credential
from exporters.credentials.verification import verify_token
from exporters.models import IssuedCredential, SigningKey, StatusList
from exporters.selectors import did_document, platform_key
from exporters.services import keys as key_services
from exporters.services.compromise import key_compromise
from exporters.services.credentials import credential_suspend, tier_data_bytes
from exporters.services.keys import current_key, key_rotate, private_key_of, signing_kek
from exporters.services.status_lists import status_bit
from passports.schema_files import example_files, example_schema
from passports.services.passports import passport_publish, passport_revoke, passport_version_new
from tests.factories import ProductFactory, make_passport, without_own_identifiers

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"


def publish(tenant: Any, **fields: Any) -> Any:
    passport = make_passport(tenant.org, **fields)
    return passport_publish(passport=passport, by=tenant.owner)


def header_of(token: str) -> dict[str, Any]:
    segment = token.split(".", maxsplit=1)[0]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_publishing_issues_a_signed_credential_in_the_same_transaction(tenant: Any) -> None:
    version = publish(tenant)
    issued = IssuedCredential.objects.get(version=version)
    key = SigningKey.objects.get(organization=tenant.org)
    assert key.status == "current"
    assert key.kid == f"did:web:localhost%3A8000:orgs:{tenant.org.slug}#{key.thumbprint}"
    assert header_of(issued.jws) == {"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt"}
    assert decode_credential(issued.jws) == issued.credential
    assert issued.credential["issuer"]["id"] == f"did:web:localhost%3A8000:orgs:{tenant.org.slug}"
    assert issued.credential["credentialSubject"]["product"]["id"] == version.passport.identifier
    verify_compact(issued.jws, platform_key)  # raises if the signature does not check out


def test_a_signing_failure_rolls_the_publication_back(tenant: Any) -> None:
    passport = make_passport(tenant.org)
    # A key whose encrypted blob was made under another KEK: opening it fails while signing.
    with override_settings(SIGNING_KEK=base64.b64encode(bytes(range(100, 132))).decode()):
        current_key(tenant.org)
    with pytest.raises(KeyDecryptionError):
        passport_publish(passport=passport, by=tenant.owner)
    passport.refresh_from_db()
    assert passport.status == "draft"
    assert not passport.versions.filter(status="published").exists()
    assert not IssuedCredential.objects.exists()


def test_private_keys_are_encrypted_at_rest_under_the_kek_and_bound_to_their_kid(tenant: Any) -> None:
    key = current_key(tenant.org)
    assert key.encrypted_private_key.startswith("dppkey.v1.")
    assert "PRIVATE KEY" not in key.encrypted_private_key
    assert private_key_of(key).thumbprint == key.thumbprint
    with pytest.raises(KeyDecryptionError):
        decrypt_private_key(key.encrypted_private_key, signing_kek(), b"did:web:other#key")
    with (
        override_settings(SIGNING_KEK=base64.b64encode(bytes(range(7, 39))).decode()),
        pytest.raises(KeyDecryptionError),
    ):
        private_key_of(key)
    assert "dppkey" not in str(key) and "dppkey" not in repr(key)


def test_the_development_kek_comes_from_the_secret_key_and_warns_once(caplog: Any) -> None:
    key_services._kek_for.cache_clear()
    with caplog.at_level(logging.WARNING, logger="exporters.services.keys"):
        first = signing_kek()
        second = signing_kek()
    assert first == second
    assert len(first) == 32
    warnings = [r.getMessage() for r in caplog.records if r.name == "exporters.services.keys"]
    assert len(warnings) == 1
    assert "development-only" in warnings[0]
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-0123456789abcdef"):
        assert signing_kek() != first
    configured = bytes(range(200, 232))
    with override_settings(SIGNING_KEK=base64.b64encode(configured).decode()):
        assert signing_kek() == configured


def test_key_creation_logs_no_key_material(tenant: Any, caplog: Any) -> None:
    with caplog.at_level(logging.DEBUG):
        key = key_rotate(org=tenant.org)
    text = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert key.kid in text  # the creation is logged...
    assert key.encrypted_private_key not in text  # ...without the key
    assert "PRIVATE KEY" not in text


def test_es256_keys_sign_too(tenant: Any) -> None:
    key_rotate(org=tenant.org, alg="ES256")
    issued = publish(tenant).issued_credential
    assert header_of(issued.jws)["alg"] == "ES256"
    assert verify_token(issued.jws).valid


def test_after_rotation_old_passports_still_verify_and_new_ones_use_the_new_key(tenant: Any) -> None:
    old = publish(tenant).issued_credential
    old_key = old.signing_key
    new_key = key_rotate(org=tenant.org)
    old_key.refresh_from_db()
    assert old_key.status == "retired" and old_key.retired_at is not None
    assert verify_token(old.jws).valid
    fresh = publish(tenant).issued_credential
    assert fresh.kid == new_key.kid != old.kid
    methods = {m["id"] for m in did_document(tenant.org)["verificationMethod"]}
    assert methods == {old_key.kid, new_key.kid}


def test_a_compromised_key_stops_verifying_and_its_credentials_are_resigned(tenant: Any) -> None:
    version = publish(tenant)
    issued = version.issued_credential
    before = issued.jws
    compromised = issued.signing_key
    key_compromise(org=tenant.org, kid=compromised.kid)
    report = verify_token(before)
    assert not report.valid
    assert report.errors[0]["code"] == "key_compromised"
    assert compromised.kid not in json.dumps(did_document(tenant.org))
    issued.refresh_from_db()
    assert issued.jws != before
    assert issued.credential_id == decode_credential(before)["id"]  # same credential, new signature
    assert verify_token(issued.jws).valid
    for status_list in StatusList.objects.filter(organization=tenant.org):
        assert status_list.signing_key_id != compromised.pk


def test_revoking_sets_the_bit_in_the_signed_status_list(tenant: Any) -> None:
    version = publish(tenant)
    issued = version.issued_credential
    assert verify_token(issued.jws).status == "active"
    passport_revoke(version=version, reason="wrong cathode mass", by=tenant.owner)
    report = verify_token(issued.jws)
    assert (report.valid, report.status) == (False, "revoked")
    revocation = StatusList.objects.get(organization=tenant.org, purpose="revocation")
    listed = verify_compact(revocation.jws, platform_key)  # the list itself is signed
    entry = next(e for e in issued.credential["credentialStatus"] if e["statusPurpose"] == "revocation")
    assert check_status(entry, json.loads(listed.payload))
    assert StatusBitstring.from_bytes(bytes(revocation.bits)).count_set() == 1
    assert status_bit(issued, "suspension") is False


def test_suspension_can_be_lifted(tenant: Any) -> None:
    version = publish(tenant)
    credential_suspend(version=version, suspended=True)
    assert verify_token(version.issued_credential.jws).status == "suspended"
    credential_suspend(version=version, suspended=False)
    assert verify_token(version.issued_credential.jws).status == "active"


def test_status_indexes_are_random_distinct_and_shared_by_both_lists(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    publish(tenant, product=product)
    items = [
        publish(tenant, product=product, granularity="item", serial=f"SN-{n}", data={}).issued_credential
        for n in range(12)
    ]
    indexes = [item.status_index for item in items]
    assert len(set(indexes)) == len(indexes)
    assert indexes != sorted(indexes)  # 12 random draws in rising order: chance 1/12! = 2e-9
    assert all(0 <= index < MIN_ENTRIES for index in indexes)
    for item in items:
        entries = {e["statusPurpose"]: e for e in item.credential["credentialStatus"]}
        assert entries["revocation"]["statusListIndex"] == entries["suspension"]["statusListIndex"]
        assert entries["revocation"]["statusListCredential"].endswith(f"/orgs/{tenant.org.slug}/status/revocation")
    revocation = StatusList.objects.get(organization=tenant.org, purpose="revocation")
    assert revocation.issued == 13


def test_superseded_versions_keep_their_valid_credential(tenant: Any) -> None:
    first = publish(tenant)
    passport_version_new(passport=first.passport, by=tenant.owner)
    second = passport_publish(passport=first.passport, by=tenant.owner)
    first.refresh_from_db()
    assert first.status == "superseded"
    assert verify_token(first.issued_credential.jws).valid
    assert second.issued_credential.credential_id != first.issued_credential.credential_id


def test_the_credential_links_each_tier_by_the_digest_of_the_bytes_served(tenant: Any) -> None:
    version = publish(tenant)
    resources, contexts = (
        [r for r in version.issued_credential.credential["relatedResource"] if r["mediaType"] == media]
        for media in ("application/json", "application/ld+json")
    )
    assert [r["id"].rsplit("/", 1)[1] for r in resources] == [
        "public.json",
        "legitimate_interest.json",
        "authority.json",
    ]
    assert version.issued_credential.credential["relatedResource"][:3] == resources  # the data first
    # Then the UNTP context and ours, each with the digest of the file the platform expands them with.
    assert [r["id"] for r in contexts] == version.issued_credential.credential["@context"][1:]
    for context in contexts:
        shipped = document_bytes(context["id"], base_url=settings.PLATFORM_BASE_URL)
        assert context["digestSRI"] == "sha256-" + base64.b64encode(hashlib.sha256(shipped).digest()).decode()
    for resource, tier in zip(resources, ("public", "legitimate_interest", "authority"), strict=True):
        digest = base64.b64encode(hashlib.sha256(tier_data_bytes(version, tier)).digest()).decode()
        assert resource["digestSRI"] == f"sha256-{digest}"
    assert len({r["digestSRI"] for r in resources}) == 3  # the battery example has fields in every tier


@pytest.mark.parametrize("path", sorted(example_files()), ids=lambda p: p.name)
def test_every_shipped_example_published_through_the_services_validates_against_untp(tenant: Any, path: Path) -> None:
    schema_file = REFERENCE / "untp" / "untp-dpp-schema.json"
    if not schema_file.is_file():
        pytest.skip(f"UNTP reference schema not found at {schema_file} (shared/ is a sibling of the repo)")
    from jsonschema import Draft202012Validator

    category, schema_version = example_schema(path)
    # The example's own identifiers name its product, not this one: the platform writes them.
    data = without_own_identifiers(category, json.loads(path.read_text(encoding="utf-8")))
    product = ProductFactory(organization=tenant.org, category=category)
    version = publish(tenant, category=category, data=data, product=product, version=schema_version)
    assert version.schema.version == schema_version
    credential = version.issued_credential.credential
    validator = Draft202012Validator(
        json.loads(schema_file.read_text(encoding="utf-8")), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert [(list(e.absolute_path), e.message) for e in validator.iter_errors(credential)] == []
    assert verify_token(version.issued_credential.jws).valid

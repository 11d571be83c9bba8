"""Restoring from the backup copy into an empty database (exporters/backup/restore.py, restore_passports).

What this proves, end to end, in one process: published passports copied by the real publication path
(receiver → Celery task after commit → local store, read back and confirmed) are rebuilt by
``manage.py restore_passports --from`` into a database emptied with ``flush`` (every table, the schema registry
reloaded as after ``migrate``), and then

- every version comes back with the same identifier, number, status, data, content hash and dates, a batch
  passport inheriting from its restored model passport version;
- each credential comes back byte for byte and verifies with ``exporters.credentials.vc.verify_credential``
  against the restored public key (no private key was ever copied), and its digest still names the restored
  public data;
- the revocation bit of a revoked credential is in the restored status list;
- the public resolver answers each passport's Digital Link URI, serving the same signed credential;
- a store whose files were changed is caught: a file that no longer matches its manifest, data that no longer
  matches its hash even with a rewritten manifest, and a credential whose signature was forged.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from exporters.backup.replication import MANIFEST, RECORD, version_prefix
from exporters.backup.storage import LocalDirectoryStore
from exporters.credentials.vc import verify_credential
from exporters.models import BackupRecord, IssuedCredential, SigningKey, StatusList
from passports.models import Organization, Passport, PassportVersion
from passports.services.passports import passport_publish, passport_revoke, passport_version_new
from tests.factories import FacilityFactory, OrganizationFactory, ProductFactory, make_passport

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def snapshot() -> dict[tuple[str, int], dict[str, Any]]:
    """Everything a restore must bring back, keyed by (identifier, version number)."""
    found = {}
    for version in PassportVersion.objects.exclude(status="draft").select_related("passport", "base_version__passport"):
        credential = IssuedCredential.objects.filter(version=version).first()
        found[(version.passport.identifier, version.number)] = {
            "status": version.status,
            "data": version.data,
            "content_hash": version.content_hash,
            "published_at": version.published_at,
            "revoked_at": version.revoked_at,
            "base": (version.base_version.passport.identifier, version.base_version.number)
            if version.base_version
            else None,
            "retain_until": version.passport.retain_until,
            "jws": credential.jws if credential else None,
            "credential_id": credential.credential_id if credential else None,
        }
    return found


def restore(store_url: str, *extra: str) -> str:
    out = io.StringIO()
    call_command("restore_passports", "--from", store_url, *extra, stdout=out, stderr=out)
    return out.getvalue()


def public_key(kid: str) -> dict[str, Any] | None:
    key = SigningKey.objects.filter(kid=kid).first()
    return dict(key.public_jwk) if key is not None else None


def build_world(settings: Any, store: Path) -> Organization:
    settings.BACKUP_STORE_URL = store.as_uri()
    org: Any = OrganizationFactory(slug="hanbit-test", eori="KR123456789012345", lei="5299000J2N45DDNE4Y28")
    facility = FacilityFactory(organization=org, name="Ochang cell plant")
    product: Any = ProductFactory(organization=org, facility=facility, expected_lifetime_years=12)
    model = make_passport(org, product=product)
    passport_publish(passport=model)
    changed = {**model.versions.get().data}
    passport_version_new(passport=model, data=changed)
    passport_publish(passport=model)
    batch = make_passport(org, product=product, granularity="batch", lot="L2026-05", data={})
    passport_publish(passport=batch)
    recalled = make_passport(org)
    revoked = passport_publish(passport=recalled)
    passport_revoke(version=revoked, reason="capacity overstated")
    make_passport(org, name="never published")
    return org


def test_a_restore_into_an_empty_database_brings_back_every_published_version_and_it_verifies(
    tmp_path: Path, settings: Any
) -> None:
    store = tmp_path / "second-store"
    build_world(settings, store)
    assert BackupRecord.objects.filter(confirmed_at__isnull=True).count() == 0
    before = snapshot()
    assert len(before) == 4  # model v1 (superseded) and v2, the batch, the revoked one; not the draft
    revocation_bits = {sl.url: bytes(sl.bits) for sl in StatusList.objects.all()}

    call_command("flush", interactive=False, verbosity=0)
    assert not Passport.objects.exists()
    assert not SigningKey.objects.exists()

    output = restore(store.as_uri())
    assert "restored 4 version(s) of 1 organization(s), 4 credential(s)" in output
    assert "every restored version verifies" in output

    after = snapshot()
    assert after == before
    assert not Passport.objects.filter(product__name="never published").exists()
    org = Organization.objects.get(slug="hanbit-test")
    assert (org.eori, org.lei) == ("KR123456789012345", "5299000J2N45DDNE4Y28")
    assert {sl.url: bytes(sl.bits) for sl in StatusList.objects.all()} == revocation_bits
    # Restored keys verify but can never sign: only the public half was copied.
    assert set(SigningKey.objects.values_list("status", "encrypted_private_key")) == {("retired", "")}

    anyone = Client()
    for identifier, number in after:
        credential = IssuedCredential.objects.get(version__passport__identifier=identifier, version__number=number)
        verified = verify_credential(credential.jws, public_key)
        assert verified.credential == credential.credential
    for passport in Passport.objects.all():
        path = urlsplit(passport.identifier).path
        assert anyone.get("/dpp" + path).status_code == 200  # the resolver's default link: the passport page
        served = anyone.get(path, {"format": "vc-jwt"})
        assert served.status_code == 200
        current = passport.versions.exclude(status="draft").order_by("-number").first()
        assert served.content.decode() == IssuedCredential.objects.get(version=current).jws
        verify_credential(served.content.decode(), public_key)
    # Each restored version knows where its copy lives.
    assert BackupRecord.objects.filter(confirmed_at__isnull=False).count() == 4

    with pytest.raises(CommandError, match="already has passports"):
        restore(store.as_uri())
    assert "4 already here" in restore(store.as_uri(), "--into-nonempty")


def _rewrite(store: LocalDirectoryStore, key: str, change: Any) -> bytes:
    record = json.loads(store.get(key))
    change(record)
    data = json.dumps(record).encode()
    store.put(key, data)
    return data


def test_a_tampered_store_is_caught(tmp_path: Path, settings: Any) -> None:
    store_dir = tmp_path / "second-store"
    org = build_world(settings, store_dir)
    store = LocalDirectoryStore(store_dir)
    model_v2 = PassportVersion.objects.get(passport__granularity="model", number=2, organization=org)
    batch = PassportVersion.objects.get(passport__granularity="batch")
    revoked = PassportVersion.objects.get(status="revoked")
    model_v1 = PassportVersion.objects.get(passport=model_v2.passport, number=1)

    # 1. record.json changed, manifest left alone: the file no longer matches its manifest.
    _rewrite(store, f"{version_prefix(revoked)}/{RECORD}", lambda r: r["version"].update(revocation_reason="none"))

    # 2. record.json and manifest both rewritten: the data no longer hashes to its recorded content hash.
    def change_data(record: dict[str, Any]) -> None:
        record["version"]["data"]["tampered"] = True

    prefix = version_prefix(model_v1)
    data = _rewrite(store, f"{prefix}/{RECORD}", change_data)
    _rewrite(store, f"{prefix}/{MANIFEST}", lambda m: m["files"].update({RECORD: hashlib.sha256(data).hexdigest()}))

    # 3. A forged signature, consistent everywhere in the store: it must fail to verify after restore.
    prefix = version_prefix(batch)
    credential = IssuedCredential.objects.get(version=batch)
    head, payload, signature = credential.jws.split(".")
    forged = f"{head}.{payload}.{'A' * len(signature)}"
    data = _rewrite(store, f"{prefix}/{RECORD}", lambda r: r["credential"].update(jws=forged))
    store.put(f"{prefix}/credential.jwt", forged.encode())

    def fix_manifest(manifest: dict[str, Any]) -> None:
        manifest["files"].update(
            {RECORD: hashlib.sha256(data).hexdigest(), "credential.jwt": hashlib.sha256(forged.encode()).hexdigest()}
        )

    _rewrite(store, f"{prefix}/{MANIFEST}", fix_manifest)

    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="problem") as caught:
        restore(store_dir.as_uri())
    assert caught.value is not None
    output = io.StringIO()
    with pytest.raises(CommandError):
        call_command("restore_passports", "--from", store_dir.as_uri(), "--into-nonempty", stdout=output, stderr=output)
    problems = output.getvalue()
    assert "does not match its manifest" in problems
    assert "not the recorded hash" in problems
    assert "credential does not verify" in problems
    # What passed its checks is restored; the tampered versions are not (the forged one is, and is flagged).
    restored = set(PassportVersion.objects.values_list("passport__granularity", "number", "status"))
    assert ("model", 2, "published") in restored
    assert ("model", 1, "superseded") not in restored
    assert not PassportVersion.objects.filter(status="revoked").exists()

"""The backup copy (exporters/backup/): the local store, replication with read-back checks, retries, the sweep.

Stores are real directories under pytest's tmp_path; a store that hands back other bytes than it was given is
a real ``LocalDirectoryStore`` whose files are changed between the write and the read, as a failing disk or
a tampering neighbour would.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from config.celery import app as celery_app
from exporters.backup.replication import (
    CREDENTIAL,
    MANIFEST,
    RECORD,
    REPORT,
    BackupMismatchError,
    replicate_version,
    version_prefix,
    versions_needing_backup,
)
from exporters.backup.storage import LocalDirectoryStore, S3Store, StoreError, configured_store, store_from_url
from exporters.backup.tasks import MAX_RETRIES, replicate_pending, replicate_version_task
from exporters.models import BackupRecord, IssuedCredential, SigningKey
from passports.models import OutboxMessage, Passport, PassportVersion
from passports.services.passports import passport_publish, passport_revoke, passport_version_new
from tests.factories import make_passport

# --- the local store ---------------------------------------------------------------------------------


def test_a_local_store_gives_back_what_it_was_given_and_lists_its_keys(tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path / "backup")
    store.put("acme/passports/ab/v1/record.json", b'{"a": 1}')
    store.put("acme/status-lists/revocation-1.json", b"bits")
    assert store.get("acme/passports/ab/v1/record.json") == b'{"a": 1}'
    assert store.exists("acme/status-lists/revocation-1.json")
    assert not store.exists("acme/nothing")
    assert list(store.list_keys("acme/passports/")) == ["acme/passports/ab/v1/record.json"]
    assert store.location("acme/x") == (tmp_path / "backup").as_uri() + "/acme/x"
    # Written by rename: no temporary file is left behind.
    assert not list((tmp_path / "backup").rglob(".incoming-*"))
    with pytest.raises(KeyError):
        store.get("acme/missing.json")


@pytest.mark.parametrize("key", ["", "/etc/passwd", "a/../../b", "a//b", "./a"])
def test_a_local_store_refuses_keys_that_could_leave_its_directory(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="relative store key"):
        LocalDirectoryStore(tmp_path).put(key, b"x")


def test_store_urls(tmp_path: Path) -> None:
    local = store_from_url(tmp_path.as_uri())
    assert isinstance(local, LocalDirectoryStore)
    assert local.root == tmp_path
    assert isinstance(store_from_url(str(tmp_path)), LocalDirectoryStore)
    for bad in ("relative/dir", "file://elsewhere/srv", "ftp://host/x", "s3://"):
        with pytest.raises(ValueError, match=r"absolute|this machine|unknown|bucket"):
            store_from_url(bad)


def test_an_s3_store_says_what_it_needs_when_boto3_is_missing() -> None:
    try:
        import boto3  # noqa: F401
    except ImportError:
        with pytest.raises(StoreError, match="boto3"):
            S3Store("bucket")
    else:
        pytest.skip("boto3 is installed here; the S3 store is not exercised without a server")


def test_the_default_store_is_var_backup_under_the_project(settings: Any) -> None:
    settings.BACKUP_STORE_URL = ""
    store = configured_store()
    assert isinstance(store, LocalDirectoryStore)
    assert store.root == Path(settings.BASE_DIR) / "var" / "backup"


# --- replication -------------------------------------------------------------------------------------


@pytest.fixture
def published(tenant: Any) -> PassportVersion:
    passport = make_passport(tenant.org)
    return passport_publish(passport=passport)


@pytest.mark.django_db
def test_a_published_version_is_copied_with_its_credential_and_report_and_confirmed(
    tmp_path: Path, published: PassportVersion
) -> None:
    store = LocalDirectoryStore(tmp_path)
    record = replicate_version(published.pk, store)
    assert record.confirmed_at is not None
    assert record.attempts == 1
    prefix = version_prefix(published)
    assert record.location == store.location(prefix)
    assert set(record.sha256s) == {RECORD, CREDENTIAL, REPORT, MANIFEST}
    for name, digest in record.sha256s.items():
        assert hashlib.sha256(store.get(f"{prefix}/{name}")).hexdigest() == digest
    manifest = json.loads(store.get(f"{prefix}/{MANIFEST}"))
    assert manifest["files"] == {k: v for k, v in record.sha256s.items() if k != MANIFEST}
    assert manifest["content_hash"] == published.content_hash
    saved = json.loads(store.get(f"{prefix}/{RECORD}"))
    assert saved["version"]["data"] == published.data
    assert saved["version"]["content_hash"] == published.content_hash
    assert saved["passport"]["identifier"] == published.passport.identifier
    credential = IssuedCredential.objects.get(version=published)
    assert store.get(f"{prefix}/{CREDENTIAL}").decode() == credential.jws
    assert store.get(f"{prefix}/{REPORT}").startswith(b"%PDF")
    assert saved["signing_key"]["public_jwk"] == credential.signing_key.public_jwk


@pytest.mark.django_db
def test_no_private_key_ever_reaches_the_store(tmp_path: Path, published: PassportVersion) -> None:
    replicate_version(published.pk, LocalDirectoryStore(tmp_path))
    secret = SigningKey.objects.get(organization=published.organization).encrypted_private_key
    assert secret
    for path in tmp_path.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert secret.encode() not in content
            assert b"encrypted_private_key" not in content
            assert b'"d":' not in content  # the private member of a JWK


@pytest.mark.django_db
def test_status_lists_are_copied_alongside(tmp_path: Path, published: PassportVersion) -> None:
    store = LocalDirectoryStore(tmp_path)
    replicate_version(published.pk, store)
    names = list(store.list_keys(f"{published.organization.slug}/status-lists/"))
    assert names
    first = json.loads(store.get(names[0]))
    assert {"purpose", "number", "url", "bits", "jws", "signing_key_kid"} <= set(first)


class CorruptingStore(LocalDirectoryStore):
    """Flips a byte of what it reads back, for the first ``failures`` reads."""

    def __init__(self, root: Path, failures: int) -> None:
        super().__init__(root)
        self.failures = failures

    def get(self, key: str) -> bytes:
        data = super().get(key)
        if self.failures > 0:
            self.failures -= 1
            return bytes([data[0] ^ 1]) + data[1:]
        return data


@pytest.mark.django_db
def test_a_copy_that_reads_back_different_is_not_confirmed_and_the_attempt_is_noted(
    tmp_path: Path, published: PassportVersion
) -> None:
    with pytest.raises(BackupMismatchError, match="read back"):
        replicate_version(published.pk, CorruptingStore(tmp_path, failures=1))
    record = BackupRecord.objects.get(version=published)
    assert (record.confirmed_at, record.attempts) == (None, 1)
    assert "BackupMismatchError" in record.last_error
    assert published in versions_needing_backup()
    again = replicate_version(published.pk, CorruptingStore(tmp_path, failures=0))
    assert (again.attempts, again.last_error) == (2, "")
    assert again.confirmed_at is not None
    assert published not in versions_needing_backup()


@pytest.mark.django_db
def test_drafts_are_not_copied(tmp_path: Path, tenant: Any) -> None:
    draft = make_passport(tenant.org).versions.get()
    with pytest.raises(ValueError, match="draft"):
        replicate_version(draft.pk, LocalDirectoryStore(tmp_path))


@pytest.mark.django_db
def test_the_task_retries_until_its_limit_then_the_sweep_finishes_the_job(
    tmp_path: Path, settings: Any, published: PassportVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "store"
    blocked.write_bytes(b"a file where the store's directory should be")
    settings.BACKUP_STORE_URL = blocked.as_uri()
    # Eagerly, Celery runs each retry at once (no countdown) when failures are not propagated to the caller.
    monkeypatch.setattr(celery_app.conf, "task_eager_propagates", False)
    result = replicate_version_task.apply(args=[published.pk])
    assert result.failed()
    record = BackupRecord.objects.get(version=published)
    assert record.attempts == MAX_RETRIES + 1  # the first run and every retry, each noted
    assert record.confirmed_at is None
    blocked.unlink()
    assert replicate_pending.apply().result == 1
    record.refresh_from_db()
    assert record.confirmed_at is not None
    assert LocalDirectoryStore(blocked).exists(f"{version_prefix(published)}/{MANIFEST}")


@pytest.mark.django_db
def test_publishing_copies_after_commit_and_recopies_what_a_later_publication_supersedes(
    tmp_path: Path, settings: Any, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BACKUP_STORE_URL = tmp_path.as_uri()
    store = LocalDirectoryStore(tmp_path)
    passport = make_passport(tenant.org)
    with django_capture_on_commit_callbacks(execute=True):
        first = passport_publish(passport=passport)
    # One copy is queued through the outbox, and sent after the commit.
    copies = OutboxMessage.objects.filter(task="exporters.backup.replicate_version")
    assert [(m.args, m.dispatched_at is not None) for m in copies] == [([first.pk], True)]
    assert BackupRecord.objects.get(version=first).confirmed_at is not None
    passport_version_new(passport=passport)
    with django_capture_on_commit_callbacks(execute=True):
        second = passport_publish(passport=Passport.objects.get(pk=passport.pk))
    first.refresh_from_db()
    assert first.status == "superseded"
    old = json.loads(store.get(f"{version_prefix(first)}/{RECORD}"))
    assert old["version"]["status"] == "superseded"
    assert BackupRecord.objects.get(version=second).confirmed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        passport_revoke(version=second, reason="recalled")
    revoked = json.loads(store.get(f"{version_prefix(second)}/{RECORD}"))
    assert revoked["version"]["status"] == "revoked"
    assert revoked["version"]["revocation_reason"] == "recalled"


@pytest.mark.django_db
def test_a_failing_copy_never_fails_the_publication(
    tmp_path: Path, settings: Any, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    blocked = tmp_path / "store"
    blocked.write_bytes(b"not a directory")
    settings.BACKUP_STORE_URL = blocked.as_uri()
    passport = make_passport(tenant.org)
    with override_settings(CELERY_TASK_EAGER_PROPAGATES=True), django_capture_on_commit_callbacks(execute=True):
        version = passport_publish(passport=passport)
    version.refresh_from_db()
    assert version.status == "published"
    assert BackupRecord.objects.get(version=version).confirmed_at is None

"""The backup copy on real second stores: an OpenSSH server over SFTP and an S3-compatible server (issue 21, item 10).

- SFTP: ``.ci/sftp-server`` starts Debian's OpenSSH server on loopback with an SFTP-only user and prints
  ``BACKUP_SFTP_TEST_URL``, ``BACKUP_SFTP_KEY_FILE`` and ``BACKUP_SFTP_KNOWN_HOSTS``; without them these tests
  skip, as the Redis tests do without ``REDIS_URL``.
- S3: moto's standalone server (``moto_server``, the ``moto[server]`` dev dependency) is a real S3 HTTP server
  on a free port; boto3 speaks to it as to any provider. The bucket has versioning and object lock on, so a
  copy cannot be deleted or overwritten within its retention, and each file written is a version of its own.

Each store is written by the real publication path, read back and confirmed, and a database emptied with
``flush`` is rebuilt from it by ``manage.py restore_passports --from``; the registry record names the provider.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from exporters.backup.sftp import SftpStore, SftpStoreError, SftpTarget
from exporters.backup.storage import S3Store, store_from_url
from exporters.models import BackupRecord
from passports.models import Passport, PassportVersion
from passports.registry_export import registry_record
from passports.services.passports import passport_publish, passport_revoke
from tests.factories import OrganizationFactory, ProductFactory, make_passport
from tests.workers import wait_for

SFTP_URL = os.environ.get("BACKUP_SFTP_TEST_URL", "")
needs_sftp = pytest.mark.skipif(
    not SFTP_URL, reason="needs an SFTP server: eval $(.ci/sftp-server) sets BACKUP_SFTP_TEST_URL (as .ci/run does)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sftp_url() -> str:
    """A fresh folder of the test server for each test."""
    return f"{SFTP_URL.rstrip('/')}/{uuid.uuid4().hex[:12]}"


def _sftp(url: str, **options: Any) -> SftpStore:
    return SftpStore(
        SftpTarget.from_url(url),
        known_hosts=options.get("known_hosts", os.environ["BACKUP_SFTP_KNOWN_HOSTS"]),
        key_file=os.environ["BACKUP_SFTP_KEY_FILE"],
    )


@needs_sftp
def test_an_sftp_store_gives_back_what_it_was_given_and_lists_its_keys(sftp_url: str) -> None:
    store = _sftp(sftp_url)
    store.put("org/passports/abc/v1/record.json", b'{"a": 1}')
    store.put("org/passports/abc/v1/record.json", b'{"a": 2}')  # replaced in place, never half-written
    store.put("org/status-lists/revocation-1.json", b"{}")
    assert store.get("org/passports/abc/v1/record.json") == b'{"a": 2}'
    assert store.exists("org/status-lists/revocation-1.json")
    assert not store.exists("org/missing.json")
    assert list(store.list_keys()) == ["org/passports/abc/v1/record.json", "org/status-lists/revocation-1.json"]
    assert list(store.list_keys("org/status")) == ["org/status-lists/revocation-1.json"]
    with pytest.raises(KeyError):
        store.get("org/missing.json")
    with pytest.raises(ValueError, match="relative"):
        store.put("../escape", b"x")
    assert store.location("org/x").startswith("sftp://127.0.0.1:")
    store.close()


@needs_sftp
def test_an_sftp_server_with_an_unknown_host_key_is_refused(sftp_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(SftpStoreError, match=r"not found in known_hosts|Server"):
        _sftp(sftp_url, known_hosts=str(empty)).put("x.json", b"{}")


def test_sftp_urls_carry_no_secret_and_name_an_absolute_folder() -> None:
    target = SftpTarget.from_url("sftp://dpp@backup.example:2022/srv/dpp")
    assert (target.host, target.port, target.username, target.root) == ("backup.example", 2022, "dpp", "/srv/dpp")
    for bad in ("sftp://backup.example/srv", "sftp://dpp:secret@backup.example/srv", "sftp://dpp@/srv"):
        with pytest.raises(ValueError, match=r"user|password"):
            SftpTarget.from_url(bad)


def _world(settings: Any, url: str) -> list[int]:
    """Publications written to ``url`` by the real path (after commit, through the outbox); their version ids."""
    settings.BACKUP_STORE_URL = url
    org: Any = OrganizationFactory(slug=f"store-{uuid.uuid4().hex[:6]}")
    product: Any = ProductFactory(organization=org)
    versions = [passport_publish(passport=make_passport(org, product=product))]
    recalled = passport_publish(passport=make_passport(org))
    passport_revoke(version=recalled, reason="recalled")
    versions.append(recalled)
    return [v.pk for v in versions]


def _backed_up_and_restored(settings: Any, url: str, provider: str) -> None:
    ids = _world(settings, url)
    records = BackupRecord.objects.filter(version_id__in=ids)
    assert records.filter(confirmed_at__isnull=False).count() == 2, list(records.values("last_error"))
    assert all(r.location.startswith(url.split("://", 1)[0] + "://") for r in records)
    published = Passport.objects.get(versions__pk=ids[0])
    record = registry_record(published)
    assert record["backup_location"].startswith(url.split("://", 1)[0])
    assert record["backup_provider"] == provider
    identifiers = sorted(Passport.objects.filter(versions__pk__in=ids).values_list("identifier", flat=True))

    call_command("flush", interactive=False, verbosity=0)
    out = io.StringIO()
    call_command("restore_passports", "--from", url, stdout=out, stderr=out)
    assert "restored 2 version(s) of 1 organization(s), 2 credential(s)" in out.getvalue(), out.getvalue()
    assert sorted(Passport.objects.values_list("identifier", flat=True)) == identifiers
    assert set(PassportVersion.objects.values_list("status", flat=True)) == {"published", "revoked"}


@needs_sftp
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_published_passports_are_backed_up_over_sftp_and_restored_from_it(
    sftp_url: str, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BACKUP_SFTP_KEY_FILE = os.environ["BACKUP_SFTP_KEY_FILE"]
    settings.BACKUP_SFTP_KNOWN_HOSTS = os.environ["BACKUP_SFTP_KNOWN_HOSTS"]
    settings.BACKUP_PROVIDER = "OpenSSH test server"
    _backed_up_and_restored(settings, sftp_url, "OpenSSH test server")


# --- S3 ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's standalone S3 server on a free loopback port; its endpoint URL."""
    pytest.importorskip("moto.server", reason="the S3 tests need moto[server] (a dev dependency)")
    pytest.importorskip("boto3")
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    endpoint = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    try:
        wait_for(up, timeout=60, interval=0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A bucket with object lock (hence versioning) on; credentials from the environment, as in production."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "dpp-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dpp-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    name = f"dpp-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server)
    client.create_bucket(
        Bucket=name,
        CreateBucketConfiguration={"LocationConstraint": "eu-central-1"},
        ObjectLockEnabledForBucket=True,
    )
    return name


def test_an_s3_store_writes_locked_versions(s3_server: str, s3_bucket: str) -> None:
    store = S3Store(s3_bucket, "copies", endpoint_url=s3_server, retention_days=30)
    assert store.versioning == "Enabled"
    store.put("org/passports/abc/v1/record.json", b'{"a": 1}')
    store.put("org/passports/abc/v1/record.json", b'{"a": 2}')
    assert store.get("org/passports/abc/v1/record.json") == b'{"a": 2}'
    assert list(store.list_keys()) == ["org/passports/abc/v1/record.json"]
    client = store._client
    versions = client.list_object_versions(Bucket=s3_bucket, Prefix="copies/org/")["Versions"]
    assert len(versions) == 2  # the first copy is kept as a version of its own, not overwritten
    head = client.head_object(Bucket=s3_bucket, Key="copies/org/passports/abc/v1/record.json")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=29)
    with pytest.raises(KeyError):
        store.get("org/missing.json")


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_published_passports_are_backed_up_to_s3_and_restored_from_it(
    s3_server: str, s3_bucket: str, settings: Any
) -> None:
    settings.BACKUP_S3_ENDPOINT_URL = s3_server
    settings.BACKUP_S3_RETENTION_DAYS = 1
    settings.BACKUP_PROVIDER = "moto S3 server"
    _backed_up_and_restored(settings, f"s3://{s3_bucket}/dpp", "moto S3 server")


def test_an_sftp_store_without_a_known_host_key_is_refused_before_connecting(settings: Any) -> None:
    settings.BACKUP_SFTP_KNOWN_HOSTS = ""
    settings.BACKUP_SFTP_KEY_FILE = "/nonexistent/key"
    with pytest.raises(SftpStoreError, match="BACKUP_SFTP_KNOWN_HOSTS"):
        store_from_url("sftp://dpp@backup.example/srv/dpp")

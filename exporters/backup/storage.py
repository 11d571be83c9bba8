"""Where backup copies are written: a small interface, a local-directory store, S3-compatible storage and SFTP.

``BACKUP_STORE_URL`` (read from the environment by the settings) picks the store:

- ``s3://bucket/prefix``: S3-compatible object storage through boto3 (``BACKUP_S3_ENDPOINT_URL`` for a provider
  other than AWS; credentials from the standard ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` variables).
  With ``BACKUP_S3_RETENTION_DAYS`` every file is written under object lock in compliance mode (the bucket must
  have object lock, hence versioning, on): nobody, not even the account that wrote it, deletes or overwrites a
  copy within that time, and every rewrite is a new version;
- ``sftp://user@host:port/folder``: another machine over SFTP (``exporters.backup.sftp``, paramiko), key or
  password and the server's host key from the environment;
- ``file:///srv/dpp-backup``: a folder (development; the default is ``file://<BASE_DIR>/var/backup``). A folder on
  the platform's own disk is no independent copy, so production settings refuse it unless told otherwise.

A local store writes each file to a temporary name, flushes it to disk and renames it into place: a reader (or
a restore after a crash) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from django.conf import settings

from exporters.backup.sftp import SftpStore, SftpTarget
from exporters.backup.store_keys import checked_key


class StoreError(RuntimeError):
    """The store could not be reached or refused the operation."""


class BackupStore(Protocol):
    """What replication and restore need of a store. Keys are ``/``-separated relative paths."""

    url: str

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def list_keys(self, prefix: str = "") -> Iterator[str]: ...

    def location(self, key: str) -> str: ...


class LocalDirectoryStore:
    """Files under one directory (a mounted second disk, a network share, another machine's export)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.as_uri()

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*checked_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".incoming-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def location(self, key: str) -> str:
        return f"{self.url.rstrip('/')}/{checked_key(key)}"


class S3Store:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph RGW...) through boto3, the optional ``s3`` extra."""

    def __init__(
        self, bucket: str, prefix: str = "", endpoint_url: str | None = None, *, retention_days: int = 0
    ) -> None:
        try:
            import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415  # 0.5 s to load, S3 stores only
        except ImportError as exc:
            raise StoreError("an s3:// backup store needs boto3") from exc
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.retention_days = retention_days
        self._client: Any = boto3.client("s3", endpoint_url=endpoint_url or None)

    @property
    def versioning(self) -> str:
        """The bucket's versioning status (``Enabled``, ``Suspended``, or ``""`` when never turned on)."""
        return str(self._client.get_bucket_versioning(Bucket=self.bucket).get("Status", ""))

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{checked_key(key)}" if self.prefix else checked_key(key)

    def put(self, key: str, data: bytes) -> None:
        lock: dict[str, Any] = {}
        if self.retention_days > 0:
            lock = {
                "ObjectLockMode": "COMPLIANCE",
                "ObjectLockRetainUntilDate": datetime.now(UTC) + timedelta(days=self.retention_days),
                "ContentMD5": base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode(),
            }
        self._client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, **lock)

    def get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self._client.exceptions.NoSuchKey as exc:
            raise KeyError(key) from exc
        return bytes(response["Body"].read())

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self._client.exceptions.ClientError:
            return False
        return True

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        start = f"{self.prefix}/" if self.prefix else ""
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start + prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(start) :]

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"


def store_from_url(url: str, *, s3_endpoint_url: str | None = None) -> BackupStore:
    """The store a URL names: ``file:///path`` (or a plain path), ``s3://bucket/prefix`` or ``sftp://...``.

    S3 retention and SFTP credentials come from settings (``BACKUP_S3_RETENTION_DAYS``, ``BACKUP_SFTP_*``)."""

    parsed = urlparse(url)
    if parsed.scheme in {"", "file"}:
        if parsed.netloc not in {"", "localhost"}:
            raise ValueError(f"a file:// store must be on this machine, not {parsed.netloc!r}")
        path = Path(unquote(parsed.path) if parsed.scheme else url)
        if not path.is_absolute():
            raise ValueError(f"a backup directory must be an absolute path, not {url!r}")
        return LocalDirectoryStore(path)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError("an s3:// store URL names its bucket: s3://bucket/prefix")
        return S3Store(
            parsed.netloc,
            parsed.path,
            endpoint_url=s3_endpoint_url or getattr(settings, "BACKUP_S3_ENDPOINT_URL", "") or None,
            retention_days=int(getattr(settings, "BACKUP_S3_RETENTION_DAYS", 0) or 0),
        )
    if parsed.scheme == "sftp":
        return SftpStore(
            SftpTarget.from_url(url),
            known_hosts=getattr(settings, "BACKUP_SFTP_KNOWN_HOSTS", ""),
            password=getattr(settings, "BACKUP_SFTP_PASSWORD", "") or None,
            key_file=getattr(settings, "BACKUP_SFTP_KEY_FILE", "") or None,
        )
    raise ValueError(f"unknown backup store {url!r}: use file:///path, s3://bucket/prefix or sftp://user@host/path")


def store_provider(store: BackupStore) -> str:
    """Who keeps the copy, for the registry record: ``BACKUP_PROVIDER`` when set, else the store's host."""

    named = str(getattr(settings, "BACKUP_PROVIDER", "") or "")
    if named:
        return named
    if isinstance(store, S3Store):
        endpoint = str(store._client.meta.endpoint_url or "")
        return f"S3 ({urlparse(endpoint).hostname or 'aws'})"
    scheme, _, rest = store.url.partition("://")
    return f"{scheme.upper()} ({rest.split('/', 1)[0] or 'this machine'})"


def configured_store() -> BackupStore:
    """The deployment's second store, from settings (``BACKUP_STORE_URL``, ``BACKUP_S3_ENDPOINT_URL``)."""

    url = getattr(settings, "BACKUP_STORE_URL", "") or (Path(settings.BASE_DIR) / "var" / "backup").as_uri()
    return store_from_url(url, s3_endpoint_url=getattr(settings, "BACKUP_S3_ENDPOINT_URL", "") or None)

"""The backup store on another machine over SFTP (paramiko): ``sftp://user@host:port/absolute/path``.

Credentials never sit in the URL: the password comes from ``BACKUP_SFTP_PASSWORD`` or the private key from the
file ``BACKUP_SFTP_KEY_FILE``, both environment variables. The server's host key must be known beforehand
(``BACKUP_SFTP_KNOWN_HOSTS``, an OpenSSH known_hosts file): an unknown or changed key is refused, since a copy
handed to an impostor is a copy given away.

A file is written under a temporary name in its folder and renamed into place (``posix-rename``, atomic on
OpenSSH), so a reader or a restore sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import posixpath
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlparse

from exporters.backup.store_keys import checked_key


class SftpStoreError(RuntimeError):
    """The SFTP server could not be reached, refused us, or refused the operation."""


@dataclass(frozen=True)
class SftpTarget:
    host: str
    port: int
    username: str
    root: str

    @classmethod
    def from_url(cls, url: str) -> SftpTarget:
        parsed = urlparse(url)
        if parsed.scheme != "sftp" or not parsed.hostname or not parsed.username:
            raise ValueError("an SFTP store URL names its user, host and folder: sftp://user@host:22/srv/dpp-backup")
        if parsed.password:
            raise ValueError("no password in the store URL: set BACKUP_SFTP_PASSWORD or BACKUP_SFTP_KEY_FILE")
        root = unquote(parsed.path) or "/"
        if not root.startswith("/"):
            raise ValueError(f"an SFTP store folder is an absolute path, not {root!r}")
        return cls(host=parsed.hostname, port=parsed.port or 22, username=unquote(parsed.username), root=root)


class SftpStore:
    """Files under one folder of an SFTP server (``exporters.backup.storage.BackupStore``)."""

    def __init__(
        self,
        target: SftpTarget,
        *,
        known_hosts: str,
        password: str | None = None,
        key_file: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        try:
            import paramiko  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415  # loads only for an SFTP store
        except ImportError as exc:
            raise SftpStoreError("an sftp:// backup store needs paramiko") from exc
        if not known_hosts:
            raise SftpStoreError("an sftp:// backup store needs BACKUP_SFTP_KNOWN_HOSTS (the server's host key)")
        if not password and not key_file:
            raise SftpStoreError("an sftp:// backup store needs BACKUP_SFTP_PASSWORD or BACKUP_SFTP_KEY_FILE")
        self.target = target
        self.url = f"sftp://{target.host}:{target.port}{target.root.rstrip('/') or '/'}"
        self._paramiko: Any = paramiko
        self._known_hosts = known_hosts
        self._password = password
        self._key_file = key_file
        self._timeout = timeout
        self._client: Any = None
        self._sftp: Any = None

    def _session(self) -> Any:
        transport = self._client.get_transport() if self._client is not None else None
        if self._sftp is not None and transport is not None and transport.is_active():
            return self._sftp
        self.close()
        client = self._paramiko.SSHClient()
        client.load_host_keys(self._known_hosts)
        client.set_missing_host_key_policy(self._paramiko.RejectPolicy())
        try:
            client.connect(
                self.target.host,
                port=self.target.port,
                username=self.target.username,
                password=self._password or None,
                key_filename=self._key_file or None,
                timeout=self._timeout,
                banner_timeout=self._timeout,
                auth_timeout=self._timeout,
                allow_agent=False,
                look_for_keys=False,
            )
            self._sftp = client.open_sftp()
        except (OSError, self._paramiko.SSHException) as exc:
            client.close()
            raise SftpStoreError(f"{self.url}: {type(exc).__name__}: {exc}") from exc
        self._client = client
        return self._sftp

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = self._sftp = None

    def _path(self, key: str) -> str:
        return posixpath.join(self.target.root, checked_key(key))

    def _makedirs(self, sftp: Any, folder: str) -> None:
        missing = []
        while folder not in {"", "/"}:
            try:
                sftp.stat(folder)
                break
            except FileNotFoundError:
                missing.append(folder)
                folder = posixpath.dirname(folder)
        for path in reversed(missing):
            try:
                sftp.mkdir(path)
            except OSError:
                sftp.stat(path)  # made meanwhile by another writer is fine; anything else raises

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        sftp = self._session()
        try:
            self._makedirs(sftp, posixpath.dirname(path))
            temporary = posixpath.join(posixpath.dirname(path), f".incoming-{uuid.uuid4().hex}")
            with sftp.open(temporary, "wb") as stream:
                stream.write(data)
            sftp.posix_rename(temporary, path)
        except (OSError, self._paramiko.SSHException) as exc:
            raise SftpStoreError(f"{self.location(key)}: {exc}") from exc

    def get(self, key: str) -> bytes:
        sftp = self._session()
        try:
            with sftp.open(self._path(key), "rb") as stream:
                return bytes(stream.read())
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    def exists(self, key: str) -> bool:
        try:
            return stat.S_ISREG(self._session().stat(self._path(key)).st_mode or 0)
        except FileNotFoundError:
            return False

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        sftp = self._session()
        root = self.target.root.rstrip("/") or "/"
        folders = [root]
        found: list[str] = []
        while folders:
            folder = folders.pop()
            try:
                entries = sftp.listdir_attr(folder)
            except FileNotFoundError:
                continue
            for entry in entries:
                path = posixpath.join(folder, entry.filename)
                if stat.S_ISDIR(entry.st_mode or 0):
                    folders.append(path)
                elif not entry.filename.startswith(".incoming-"):
                    key = posixpath.relpath(path, root)
                    if key.startswith(prefix):
                        found.append(key)
        yield from sorted(found)

    def location(self, key: str) -> str:
        return f"{self.url.rstrip('/')}/{key}"

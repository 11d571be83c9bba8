"""Copying a published passport version, its credential and its report to the second store, and proving it.

ESPR (Regulation (EU) 2024/1781) Art. 10: a back-up copy of the passport is kept apart from the economic
operator, so it survives the operator and the operator's database. Each published version is written under
``<organization slug>/passports/<identifier digest>/v<number>/``:

- ``record.json``: everything a restore into an empty database needs: the organization, facility, product,
  passport and version rows (data exactly as entered, content hash), the credential and the public half of
  the key that signed it. Never a private key: the store is a second place to attack, so it holds nothing
  that could sign.
- ``credential.jwt``: the signed credential (VC-JOSE compact JWS) when one was issued;
- ``report.pdf``: the public-tier compliance report when the report renderer is installed;
- ``manifest.json``: the SHA-256 of each file above, written last.

Every file is read back after writing and compared by SHA-256; ``BackupRecord.confirmed_at`` is set only when
all matched. A mismatch or an unreachable store raises, and the Celery task retries with backoff.
The organization's status lists are copied alongside (``<slug>/status-lists/``) so restored credentials can
still be checked for revocation.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Final

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from exporters.backup.storage import BackupStore, configured_store, store_provider
from exporters.models import BackupRecord
from exporters.reports.rendering import render_version_report
from passports.models import Organization, PassportVersion

FORMAT: Final = "dpp-backup/1"
RECORD: Final = "record.json"
CREDENTIAL: Final = "credential.jwt"
REPORT: Final = "report.pdf"
MANIFEST: Final = "manifest.json"
REPLICATED_STATUSES: Final = ("published", "superseded", "revoked")
#: Links of a version that the restore makes again from natural keys (people are not backed up).
VERSION_LINKS: Final = ("organization", "passport", "schema", "base_version", "created_by", "published_by")


class BackupMismatchError(RuntimeError):
    """A file read back from the store differs from what was written."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode("utf-8")


def optional_model(label: str) -> type[Any] | None:
    """A model of another part of ``exporters`` that may not exist in every deployment of this code."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def version_prefix(version: PassportVersion) -> str:
    """Where a version's files go: stable across databases (ids change on restore, identifiers do not)."""
    passport: Any = version.passport
    digest = hashlib.sha256(passport.identifier.encode("utf-8")).hexdigest()[:32]
    return f"{version.organization.slug}/passports/{digest}/v{version.number}"


def _row(instance: models.Model | None, exclude: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """A row's own columns (foreign keys as ids; the restore re-links them by natural keys)."""
    if instance is None:
        return None
    row: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        value = field.value_from_object(instance)
        if isinstance(value, bytes | memoryview):
            value = base64.b64encode(bytes(value)).decode("ascii")
        row[field.attname] = value
    return row


def _signing_key_row(key: models.Model | None) -> dict[str, Any] | None:
    return _row(key, exclude=("organization", "encrypted_private_key"))


def version_record(version: PassportVersion) -> dict[str, Any]:
    """The restorable description of one version (see the module docstring)."""
    passport = version.passport
    product = passport.product
    base = version.base_version
    credential_model = optional_model("exporters.IssuedCredential")
    credential = credential_model._default_manager.filter(version=version).first() if credential_model else None
    return {
        "format": FORMAT,
        "organization": _row(version.organization, exclude=("is_active",)),
        "facility": _row(product.facility, exclude=("organization",)),
        "product": _row(product, exclude=("organization", "facility")),
        "schema": {
            "category": passport.schema.category,
            "version": passport.schema.version,
            "sha256": passport.schema.sha256,
        },
        "passport": {
            **(_row(passport, exclude=("organization", "product", "schema", "parent", "created_by", "status")) or {}),
            "parent_identifier": passport.parent.identifier if passport.parent is not None else None,
        },
        "version": {
            **(_row(version, exclude=VERSION_LINKS) or {}),
            "base": {"identifier": base.passport.identifier, "number": base.number} if base is not None else None,
        },
        "credential": _row(credential, exclude=("organization", "version", "signing_key")),
        "signing_key": _signing_key_row(getattr(credential, "signing_key", None)),
    }


def _report_pdf(version: PassportVersion) -> bytes | None:
    return render_version_report(version, tier="public", lang="en")


def version_files(version: PassportVersion) -> dict[str, bytes]:
    files = {RECORD: dumps(version_record(version))}
    credential_model = optional_model("exporters.IssuedCredential")
    credential = credential_model._default_manager.filter(version=version).first() if credential_model else None
    if credential is not None:
        files[CREDENTIAL] = str(credential.jws).encode("ascii")
    report = _report_pdf(version)
    if report is not None:
        files[REPORT] = report
    return files


def status_list_files(org: Organization) -> dict[str, bytes]:
    """The organization's status lists, keyed by their store name."""
    model = optional_model("exporters.StatusList")
    if model is None:
        return {}
    files = {}
    for status_list in model._default_manager.filter(organization=org).select_related("signing_key"):
        row = _row(status_list, exclude=("organization", "signing_key")) or {}
        row["signing_key_kid"] = status_list.signing_key.kid if status_list.signing_key_id else None
        files[f"{status_list.purpose}-{status_list.number}.json"] = dumps(row)
    return files


def write_confirmed(store: BackupStore, key: str, data: bytes) -> str:
    """Write one file, read it back, and return its SHA-256 only if the store gives back the same bytes."""
    expected = sha256(data)
    store.put(key, data)
    found = sha256(store.get(key))
    if found != expected:
        raise BackupMismatchError(f"{store.location(key)}: read back {found}, wrote {expected}")
    return found


def replicate_version(version_id: int, store: BackupStore | None = None) -> BackupRecord:
    """Copy one version to the store and confirm it; raises (after noting the attempt) if anything differs."""
    store = store or configured_store()
    version = PassportVersion.objects.select_related(
        "organization", "passport__product__facility", "passport__schema", "passport__parent", "base_version__passport"
    ).get(pk=version_id)
    if version.status not in REPLICATED_STATUSES:
        raise ValueError(f"version {version_id} is a draft; only published versions are backed up")
    record, _ = BackupRecord.objects.get_or_create(version=version, defaults={"organization": version.organization})
    BackupRecord.objects.filter(pk=record.pk).update(attempts=models.F("attempts") + 1, updated_at=timezone.now())
    prefix = version_prefix(version)
    try:
        files = version_files(version)
        digests = {name: write_confirmed(store, f"{prefix}/{name}", data) for name, data in files.items()}
        manifest = {
            "format": FORMAT,
            "identifier": version.passport.identifier,
            "version": version.number,
            "status": version.status,
            "content_hash": version.content_hash,
            "files": digests,
            "written_at": timezone.now().isoformat(),
        }
        digests[MANIFEST] = write_confirmed(store, f"{prefix}/{MANIFEST}", dumps(manifest))
        for name, data in status_list_files(version.organization).items():
            write_confirmed(store, f"{version.organization.slug}/status-lists/{name}", data)
    except Exception as exc:
        BackupRecord.objects.filter(pk=record.pk).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with transaction.atomic():
        BackupRecord.objects.filter(pk=record.pk).update(
            location=store.location(prefix),
            provider=store_provider(store),
            sha256s=digests,
            confirmed_at=timezone.now(),
            last_error="",
            updated_at=timezone.now(),
        )
    record.refresh_from_db()
    return record


def versions_needing_backup() -> models.QuerySet[PassportVersion]:
    """Published (or once published) versions with no confirmed copy, or a copy older than their last change."""
    return PassportVersion.objects.filter(status__in=REPLICATED_STATUSES).filter(
        models.Q(backup_record__isnull=True)
        | models.Q(backup_record__confirmed_at__isnull=True)
        | models.Q(backup_record__confirmed_at__lt=models.F("updated_at"))
    )

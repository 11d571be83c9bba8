"""Rebuilding published passports from the backup store into a database that lacks them.

The store is read, never trusted: each file must match the SHA-256 its manifest gives, each version's data
must hash to its recorded content hash, and each credential must verify with the restored public key and
still name the data it was issued for. What passes is written with the same identifiers, numbers, data,
hashes, statuses and dates as the original, so QR codes already printed resolve again and signatures verify.

What a backup does not hold is not restored: people (the organization invites them again), drafts, and private
keys (restored keys are published and retired: they verify what they signed, and the organization makes a new
current key before it signs again).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.dateparse import parse_date, parse_datetime

from exporters.backup.replication import CREDENTIAL, MANIFEST, RECORD, optional_model, sha256
from exporters.backup.storage import BackupStore
from exporters.credentials.signing import VerificationError
from exporters.credentials.vc import verify_credential
from exporters.models import BackupRecord
from exporters.services.credentials import digest_sri, tier_data_bytes
from passports import audit
from passports.documents import content_hash
from passports.models import (
    CompanyPrefix,
    Facility,
    Organization,
    Passport,
    PassportSchema,
    PassportVersion,
    Product,
)
from passports.retention import passport_retention_set
from passports.selectors.passports import effective_data_of


class RestoreError(RuntimeError):
    """The store holds something that fails its checks; nothing of that version is restored."""


@dataclass
class RestoreReport:
    versions: int = 0
    skipped: int = 0
    organizations: set[str] = field(default_factory=set)
    credentials: int = 0
    status_lists: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Backed:
    """One version's files, checked against its manifest."""

    prefix: str
    manifest: dict[str, Any]
    record: dict[str, Any]
    jws: str | None


def _checked_files(store: BackupStore, manifest_key: str) -> Backed:
    prefix = manifest_key.rsplit("/", 1)[0]
    manifest = json.loads(store.get(manifest_key))
    files: dict[str, bytes] = {}
    for name, expected in manifest["files"].items():
        data = store.get(f"{prefix}/{name}")
        if sha256(data) != expected:
            raise RestoreError(f"{store.location(prefix + '/' + name)} does not match its manifest")
        files[name] = data
    if RECORD not in files:
        raise RestoreError(f"{store.location(prefix)} has no {RECORD}")
    jws = files[CREDENTIAL].decode("ascii") if CREDENTIAL in files else None
    return Backed(prefix, manifest, json.loads(files[RECORD]), jws)


def backed_versions(store: BackupStore) -> Iterator[Backed | RestoreError]:
    for key in store.list_keys():
        if key.endswith(f"/{MANIFEST}") and "/passports/" in key:
            try:
                yield _checked_files(store, key)
            except (RestoreError, KeyError, ValueError) as exc:
                yield RestoreError(f"{key}: {exc}")


def _restore_order(backed: Backed) -> tuple[int, str, int]:
    # Model passports before the batches and items that inherit from them; versions in order.
    granularity = backed.record["passport"]["granularity"]
    return (0 if granularity == "model" else 1, backed.record["passport"]["identifier"], backed.manifest["version"])


def _fields(model: type[models.Model], row: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Values of ``row`` for the concrete, non-relational columns the model has (older backups may lack some)."""
    names = {
        f.attname: f
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.is_relation and f.attname not in skip
    }
    values: dict[str, Any] = {}
    for name, stored in row.items():
        column = names.get(name)
        if column is None:
            continue
        values[name] = _typed(column, stored)
    return values


def _typed(column: models.Field[Any, Any], stored: Any) -> Any:
    if not isinstance(stored, str):
        return stored
    if isinstance(column, models.BinaryField):
        return base64.b64decode(stored)
    if isinstance(column, models.DateTimeField):
        return parse_datetime(stored)
    if isinstance(column, models.DateField):
        return parse_date(stored)
    return stored


def _organization(row: dict[str, Any]) -> Organization:
    org = Organization.objects.filter(slug=row["slug"]).first()
    if org is None:
        org = Organization.objects.create(**_fields(Organization, row, skip=("created_at", "updated_at")))
    return org


def _facility(org: Organization, row: dict[str, Any] | None) -> Facility | None:
    if row is None:
        return None
    existing = Facility.objects.filter(organization=org, name=row["name"], gln=row.get("gln", "")).first()
    return existing or Facility.objects.create(
        organization=org, **_fields(Facility, row, skip=("created_at", "updated_at"))
    )


def _product(org: Organization, facility: Facility | None, row: dict[str, Any]) -> Product:
    existing = Product.objects.filter(organization=org, gtin=row["gtin"]).first()
    if existing is not None:
        return existing
    product = Product.objects.create(
        organization=org, facility=facility, **_fields(Product, row, skip=("created_at", "updated_at"))
    )
    # The resolver serves a GTIN only under its owner's company prefix (issue 21). A restore into an empty
    # platform claims each product's own GTIN, as the prefix migration did for products already stored; a
    # claim another organization contests stays frozen for staff to settle.
    CompanyPrefix.objects.get_or_create(organization=org, prefix=product.gtin.zfill(14)[1:13])
    return product


def _schema(row: dict[str, Any]) -> PassportSchema:
    schema = PassportSchema.objects.filter(category=row["category"], version=row["version"]).first()
    if schema is None:
        raise RestoreError(f"schema {row['category']}/{row['version']} is not installed here")
    if schema.sha256 != row["sha256"]:
        raise RestoreError(f"schema {schema.key} differs from the one the passport was published under")
    return schema


def _passport(org: Organization, product: Product, schema: PassportSchema, row: dict[str, Any]) -> Passport:
    existing = Passport.objects.filter(identifier=row["identifier"]).first()
    if existing is not None:
        if existing.organization_id != org.pk:
            raise RestoreError(f"{row['identifier']} belongs to another organization here")
        return existing
    parent = None
    if row.get("parent_identifier"):
        parent = Passport.objects.filter(identifier=row["parent_identifier"]).first()
        if parent is None:
            raise RestoreError(f"{row['identifier']}: its model passport {row['parent_identifier']} is not restored")
    return Passport.objects.create(
        organization=org,
        product=product,
        schema=schema,
        parent=parent,
        status="published",
        **_fields(Passport, row, skip=("created_at", "updated_at", "status")),
    )


def _signing_key(org: Organization, row: dict[str, Any] | None) -> Any:
    model = optional_model("exporters.SigningKey")
    if row is None or model is None:
        return None
    existing = model._default_manager.filter(kid=row["kid"]).first()
    if existing is not None:
        return existing
    values = _fields(model, row, skip=("encrypted_private_key",))
    # Only the public half was backed up: the key verifies what it signed and never signs again.
    if values.get("status") == "current":
        values["status"] = "retired"
        values["retired_at"] = values.get("retired_at") or dt.datetime.now(dt.UTC)
    return model._default_manager.create(organization=org, encrypted_private_key="", **values)


def _credential(
    org: Organization, version: PassportVersion, key: Any, row: dict[str, Any] | None, jws: str | None
) -> bool:
    model = optional_model("exporters.IssuedCredential")
    if row is None or model is None or key is None:
        return False
    if model._default_manager.filter(version=version).exists():
        return False
    values = _fields(model, row)
    if jws is not None and values.get("jws") != jws:
        raise RestoreError(f"{version}: credential.jwt differs from the credential in the record")
    model._default_manager.create(organization=org, version=version, signing_key=key, **values)
    return True


def _version(passport: Passport, schema: PassportSchema, backed: Backed) -> PassportVersion | None:
    row = backed.record["version"]
    existing = PassportVersion.objects.filter(passport=passport, number=row["number"]).first()
    if existing is not None:
        if existing.content_hash != row["content_hash"]:
            raise RestoreError(f"{passport.identifier} v{row['number']} exists here with other data")
        return None
    base = None
    if row.get("base"):
        base = PassportVersion.objects.filter(
            passport__identifier=row["base"]["identifier"], number=row["base"]["number"]
        ).first()
        if base is None:
            raise RestoreError(f"{passport.identifier} v{row['number']}: the version it inherits is not restored")
    version = PassportVersion(
        organization=passport.organization,
        passport=passport,
        schema=schema,
        base_version=base,
        **_fields(PassportVersion, row, skip=("created_at", "updated_at", "base")),
    )
    recomputed = content_hash(effective_data_of(version))
    if recomputed != row["content_hash"]:
        raise RestoreError(
            f"{passport.identifier} v{row['number']}: data hashes to {recomputed}, not the recorded hash"
        )
    if version.status == PassportVersion.Status.PUBLISHED:
        # A copy made before a later publication still says "published": the later one wins.
        for older in passport.versions.filter(status=PassportVersion.Status.PUBLISHED, number__lt=version.number):
            older.status = PassportVersion.Status.SUPERSEDED
            older.superseded_at = version.published_at
            older.save(update_fields=["status", "superseded_at", "updated_at"])
    version.save()
    return version


def _settle_status(passport: Passport) -> None:
    """The passport's status follows its versions: published while one is, else its latest version's."""
    latest = passport.versions.order_by("-number").first()
    if latest is not None:
        published = passport.versions.filter(status=PassportVersion.Status.PUBLISHED).exists()
        Passport.objects.filter(pk=passport.pk).update(status="published" if published else latest.status)


def _restore_one(backed: Backed, store: BackupStore, report: RestoreReport) -> None:
    record = backed.record
    org = _organization(record["organization"])
    facility = _facility(org, record.get("facility"))
    product = _product(org, facility, record["product"])
    schema = _schema(record["schema"])
    passport = _passport(org, product, schema, record["passport"])
    version = _version(passport, schema, backed)
    if version is None:
        report.skipped += 1
        return
    key = _signing_key(org, record.get("signing_key"))
    if _credential(org, version, key, record.get("credential"), backed.jws):
        report.credentials += 1
    BackupRecord.objects.create(
        organization=org,
        version=version,
        location=store.location(backed.prefix),
        sha256s={**backed.manifest["files"]},
        confirmed_at=parse_datetime(backed.manifest["written_at"]),
        attempts=0,
    )
    _settle_status(passport)
    passport.refresh_from_db()
    passport_retention_set(passport)
    report.versions += 1
    report.organizations.add(org.slug)


def _restore_status_lists(store: BackupStore, report: RestoreReport) -> None:
    model = optional_model("exporters.StatusList")
    key_model = optional_model("exporters.SigningKey")
    if model is None or key_model is None:
        return
    for key in store.list_keys():
        parts = key.split("/")
        if len(parts) != 3 or parts[1] != "status-lists" or not parts[2].endswith(".json"):
            continue
        org = Organization.objects.filter(slug=parts[0]).first()
        row = json.loads(store.get(key))
        if org is None or model._default_manager.filter(url=row["url"]).exists():
            continue
        signing_key = key_model._default_manager.filter(kid=row.get("signing_key_kid")).first()
        model._default_manager.create(organization=org, signing_key=signing_key, **_fields(model, row))
        report.status_lists += 1


def restore_from(store: BackupStore) -> RestoreReport:
    """Restore every version in ``store`` that passes its checks; each version in its own transaction."""
    report = RestoreReport()
    found: list[Backed] = []
    for item in backed_versions(store):
        if isinstance(item, RestoreError):
            report.problems.append(str(item))
        else:
            found.append(item)
    with audit.acting_as("restore_passports"):
        for backed in sorted(found, key=_restore_order):
            try:
                with transaction.atomic():
                    _restore_one(backed, store, report)
            except RestoreError as exc:
                report.problems.append(f"{store.location(backed.prefix)}: {exc}")
        with transaction.atomic():
            _restore_status_lists(store, report)
    return report


# --------------------------------------------------------------------------------------------------
# Checking what was restored
# --------------------------------------------------------------------------------------------------


def _public_key_resolver() -> Callable[[str], dict[str, Any] | None]:
    model = optional_model("exporters.SigningKey")

    def resolve(kid: str) -> dict[str, Any] | None:
        if model is None:
            return None
        key: Any = model._default_manager.filter(kid=kid).exclude(status="compromised").first()
        return dict(key.public_jwk) if key is not None else None

    return resolve


def _credential_problem(version: PassportVersion) -> str | None:
    """Why the version's credential fails to verify against the restored key and data, or None."""
    model = optional_model("exporters.IssuedCredential")
    credential: Any = model._default_manager.filter(version=version).first() if model else None
    if credential is None:
        return None
    try:
        verified = verify_credential(credential.jws, _public_key_resolver())
    except VerificationError as exc:
        return f"credential does not verify: {exc}"
    if verified.credential != credential.credential:
        return "the signed credential differs from the stored one"
    return _data_digest_problem(version, verified.credential)


def _data_digest_problem(version: PassportVersion, credential: dict[str, Any]) -> str | None:
    """The credential's digest of the public data tier must match the restored data."""
    expected = digest_sri(tier_data_bytes(version, "public"))
    digests = {str(item.get("digestSRI")) for item in credential.get("relatedResource", []) if isinstance(item, dict)}
    if digests and expected not in digests:
        return "the credential's digest does not match the restored public data"
    return None


def verify_restored(versions: models.QuerySet[PassportVersion] | None = None) -> list[str]:
    """Problems with restored versions (empty when every one checks out): data hashes and credentials."""
    problems = []
    queryset = versions if versions is not None else PassportVersion.objects.exclude(status="draft")
    for version in queryset.select_related("passport", "schema", "base_version"):
        if content_hash(effective_data_of(version)) != version.content_hash:
            problems.append(f"{version.passport.identifier} v{version.number}: data does not match its hash")
        problem = _credential_problem(version)
        if problem is not None:
            problems.append(f"{version.passport.identifier} v{version.number}: {problem}")
    return problems

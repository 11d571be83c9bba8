"""The record each published passport needs in the EU digital product passport registry.

ESPR (Regulation (EU) 2024/1781) Art. 13: the Commission's registry stores, for each passport, at least the
unique product identifier, the unique operator identifier, the unique facility identifier and the commodity
code, with the place of the passport's back-up copy; the registry answers with a registration. This module
builds that record from our rows (``registry_record``), in JSON and CSV (``records_csv``), and stores the
registration id the registry returned (``registry_registration_set``).

Which operator identifier: EORI first (customs and the registry key on it for imported goods), then LEI, VAT,
GLN; the record also carries every identifier the organization has. The facility identifier is the
facility's GLN, else its other identifier (e.g. the CBAM installation id). The backup location comes from
``exporters.BackupRecord`` when that part is installed (``passports`` never imports ``exporters``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any, Final

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.spreadsheet_csv import csv_lines
from passports.models import Organization, Passport, PassportVersion
from passports.selectors.passports import passport_list

OPERATOR_SCHEMES: Final = ("eori", "lei", "vat", "gln")
COLUMNS: Final = (
    "unique_product_identifier",
    "gtin",
    "granularity",
    "lot",
    "serial",
    "operator_identifier",
    "operator_identifier_scheme",
    "operator_name",
    "operator_country",
    "facility_identifier",
    "facility_identifier_scheme",
    "facility_country",
    "commodity_code",
    "passport_version",
    "content_hash",
    "published_at",
    "retain_until",
    "backup_location",
    "backup_provider",
    "registration_id",
    "registered_at",
)


class NotPublishedError(ValueError):
    """Only a published passport has a registry record."""


def operator_identifier(org: Organization) -> tuple[str, str]:
    """(identifier, scheme) by preference EORI, LEI, VAT, GLN; empty when the organization has none."""
    for scheme in OPERATOR_SCHEMES:
        value = getattr(org, scheme, "")
        if value:
            return value, scheme
    return "", ""


def _backup_locations(version_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(location, provider) of each version's confirmed backup copy."""
    try:
        model = apps.get_model("exporters", "BackupRecord")
    except LookupError:
        return {}
    rows = model._default_manager.filter(version_id__in=list(version_ids), confirmed_at__isnull=False)
    return {
        version_id: (location, provider)
        for version_id, location, provider in rows.values_list("version_id", "location", "provider")
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _record(passport: Passport, version: PassportVersion, backup: tuple[str, str]) -> dict[str, Any]:
    org = passport.organization
    product = passport.product
    facility = product.facility
    operator, scheme = operator_identifier(org)
    facility_id, facility_scheme = "", ""
    if facility is not None:
        facility_id, facility_scheme = (facility.gln, "gln") if facility.gln else (facility.other_id, "other")
        if not facility_id:
            facility_scheme = ""
    return {
        "unique_product_identifier": passport.identifier,
        "gtin": product.gtin,
        "granularity": passport.granularity,
        "lot": passport.lot,
        "serial": passport.serial,
        "operator_identifier": operator,
        "operator_identifier_scheme": scheme,
        "operator_identifiers": {
            name: getattr(org, name) for name in (*OPERATOR_SCHEMES, "kr_brn") if getattr(org, name)
        },
        "operator_name": org.name,
        "operator_country": org.country,
        "facility_identifier": facility_id,
        "facility_identifier_scheme": facility_scheme,
        "facility_country": facility.country if facility is not None else "",
        "commodity_code": product.cn_code,
        "passport_version": version.number,
        "content_hash": version.content_hash,
        "published_at": _iso(version.published_at),
        "retain_until": _iso(passport.retain_until),
        "backup_location": backup[0],
        "backup_provider": backup[1],
        "registration_id": passport.registry_id,
        "registered_at": _iso(passport.registry_registered_at),
    }


def _published_versions(passport_ids: Iterable[int]) -> dict[int, PassportVersion]:
    versions = PassportVersion.objects.filter(passport_id__in=list(passport_ids), status="published")
    versions = versions.only("pk", "passport_id", "number", "content_hash", "published_at", "status")
    return {version.passport_id: version for version in versions}


def registry_record(passport: Passport) -> dict[str, Any]:
    version = _published_versions([passport.pk]).get(passport.pk)
    if version is None:
        raise NotPublishedError(f"{passport.identifier} has no published version")
    return _record(passport, version, _backup_locations([version.pk]).get(version.pk, ("", "")))


def published_passports(*, org: Organization) -> QuerySet[Passport]:
    return passport_list(org=org).filter(status="published")


def registry_records(*, org: Organization, chunk_size: int = 500) -> Iterator[dict[str, Any]]:
    """Every published passport's record, in chunks (a few queries per chunk, never one per passport)."""
    passports = published_passports(org=org).select_related("organization", "product__facility").order_by("pk")
    last = 0
    while True:
        chunk = list(passports.filter(pk__gt=last)[:chunk_size])
        if not chunk:
            return
        versions = _published_versions(p.pk for p in chunk)
        locations = _backup_locations(v.pk for v in versions.values())
        for passport in chunk:
            version = versions.get(passport.pk)
            if version is not None:
                yield _record(passport, version, locations.get(version.pk, ("", "")))
        last = chunk[-1].pk


def csv_row(record: dict[str, Any]) -> list[str]:
    """One CSV row: each column's text, empty for a missing value."""
    return ["" if record.get(column) is None else str(record.get(column)) for column in COLUMNS]


def records_csv(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text line by line (header first), for streaming responses; formula-like cells neutralised."""
    return csv_lines(itertools.chain([COLUMNS], (csv_row(record) for record in records)))


@transaction.atomic
def registry_registration_set(*, passport: Passport, registration_id: str) -> Passport:
    """Store the registration id the EU registry returned for the passport (audited like any change)."""
    if not PassportVersion.objects.filter(passport=passport, status="published").exists():
        raise NotPublishedError(f"{passport.identifier} has no published version")
    locked = Passport.objects.select_for_update().get(pk=passport.pk)
    locked.registry_id = registration_id.strip()
    locked.registry_registered_at = timezone.now() if locked.registry_id else None
    locked.save(update_fields=["registry_id", "registry_registered_at", "updated_at"])
    return locked

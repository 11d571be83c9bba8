"""A passport version in the formats partners ask for: the signed credential, its JSON, Battery Pass 1.2.0, an
Asset Administration Shell (AAS JSON, or an AASX package), plain JSON and a flat CSV.

The CSV has one row per value (JSON Pointer, field title, value, unit, access tier), readable in a spreadsheet;
every cell a spreadsheet could take for a formula (starting with ``= + - @ | %``, tab or carriage return) is
neutralised with a leading apostrophe (OWASP "CSV injection") by the one spreadsheet CSV writer,
``core.spreadsheet_csv``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from core.pointers import pointer_token
from core.spreadsheet_csv import SpreadsheetCsvWriter
from exporters.credentials.vc import MEDIA_TYPE as VC_JWT
from exporters.formats.aas import AASX_MEDIA_TYPE, passport_shell, shell_aasx, shell_json
from exporters.formats.batterypass import to_battery_pass
from exporters.selectors import credential_of
from exporters.services.credentials import tier_data
from passports.fieldmodel import FieldSpec, walk_schema
from passports.models import PassportVersion

EXPORT_FORMATS: tuple[str, ...] = ("json", "csv", "vc-jwt", "vc-json", "batterypass", "aas", "aasx")
CSV_HEADER = ("pointer", "field", "value", "unit", "access_tier")


class ExportError(ValueError):
    """The version cannot be exported in that format (no credential yet, not a battery...)."""


@dataclass(frozen=True)
class Exported:
    body: bytes
    media_type: str
    filename: str


def _leaves(value: Any, pointer: str, pattern: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...], Any]]:
    if isinstance(value, Mapping):
        for key, member in value.items():
            yield from _leaves(member, f"{pointer}/{pointer_token(key)}", (*pattern, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{pointer}/{index}", (*pattern, "*"))
    else:
        yield pointer, pattern, value


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return "" if value is None else str(value)


def flat_csv(schema: Mapping[str, Any], data: Mapping[str, Any]) -> bytes:
    """One row per value, labelled from the schema; UTF-8 with a BOM so spreadsheet programs read Korean."""
    specs: dict[tuple[str, ...], FieldSpec] = {spec.pattern: spec for spec in walk_schema(schema)}
    buffer = io.StringIO()
    writer = SpreadsheetCsvWriter(buffer)
    writer.writerow(CSV_HEADER)
    for pointer, pattern, value in _leaves(data, "", ()):
        spec = specs.get(pattern)
        writer.writerow(
            [
                pointer,
                spec.title_en if spec else "",
                _cell(value),
                (spec.unit or "") if spec else "",
                spec.tier if spec else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _name(version: PassportVersion, suffix: str) -> str:
    passport = version.passport
    parts = [passport.product.gtin, passport.lot, passport.serial, f"v{version.number}"]
    return "-".join(part for part in parts if part) + suffix


def _aas(version: PassportVersion, data: dict[str, Any], *, package: bool) -> Exported:
    passport = version.passport
    store = passport_shell(
        identifier=passport.identifier,
        category=version.schema.category,
        granularity=passport.granularity,
        version=version.number,
        data=data,
    )
    if package:
        return Exported(shell_aasx(store), AASX_MEDIA_TYPE, _name(version, ".aasx"))
    return Exported(shell_json(store), "application/json", _name(version, ".aas.json"))


def export_version(version: PassportVersion, *, fmt: str, tier: str = "authority") -> Exported:
    """``version`` in ``fmt`` (one of `EXPORT_FORMATS`); data formats carry the fields of ``tier`` and below."""
    if fmt in ("vc-jwt", "vc-json"):
        issued = credential_of(version)
        if issued is None:
            raise ExportError("this version has no credential: only published versions are signed")
        if fmt == "vc-jwt":
            return Exported(issued.jws.encode("ascii"), VC_JWT, _name(version, ".jwt"))
        body = json.dumps(issued.credential, ensure_ascii=False, indent=2).encode("utf-8")
        return Exported(body, "application/ld+json", _name(version, ".credential.json"))
    data = tier_data(version, tier)
    if fmt == "batterypass":
        if version.schema.category != "battery":
            raise ExportError("Battery Pass export is for battery passports only")
        document = to_battery_pass(data, identifier=version.passport.identifier)
        body = json.dumps(
            document.as_json(identifier=version.passport.identifier, version=version.number),
            ensure_ascii=False,
            indent=2,
        ).encode("utf-8")
        return Exported(body, "application/json", _name(version, ".batterypass.json"))
    if fmt in ("aas", "aasx"):
        return _aas(version, data, package=fmt == "aasx")
    if fmt == "csv":
        return Exported(flat_csv(version.schema.document, data), "text/csv; charset=utf-8", _name(version, ".csv"))
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return Exported(body, "application/json", _name(version, ".json"))

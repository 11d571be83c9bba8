"""Our own JSON-LD context: every term a passport credential can carry beyond W3C VC 2.0 and UNTP, from the schemas.

A passport credential attaches its public data under ``credentialSubject.product.characteristics`` (UNTP's
extension point) and flags each claim with ``conformance``. Neither the W3C VC 2.0 context (which has had no
``@vocab`` since July 2024) nor the UNTP context defines those terms, so a JSON-LD processor drops every one of
them: the credential would mean less to a verifier than it says to a person. This module writes the context that
defines them, from the passport schemas themselves, so a field added to a schema cannot be forgotten here:

- ``characteristics`` carries a property-scoped context with one term per member name found in any schema
  (``battery_category``, ``address_country``, ...). A property-scoped context may redefine protected terms, so the
  schemas' ``name`` means our ``name`` inside the passport data and VC 2.0's ``name`` outside it.
- Every term is a full IRI in the project's vocabulary (``VOCABULARY``), the same for every deployment: the
  context is served under each platform's own address, but a field means the same thing everywhere.
- Values keep their types: dates become ``xsd:date``, date-times ``xsd:dateTime``, URIs ``xsd:anyURI``, integers
  ``xsd:integer`` and numbers ``xsd:double``; a member that is an array in every schema is an ordered
  ``@list``, so no value is lost to RDF's sets (two equal hazard statements stay two). A name used with
  different shapes in different schemas (``production`` is an object in one and a number in another) gets no
  coercion, which is right for both.

The context is versioned: a credential names ``<base>/ns/passport/v<N>`` and keeps meaning what it meant when it
was signed, so a shipped version is never edited. ``exporters/credentials/contexts/`` ships each version (listed in its
``index.json``) and new credentials name the newest; ``tests/exporters/test_passport_context.py`` fails when the
schemas no longer give the newest version, and ``manage.py build_passport_context`` writes the next one.
Plain Python, no Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from passports.fieldmodel import ITEM, FieldSpec, specs_by_pattern, walk_schema

VOCABULARY: Final = "https://dpp.example/ns/passport#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
#: A context version's path under the platform's base URL, and the file in ``exporters/credentials/contexts/``
#: that ships it.
CONTEXT_PATH_TEMPLATE: Final = "/ns/passport/v{version}"
CONTEXT_FILE_TEMPLATE: Final = "dpp-passport-v{version}.jsonld"
_CONTEXT_PATH: Final = re.compile(r"/ns/passport/v([1-9][0-9]*)")

#: Terms the credential itself adds (not passport data): the attached data and each claim's conformance flag.
CREDENTIAL_TERMS: Final[dict[str, dict[str, str]]] = {
    "characteristics": {"@id": f"{VOCABULARY}characteristics"},
    "conformance": {"@id": f"{VOCABULARY}conformance", "@type": f"{XSD}boolean"},
}

_TERM: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_STRING_FORMATS: Final = {"date": "date", "date-time": "dateTime", "uri": "anyURI"}
_NUMERIC: Final = {"integer": "integer", "number": "double"}


def context_path(version: int) -> str:
    return CONTEXT_PATH_TEMPLATE.format(version=version)


def context_file(version: int) -> str:
    return CONTEXT_FILE_TEMPLATE.format(version=version)


def context_url(base_url: str, version: int) -> str:
    """Where a platform at ``base_url`` serves context ``version`` (the URL credentials list in ``@context``)."""
    return base_url.rstrip("/") + context_path(version)


def newest_version(paths: Iterable[str]) -> int:
    """The highest passport context version among shipped context paths (what new credentials name)."""
    versions = [int(match[1]) for path in paths if (match := _CONTEXT_PATH.fullmatch(path))]
    if not versions:
        raise LookupError("no passport context is shipped in exporters/credentials/contexts/")
    return max(versions)


def _datatype(spec: FieldSpec) -> str | None:
    if spec.json_type == "string" and spec.format in _STRING_FORMATS:
        return XSD + _STRING_FORMATS[spec.format]
    if spec.json_type in _NUMERIC:
        return XSD + _NUMERIC[spec.json_type]
    return None


def _shape(spec: FieldSpec, index: Mapping[tuple[str, ...], FieldSpec]) -> tuple[str, str | None]:
    """``(kind, datatype)`` of one member: what its term definition must say about it."""
    if spec.kind == "array":
        item = index.get((*spec.pattern, ITEM))
        if item is None or item.kind != "scalar":
            return ("array", None)
        return ("array", _datatype(item))
    if spec.kind == "object":
        return ("object", None)
    return ("scalar", _datatype(spec))


def schema_terms(schemas: Iterable[Mapping[str, Any]]) -> dict[str, set[tuple[str, str | None]]]:
    """Every member name the schemas can put in passport data, with the shapes it takes (one per use)."""
    shapes: dict[str, set[tuple[str, str | None]]] = {}
    for schema in schemas:
        specs = walk_schema(schema)
        index = specs_by_pattern(specs)
        for spec in specs:
            if not spec.pattern or spec.pattern[-1] == ITEM:
                continue
            name = spec.pattern[-1]
            if not _TERM.fullmatch(name):
                # '@...' would be a JSON-LD keyword, 'a:b' a compact IRI: the data could not mean what it says.
                raise ValueError(f"schema member {'/'.join(spec.pattern)!r} cannot be a JSON-LD term")
            shapes.setdefault(name, set()).add(_shape(spec, index))
    return shapes


def _definition(name: str, shapes: set[tuple[str, str | None]]) -> dict[str, str]:
    definition = {"@id": VOCABULARY + name}
    if len(shapes) != 1:
        return definition  # used with different shapes: any coercion would be wrong for one of them
    ((kind, datatype),) = shapes
    if kind == "array":
        definition["@container"] = "@list"
    if datatype is not None:
        definition["@type"] = datatype
    return definition


def passport_context(schemas: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON-LD context document for passport credentials of ``schemas`` (deterministic: terms sorted)."""
    shapes = schema_terms(schemas)
    data_terms: dict[str, Any] = {"@protected": True}
    for name in sorted(shapes):
        data_terms[name] = _definition(name, shapes[name])
    context: dict[str, Any] = {"@version": 1.1, "@protected": True}
    context["characteristics"] = {**CREDENTIAL_TERMS["characteristics"], "@context": data_terms}
    context["conformance"] = dict(CREDENTIAL_TERMS["conformance"])
    return {"@context": context}


def context_bytes(document: Mapping[str, Any]) -> bytes:
    """The file form of a context document: UTF-8, two-space indents, a final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

"""The second validation engine the differential tests compare the product's against.

It runs the ``jsonschema`` library, the reference implementation of JSON Schema 2020-12, and hands each
error to the product engine's ``issues_from``, so the two engines share every message and business rule and
differ only in how they find schema errors. It lives with the tests because nothing in the product asks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator

from passports.validation import Issue
from passports.validation.engine import SchemaFailure, issues_from

_VALIDATORS: dict[str, tuple[Mapping[str, Any], Draft202012Validator]] = {}


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """The reference validator of ``schema``, built once per schema (by ``$id``, an edited schema anew)."""
    key = schema.get("$id")
    if not isinstance(key, str):
        key = json.dumps(schema, sort_keys=True)
    cached = _VALIDATORS.get(key)
    if cached is not None and (cached[0] is schema or cached[0] == schema):
        return cached[1]
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    _VALIDATORS[key] = (schema, validator)
    return validator


def _failures(schema: Mapping[str, Any], data: object) -> Iterator[SchemaFailure]:
    for error in _validator(schema).iter_errors(data):
        node = error.schema if isinstance(error.schema, Mapping) else {}
        yield SchemaFailure(
            str(error.validator), error.validator_value, node, tuple(error.absolute_path), error.instance
        )


def validate_reference(schema: Mapping[str, Any], data: object) -> list[Issue]:
    """Return the same issues as ``passports.validation.validate``, with ``jsonschema`` as the schema engine."""
    return issues_from(schema, _failures(schema, data), data)

"""The validation engine: JSON Schema 2020-12 on ``jsonschema_rs`` (Rust, formats on), then the business rules.

A schema is compiled once and cached by its ``$id``. Every error is collected, never just the first, and each
becomes an ``Issue`` that names the field by RFC 6901 JSON Pointer, the rule, a message in English and in
Korean (``passports.validation.wording``) and the legal clause of the field (the ``x-legal`` of the schema
node at the pointer or nearest above it).

The tests hold a second engine, the ``jsonschema`` library (the specification's reference implementation),
and a differential test keeps the two in step (same verdict, same pointers, same rules) through
``issues_from``. Two known differences between the engines' format checkers, found by a random search over
broken passports, are left as they are because in both this engine, which decides, follows the RFC:
``email`` in ``jsonschema`` only asks for an ``@`` (``mailto:a@b.c`` and non-ASCII addresses pass there;
``jsonschema_rs`` applies RFC 5321), and ``jsonschema`` rejects a leap second (``23:59:60``) in
``date-time``, which RFC 3339 allows and ``jsonschema_rs`` accepts. The differential test avoids exactly
these inputs.

Plain Python, no Django: the web form, the CSV import and the API all call ``validate``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jsonschema_rs

from passports.validation.plan import RulePlan
from passports.validation.pointers import FieldLabel, Path, PathPart
from passports.validation.rules import compile_rules, run_rules
from passports.validation.wording import Text, Writer, korean_particle, message_writer, quoted


@dataclass(frozen=True, init=False)
class Issue:
    """One problem with passport data.

    ``pointer`` is the RFC 6901 JSON Pointer of the field (``""`` for the whole document). For a missing
    required field it points at the missing member itself (parent pointer + ``/`` + name), and for a member
    the schema does not allow it points at that member, so the web form can show the message beside the
    field concerned. ``rule`` is the JSON Schema keyword (``required``, ``type``, ``format``, ...) or the name
    of a business rule (``gtin_check_digit``, ``sum_of_parts``, ...). ``legal`` is the clause the field comes
    from, or ``None`` where the schema names none.
    """

    pointer: str
    rule: str
    message_en: str
    message_ko: str
    legal: str | None

    def __init__(self, pointer: str, rule: str, message_en: str, message_ko: str, legal: str | None) -> None:
        # The generated __init__ of a frozen dataclass sets each field through object.__setattr__; one update
        # of the instance dict does the same at a third of the cost, which shows when a passport has 20 issues.
        self.__dict__.update(pointer=pointer, rule=rule, message_en=message_en, message_ko=message_ko, legal=legal)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """Return the issue as JSON-ready data; ``message`` is in ``lang`` (``"ko"`` or English)."""
        return {
            "pointer": self.pointer,
            "rule": self.rule,
            "message": self.message_ko if lang == "ko" else self.message_en,
            "message_en": self.message_en,
            "message_ko": self.message_ko,
            "legal": self.legal,
        }


def validate(schema: Mapping[str, Any], data: object) -> list[Issue]:
    """Return every issue in ``data`` against ``schema`` (empty when valid), on the fast engine."""
    compiled = _compiled(schema)
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    # is_valid first: it stops at the first error, so on broken data it costs almost nothing, and on valid
    # data (the common case) it is cheaper than an iter_errors that finds nothing.
    if not compiled.fast.is_valid(data):
        for error in compiled.fast.iter_errors(data):
            site = compiled.site(error)
            site.add(compiled.rules, tuple(error.instance_path), error.instance, issues, seen)
    _add_rule_issues(compiled.rules, data, issues, seen)
    return issues


def is_valid(schema: Mapping[str, Any], data: object) -> bool:
    """Tell whether ``data`` passes the schema and every business rule."""
    compiled = _compiled(schema)
    return compiled.fast.is_valid(data) and not run_rules(compiled.rules, data)


class SchemaFailure(NamedTuple):
    """One failing JSON Schema keyword as any engine reports it: the keyword, its value in the schema, the
    schema object that holds it, the data path where it failed and the value found there."""

    keyword: str
    value: Any
    node: Mapping[str, Any]
    path: Path
    instance: Any


def issues_from(schema: Mapping[str, Any], failures: Iterable[SchemaFailure], data: object) -> list[Issue]:
    """The issues ``validate`` gives for these schema failures, then those of the business rules.

    The seam for another JSON Schema engine: the differential test (``tests/passports/reference_validator.py``)
    runs the specification's reference implementation through it, so both engines share every message.
    """
    compiled = _compiled(schema)
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    for failure in failures:
        site = _site(failure.keyword, failure.value, failure.node)
        site.add(compiled.rules, failure.path, failure.instance, issues, seen)
    _add_rule_issues(compiled.rules, data, issues, seen)
    return issues


# --------------------------------------------------------------------------------------------------
# Compilation and cache


class _Compiled:
    """A schema with its fast validator and its rule plan."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        # jsonschema_rs takes a dict; the schemas we load are dicts already, so this rarely copies. Its own
        # messages are never shown (ours are), so they leave the value out: the passport's data stays out of
        # any log they reach, and writing them costs less.
        self.fast = jsonschema_rs.Draft202012Validator(
            schema if isinstance(schema, dict) else dict(schema), validate_formats=True, mask="(value hidden)"
        )
        self.rules: RulePlan = compile_rules(schema)
        self._sites: dict[tuple[PathPart, ...], _Site] = {}

    def site(self, error: jsonschema_rs.ValidationError) -> _Site:
        """The failing keyword of a fast-engine error, remembered per schema path (a schema has few)."""
        key = tuple(error.schema_path)
        site = self._sites.get(key)
        if site is None:
            node = _node_at(self.schema, key)
            keyword = error.kind.name
            site = self._sites[key] = _site(keyword, node.get(keyword), node)
        return site


_CACHE: dict[str, _Compiled] = {}
_CACHE_LOCK = threading.Lock()


def _compiled(schema: Mapping[str, Any]) -> _Compiled:
    """Return the compiled form of ``schema``, cached by its ``$id``.

    A hit needs the very same schema object (free) or an equal one (one comparison), so a schema edited in
    memory under an unchanged ``$id`` is recompiled rather than validated against a stale validator.
    Schemas without ``$id`` are cached by a hash of their canonical JSON.
    """
    key = schema.get("$id")
    if not isinstance(key, str):
        key = "sha256:" + hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
    entry = _CACHE.get(key)
    if entry is not None and (entry.schema is schema or entry.schema == schema):
        return entry
    compiled = _Compiled(schema)
    with _CACHE_LOCK:
        _CACHE[key] = compiled
    return compiled


def _node_at(schema: Mapping[str, Any], schema_path: Sequence[PathPart]) -> Mapping[str, Any]:
    """Return the schema object that holds the failing keyword (the schema path minus its last step)."""
    node: Any = schema
    for part in list(schema_path)[:-1]:
        in_object = isinstance(node, Mapping) and part in node
        in_array = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (in_object or in_array):
            return {}
        node = node[part]
    return node if isinstance(node, Mapping) else {}


# --------------------------------------------------------------------------------------------------
# Issues from the schema engines
#
# A failing keyword at one place in the schema is a "site". What its messages say about the schema (the
# allowed values of an enum, the expected type, the limit) is written once per site; per error only the
# field's label (cached per path by the rule plan) and the value found are filled in.


def _append(issues: list[Issue], seen: set[tuple[str, str]], label: FieldLabel, rule: str, text: Text) -> None:
    seen.add((label.pointer, rule))
    issues.append(Issue(label.pointer, rule, text.en, text.ko, label.legal))


class _FieldSite:
    """A keyword whose error is about the failing value itself: one issue at its path."""

    __slots__ = ("keyword", "write")

    def __init__(self, keyword: str, write: Writer) -> None:
        self.keyword = keyword
        self.write = write

    def add(self, plan: RulePlan, path: Path, instance: Any, issues: list[Issue], seen: set[tuple[str, str]]) -> None:
        label = plan.label(path)
        if (label.pointer, self.keyword) not in seen:
            _append(issues, seen, label, self.keyword, self.write(label, instance))


class _RequiredSite:
    """``required``: one issue per missing member, pointing at the member itself."""

    __slots__ = ("names",)

    def __init__(self, names: Any) -> None:
        self.names: list[Any] = names if isinstance(names, list) else []

    def add(self, plan: RulePlan, path: Path, instance: Any, issues: list[Issue], seen: set[tuple[str, str]]) -> None:
        if not isinstance(instance, dict):
            return
        for name in self.names:
            if name in instance:
                continue
            label = plan.label((*path, name))
            if (label.pointer, "required") not in seen:
                text = Text(
                    f"Required field missing: {label.title_en}.",
                    f"{korean_particle(label.title_ko, '은', '는')} 필수 항목입니다.",
                )
                _append(issues, seen, label, "required", text)


class _UnknownMembersSite:
    """``additionalProperties: false``: one issue per member the schema does not describe, pointing at it."""

    __slots__ = ("described", "forbidden")

    def __init__(self, value: Any, node: Mapping[str, Any]) -> None:
        self.forbidden = value is False
        self.described = node.get("properties", {})

    def add(self, plan: RulePlan, path: Path, instance: Any, issues: list[Issue], seen: set[tuple[str, str]]) -> None:
        if not (self.forbidden and isinstance(instance, dict)):
            return
        for name in instance:
            if name in self.described:
                continue
            label = plan.label((*path, name))
            if (label.pointer, "additionalProperties") not in seen:
                text = Text(
                    f"'{name}' is not a field of this passport schema; remove it or check its spelling.",
                    f"{korean_particle(quoted(name), '은', '는')} 이 제품 여권 스키마에 정의되지 않은 항목입니다. "
                    "삭제하거나 철자를 확인하십시오.",
                )
                _append(issues, seen, label, "additionalProperties", text)


_Site = _FieldSite | _RequiredSite | _UnknownMembersSite


def _site(keyword: str, value: Any, node: Mapping[str, Any]) -> _Site:
    """The site of ``keyword`` (whose schema value is ``value``) in the schema object ``node``."""
    if keyword == "required":
        return _RequiredSite(value)
    if keyword == "additionalProperties":
        return _UnknownMembersSite(value, node)
    return _FieldSite(keyword, message_writer(keyword, value))


def _add_rule_issues(plan: RulePlan, data: object, issues: list[Issue], seen: set[tuple[str, str]]) -> None:
    for finding in run_rules(plan, data):
        label = plan.label(finding.path)
        if (label.pointer, finding.rule) not in seen:
            _append(issues, seen, label, finding.rule, Text(finding.message_en, finding.message_ko))

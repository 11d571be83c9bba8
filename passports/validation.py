"""Validate passport data against its schema: JSON Schema 2020-12 first, then the business rules.

Two engines give the same answer. ``validate`` is the hot path on ``jsonschema_rs`` (Rust, formats on);
``validate_reference`` runs the ``jsonschema`` library, the reference implementation of the specification,
and a differential test keeps the two in step (same verdict, same pointers, same rules). Both compile a
schema once and cache it by its ``$id``. Every error is collected, never just the first, and each becomes
an ``Issue`` that names the field by RFC 6901 JSON Pointer, the rule, a message in English and in Korean,
and the legal clause of the field (the ``x-legal`` of the schema node at the pointer or nearest above it).

Messages are ours, written for each kind of error, not the engines' English: they name the field by its
schema title (``x-title-ko`` in Korean) so a person can find it in the web form.

Two known differences between the engines' format checkers, found by a random search over broken
passports, are left as they are because in both the fast engine, which decides, follows the RFC: ``email``
in ``jsonschema`` only asks for an ``@`` (``mailto:a@b.c`` and non-ASCII addresses pass there; ``jsonschema_rs``
applies RFC 5321), and ``jsonschema`` rejects a leap second (``23:59:60``) in ``date-time``, which RFC 3339
allows and ``jsonschema_rs`` accepts. The differential test avoids exactly these inputs.

Plain Python, no Django: the web form, the CSV import and the API all call ``validate``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import jsonschema_rs

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

from passports.rules import (
    FieldLabel,
    Path,
    PathPart,
    RulePlan,
    compile_rules,
    format_number,
    korean_particle,
    run_rules,
)

__all__ = ["Issue", "is_valid", "validate", "validate_reference"]


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


def validate_reference(schema: Mapping[str, Any], data: object) -> list[Issue]:
    """Return the same issues as ``validate``, with the ``jsonschema`` library as the schema engine."""
    compiled = _compiled(schema)
    reference = compiled.reference()
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    for error in reference.iter_errors(data):
        node = error.schema if isinstance(error.schema, Mapping) else {}
        site = _site(str(error.validator), error.validator_value, node)
        site.add(compiled.rules, tuple(error.absolute_path), error.instance, issues, seen)
    _add_rule_issues(compiled.rules, data, issues, seen)
    return issues


def is_valid(schema: Mapping[str, Any], data: object) -> bool:
    """Tell whether ``data`` passes the schema and every business rule."""
    compiled = _compiled(schema)
    return compiled.fast.is_valid(data) and not run_rules(compiled.rules, data)


# --------------------------------------------------------------------------------------------------
# Compilation and cache


class _Compiled:
    """A schema with its fast validator, its rule plan and, on first use, its reference validator."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        # jsonschema_rs takes a dict; the schemas we load are dicts already, so this rarely copies. Its own
        # messages are never shown (ours are), so they leave the value out: the passport's data stays out of
        # any log they reach, and writing them costs less.
        self.fast = jsonschema_rs.Draft202012Validator(
            schema if isinstance(schema, dict) else dict(schema), validate_formats=True, mask="(value hidden)"
        )
        self.rules: RulePlan = compile_rules(schema)
        self._reference: Draft202012Validator | None = None
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

    def reference(self) -> Draft202012Validator:
        if self._reference is None:
            # Imported here: the reference engine's format checkers take ~2 s to import (an IRI grammar is
            # compiled), a cost every web and worker process would otherwise pay for a path only tests use.
            from jsonschema import Draft202012Validator

            Draft202012Validator.check_schema(self.schema)
            self._reference = Draft202012Validator(self.schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._reference


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


class _Text(NamedTuple):
    en: str
    ko: str


# Writes the message of one error from the field's label and the value found there.
_Writer = Callable[[FieldLabel, Any], _Text]


def _append(issues: list[Issue], seen: set[tuple[str, str]], label: FieldLabel, rule: str, text: _Text) -> None:
    seen.add((label.pointer, rule))
    issues.append(Issue(label.pointer, rule, text.en, text.ko, label.legal))


class _FieldSite:
    """A keyword whose error is about the failing value itself: one issue at its path."""

    __slots__ = ("keyword", "write")

    def __init__(self, keyword: str, write: _Writer) -> None:
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
                text = _Text(
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
                text = _Text(
                    f"'{name}' is not a field of this passport schema; remove it or check its spelling.",
                    f"{korean_particle(_quoted(name), '은', '는')} 이 제품 여권 스키마에 정의되지 않은 항목입니다. "
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
    return _FieldSite(keyword, _writer(keyword, value))


def _add_rule_issues(plan: RulePlan, data: object, issues: list[Issue], seen: set[tuple[str, str]]) -> None:
    for finding in run_rules(plan, data):
        label = plan.label(finding.path)
        if (label.pointer, finding.rule) not in seen:
            _append(issues, seen, label, finding.rule, _Text(finding.message_en, finding.message_ko))


_TYPE_NAMES: dict[str, _Text] = {
    "string": _Text("text", "문자열"),
    "number": _Text("a number", "숫자"),
    "integer": _Text("a whole number", "정수"),
    "boolean": _Text("true or false", "참/거짓 값"),
    "object": _Text("a group of fields", "항목 묶음(객체)"),
    "array": _Text("a list", "목록"),
    "null": _Text("empty (null)", "빈 값(null)"),
}

_FORMAT_NAMES: dict[str, _Text] = {
    "date": _Text("a date in the form YYYY-MM-DD", "YYYY-MM-DD 형식의 날짜"),
    "date-time": _Text(
        "a date and time with a time zone, e.g. 2026-05-04T09:00:00+02:00",
        "시간대를 포함한 날짜와 시각(예: 2026-05-04T09:00:00+09:00)",
    ),
    "time": _Text("a time with a time zone, e.g. 09:00:00+09:00", "시간대를 포함한 시각(예: 09:00:00+09:00)"),
    "uri": _Text(
        "an absolute web address (URI), e.g. https://example.com/doc.pdf",
        "절대 웹 주소(URI, 예: https://example.com/doc.pdf)",
    ),
    "email": _Text("an e-mail address", "이메일 주소"),
}


# bool before int: True is an int to Python but a boolean to JSON.
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


_LIMITS: dict[str, tuple[str, str]] = {
    "minimum": ("at least {}", "{} 이상이어야"),
    "maximum": ("at most {}", "{} 이하여야"),
    "exclusiveMinimum": ("greater than {}", "{}보다 커야"),
    "exclusiveMaximum": ("less than {}", "{}보다 작아야"),
}


def _json_type(value: Any) -> str:
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return "null"


def _count(value: Any, one: str, many: str) -> str:
    return f"{value} {one if value == 1 else many}"


def _quoted(name: str) -> str:
    return f"'{name}'"


def _show(value: Any, limit: int = 60) -> str:
    if type(value) in (int, float):
        return format_number(value)
    if type(value) is str and '"' not in value and "\\" not in value:
        text = f'"{value}"'
    else:
        # Keys sorted: jsonschema_rs hands objects back with their keys sorted, the reference engine in the
        # order sent, and one value must read the same whichever engine found it.
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _writer(keyword: str, value: Any) -> _Writer:  # noqa: PLR0911, PLR0912
    """Return the writer of English and Korean messages for one kind of JSON Schema error, its schema value
    ``value`` already worked in; it is called with the failing field's label and value."""
    if keyword == "type":
        wanted = value if isinstance(value, list) else [value]
        names = [_TYPE_NAMES.get(str(name), _Text(str(name), str(name))) for name in wanted]
        expected_en = " or ".join(name.en for name in names)
        expected_ko = " 또는 ".join(name.ko for name in names)
        integer_wanted = "integer" in wanted

        def write_type(label: FieldLabel, instance: Any) -> _Text:
            got = _TYPE_NAMES.get(_json_type(instance), _Text("?", "?"))
            if integer_wanted and type(instance) is float:
                got = _Text("a number with decimals", "소수")
            return _Text(
                f"{label.title_en} must be {expected_en}, not {got.en}.",
                f"{label.title_ko}에는 {expected_ko} 값을 입력해야 합니다(입력된 값: {got.ko}).",
            )

        return write_type
    if keyword == "enum":
        options = ", ".join(_show(option) for option in value) if isinstance(value, list) else _show(value)

        def write_enum(label: FieldLabel, instance: Any) -> _Text:
            shown = _show(instance)
            return _Text(
                f"{label.title_en} must be one of {options}; {shown} is not allowed.",
                f"{label.title_ko}의 값은 {options} 중 하나여야 합니다. "
                f"{korean_particle(shown, '은', '는')} 허용되지 않습니다.",
            )

        return write_enum
    if keyword == "const":
        constant = _show(value)
        return lambda label, _instance: _Text(
            f"{label.title_en} must be {constant}.", f"{label.title_ko}에는 {constant}만 허용됩니다."
        )
    if keyword == "format":
        name = _FORMAT_NAMES.get(str(value), _Text(f"of format {value}", f"{value} 형식"))
        name_ko = korean_particle(name.ko, "이", "가")

        def write_format(label: FieldLabel, instance: Any) -> _Text:
            shown = _show(instance)
            return _Text(
                f"{label.title_en} must be {name.en}; {shown} is not.",
                f"{label.title_ko}의 값 {korean_particle(shown, '은', '는')} 올바른 {name_ko} 아닙니다.",
            )

        return write_format
    if keyword in _LIMITS:
        limit_en, limit_ko = (text.format(_show(value)) for text in _LIMITS[keyword])

        def write_limit(label: FieldLabel, instance: Any) -> _Text:
            shown = _show(instance)
            return _Text(
                f"{label.title_en} must be {limit_en}; it is {shown}.",
                f"{label.title_ko}의 값은 {limit_ko} 합니다(입력된 값: {shown}).",
            )

        return write_limit
    if keyword == "multipleOf":
        factor = _show(value)
        return lambda label, _instance: _Text(
            f"{label.title_en} must be a multiple of {factor}.", f"{label.title_ko}의 값은 {factor}의 배수여야 합니다."
        )
    if keyword == "minLength":
        if value == 1:
            return lambda label, _instance: _Text(
                f"{label.title_en} must not be empty.", f"{label.title_ko}의 값이 비어 있습니다."
            )
        return lambda label, _instance: _Text(
            f"{label.title_en}: enter at least {value} characters.",
            f"{korean_particle(label.title_ko, '은', '는')} {value}자 이상이어야 합니다.",
        )
    if keyword == "maxLength":
        return lambda label, _instance: _Text(
            f"{label.title_en}: enter at most {value} characters.",
            f"{korean_particle(label.title_ko, '은', '는')} {value}자 이하여야 합니다.",
        )
    if keyword == "pattern":

        def write_pattern(label: FieldLabel, instance: Any) -> _Text:
            shown = _show(instance)
            return _Text(
                f"{label.title_en} {shown} does not have the expected form ({value}).",
                f"{label.title_ko}의 값 {korean_particle(shown, '이', '가')} 정해진 형식({value})과 맞지 않습니다.",
            )

        return write_pattern
    if keyword == "minItems":
        entries = _count(value, "entry", "entries")
        return lambda label, _instance: _Text(
            f"{label.title_en}: enter at least {entries}.", f"{label.title_ko}에는 항목이 {value}개 이상 있어야 합니다."
        )
    if keyword == "maxItems":
        entries = _count(value, "entry", "entries")
        return lambda label, _instance: _Text(
            f"{label.title_en}: enter at most {entries}.",
            f"{label.title_ko}에는 항목을 {value}개까지만 넣을 수 있습니다.",
        )
    if keyword == "uniqueItems":
        return lambda label, _instance: _Text(
            f"{label.title_en}: the same entry appears more than once.",
            f"{label.title_ko}에 같은 항목이 두 번 이상 들어 있습니다.",
        )
    if keyword == "minProperties":
        fields = _count(value, "field", "fields")
        return lambda label, _instance: _Text(
            f"{label.title_en}: fill in at least {fields}.",
            f"{label.title_ko}에는 항목이 {value}개 이상 있어야 합니다.",
        )
    if keyword == "maxProperties":
        fields = _count(value, "field", "fields")
        return lambda label, _instance: _Text(
            f"{label.title_en}: fill in at most {fields}.",
            f"{label.title_ko}에는 항목을 {value}개까지만 넣을 수 있습니다.",
        )
    return lambda label, _instance: _Text(
        f"{label.title_en} does not satisfy the schema rule '{keyword}'.",
        f"{label.title_ko}의 값이 스키마 규칙 '{keyword}'을(를) 만족하지 않습니다.",
    )

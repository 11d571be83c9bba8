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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import jsonschema_rs

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

from passports.rules import (
    PathPart,
    RulePlan,
    compile_rules,
    format_number,
    korean_particle,
    run_rules,
    to_pointer,
)

__all__ = ["Issue", "is_valid", "validate", "validate_reference"]


@dataclass(frozen=True)
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
    if not compiled.fast.is_valid(data):
        for error in compiled.fast.iter_errors(data):
            node = compiled.node_at(error.schema_path)
            keyword = error.kind.name
            _add_schema_issues(
                compiled,
                path=tuple(error.instance_path),
                keyword=keyword,
                keyword_value=node.get(keyword),
                node=node,
                instance=error.instance,
                issues=issues,
                seen=seen,
            )
    _add_rule_issues(compiled, data, issues, seen)
    return issues


def validate_reference(schema: Mapping[str, Any], data: object) -> list[Issue]:
    """Return the same issues as ``validate``, with the ``jsonschema`` library as the schema engine."""
    compiled = _compiled(schema)
    reference = compiled.reference()
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    for error in reference.iter_errors(data):
        node = error.schema if isinstance(error.schema, Mapping) else {}
        _add_schema_issues(
            compiled,
            path=tuple(error.absolute_path),
            keyword=str(error.validator),
            keyword_value=error.validator_value,
            node=node,
            instance=error.instance,
            issues=issues,
            seen=seen,
        )
    _add_rule_issues(compiled, data, issues, seen)
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
        # jsonschema_rs takes a dict; the schemas we load are dicts already, so this rarely copies.
        self.fast = jsonschema_rs.Draft202012Validator(
            schema if isinstance(schema, dict) else dict(schema), validate_formats=True
        )
        self.rules: RulePlan = compile_rules(schema)
        self._reference: Draft202012Validator | None = None
        self._nodes: dict[tuple[PathPart, ...], Mapping[str, Any]] = {}

    def node_at(self, schema_path: Sequence[PathPart]) -> Mapping[str, Any]:
        """The schema object holding a failing keyword, remembered per schema path (a schema has few)."""
        key = tuple(schema_path)
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = _node_at(self.schema, key)
        return node

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


class _Text(NamedTuple):
    en: str
    ko: str


def _add_schema_issues(
    compiled: _Compiled,
    *,
    path: tuple[PathPart, ...],
    keyword: str,
    keyword_value: Any,
    node: Mapping[str, Any],
    instance: Any,
    issues: list[Issue],
    seen: set[tuple[str, str]],
) -> None:
    for target, text in _schema_texts(
        compiled.rules, path, keyword, keyword_value=keyword_value, node=node, instance=instance
    ):
        pointer = to_pointer(target)
        if (pointer, keyword) in seen:
            continue
        seen.add((pointer, keyword))
        issues.append(Issue(pointer, keyword, text.en, text.ko, compiled.rules.legal(target)))


def _add_rule_issues(compiled: _Compiled, data: object, issues: list[Issue], seen: set[tuple[str, str]]) -> None:
    for finding in run_rules(compiled.rules, data):
        pointer = to_pointer(finding.path)
        if (pointer, finding.rule) in seen:
            continue
        seen.add((pointer, finding.rule))
        issues.append(
            Issue(pointer, finding.rule, finding.message_en, finding.message_ko, compiled.rules.legal(finding.path))
        )


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
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schema_texts(
    plan: RulePlan,
    path: tuple[PathPart, ...],
    keyword: str,
    *,
    keyword_value: Any,
    node: Mapping[str, Any],
    instance: Any,
) -> Iterator[tuple[tuple[PathPart, ...], _Text]]:
    """Yield ``(path of the issue, message)`` for one schema error; ``required`` and ``additionalProperties``
    yield one issue per member concerned, pointing at that member."""
    value = keyword_value
    if keyword == "required":
        if isinstance(instance, dict) and isinstance(value, list):
            for name in value:
                if name not in instance:
                    target = (*path, name)
                    en, ko = plan.titles(target)
                    yield (
                        target,
                        _Text(f"Required field missing: {en}.", f"{korean_particle(ko, '은', '는')} 필수 항목입니다."),
                    )
        return
    if keyword == "additionalProperties":
        if isinstance(instance, dict) and value is False:
            described = node.get("properties", {})
            for name in instance:
                if name not in described:
                    yield (
                        (*path, name),
                        _Text(
                            f"'{name}' is not a field of this passport schema; remove it or check its spelling.",
                            f"{korean_particle(_quoted(name), '은', '는')} 이 제품 여권 스키마에 "
                            "정의되지 않은 항목입니다. "
                            "삭제하거나 철자를 확인하십시오.",
                        ),
                    )
        return
    en, ko = plan.titles(path)
    yield path, _message(keyword, value, instance, en, ko)


def _message(keyword: str, value: Any, instance: Any, en: str, ko: str) -> _Text:  # noqa: PLR0911, PLR0912
    """Write the English and Korean message for one kind of JSON Schema error on field ``en``/``ko``."""
    if keyword == "type":
        wanted = value if isinstance(value, list) else [value]
        names = [_TYPE_NAMES.get(str(name), _Text(str(name), str(name))) for name in wanted]
        got = _TYPE_NAMES.get(_json_type(instance), _Text("?", "?"))
        if type(instance) is float and "integer" in wanted:
            got = _Text("a number with decimals", "소수")
        return _Text(
            f"{en} must be {' or '.join(n.en for n in names)}, not {got.en}.",
            f"{ko}에는 {' 또는 '.join(n.ko for n in names)} 값을 입력해야 합니다(입력된 값: {got.ko}).",
        )
    if keyword == "enum":
        options = ", ".join(_show(option) for option in value) if isinstance(value, list) else _show(value)
        return _Text(
            f"{en} must be one of {options}; {_show(instance)} is not allowed.",
            f"{ko}의 값은 {options} 중 하나여야 합니다. "
            f"{korean_particle(_show(instance), '은', '는')} 허용되지 않습니다.",
        )
    if keyword == "const":
        return _Text(f"{en} must be {_show(value)}.", f"{ko}에는 {_show(value)}만 허용됩니다.")
    if keyword == "format":
        name = _FORMAT_NAMES.get(str(value), _Text(f"of format {value}", f"{value} 형식"))
        return _Text(
            f"{en} must be {name.en}; {_show(instance)} is not.",
            f"{ko}의 값 {korean_particle(_show(instance), '은', '는')} "
            f"올바른 {korean_particle(name.ko, '이', '가')} 아닙니다.",
        )
    if keyword in _LIMITS:
        limit_en, limit_ko = (text.format(_show(value)) for text in _LIMITS[keyword])
        return _Text(
            f"{en} must be {limit_en}; it is {_show(instance)}.",
            f"{ko}의 값은 {limit_ko} 합니다(입력된 값: {_show(instance)}).",
        )
    if keyword == "multipleOf":
        return _Text(f"{en} must be a multiple of {_show(value)}.", f"{ko}의 값은 {_show(value)}의 배수여야 합니다.")
    if keyword == "minLength":
        if value == 1:
            return _Text(f"{en} must not be empty.", f"{ko}의 값이 비어 있습니다.")
        return _Text(
            f"{en}: enter at least {value} characters.",
            f"{korean_particle(ko, '은', '는')} {value}자 이상이어야 합니다.",
        )
    if keyword == "maxLength":
        return _Text(
            f"{en}: enter at most {value} characters.", f"{korean_particle(ko, '은', '는')} {value}자 이하여야 합니다."
        )
    if keyword == "pattern":
        return _Text(
            f"{en} {_show(instance)} does not have the expected form ({value}).",
            f"{ko}의 값 {korean_particle(_show(instance), '이', '가')} 정해진 형식({value})과 맞지 않습니다.",
        )
    if keyword == "minItems":
        return _Text(
            f"{en}: enter at least {_count(value, 'entry', 'entries')}.",
            f"{ko}에는 항목이 {value}개 이상 있어야 합니다.",
        )
    if keyword == "maxItems":
        return _Text(
            f"{en}: enter at most {_count(value, 'entry', 'entries')}.",
            f"{ko}에는 항목을 {value}개까지만 넣을 수 있습니다.",
        )
    if keyword == "uniqueItems":
        return _Text(f"{en}: the same entry appears more than once.", f"{ko}에 같은 항목이 두 번 이상 들어 있습니다.")
    if keyword == "minProperties":
        return _Text(
            f"{en}: fill in at least {_count(value, 'field', 'fields')}.",
            f"{ko}에는 항목이 {value}개 이상 있어야 합니다.",
        )
    if keyword == "maxProperties":
        return _Text(
            f"{en}: fill in at most {_count(value, 'field', 'fields')}.",
            f"{ko}에는 항목을 {value}개까지만 넣을 수 있습니다.",
        )
    return _Text(
        f"{en} does not satisfy the schema rule '{keyword}'.",
        f"{ko}의 값이 스키마 규칙 '{keyword}'을(를) 만족하지 않습니다.",
    )

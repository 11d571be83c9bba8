"""The compiled field model of a passport schema: every field with its names, unit, tier, clause and whether
the schema requires it.

One walk of a schema serves every reader that lays data out by field: reports, data sections, exports,
the JSON-LD context and the readiness figures (``passports.readiness``). Reports print what the schema says
about each field (``title`` / ``x-title-ko``, ``x-unit``, ``x-access``, ``x-legal``) beside the value, so a
report of any category is laid out from its schema alone. Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from passports.tiers import TIERS, tier_rank

ITEM = "*"  # an array item in a field pattern


@dataclass(frozen=True)
class FieldSpec:
    """One node of a schema: where it sits (``pattern``, with ``*`` for array items) and what it says."""

    pattern: tuple[str, ...]
    title_en: str
    title_ko: str
    own_legal: str | None  # the node's own x-legal
    tier: str  # effective x-access (own or inherited); "hidden" for a value outside TIERS
    unit: str | None
    kind: str  # "object", "array" or "scalar"
    json_type: str | None = None  # the JSON Schema "type" (the first one other than "null" when a list)
    format: str | None = None  # the JSON Schema "format" (date, date-time, uri, email...)
    required: bool = False  # named in its parent's ``required`` (for array items: the array has ``minItems`` > 0)
    legal: str | None = None  # the clause that governs it: its own x-legal or the nearest one above it

    def title(self, lang: str) -> str:
        return self.title_ko if lang == "ko" else self.title_en

    def visible_to(self, tier: str) -> bool:
        return self.tier in TIERS and tier_rank(self.tier) <= tier_rank(tier)


def _kind(node: Mapping[str, Any]) -> str:
    if isinstance(node.get("properties"), Mapping):
        return "object"
    if node.get("type") == "array" or isinstance(node.get("items"), Mapping):
        return "array"
    return "scalar"


def _json_type(node: Mapping[str, Any]) -> str | None:
    declared = node.get("type")
    if isinstance(declared, list):
        declared = next((item for item in declared if item != "null"), None)
    return declared if isinstance(declared, str) else None


def _tier_of(node: Mapping[str, Any], inherited: str) -> str:
    access = node.get("x-access")
    if access is None:
        return inherited
    return access if access in TIERS else "hidden"


_walked: dict[tuple[str, str], tuple[Mapping[str, Any], tuple[FieldSpec, ...]]] = {}
_WALKED_LIMIT = 64


def walk_schema(schema: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    """Return every node of ``schema`` in document order, the root first (pattern ``()``).

    Registered schemas never change once a passport uses them (a change is a new version with a new
    ``$id``/``x-version``), so the walk is kept per ``$id`` and version: a pack of thousands of reports of one
    schema walks it once. A schema without ``$id`` is walked every time.
    """
    schema_id, version = schema.get("$id"), schema.get("x-version", "")
    key = (schema_id, str(version)) if isinstance(schema_id, str) else None
    cached = _walked.get(key) if key is not None else None
    # The same object costs nothing to recognise; an equal one (read again from the registry) one comparison.
    # An edited copy under the same $id is walked afresh rather than answered with the original's fields.
    if cached is not None and (cached[0] is schema or cached[0] == schema):
        return cached[1]
    found: list[FieldSpec] = []
    _walk(schema, (), _tier_of(schema, "public"), found, required=True, legal=None)
    specs = tuple(found)
    if key is not None and (key in _walked or len(_walked) < _WALKED_LIMIT):
        _walked[key] = (schema, specs)
    return specs


def _walk(
    node: Mapping[str, Any],
    pattern: tuple[str, ...],
    tier: str,
    found: list[FieldSpec],
    *,
    required: bool,
    legal: str | None,
) -> None:
    tier = _tier_of(node, tier)
    name = pattern[-1] if pattern else ""
    title = node.get("title") if isinstance(node.get("title"), str) else name
    title_ko = node.get("x-title-ko") if isinstance(node.get("x-title-ko"), str) else title
    own_legal = node.get("x-legal") if isinstance(node.get("x-legal"), str) else None
    legal = own_legal or legal
    unit = node.get("x-unit")
    found.append(
        FieldSpec(
            pattern=pattern,
            title_en=str(title),
            title_ko=str(title_ko),
            own_legal=own_legal,
            tier=tier,
            unit=unit if isinstance(unit, str) else None,
            kind=_kind(node),
            json_type=_json_type(node),
            format=node.get("format") if isinstance(node.get("format"), str) else None,
            required=required,
            legal=legal,
        )
    )
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        named = node.get("required")
        needed = set(named) if isinstance(named, list) else set()
        for member, child in properties.items():
            if isinstance(child, Mapping):
                _walk(child, (*pattern, member), tier, found, required=member in needed, legal=legal)
    items = node.get("items")
    if isinstance(items, Mapping):
        min_items = node.get("minItems")
        has_items = isinstance(min_items, int) and min_items > 0
        _walk(items, (*pattern, ITEM), tier, found, required=has_items, legal=legal)


def values_at(data: Any, pattern: Sequence[str]) -> list[Any]:
    """Return the values at ``pattern`` in ``data`` (``*`` runs over every array item); absent → ``[]``."""
    current: list[Any] = [data]
    for part in pattern:
        following: list[Any] = []
        for value in current:
            if part == ITEM:
                if isinstance(value, list):
                    following.extend(value)
            elif isinstance(value, Mapping) and part in value:
                following.append(value[part])
        current = following
    return current


def is_filled(value: Any) -> bool:
    """Tell whether a value counts as given: not None, not an empty string, list or object."""
    if value is None:
        return False
    if isinstance(value, str | list | dict):
        return bool(value)
    return True


_indexes: dict[int, tuple[Sequence[FieldSpec], dict[tuple[str, ...], FieldSpec]]] = {}


def specs_by_pattern(specs: Sequence[FieldSpec]) -> dict[tuple[str, ...], FieldSpec]:
    """Index the specs by pattern; the index of a walk kept by ``walk_schema`` is built once."""
    cached = _indexes.get(id(specs))
    if cached is not None and cached[0] is specs:
        return cached[1]
    index = {spec.pattern: spec for spec in specs}
    if len(_indexes) < _WALKED_LIMIT and any(specs is walked for walked in _walked.values()):
        _indexes[id(specs)] = (specs, index)
    return index


def children(specs: Sequence[FieldSpec], parent: tuple[str, ...]) -> Iterator[FieldSpec]:
    """The direct members of ``parent`` (for an array: of its items), in schema order."""
    depth = len(parent)
    for spec in specs:
        pattern = spec.pattern
        if pattern[:depth] != parent:
            continue
        member = len(pattern) == depth + 1 and pattern[-1] != ITEM
        item_member = len(pattern) == depth + 2 and pattern[depth] == ITEM
        if member or item_member:
            yield spec


def split_clause(legal: str) -> tuple[str, str]:
    """Split an ``x-legal`` citation into the act and the provision: ``("Regulation (EU) 2023/1542", "Art. 7(1)")``.

    The first comma separates them in every citation our schemas carry; a citation without one is all act.
    """
    act, separator, provision = legal.partition(", ")
    return (act, provision) if separator else (legal, "")

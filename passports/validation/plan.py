"""The compiled rule plan of one schema: where each business rule applies, and the labels of its fields.

``passports.validation.rules`` builds a plan once per schema and runs it on every passport; the rules
themselves report a ``Finding`` each. Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from core.pointers import pointer_of
from passports.validation.pointers import (
    ANY_ITEM,
    FieldLabel,
    Path,
    PathPart,
    fallback_titles,
    schema_node_chain,
)


class Finding(NamedTuple):
    """One broken business rule: where, which rule, and what to tell the user in English and Korean."""

    path: Path
    rule: str
    message_en: str
    message_ko: str


@dataclass(frozen=True)
class FieldRule:
    """A rule of kind ``kind`` (``gtin``, ``sum``, ...) at every place ``pattern`` reaches, set up by ``spec``."""

    pattern: Path
    kind: str
    spec: Any


# Labels kept per compiled schema. Passports repeat the same paths, so a few hundred cover a category; the
# bound is there because paths also carry array indices and member names that come from the data.
_LABELS_KEPT = 4096


@dataclass
class RulePlan:
    """Where each rule applies in one schema, found once per schema and reused for every passport."""

    schema: Mapping[str, Any]
    field_rules: list[FieldRule] = field(default_factory=list)
    cn_prefixes: tuple[str, ...] = ()
    named: list[Callable[[RulePlan, Any], Iterator[Finding]]] = field(default_factory=list)

    # Path with array indices blanked -> (node describing the full path, nearest x-legal), for paths the schema
    # describes (a bounded set: the schema's own shape).
    _described: dict[tuple[PathPart | None, ...], tuple[Mapping[str, Any], str | None]] = field(default_factory=dict)
    _labels: Callable[[Path], FieldLabel] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._labels = lru_cache(maxsize=_LABELS_KEPT)(self._new_label)

    def label(self, path: Path) -> FieldLabel:
        """Pointer, names and legal clause of the field at ``path``, found once per path and schema."""
        return self._labels(path)

    def titles(self, path: Sequence[PathPart]) -> tuple[str, str]:
        """English and Korean name of the field at ``path`` (see ``field_titles``), cached per schema."""
        label = self._labels(tuple(path))
        return label.title_en, label.title_ko

    def legal(self, path: Sequence[PathPart]) -> str | None:
        """The ``x-legal`` of the schema node at ``path`` or nearest above it, cached per schema."""
        return self._labels(tuple(path)).legal

    def _new_label(self, path: Path) -> FieldLabel:
        node, legal = self._describe(path)
        if node is not None and path and isinstance(node.get("title"), str):
            title_en, title_ko = node["title"], node.get("x-title-ko")
            if not isinstance(title_ko, str):
                title_ko = title_en
        else:
            title_en, title_ko = fallback_titles(path)
        return FieldLabel(pointer_of(path), title_en, title_ko, legal)

    def _describe(self, path: Path) -> tuple[Mapping[str, Any] | None, str | None]:
        key = tuple(None if type(part) is int else part for part in path)
        found = self._described.get(key)
        if found is not None:
            return found
        chain = schema_node_chain(self.schema, path)
        legal = next((node["x-legal"] for node in reversed(chain) if isinstance(node.get("x-legal"), str)), None)
        if len(chain) != len(path) + 1:
            # A member the schema does not describe: its name comes from the data, so it is not kept here.
            return None, legal
        self._described[key] = (chain[-1], legal)
        return chain[-1], legal


def expand(data: Any, pattern: Path) -> Iterator[tuple[Path, Any]]:
    """Yield ``(path, value)`` for every place in ``data`` that ``pattern`` reaches."""
    if ANY_ITEM not in pattern:
        # Most annotated fields sit at a fixed place: follow the members without building a stack.
        value = data
        for part in pattern:
            if type(value) is not dict or part not in value:
                return
            value = value[part]
        yield pattern, value
        return
    stack: list[tuple[Path, Any, int]] = [((), data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth == len(pattern):
            yield path, value
            continue
        part = pattern[depth]
        if part is ANY_ITEM:
            if isinstance(value, list):
                # Reversed onto the stack so items come out in document order.
                for index in range(len(value) - 1, -1, -1):
                    stack.append(((*path, index), value[index], depth + 1))
        elif isinstance(value, dict) and part in value:
            stack.append(((*path, part), value[part], depth + 1))

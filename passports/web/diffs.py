"""Field-by-field differences between two versions of a passport, for the version history page.

Both versions' effective data are flattened to their leaves, keyed by JSON Pointer (RFC 6901); a leaf is a
value that is not an object or a list, or an empty object or list. Each pointer present on either side
with a different value (compared as JSON: ``1`` equals ``1.0``, ``true`` is not ``1``) is one change.
Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from core.pointers import pointer_of
from passports.overrides import json_equal
from passports.validation.pointers import PathPart

_ABSENT: Any = object()


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: ``kind`` is ``added``, ``removed`` or ``changed``."""

    path: tuple[PathPart, ...]
    kind: str
    old: Any
    new: Any

    @property
    def pointer(self) -> str:
        return pointer_of(self.path)


def leaves(data: Any, path: tuple[PathPart, ...] = ()) -> Iterator[tuple[tuple[PathPart, ...], Any]]:
    """Every leaf of a JSON document with its path, in document order (an empty document has none)."""
    if not path and isinstance(data, Mapping | list) and not data:
        return
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list) and data:
        for index, value in enumerate(data):
            yield from leaves(value, (*path, index))
    else:
        yield path, data


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """The changes that turn ``old`` into ``new``, in document order (a removed field where it was)."""
    before = dict(leaves(old))
    after = dict(leaves(new))
    position: dict[tuple[PathPart, ...], float] = {path: float(rank) for rank, path in enumerate(after)}
    changes: list[FieldChange] = []
    for path, value in after.items():
        previous = before.get(path, _ABSENT)
        if previous is _ABSENT:
            changes.append(FieldChange(path, "added", None, value))
        elif not json_equal(previous, value):
            changes.append(FieldChange(path, "changed", previous, value))
    anchor, step = -1.0, 0.0
    for path, value in before.items():
        if path in position:
            anchor, step = position[path], 0.0
            continue
        step += 1e-6
        position[path] = anchor + 0.5 + step
        changes.append(FieldChange(path, "removed", value, None))
    changes.sort(key=lambda change: position[change.path])
    return changes

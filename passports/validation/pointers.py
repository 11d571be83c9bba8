"""Where a field is and what it is called: the schema nodes along a path, and the names and legal clause a
message uses for a field. JSON Pointers themselves are written and read by ``core.pointers``.

Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

PathPart = str | int
Path = tuple[PathPart, ...]

# The wildcard that stands for "every item of this array" in a compiled field pattern. A sentinel object,
# not the string "*", because "*" is a legal JSON member name.
ANY_ITEM: Any = object()


def schema_node_chain(schema: Mapping[str, Any], path: Sequence[PathPart]) -> list[Mapping[str, Any]]:
    """Return the schema nodes that describe each step of ``path``, from the root down.

    The chain stops early where the schema does not describe the data (an unknown member), so its last
    element is the nearest described ancestor. Arrays are followed through ``items`` whatever the index.
    """
    chain: list[Mapping[str, Any]] = [schema]
    node: Mapping[str, Any] = schema
    for part in path:
        child: Any = None
        if isinstance(part, int):
            child = node.get("items")
        else:
            properties = node.get("properties")
            if isinstance(properties, Mapping):
                child = properties.get(part)
        if not isinstance(child, Mapping):
            break
        chain.append(child)
        node = child
    return chain


def field_titles(schema: Mapping[str, Any], path: Sequence[PathPart]) -> tuple[str, str]:
    """Return the English and Korean names of the field at ``path`` for use in messages.

    The schema's ``title`` and ``x-title-ko`` where the schema describes the field; else the member name
    (or "item N" for an array item), so a message always names something the user can find.
    """
    chain = schema_node_chain(schema, path)
    if len(chain) == len(path) + 1 and path:
        node = chain[-1]
        title = node.get("title")
        if isinstance(title, str):
            title_ko = node.get("x-title-ko")
            return title, title_ko if isinstance(title_ko, str) else title
    return fallback_titles(path)


def fallback_titles(path: Sequence[PathPart]) -> tuple[str, str]:
    """The names of a field the schema does not describe (or the whole passport): its member name or item number."""
    if not path:
        return "The passport", "제품 여권"
    last = path[-1]
    if isinstance(last, int):
        return f"Item {last + 1}", f"{last + 1}번째 항목"
    return f"'{last}'", f"'{last}'"


class FieldLabel(NamedTuple):
    """What a message needs to name one field: its JSON Pointer, its English and Korean names (see
    ``field_titles``) and the legal clause of its schema node or the nearest one above it (``x-legal``)."""

    pointer: str
    title_en: str
    title_ko: str
    legal: str | None

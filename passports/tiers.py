"""Access tiers: what each viewer of a passport may see.

ESPR (Regulation (EU) 2024/1781, Art. 9: the delegated act of each product group says who may access which
data) and the Battery Regulation ((EU) 2023/1542, Annex XIII points 1 to 4) split passport data by who
asks: the public, persons with a legitimate interest (repairers, recyclers, the Commission...), and notified
bodies / market surveillance authorities.
Every field of our schemas carries its tier in ``x-access``; a node without one inherits its nearest
ancestor's. A viewer of a tier sees the fields of that tier and of the tiers below it, nothing else.

``render_for_tier`` copies only what the schema describes and allows: a member the schema does not know
is dropped, never passed through, so a typo or a smuggled field cannot leak to the public page.
Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.pointers import pointer_token

TIERS: tuple[str, str, str] = ("public", "legitimate_interest", "authority")
_RANK: dict[str, int] = {tier: rank for rank, tier in enumerate(TIERS)}
# An x-access value we do not know is treated as above every tier: hidden from everyone rather than shown.
_UNKNOWN_TIER_RANK = len(TIERS)

# Array items in ``field_tiers`` patterns. Our schemas have no member called "*".
ITEM_WILDCARD = "*"

_DROP: Any = object()


def tier_rank(tier: str) -> int:
    """Return the position of ``tier`` in ``TIERS`` (0 is public); ``ValueError`` for an unknown tier."""
    try:
        return _RANK[tier]
    except KeyError:
        raise ValueError(f"unknown access tier {tier!r}; expected one of {', '.join(TIERS)}") from None


def render_for_tier(schema: Mapping[str, Any], data: Mapping[str, Any], tier: str) -> dict[str, Any]:
    """Return a copy of ``data`` holding only the fields a viewer of ``tier`` may see.

    A field is kept when its effective ``x-access`` (its own, or the nearest ancestor's; the root counts as
    public unless it says otherwise) is at or below ``tier``. Objects are filtered member by member, arrays
    item by item; members the schema does not describe, and values whose shape the schema does not describe
    (an object where the schema has a single value), are dropped. The input is not changed.
    """
    viewer = tier_rank(tier)
    rendered = _render(schema, data, viewer, _node_rank(schema, 0))
    return rendered if isinstance(rendered, dict) else {}


def _node_rank(node: Mapping[str, Any], inherited: int) -> int:
    access = node.get("x-access")
    if access is None:
        return inherited
    return _RANK.get(access, _UNKNOWN_TIER_RANK) if isinstance(access, str) else _UNKNOWN_TIER_RANK


def _render(node: Mapping[str, Any], value: Any, viewer: int, inherited: int) -> Any:
    rank = _node_rank(node, inherited)
    if rank > viewer:
        return _DROP
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        return _render_object(properties, value, viewer, rank)
    items = node.get("items")
    if isinstance(items, Mapping) or node.get("type") == "array":
        return _render_array(items if isinstance(items, Mapping) else {}, value, viewer, rank)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return _DROP


def _render_object(properties: Mapping[str, Any], value: Any, viewer: int, rank: int) -> Any:
    if not isinstance(value, Mapping):
        return _DROP
    kept: dict[str, Any] = {}
    for name, member in value.items():
        child = properties.get(name)
        if not isinstance(child, Mapping):
            continue
        rendered = _render(child, member, viewer, rank)
        if rendered is not _DROP:
            kept[name] = rendered
    return kept


def _render_array(item_schema: Mapping[str, Any], value: Any, viewer: int, rank: int) -> Any:
    if not isinstance(value, list):
        return _DROP
    return [rendered for item in value if (rendered := _render(item_schema, item, viewer, rank)) is not _DROP]


def field_tiers(schema: Mapping[str, Any]) -> dict[str, str]:
    """Return ``{pointer pattern: effective tier}`` for every field the schema describes.

    Patterns are RFC 6901 pointers in which ``*`` stands for any array index, e.g.
    ``/material_composition/battery_materials/*/battery_material_mass``. Fields with an ``x-access`` value
    outside ``TIERS`` are reported as ``"hidden"``.
    """
    found: dict[str, str] = {}
    _collect_tiers(schema, "", _node_rank(schema, 0), found, is_root=True)
    return found


def _collect_tiers(
    node: Mapping[str, Any], pointer: str, inherited: int, found: dict[str, str], *, is_root: bool = False
) -> None:
    rank = _node_rank(node, inherited)
    if not is_root:
        found[pointer] = TIERS[rank] if rank < len(TIERS) else "hidden"
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for name, child in properties.items():
            if isinstance(child, Mapping):
                _collect_tiers(child, f"{pointer}/{pointer_token(name)}", rank, found)
    items = node.get("items")
    if isinstance(items, Mapping) and isinstance(items.get("properties"), Mapping):
        for name, child in items["properties"].items():
            if isinstance(child, Mapping):
                _collect_tiers(
                    child, f"{pointer}/{ITEM_WILDCARD}/{pointer_token(name)}", _node_rank(items, rank), found
                )

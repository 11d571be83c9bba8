"""Item and batch passports as overrides of their model passport (RFC 7396 JSON Merge Patch).

Most of an item's or a batch's passport is the model's: the same manufacturer, composition, documents.
Only what differs (serial number, manufacturing date, state of health) is stored with the item, as a JSON
Merge Patch over the model's data. RFC 7396 semantics: an object in the patch is merged member by member,
``null`` removes a member, and any other value (arrays included) replaces the target's value whole.

``diff_overrides`` computes the smallest such patch from a model's data to an item's full data, so the
web form can save the full data it edited and we store only the difference. For JSON documents without
``null`` values, ``merge_overrides(base, diff_overrides(base, full)) == full``; a ``null`` in ``full``
cannot be expressed by a merge patch, since ``null`` there means "remove" (RFC 7396 section 1).
Plain Python, no Django.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def merge_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with the merge patch ``overrides`` applied (RFC 7396 section 2); inputs are unchanged."""
    merged = _merge(base, overrides)
    if not isinstance(merged, dict):
        raise TypeError("a passport's merge patch must be a JSON object")
    return merged


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result: dict[str, Any] = (
        {key: copy.deepcopy(value) for key, value in target.items()} if isinstance(target, Mapping) else {}
    )
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge(result.get(key), value)
    return result


def diff_overrides(base: Mapping[str, Any], full: Mapping[str, Any]) -> dict[str, Any]:
    """Return the smallest merge patch that turns ``base`` into ``full``.

    Members of ``base`` missing from ``full`` become ``null``; objects on both sides are compared member by
    member; any other difference (a changed value, a changed array, an object replacing a value) is carried
    whole. Values are compared as JSON, so ``1`` and ``true`` differ and ``1`` and ``1.0`` are equal.
    """
    return _diff(base, full)


def _diff(base: Mapping[str, Any], full: Mapping[str, Any]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for key in base:
        if key not in full:
            patch[key] = None
    for key, value in full.items():
        if key not in base:
            patch[key] = copy.deepcopy(value)
            continue
        old = base[key]
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            nested = _diff(old, value)
            if nested:
                patch[key] = nested
        elif not json_equal(old, value):
            patch[key] = copy.deepcopy(value)
    return patch


def json_equal(left: Any, right: Any) -> bool:
    """Compare two JSON values as JSON does: booleans are not numbers, ``1 == 1.0``, order matters in arrays."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and left == right

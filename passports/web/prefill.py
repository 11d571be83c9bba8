"""What a new passport's first draft starts with: the facts the product record already holds.

The GTIN, the CN code and the product's name are typed once, on the product; a new model passport gets
them in whichever fields of its schema carry those names, so nobody types them twice and they cannot
disagree. Batch and item passports start empty: they inherit everything from the model passport.
Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# How deep to look for a member: the identification groups sit at the first or second level of every schema.
_MAX_DEPTH = 2


def product_prefill(schema: Mapping[str, Any], facts: Mapping[str, str]) -> dict[str, Any]:
    """A draft holding ``facts`` (``{member name: value}``) wherever the schema has string members so named.

    Only objects are followed (never arrays), each fact goes to every place that names it, and empty facts
    are skipped, so what comes out is only what the product record really says.
    """
    wanted = {name: value for name, value in facts.items() if value}
    draft = _fill(schema, wanted, depth=0)
    return draft if isinstance(draft, dict) else {}


def _fill(node: Mapping[str, Any], facts: Mapping[str, str], *, depth: int) -> dict[str, Any] | None:
    properties = node.get("properties")
    if not isinstance(properties, Mapping) or depth > _MAX_DEPTH:
        return None
    filled: dict[str, Any] = {}
    for name, child in properties.items():
        if not isinstance(child, Mapping):
            continue
        if name in facts and child.get("type") == "string":
            filled[name] = facts[name]
        elif child.get("type") == "object":
            inner = _fill(child, facts, depth=depth + 1)
            if inner:
                filled[name] = inner
    return filled or None

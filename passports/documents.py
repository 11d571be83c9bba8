"""The effective data of a passport version and its content hash.

A batch or item version stores only its overrides; its effective data is the model version's data with
those overrides merged in (RFC 7396). The content hash is the SHA-256 of the RFC 8785 (JSON Canonicalization
Scheme) serialisation, so any party can recompute it from the JSON alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.canonical_json import canonical_sha256
from passports.overrides import merge_overrides

#: RFC 8785 (JCS) serialises numbers as IEEE 754 doubles; integers beyond 2^53 - 1 have no exact form there, so
#: a passport holding one could not be hashed or signed (RFC 7493, I-JSON, section 2.2).
SAFE_INTEGER = 2**53 - 1


def unsafe_number_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The paths of the integers in ``value`` that canonical JSON cannot carry exactly (beyond ±(2^53 - 1))."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [path] if abs(value) > SAFE_INTEGER else []
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in unsafe_number_paths(item, (*path, str(key)))]
    if isinstance(value, list | tuple):
        return [found for index, item in enumerate(value) for found in unsafe_number_paths(item, (*path, index))]
    return []


def content_hash(data: Any) -> str:
    """The content hash of a passport version: SHA-256 of the RFC 8785 bytes of its effective data."""
    return canonical_sha256(data)


def effective_data(own: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The data a version stands for: its own data alone, or its base's data with its overrides merged in."""
    if base is None:
        return dict(own)
    return merge_overrides(base, own)

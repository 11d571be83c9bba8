"""The effective data of a passport version and its content hash.

A batch or item version stores only its overrides; its effective data is the model version's data with
those overrides merged in (RFC 7396). The content hash is the SHA-256 of the RFC 8785 (JSON Canonicalization
Scheme) serialisation, so any party can recompute it from the JSON alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785

from passports.overrides import merge_overrides


def canonical_json(data: Any) -> bytes:
    return rfc8785.dumps(data)


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def effective_data(own: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The data a version stands for: its own data alone, or its base's data with its overrides merged in."""
    if base is None:
        return dict(own)
    return merge_overrides(base, own)

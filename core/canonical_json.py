"""RFC 8785 (JSON Canonicalization Scheme): the one function that turns JSON into the bytes we hash and sign.

Passport content hashes, the digests a credential carries for each tier of its data, the credential payload
and every audit event's hash are SHA-256 over these bytes, so any party can recompute them from the JSON
alone. The ``rfc8785`` package writes them: pure Python, and within the targets of ``bench/bench_signing.py``
and ``bench/bench_audit.py``, so no hand-made faster copy is kept beside it. Fixed digests of stored data
(``tests/core/test_canonical_json.py``) hold the bytes still.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 bytes of ``value``; ``rfc8785.CanonicalizationError`` (a ValueError) for what has none
    (integers beyond 2**53 - 1, NaN, non-text keys)."""
    return rfc8785.dumps(value)


def canonical_sha256(value: Any) -> str:
    """SHA-256 (hex) of the RFC 8785 bytes of ``value``."""
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()

"""What a key in a backup store may be, checked the same way by every store (local folder, S3, SFTP).

A key is a ``/``-separated relative path: a key that climbs out (``..``), starts at the root or has empty
parts could write outside the store's folder or prefix, so every store refuses it before it touches a file.
"""

from __future__ import annotations


def checked_key(key: str) -> str:
    """Return ``key`` if it is a relative store path; raise ``ValueError`` otherwise."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in {"", ".", ".."} for part in parts):
        raise ValueError(f"not a relative store key: {key!r}")
    return key

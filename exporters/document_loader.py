"""Offline JSON-LD document loader: a fixed map from context URL to a file shipped in the repository.

The platform has no network at run time, and a verifier that fetched contexts would let whoever
controls (or spoofs) a context URL change what a signed credential means. So contexts are data in
``exporters/contexts/``, listed with their SHA-256 in ``index.json``; anything not listed is refused,
and this module never opens a socket. See ``exporters/contexts/README.md`` for where each file comes
from and how the UNTP context URL is handled.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from pathlib import Path
from typing import Any, Final

CONTEXTS_DIR: Final = Path(__file__).resolve().parent / "contexts"
INDEX_FILE: Final = CONTEXTS_DIR / "index.json"


class DocumentLoaderError(LookupError):
    """The URL is not one of the shipped documents, or a shipped file does not match its index entry."""


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, str]]:
    with INDEX_FILE.open("rb") as handle:
        index: dict[str, dict[str, str]] = json.load(handle)
    return index


def known_urls() -> frozenset[str]:
    """Every URL the loader answers for."""
    return frozenset(_index())


@functools.lru_cache(maxsize=32)
def _load(url: str) -> dict[str, Any]:
    entry = _index().get(url)
    if entry is None:
        raise DocumentLoaderError(
            f"JSON-LD document {url!r} is not shipped with the platform and is never fetched; "
            "add it to exporters/contexts/ and index.json if it is needed"
        )
    path = (CONTEXTS_DIR / entry["file"]).resolve()
    if path.parent != CONTEXTS_DIR:
        raise DocumentLoaderError(f"index entry for {url!r} points outside the contexts folder")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        # A changed context silently changes the meaning of every credential that uses it.
        raise DocumentLoaderError(f"{entry['file']} does not match the SHA-256 recorded in index.json")
    document: dict[str, Any] = json.loads(data)
    return document


def load_document(url: str) -> dict[str, Any]:
    """The parsed JSON-LD document shipped for ``url`` (a fresh copy each call, so callers may
    modify it); raises `DocumentLoaderError` for any other URL. Matching is exact: no redirects,
    no scheme or trailing-slash guessing."""
    if not isinstance(url, str):
        raise DocumentLoaderError("document URL must be a string")
    return copy.deepcopy(_load(url))


def pyld_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """`load_document` in the shape PyLD's ``documentLoader`` option expects (a RemoteDocument)."""
    return {"contextUrl": None, "documentUrl": url, "document": load_document(url)}

"""Offline JSON-LD document loader: a fixed map from context URL to a file shipped in the repository.

The platform has no network at run time, and a verifier that fetched contexts would let whoever
controls (or spoofs) a context URL change what a signed credential means. So contexts are data in
``exporters/credentials/contexts/``, listed with their SHA-256 in ``index.json``; anything not listed is refused,
and this module never opens a socket. See ``exporters/credentials/contexts/README.md`` for where each file comes
from.

Two kinds of entry: an absolute URL (the W3C and UNTP contexts, which live at their publishers' addresses)
and a path starting with ``/`` (our own passport context, which every platform serves under its own base
URL). A path entry answers only for the base URL the caller names, so one platform's loader never takes
another host's copy for ours. Plain Python, no Django.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

CONTEXTS_DIR: Final = Path(__file__).resolve().parent / "contexts"
INDEX_FILE: Final = CONTEXTS_DIR / "index.json"

PyLDLoader = Callable[..., dict[str, Any]]


class DocumentLoaderError(LookupError):
    """The URL is not one of the shipped documents, or a shipped file does not match its index entry."""


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, str]]:
    with INDEX_FILE.open("rb") as handle:
        index: dict[str, dict[str, str]] = json.load(handle)
    return index


def clear_caches() -> None:
    """Forget the index and files read so far (after a context file was written, e.g. by a command or a test)."""
    _index.cache_clear()
    _read.cache_clear()
    _parsed.cache_clear()


def known_urls(base_url: str | None = None) -> frozenset[str]:
    """Every URL the loader answers for; own contexts only when ``base_url`` names where they are served."""
    urls = {key for key in _index() if not key.startswith("/")}
    if base_url is not None:
        urls |= {base_url.rstrip("/") + key for key in _index() if key.startswith("/")}
    return frozenset(urls)


def own_context_paths() -> frozenset[str]:
    """The paths (under the platform's base URL) of the contexts this platform serves itself."""
    return frozenset(key for key in _index() if key.startswith("/"))


@functools.lru_cache(maxsize=32)
def _read(key: str) -> bytes:
    entry = _index()[key]
    path = (CONTEXTS_DIR / entry["file"]).resolve()
    if path.parent != CONTEXTS_DIR:
        raise DocumentLoaderError(f"index entry for {key!r} points outside the contexts folder")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        # A changed context silently changes the meaning of every credential that uses it.
        raise DocumentLoaderError(f"{entry['file']} does not match the SHA-256 recorded in index.json")
    return data


@functools.lru_cache(maxsize=32)
def _parsed(key: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_read(key))
    return document


def _key_for(url: str, base_url: str | None) -> str:
    if not isinstance(url, str):
        raise DocumentLoaderError("document URL must be a string")
    if url in _index() and not url.startswith("/"):
        return url
    if base_url is not None:
        base = base_url.rstrip("/")
        if url.startswith(base + "/") and url[len(base) :] in own_context_paths():
            return url[len(base) :]
    raise DocumentLoaderError(
        f"JSON-LD document {url!r} is not shipped with the platform and is never fetched; "
        "add it to exporters/credentials/contexts/ and index.json if it is needed"
    )


def document_bytes(url: str, *, base_url: str | None = None) -> bytes:
    """The shipped file for ``url`` exactly as stored (what the platform serves for its own contexts)."""
    return _read(_key_for(url, base_url))


def own_context_bytes(path: str) -> bytes:
    """The shipped file of one of our own contexts by its path (``/ns/passport/v1``); `DocumentLoaderError` if none."""
    if path not in own_context_paths():
        raise DocumentLoaderError(f"no context of ours is served at {path!r}")
    return _read(path)


def digest_sri(url: str, *, base_url: str | None = None) -> str:
    """``sha256-<base64>`` of the shipped file (W3C SRI), for a credential's ``relatedResource`` entry."""
    return "sha256-" + base64.b64encode(hashlib.sha256(document_bytes(url, base_url=base_url)).digest()).decode()


def load_document(url: str, *, base_url: str | None = None) -> dict[str, Any]:
    """The parsed JSON-LD document shipped for ``url`` (a fresh copy each call, so callers may
    modify it); raises `DocumentLoaderError` for any other URL. Matching is exact: no redirects,
    no scheme or trailing-slash guessing. Our own contexts answer only under ``base_url``."""
    return copy.deepcopy(_parsed(_key_for(url, base_url)))


def pyld_loader(base_url: str | None = None) -> PyLDLoader:
    """`load_document` in the shape PyLD's ``documentLoader`` option expects (a RemoteDocument)."""

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": load_document(url, base_url=base_url)}

    return load


def pyld_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The W3C and UNTP contexts only (no platform of ours named): for status lists and foreign credentials."""
    return pyld_loader()(url, options)

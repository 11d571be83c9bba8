"""Tie a PDF to the passport version it was rendered from, by that version's SHA-256.

The hash goes in two places: the PDF's Keywords (machine-readable, found by records systems
and by ``read_embedded_hash``) and the footer of every page (human-readable, and it survives
printing and scanning a single page). Anyone holding the paper or the file can compare the hash
with the signed passport at the verification URL: a report never carries more authority than the
signed data behind it.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from pypdf import PdfReader

if TYPE_CHECKING:
    from pypdf import PdfReader

HASH_PREFIX = "sha256:"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_IN_TEXT = re.compile(r"sha256:\s*([0-9a-f]{64})")


def check_sha256_hex(value: str) -> str:
    """Return ``value`` if it is a lower-case hex SHA-256 digest; ValueError otherwise.

    Lower case only, so one digest has one spelling and a text search always finds it.
    """
    if not isinstance(value, str) or not _SHA256_HEX.fullmatch(value):
        raise ValueError(f"content hash must be 64 lower-case hex digits (SHA-256), got {value!r}")
    return value


def hash_keyword(content_hash: str) -> str:
    """Return the Keywords entry that carries the hash, e.g. ``sha256:9f86d0...``."""
    return HASH_PREFIX + check_sha256_hex(content_hash)


def footer_hash_text(content_hash: str, label: str) -> str:
    """Return the footer line, e.g. ``SHA-256 of the passport version sha256:9f86d0...``.

    The ``sha256:`` prefix stays untranslated so the hash is found in any language's report.
    """
    return f"{label} {hash_keyword(content_hash)}"


def _reader(pdf_bytes: bytes) -> PdfReader:
    # Imported here: rendering needs no PDF reader, only the read-back paths (verification, tests) do.

    return PdfReader(io.BytesIO(pdf_bytes))


def read_embedded_hash(pdf_bytes: bytes) -> str | None:
    """Return the passport-version hash a PDF carries in its metadata, or None if it has none.

    Only the Keywords entry is read: it is what the renderer writes, and reading it needs no text
    extraction. ``read_footer_hashes`` reads the visible copies when they must be compared.
    """
    info = _reader(pdf_bytes).metadata
    keywords = info.get("/Keywords") if info is not None else None
    if not keywords:
        return None
    match = _IN_TEXT.search(str(keywords))
    return match.group(1) if match else None


def read_footer_hashes(pdf_bytes: bytes) -> list[str | None]:
    """Return, page by page, the hash printed in the footer (None for a page without one)."""
    reader = _reader(pdf_bytes)
    hashes: list[str | None] = []
    for page in reader.pages:
        match = _IN_TEXT.search(page.extract_text() or "")
        hashes.append(match.group(1) if match else None)
    return hashes

"""A keyed seal over the bytes of each report we issue, so any later change to the file shows.

The SHA-256 in a report's metadata and footers ties it to a passport version, but a person can edit a
figure on a page and leave that hash in place. The seal closes that gap: an HMAC-SHA256 over the whole
PDF, written into the PDF's Keywords in place of a fixed-length placeholder. The placeholder and the seal
have the same length, so the cross-reference offsets stay valid and the file stays a correct PDF;
checking it means putting the placeholder back and recomputing. Only the platform holds the key, so a
resealed forgery does not check; anyone can still compare the passport hash with the signed data.
Plain Python, no Django: the key is handed in.
"""

from __future__ import annotations

import hashlib
import hmac
import re

SEAL_PREFIX = "report-seal:"
SEAL_PLACEHOLDER = SEAL_PREFIX + "0" * 64
_SEAL = re.compile(rb"report-seal:([0-9a-f]{64})")


class SealError(ValueError):
    """The PDF has no room for a seal (no placeholder, or more than one)."""


def _digest(pdf: bytes, key: bytes) -> str:
    return hmac.new(key, pdf, hashlib.sha256).hexdigest()


def seal_pdf(pdf: bytes, key: bytes) -> bytes:
    """Return ``pdf`` with its placeholder replaced by the HMAC of the placeholder-bearing bytes."""
    placeholder = SEAL_PLACEHOLDER.encode("ascii")
    if pdf.count(placeholder) != 1:
        raise SealError("the PDF must carry the seal placeholder exactly once in its Keywords")
    return pdf.replace(placeholder, (SEAL_PREFIX + _digest(pdf, key)).encode("ascii"))


def read_seal(pdf: bytes) -> str | None:
    """Return the seal a PDF carries, or None when it carries none (or several)."""
    found = _SEAL.findall(pdf)
    return found[0].decode("ascii") if len(found) == 1 else None


def seal_is_valid(pdf: bytes, key: bytes) -> bool:
    """Tell whether the PDF is byte for byte the file that was sealed with ``key``."""
    seal = read_seal(pdf)
    if seal is None:
        return False
    original = pdf.replace((SEAL_PREFIX + seal).encode("ascii"), SEAL_PLACEHOLDER.encode("ascii"))
    return hmac.compare_digest(seal, _digest(original, key))

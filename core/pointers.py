"""RFC 6901 JSON Pointers: the one place where they are written and read.

Every error names its field by a JSON Pointer (the API envelope, validation findings, import reports,
form errors, exports), so the escaping (``~`` as ``~0``, then ``/`` as ``~1``; read back in the opposite
order, so ``~01`` is ``~1`` and not ``/``) is done here alone, by the ``jsonpointer`` package that
``jsonschema`` already brings.
"""

from __future__ import annotations

from collections.abc import Iterable

from jsonpointer import escape, unescape


def pointer_token(part: str | int) -> str:
    """One reference token, escaped (RFC 6901 section 3); an array index is its decimal text."""
    return escape(str(part))


def pointer_of(parts: Iterable[str | int]) -> str:
    """The JSON Pointer of a path of member names and array indexes (``()`` is the whole document, ``""``)."""
    return "".join("/" + escape(str(part)) for part in parts)


def pointer_tokens(pointer: str) -> list[str]:
    """The unescaped reference tokens of a JSON Pointer; ValueError if it is not one (RFC 6901 section 4)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON Pointer: {pointer!r}")
    return [unescape(token) for token in pointer[1:].split("/")]

"""The shape of every error answer: ``{"error": {"code", "message", "details"}}``.

It sits apart from ``core.errors`` (which maps exceptions to it) so that ``core.degraded``, which
``core.errors`` asks whether Redis is away, can build the same envelope without importing its caller.
"""

from __future__ import annotations

from typing import Any


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The error envelope; ``details`` name fields by JSON Pointer (RFC 6901) when there are any."""
    return {"error": {"code": code, "message": message, "details": details or []}}

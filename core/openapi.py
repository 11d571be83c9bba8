"""drf-spectacular post-processing hooks that every API of the platform shares (``SPECTACULAR_SETTINGS``).

Named ``openapi`` because "schema" means a passport schema everywhere else in the code.
"""

from __future__ import annotations

from typing import Any

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}

_ERRORS = {
    "400": "The request is not valid; details name each field by JSON Pointer.",
    "401": "No valid credentials (session or bearer token).",
    "403": "Authenticated, but without the role or scope this needs.",
    "404": "Not found in your organization (or a page past the end of a list).",
    "409": "Conflicts with the current state (e.g. a published version cannot change).",
    "412": "If-Match names a stale ETag.",
    "413": "The request body or upload is too large.",
    "415": "Unsupported media type.",
    "422": "Understood but refused by a business rule (e.g. the passport does not validate).",
    "428": "If-Match is required.",
    "429": "Too many requests; retry after the Retry-After header.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation documents the error answers it can give.

    All of them share one envelope (``ErrorEnvelope``), so clients parse one shape; listing them keeps the
    schema honest for client generators and for the fuzzing tests that compare answers with the schema.
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorEnvelope", ERROR_ENVELOPE)
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # 404 also answers a page number past the end of a list.
            codes = ["400", "401", "403", "404", "429"]
            if method in {"post", "put", "patch"}:
                codes += ["409", "412", "413", "415", "422", "428"]
            if method == "delete":
                codes.append("409")
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": _ERRORS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result


IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Makes a retry safe: the same key with the same request replays the first answer (status, body, "
        "ETag; the replay carries Idempotent-Replayed: true); the same key with another request answers 422; "
        "a key whose first request is still running answers 409. Keys belong to the caller and last 24 hours; "
        "server errors (5xx) and 401, 403, 408, 429 are not kept, so a retry runs again."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def add_idempotency_key_header(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every write of the API documents the ``Idempotency-Key`` header.

    ``passports.idempotency.IdempotencyKeyMiddleware`` honours it on every POST, PUT, PATCH and DELETE under
    /api/v1/, so each of those operations lists it, with the 409 and 422 answers it can cause.
    """
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"post", "put", "patch", "delete"} or not isinstance(operation, dict):
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
            responses = operation.setdefault("responses", {})
            for code in ("409", "422"):
                responses.setdefault(
                    code, {"description": _ERRORS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result

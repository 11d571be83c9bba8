"""OpenAPI descriptions of our own authentication classes, for drf-spectacular."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "passports.auth.ApiClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/auth/token",
                    "scopes": {"read": "Read the organization's data", "write": "Change it"},
                }
            },
        }


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

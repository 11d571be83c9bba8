"""One error envelope for every API error.

``{"error": {"code": "...", "message": "...", "details": [{"pointer": "/field", "message": "..."}]}}``:
clients parse one shape, and ``details`` name fields by JSON Pointer (RFC 6901), like validation reports.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.application_errors import ApplicationError
from core.degraded import RETRY_AFTER_SECONDS, is_broker_down, unavailable_body
from core.envelope import error_body
from core.pointers import pointer_of


def _flatten(detail: Any, path: list[str | int]) -> list[dict[str, str]]:
    if isinstance(detail, dict):
        items: list[dict[str, str]] = []
        for key, value in detail.items():
            items.extend(_flatten(value, path if key == "non_field_errors" else [*path, key]))
        return items
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [
                {"pointer": pointer_of(path), "code": getattr(item, "code", "invalid"), "message": str(item)}
                for item in detail
            ]
        items = []
        for index, value in enumerate(detail):
            items.extend(_flatten(value, [*path, index]))
        return items
    return [{"pointer": pointer_of(path), "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class ConcurrentConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A concurrent request made the same change first; read the current state and retry."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    """The broker or the shared cache (Redis) could not be reached: retry shortly (``core.degraded``)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A background service is briefly unavailable; nothing was lost. Retry after the given seconds."
    default_code = "service_unavailable"


def is_unique_violation(exc: BaseException) -> bool:
    """A unique constraint refused the row (PostgreSQL SQLSTATE 23505, or SQLite's message)."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc)


class _Refused(exceptions.APIException):
    """An ``ApplicationError`` on its way through DRF's handler (which also rolls back an atomic request)."""

    def __init__(self, error: ApplicationError) -> None:
        super().__init__(detail=str(error.message), code=error.code)
        self.status_code = error.status
        self.error = error


def _as_api_exception(exc: Exception) -> Exception:  # noqa: PLR0911  # one return per kind of error reads as a table
    """The DRF exception an error answers as; others (a bug) are left for DRF to turn into a 500."""
    if isinstance(exc, ApplicationError):
        return _Refused(exc)
    if isinstance(exc, IntegrityError) and is_unique_violation(exc):
        # A check-then-insert race: the service found the name free, a concurrent request took it before the
        # insert. The database kept the rule; the loser gets a 409, not a 500. Other integrity errors are bugs.
        return ConcurrentConflict()
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        # Django's own body limit (a form part past DATA_UPLOAD_MAX_MEMORY_SIZE): 413, not a bare 400 page.
        return RequestTooLarge()
    if is_broker_down(exc):
        return ServiceUnavailable()
    if isinstance(exc, SuspiciousOperation):
        # Too many fields or files, a malformed multipart body: the caller's mistake, in our envelope.
        return exceptions.ParseError(str(exc) or None)
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error in the one envelope; a service's ``ApplicationError`` with its own code and status."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", "The request is not valid.", _flatten(exc.detail, []))
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else exc.default_detail
        code = exc.get_codes() if not isinstance(exc.get_codes(), dict | list) else exc.default_code
        body = error_body(str(code), str(message))
        if isinstance(exc, _Refused):
            body["error"]["details"] = exc.error.envelope_details()
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            body["error"]["details"] = [{"retry_after_seconds": int(wait) + 1}]
    else:
        body = error_body("error", "The request failed.")
    if isinstance(exc, ServiceUnavailable):
        body = unavailable_body()
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.data = body
    return response


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django-level 404 for /api/ paths in the same envelope (a URL that matches no route)."""
    return JsonResponse(error_body("not_found", "Not found."), status=status.HTTP_404_NOT_FOUND)

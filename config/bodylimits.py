"""Request body limits on every route, enforced from ``Content-Length`` before a byte of the body is read.

Every request body may be as large as ``DATA_UPLOAD_MAX_MEMORY_SIZE``, whatever its route: pages and their
forms, the API, PACT (``/2``, ``/3``), the resolver, the admin. Only a multipart body sent to a view marked
with ``core.uploads.accepts_uploads`` may be larger, up to that view's own ceiling (CSV/XLSX imports, report
verification). Past the limit the answer is 413 before anything reads the body: in the API's error envelope
under ``/api/``, as a PACT error under ``/2`` and ``/3``, as plain text elsewhere.

Why from the header and for every route: Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when a body is
read as a form, and even then streams multipart files to temporary files without a bound; DRF's JSON parser
reads the stream directly. A body without ``Content-Length`` (chunked) is read by ``core.chunked`` up to the
same limit (``chunked_body_limit``) and then carries its length.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from core.envelope import error_body
from core.uploads import upload_limit

FALLBACK_LIMIT = 2_621_440  # Django's own default, for a deployment that set the setting to None


def default_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or FALLBACK_LIMIT)


def route_limit(path: str, content_type: str) -> int:
    """The largest body a request to ``path`` may carry: an upload view's ceiling for multipart bodies sent
    to it, else the default."""
    if content_type.lower().startswith("multipart/"):
        try:
            match = resolve(path)
        except Resolver404:
            return default_limit()
        return upload_limit(match.func) or default_limit()
    return default_limit()


def body_limit(request: HttpRequest) -> int:
    """The largest body this request may carry."""
    return route_limit(request.path_info, str(request.META.get("CONTENT_TYPE", "")))


def chunked_body_limit(environ: dict[str, Any]) -> int:
    """``body_limit`` for a WSGI environ (``core.chunked`` reads chunked bodies before Django sees them)."""
    return route_limit(str(environ.get("PATH_INFO", "")), str(environ.get("CONTENT_TYPE", "")))


def too_large_response(path: str, size: int, limit: int) -> HttpResponse:
    if path.startswith("/api/"):
        body = error_body(
            "too_large",
            _("The request body is %(size)s bytes; this API accepts at most %(limit)s bytes.")
            % {"size": size, "limit": limit},
            [{"limit_bytes": limit}],
        )
        return JsonResponse(body, status=413)
    message = _("The request body is %(size)s bytes; this address accepts at most %(limit)s bytes.") % {
        "size": size,
        "limit": limit,
    }
    if path.startswith(("/2/", "/3/")):
        # PACT's error object (code + message); its code list has nothing closer than BadRequest.
        return HttpResponse(
            json.dumps({"code": "BadRequest", "message": message}), status=413, content_type="application/json"
        )
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        # Resolving the route costs a little; only multipart bodies need it (an upload view's ceiling may be
        # above or below the default).
        multipart = str(request.META.get("CONTENT_TYPE", "")).lower().startswith("multipart/")
        if declared > default_limit() or (multipart and declared):
            limit = body_limit(request)
            if declared > limit:
                return too_large_response(request.path, declared, limit)
        return self.get_response(request)

"""Request body limits of the API, enforced from ``Content-Length`` before a byte of the body is read.

Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when a body is read through ``request.body`` or parsed as
a form; DRF's JSON parser reads the stream directly, so without this check a JSON body of any size would be
read into memory. API bodies may be as large as ``DATA_UPLOAD_MAX_MEMORY_SIZE``, uploads (multipart) as
large as ``API_MAX_UPLOAD_BYTES``; past that the answer is 413 in the API's error envelope. Endpoints with
a tighter limit of their own (CSV imports) still apply it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _


def body_limit(request: HttpRequest) -> int:
    """The largest body this API request may carry."""
    if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/"):
        return int(getattr(settings, "API_MAX_UPLOAD_BYTES", 256 * 1024 * 1024))
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith("/api/"):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            limit = body_limit(request)
            if limit and declared > limit:
                from core.errors import error_body

                body = error_body(
                    "too_large",
                    _("The request body is %(size)s bytes; this API accepts at most %(limit)s bytes.")
                    % {"size": declared, "limit": limit},
                    [{"limit_bytes": limit}],
                )
                return JsonResponse(body, status=413)
        return self.get_response(request)

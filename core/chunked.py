"""Chunked request bodies under gunicorn: read them whole, within the body limit, before Django sees them.

A client may send a body with ``Transfer-Encoding: chunked`` and no ``Content-Length`` (Node's fetch does for
a stream, and the PACT conformance tool runs on Node). Gunicorn decodes the chunks and marks the input
``wsgi.input_terminated``, but Django reads ``CONTENT_LENGTH`` bytes of the input and finds none, so the view
saw an empty body and answered 400. ``ChunkedBodyMiddleware`` wraps the WSGI application: a terminated input
without a length is read up to the limit (``DATA_UPLOAD_MAX_MEMORY_SIZE`` or multipart's
``API_MAX_UPLOAD_BYTES``), and handed on with its length; a longer body is refused with 413 before Django
reads it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _limit(environ: dict[str, Any]) -> int:
    if str(environ.get("CONTENT_TYPE", "")).lower().startswith("multipart/"):
        return int(getattr(settings, "API_MAX_UPLOAD_BYTES", 256 * 1024 * 1024))
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


class ChunkedBodyMiddleware:
    """``limit`` gives the largest body a request may carry (the route's, ``config.bodylimits``); without it,
    the size of a form or of any multipart upload."""

    def __init__(self, app: WSGIApp, limit: Callable[[dict[str, Any]], int] | None = None) -> None:
        self.app = app
        self.limit = limit or _limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if chunked and environ.get("wsgi.input_terminated") and not environ.get("CONTENT_LENGTH"):
            limit = self.limit(environ)
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                start_response("413 Content Too Large", [("Content-Type", "text/plain"), ("Connection", "close")])
                return [f"The request body exceeds {limit} bytes.".encode()]
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

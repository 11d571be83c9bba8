"""Running with the broker or the shared cache away (Redis down): which errors mean that, and what to answer.

Requests that do not need Redis keep working: the cache falls back to a per-process one (``core.cache``)
and work after a commit goes to the outbox (``core.jobs``). What still needs Redis and meets it away answers
503 with ``Retry-After`` in the error envelope, never a bare 500: the caller's request was fine, the
platform will be able to serve it again shortly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import kombu.exceptions
import redis.exceptions
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from core.envelope import error_body

logger = logging.getLogger(__name__)

#: What the Celery producer (kombu) and the Redis client raise when the server cannot be reached.
BROKER_ERRORS: Final[tuple[type[BaseException], ...]] = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
)
#: Seconds a caller is asked to wait before retrying a request that met Redis away.
RETRY_AFTER_SECONDS: Final = 30


def is_broker_down(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the broker or the shared cache cannot be reached."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, BROKER_ERRORS):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def unavailable_body() -> dict[str, Any]:
    """The error envelope of a request that met Redis away."""
    body = error_body(
        "service_unavailable",
        str(_("A background service is briefly unavailable; nothing was lost. Retry after the given seconds.")),
    )
    body["error"]["details"] = [{"retry_after_seconds": RETRY_AFTER_SECONDS}]
    return body


class BrokerDownMiddleware:
    """Answers 503 with ``Retry-After`` in the error envelope when a view met the broker or cache away.

    DRF views get the same from ``core.errors.exception_handler``; this covers the plain Django views (PACT
    endpoints, web pages), which would otherwise answer a bare 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_broker_down(exception):
            return None
        logger.warning("answered 503: %s %s met Redis away (%s)", request.method, request.path, exception)
        response = JsonResponse(unavailable_body(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

"""A request id on every request and every log line it causes, and who and where the request came from.

The id comes from the caller's ``X-Request-ID`` (so a trace crosses services) when it looks sane, or is
made fresh; it is echoed in the response and attached to log records through a context variable, which
also covers code that runs outside the request object (services, selectors).

The same middleware keeps the request itself in ``request_context_var``: the audit trail
(``passports.audit``) reads the caller's IP address and identity from it when a model changes, however deep
in the call stack that happens. The identity is read when an event is recorded, not here, because API
clients are authenticated by DRF inside the view, after every middleware has run.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass(frozen=True)
class RequestContext:
    """What the audit trail needs to know about the request being served."""

    request_id: str
    ip: str
    request: Any


request_context_var: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def client_ip(request: HttpRequest) -> str:
    """The peer address as the WSGI server saw it.

    ``X-Forwarded-For`` is not read: any caller can send it, and believing it would let anyone write
    someone else's address into the audit trail. Behind a proxy, the proxy sets ``REMOTE_ADDR``.
    """
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _ACCEPTABLE.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        context_token = request_context_var.set(RequestContext(request_id, client_ip(request), request))
        try:
            response = self.get_response(request)
        finally:
            request_context_var.reset(context_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True

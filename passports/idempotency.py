"""Idempotency-Key for every write of the API: a retried request never does the work twice.

A partner whose connection dropped after a POST cannot know whether the passport was created. With an
``Idempotency-Key`` header (IETF draft-ietf-httpapi-idempotency-key-header) it can simply send the request
again: the same key and the same request replay the first answer (status, body, content type and the
headers that matter: ETag, Location); the same key with another request answers 422; a key whose first
request is still running answers 409 with ``Retry-After``. Keys are scoped per caller (API client or
person) and kept for ``IDEMPOTENCY_KEY_TTL_SECONDS`` (24 h by default).

Answers that describe the moment rather than the request are not kept, so the retry runs again: server
errors (5xx), 401/403 (credentials may be fixed), 408 and 429 (rate limits pass). A process killed while
it ran leaves its key ``in_flight``; after ``IDEMPOTENCY_IN_FLIGHT_SECONDS`` a retry takes it over.

The claim is a plain INSERT under a unique constraint on (caller, key), in its own transaction before the
view runs: of twenty concurrent requests with one key exactly one does the work, whatever the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import error_body
from passports.models import ApiClient
from passports.models.idempotency import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The headers of the first answer that a replay repeats; the rest (Date, X-Request-ID, CSP) are the new
# request's own.
REPLAYED_HEADERS = ("ETag", "Location", "Content-Disposition", "Content-Language", "Last-Modified")
NOT_KEPT = frozenset({401, 403, 408, 429})
_KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,255}$")
_CHUNK = 1 << 20


def ttl() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "IDEMPOTENCY_KEY_TTL_SECONDS", 24 * 3600)))


def in_flight_limit() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "IDEMPOTENCY_IN_FLIGHT_SECONDS", 120)))


def applies_to(request: HttpRequest) -> bool:
    prefix = getattr(settings, "IDEMPOTENCY_PATH_PREFIX", "/api/v1/")
    return (
        request.method in WRITE_METHODS
        and request.path.startswith(prefix)
        and HEADER in request.headers
        and view_accepts(request)
    )


def view_accepts(request: HttpRequest) -> bool:
    """Whether the route exists and its view has a handler for the method.

    A key is about a write; a path that matches no route (404) or a method the view lacks (405) gets the
    view's own answer, whatever key came with it.
    """
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    method = (request.method or "").lower()
    callback = match.func
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return True  # a function view: it says nothing about its methods
    if method not in getattr(cls, "http_method_names", ()):
        return False
    actions = getattr(callback, "actions", None)
    return method in actions if actions is not None else hasattr(cls, method)


def caller_scope(request: HttpRequest) -> str | None:
    """Who is asking, as DRF will decide it: a bearer token's API client first, else the session's person.

    The token is looked up by its SHA-256 (django-oauth-toolkit keeps only that checksum); an unknown or
    expired token gives None, and the view answers 401 as it would without the header.
    """
    authorization = request.headers.get("Authorization", "")
    scheme, _sep, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        checksum = hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
        client_id = (
            ApiClient.objects.filter(
                application__accesstoken__token_checksum=checksum,
                application__accesstoken__expires__gt=timezone.now(),
                revoked_at__isnull=True,
            )
            .values_list("pk", flat=True)
            .first()
        )
        return f"client:{client_id}" if client_id is not None else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _boundary(content_type: str) -> bytes | None:
    match = re.search(r'boundary="?([^";]+)"?', content_type, flags=re.IGNORECASE)
    return b"--" + match.group(1).encode("latin-1") if match else None


def digest_body(chunks: Iterable[bytes], marker: bytes | None) -> str:
    """SHA-256 of a body, with a multipart boundary replaced by a constant.

    HTTP libraries draw a fresh random boundary for every request, so an honest retry of the same upload
    differs only there. The replacement token holds NUL bytes, which a boundary cannot (RFC 2046 §5.1.1),
    so it can never combine with what follows into another boundary.
    """
    digest = hashlib.sha256()
    carry = b""
    keep = len(marker) - 1 if marker else 0
    for chunk in chunks:
        data = carry + chunk
        if marker:
            data = data.replace(marker, b"\0boundary\0")
        if keep and len(data) > keep:
            carry, data = data[-keep:], data[:-keep]
        elif keep:
            carry, data = data, b""
        digest.update(data)
    digest.update(carry)
    return digest.hexdigest()


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def request_fingerprint(request: HttpRequest) -> str | None:
    """What makes two requests "the same": method, path with query, media type and body.

    Bodies up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are read into memory (the view parses them from there);
    larger uploads are spooled to a temporary file while hashed and handed to the view from it. Bodies past
    ``IDEMPOTENCY_MAX_BODY_BYTES`` are not fingerprinted (None): the view refuses them as too large anyway.
    """
    content_type = request.META.get("CONTENT_TYPE", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    marker = _boundary(content_type) if media_type.startswith("multipart/") else None
    length = _declared_length(request)
    if length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
        body_digest = digest_body([request.body], marker)
    elif length <= int(getattr(settings, "IDEMPOTENCY_MAX_BODY_BYTES", 256 * 1024 * 1024)) and marker:
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115  # handed on to the view
        stream: Any = request._stream  # WSGIRequest's LimitedStream over the socket

        def chunks() -> Iterable[bytes]:
            while block := stream.read(_CHUNK):
                spool.write(block)
                yield block

        body_digest = digest_body(chunks(), marker)
        spool.seek(0)
        # The view reads the upload from the spooled copy, exactly as it would have from the socket.
        request._stream = cast(Any, spool)
    else:
        return None
    head = "\0".join([request.method or "", request.get_full_path(), media_type, body_digest])
    return hashlib.sha256(head.encode("utf-8")).hexdigest()


def _error(status: int, code: str, message: str, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status_code or 200, content_type=row.content_type or None)
    for name, value in (row.headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


class Claim:
    """The outcome of trying to take a key: ours to run, or an answer to give at once."""

    def __init__(self, row: IdempotencyKey | None = None, answer: HttpResponseBase | None = None) -> None:
        self.row = row
        self.answer = answer


def claim(*, scope: str, key: str, fingerprint: str, request: HttpRequest) -> Claim:
    """Insert the key as in flight, or find who holds it and say what to answer."""
    now = timezone.now()
    locked_until = now + in_flight_limit()
    fields: dict[str, Any] = {
        "fingerprint": fingerprint,
        "method": request.method or "",
        "path": request.path[:2000],
        "state": IdempotencyKey.State.IN_FLIGHT,
        "locked_until": locked_until,
        "expires_at": now + ttl(),
    }
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Claim(row=IdempotencyKey.objects.create(scope=scope, key=key, **fields))
        except IntegrityError:
            pass
        with transaction.atomic():
            row = IdempotencyKey.objects.select_for_update().filter(scope=scope, key=key).first()
            if row is None:  # deleted meanwhile (a 5xx, or expired and purged): try the insert again
                continue
            if row.expires_at <= now:
                row.delete()
                continue
            if row.fingerprint != fingerprint:
                return Claim(
                    answer=_error(
                        422,
                        "idempotency_key_reused",
                        _("This Idempotency-Key was used with a different request; use a new key."),
                    )
                )
            if row.state == IdempotencyKey.State.DONE:
                return Claim(answer=_replay(row))
            if row.locked_until > now:
                return Claim(
                    answer=_error(
                        409,
                        "idempotency_key_in_flight",
                        _("A request with this Idempotency-Key is still running; retry shortly."),
                        retry_after=1,
                    )
                )
            # The first request's process died while it ran: this retry takes the key over.
            row.locked_until = locked_until
            row.save(update_fields=["locked_until"])
            return Claim(row=row)
    return Claim(answer=_error(409, "idempotency_key_in_flight", _("Retry shortly."), retry_after=1))


def _keep(row: IdempotencyKey, response: HttpResponseBase) -> None:
    kept = not response.streaming and response.status_code < 500 and response.status_code not in NOT_KEPT
    if not kept or not isinstance(response, HttpResponse):
        IdempotencyKey.objects.filter(pk=row.pk).delete()
        return
    IdempotencyKey.objects.filter(pk=row.pk).update(
        state=IdempotencyKey.State.DONE,
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
        body=response.content,
    )


def _release(row: IdempotencyKey, response: HttpResponseBase | None) -> None:
    """Store the answer (or free the key); once more on a fresh connection if the first was lost."""
    for attempt in range(2):
        try:
            if response is None:
                IdempotencyKey.objects.filter(pk=row.pk).delete()
            else:
                _keep(row, response)
            return
        except DatabaseError:
            if attempt:
                # The key stays in flight; a retry takes it over after IDEMPOTENCY_IN_FLIGHT_SECONDS.
                logger.exception("could not record the answer to idempotency key %s", row.pk)
                return
            close_old_connections()


def _route_allows(request: HttpRequest) -> bool:
    """Whether the route takes this method; if not, the view's own 405 must answer, not a replay or 422."""
    try:
        callback = resolve(request.path_info).func
    except Resolver404:
        return False
    method = (request.method or "").lower()
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return method in actions
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return view_class is None or hasattr(view_class, method)


class IdempotencyKeyMiddleware:
    """Applies ``Idempotency-Key`` to API writes; placed after AuthenticationMiddleware (it needs the user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not applies_to(request) or not _route_allows(request):
            return self.get_response(request)
        key = request.headers[HEADER].strip()
        if not _KEY_SHAPE.match(key):
            return _error(
                400, "invalid_idempotency_key", _("Idempotency-Key must be 1 to 255 visible ASCII characters.")
            )
        scope = caller_scope(request)
        fingerprint = request_fingerprint(request) if scope is not None else None
        if scope is None or fingerprint is None:
            return self.get_response(request)
        taken = claim(scope=scope, key=key, fingerprint=fingerprint, request=request)
        if taken.row is None:
            return taken.answer or _error(409, "idempotency_key_in_flight", _("Retry shortly."), retry_after=1)
        response: HttpResponseBase | None = None
        try:
            response = self.get_response(request)
        finally:
            _release(taken.row, response)
        return response


def idempotency_keys_purge() -> int:
    """Delete expired keys; returns how many. Run daily by Celery beat (``config.settings.base``)."""
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted

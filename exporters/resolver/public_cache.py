"""What an anonymous scan of a QR code costs: a published passport's public answers, rendered once.

Every printed QR code is a public request, and a published version's public view does not change until a new
version, a revocation or a suspension (or an edit of what the page shows around it: the product's name, the
issuer, its keys). So the resolver's and the passport page's anonymous answers are kept, per worker process, as
the bytes Django produced, and served again before Django builds a request:

- **what is kept**: GET answers (200, 300, 301, 307) under ``/01/`` and ``/dpp/01/`` to callers with neither a
  session nor an ``Authorization`` header, without ``Set-Cookie`` and not marked private; the key is the path,
  the query, and the request headers the answer varies by (``Accept``, ``Accept-Language``, the language cookie,
  ``Host``). Callers who may see more than the public tier always reach Django.
- **when it is dropped**: each GTIN has a generation in the shared cache (Redis in production) and so has the
  platform as a whole; a kept answer is served only while both are what they were when it was rendered. A new
  version, a revocation or a suspension changes the GTIN's generation after its transaction commits, so the
  next request anywhere renders afresh; product, organization and signing-key changes change the platform's.
- **validators**: each kept answer carries a strong ``ETag`` (SHA-256 of the body); ``If-None-Match`` gets
  ``304``. ``Cache-Control`` is the view's: ``public, no-cache`` by default (a CDN keeps the body and revalidates
  every request, so a revocation is visible on the next scan), or a ``max-age`` of ``PUBLIC_CACHE_MAX_AGE``
  seconds where a short delay is acceptable.
Worker processes share generations, not bodies: with several workers and no Redis (``make run`` has one
process) each keeps its own generations, which is why production settings use Redis as the cache.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

from core.degraded import BROKER_ERRORS
from core.jobs import enqueue_after_commit
from passports.identifiers import DigitalLink

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_PATH = re.compile(r"^(?:/dpp)?/01/([0-9]{8,14})(?:/|$)")
_STORED_STATUSES = frozenset({200, 300, 301, 307})
#: Headers a kept answer does not repeat: per-request or per-caller.
_NOT_REPLAYED = frozenset({"x-request-id", "set-cookie", "date"})
_PLATFORM_KEY = "dpp:public-cache:platform"
_ENTRIES_PER_PROCESS = 4096


def public_cache_control() -> str:
    """``Cache-Control`` of a public answer: revalidate every time, or ``PUBLIC_CACHE_MAX_AGE`` seconds."""
    max_age = int(getattr(settings, "PUBLIC_CACHE_MAX_AGE", 0))
    return f"public, max-age={max_age}" if max_age > 0 else "public, no-cache"


def _gtin_key(gtin: str) -> str:
    return f"dpp:public-cache:gtin:{gtin.zfill(14)}"


class _Generations:
    """The shared generations, read once per request.

    On Redis the keys are read with one ``MGET`` on the cache's own connection pool, as plain strings: Django's
    cache API (key versioning, pickling) costs three times the CPU of the round trip, and this read is most of a
    kept answer's cost. Any other cache backend goes through the cache API.
    """

    def __init__(self) -> None:

        backend = caches["default"]
        # RedisCache keeps its client in _cache (Django 5.2); its pool is shared with every other cache read.
        self._redis = backend._cache.get_client(write=True) if isinstance(backend, RedisCache) else None  # type: ignore[attr-defined]
        self._cache = backend

    def read(self, keys: list[str]) -> list[str]:
        if self._redis is not None:
            values = self._redis.mget(keys)
            for index, value in enumerate(values):
                if value is None:  # first use, or evicted: a new generation, never the one before
                    self._redis.set(keys[index], uuid.uuid4().hex, nx=True)
                    values[index] = self._redis.get(keys[index])
            return [value.decode() if isinstance(value, bytes) else str(value) for value in values]
        found = self._cache.get_many(keys)
        for key in keys:
            if key not in found:
                self._cache.add(key, uuid.uuid4().hex, timeout=None)
                found[key] = self._cache.get(key)
        return [str(found[key]) for key in keys]

    def renew(self, key: str) -> None:
        if self._redis is not None:
            self._redis.set(key, uuid.uuid4().hex)
        else:
            self._cache.set(key, uuid.uuid4().hex, timeout=None)


_generations: _Generations | None = None


def generations() -> _Generations:
    global _generations  # noqa: PLW0603  # one reader per process, made on first use (settings are ready then)
    if _generations is None:
        _generations = _Generations()
    return _generations


def reset_generations() -> None:
    """Forget the reader (tests that switch the cache backend)."""
    global _generations  # noqa: PLW0603
    _generations = None


def renew_or_defer(key: str) -> None:
    """Renew a generation now; with Redis away, through the outbox once it is back (the kept answers of every
    process that reads a generation meanwhile are dropped: it cannot tell them current, see ``__call__``)."""
    try:
        generations().renew(key)
    except BROKER_ERRORS as exc:
        logger.warning("public cache: could not renew %s now (%s); the outbox will", key, exc)
        enqueue_after_commit(public_cache_renew, key)


@shared_task(name="exporters.public_cache_renew", ignore_result=True)
def public_cache_renew(key: str) -> None:
    """A generation renewal that met Redis away, done once it is back (idempotent: any new value drops)."""
    generations().renew(key)


def invalidate_gtin(gtin: str) -> None:
    """Drop every kept answer about ``gtin`` once the current transaction commits (now, outside one)."""
    key = _gtin_key(gtin)
    transaction.on_commit(lambda: renew_or_defer(key))


def invalidate_passport(passport: Any) -> None:
    """``invalidate_gtin`` for the GTIN of a passport's Digital Link."""

    invalidate_gtin(DigitalLink.parse(passport.identifier).gtin)


def invalidate_all() -> None:
    """Drop every kept answer once the current transaction commits: for changes every page may show."""
    transaction.on_commit(lambda: renew_or_defer(_PLATFORM_KEY))


def _generation(gtin: str) -> tuple[str, str]:
    """The (platform, GTIN) generations now."""
    platform, own = generations().read([_PLATFORM_KEY, _gtin_key(gtin)])
    return platform, own


@dataclass(frozen=True)
class Kept:
    generation: tuple[str, str]
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


def _cacheable(environ: dict[str, Any]) -> str | None:
    """The GTIN of a request the cache may answer, or None (see the module docstring)."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_AUTHORIZATION"):
        return None
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies and settings.SESSION_COOKIE_NAME + "=" in cookies:
        return None
    match = _PATH.match(environ.get("PATH_INFO", ""))
    return match.group(1) if match else None


def _language_cookie(environ: dict[str, Any]) -> str:
    cookies = environ.get("HTTP_COOKIE", "")
    name = settings.LANGUAGE_COOKIE_NAME + "="
    start = cookies.find(name)
    return cookies[start + len(name) :].split(";", 1)[0] if start >= 0 else ""


def _key(environ: dict[str, Any]) -> tuple[str, ...]:
    return (
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        _language_cookie(environ),
        environ.get("HTTP_HOST", ""),
        environ.get("wsgi.url_scheme", ""),
    )


def _matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in offered or etag in offered


class PublicResponseCache:
    """WSGI wrapper that keeps and replays anonymous public answers (see the module docstring)."""

    def __init__(self, app: WSGIApp, *, max_entries: int = _ENTRIES_PER_PROCESS) -> None:
        self.app = app
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, ...], Kept] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        gtin = _cacheable(environ) if getattr(settings, "PUBLIC_PAGE_CACHE", False) else None
        if gtin is None:
            return self.app(environ, start_response)
        key = _key(environ)
        try:
            generation = _generation(gtin)
        except BROKER_ERRORS:
            # Redis away: no kept answer can be told current (a publication may have renewed nothing), so
            # this process forgets them all and renders each request until Redis answers again.
            with self._lock:
                self._entries.clear()
            return self.app(environ, start_response)
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None:
                self._entries.move_to_end(key)
        if kept is None or kept.generation != generation:
            if environ["REQUEST_METHOD"] != "GET":
                return self.app(environ, start_response)
            status, headers, body = self._render(environ)
            kept = self._keepable(status, headers, body, generation)
            if kept is None:
                start_response(status, headers)
                return [body]
            with self._lock:
                self._entries[key] = kept
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return self._replay(kept, environ, start_response)

    def _render(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Run Django and collect its answer."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # Django's request_finished: database connections go back
        return captured["status"], captured["headers"], body

    @staticmethod
    def _keepable(status: str, headers: list[tuple[str, str]], body: bytes, generation: tuple[str, str]) -> Kept | None:
        names = {name.lower(): value for name, value in headers}
        control = names.get("cache-control", "").lower()
        if (
            int(status.split(" ", 1)[0]) not in _STORED_STATUSES
            or "set-cookie" in names
            or "private" in control
            or "no-store" in control
        ):
            return None
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        kept_headers = [(n, v) for n, v in headers if n.lower() not in _NOT_REPLAYED and n.lower() != "etag"]
        kept_headers.append(("ETag", etag))
        return Kept(generation=generation, status=status, headers=kept_headers, body=body, etag=etag)

    def _replay(self, kept: Kept, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _matches(environ.get("HTTP_IF_NONE_MATCH", ""), kept.etag):
            headers = [(n, v) for n, v in kept.headers if n.lower() not in ("content-length", "content-type")]
            start_response("304 Not Modified", headers)
            return []
        start_response(kept.status, kept.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]

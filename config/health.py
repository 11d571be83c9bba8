"""Liveness and readiness probes.

``/healthz`` answers from the process alone (no I/O), so a slow database never gets a healthy web process
killed; ``/readyz`` checks what a request needs: the database, and Redis when it is configured.
"""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"; the message says which
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_redis() -> str | None:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:  # connection refused, timeout, auth: all "not ready"
        return f"{type(exc).__name__}: {exc}"
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, object]] = {}
    for name, check in [("database", _check_database), ("redis", _check_redis if settings.REDIS_URL else None)]:
        if check is None:
            checks[name] = {"status": "not_configured"}
            continue
        started = time.perf_counter()
        error = check()
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        checks[name] = {"status": "ok" if error is None else "error", "ms": elapsed_ms}
        if error:
            checks[name]["error"] = error
    ready = all(c["status"] != "error" for c in checks.values())
    return JsonResponse({"status": "ready" if ready else "not_ready", "checks": checks}, status=200 if ready else 503)

"""Platform-level Celery tasks."""

from __future__ import annotations

import socket

from celery import shared_task
from django.core.cache import cache


@shared_task(name="config.worker_ping")
def worker_ping(token: str) -> str:
    """Proves a worker took a task from the broker: it leaves its host name in the shared cache.

    Used by readiness checks and by the suite's real-worker tests (no result backend is configured;
    job state lives in our own tables and the cache).
    """
    hostname = socket.gethostname()
    cache.set(f"worker-ping:{token}", hostname, timeout=300)
    return hostname

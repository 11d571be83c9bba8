"""Periodic housekeeping of the passports app, run by Celery beat (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from passports.idempotency import idempotency_keys_purge


@shared_task(name="passports.purge_idempotency_keys")
def purge_idempotency_keys_task() -> int:
    """Deletes the Idempotency-Key records older than their time to live; returns how many."""
    return idempotency_keys_purge()

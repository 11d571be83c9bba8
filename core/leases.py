"""Leases of long jobs (imports, bulk operations): which run of a job may write to it.

A run takes the job with a fresh lease and checks it, with the job's row locked, before each chunk it commits.
A second run (a redelivered message, a sweeper's resume, a worker restarted under its own name) takes a new
lease, and the first run's next check fails with ``LeaseLostError``, so it stops without committing. The
functions are written once for every job model with the fields they name (``lease``, ``runner``, ``status``,
``started_at``, ``finished_at``, ``error_code``, ``error_en``, ``error_ko``, ``updated_at``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

Job = TypeVar("Job", bound=models.Model)


class LeaseLostError(Exception):
    """Another run of the same job took over; this one stops without committing."""


def lease_take(model: type[Job], job_id: int, runner: str, *, refused: Callable[[Job], bool]) -> str | None:
    """Start a run: mark the job running under a new lease and return it (None when ``refused(job)``)."""
    with transaction.atomic():
        job: Any = model._default_manager.select_for_update().get(pk=job_id)
        if refused(job):
            return None
        job.lease = uuid.uuid4().hex
        job.runner = runner[:200]
        job.status = model.Status.RUNNING  # type: ignore[attr-defined]  # every job model has its Status
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["lease", "runner", "status", "started_at", "updated_at"])
        return str(job.lease)


def lease_locked(model: type[Job], job_id: int, lease: str) -> Job:
    """The job's row, locked until the caller's transaction ends, if ``lease`` still holds it."""
    job = model._default_manager.select_for_update().get(pk=job_id)
    if job.lease != lease:  # type: ignore[attr-defined]  # a job model's field
        raise LeaseLostError()
    return job


def lease_fail(model: type[Job], job_id: int, lease: str, *, code: str, message_en: str, message_ko: str) -> None:
    """Mark the job failed with its reason, unless another run holds it now."""
    with transaction.atomic():
        job: Any = model._default_manager.select_for_update().get(pk=job_id)
        if job.lease != lease:
            return
        job.status, job.error_code = model.Status.FAILED, code  # type: ignore[attr-defined]
        job.error_en, job.error_ko = message_en, message_ko
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error_code", "error_en", "error_ko", "finished_at", "updated_at"])

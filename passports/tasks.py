"""Tasks of the passports app: periodic housekeeping (Celery beat, ``CELERY_BEAT_SCHEDULE``) and bulk jobs."""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready

from passports.idempotency import idempotency_keys_purge
from passports.outbox import outbox_dispatch
from passports.services.bulk import BULK_JOB_TASK, bulk_job_run, bulk_jobs_resume_orphaned

logger = logging.getLogger(__name__)


@shared_task(name="passports.purge_idempotency_keys")
def purge_idempotency_keys_task() -> int:
    """Deletes the Idempotency-Key records older than their time to live; returns how many."""
    return idempotency_keys_purge()


@shared_task(name=BULK_JOB_TASK, bind=True)
def bulk_job_task(self: Any, job_id: int) -> None:
    """Run a confirmed bulk job (``passports.services.bulk``); a redelivered task resumes at its checkpoint."""
    try:
        bulk_job_run(job_id=job_id, runner=str(self.request.hostname or ""))
    except SoftTimeLimitExceeded:
        # The committed chunks are kept; a fresh task continues after the checkpoint within a new limit.
        bulk_job_task.apply_async(args=[job_id])


@shared_task(name="passports.bulk.resume_orphaned")
def bulk_jobs_resume_orphaned_task() -> list[int]:
    """Queue again the running bulk jobs whose worker does not answer a ping (killed, lost its host)."""
    replies = current_app.control.ping(timeout=2.0) or []
    return bulk_jobs_resume_orphaned(alive={name for reply in replies for name in reply})


@worker_ready.connect
def resume_bulk_jobs_after_worker_start(sender: Any = None, **kwargs: Any) -> None:
    """A starting worker resumes the bulk jobs left running by a worker that died (through the broker)."""
    current_app.send_task(bulk_jobs_resume_orphaned_task.name)


@shared_task(name="passports.outbox_dispatch", ignore_result=True)
def outbox_dispatch_task() -> int:
    """Sends what the outbox still holds (beat, and at every worker start); returns how many were sent."""
    report = outbox_dispatch()
    if report.sent or report.pending:
        logger.info("outbox: %s sent, %s still pending", report.sent, report.pending)
    return report.sent


@worker_ready.connect(dispatch_uid="passports.outbox_at_worker_start")
def dispatch_outbox_at_worker_start(sender: Any = None, **kwargs: Any) -> None:
    """A worker that starts means a broker is reachable: whatever piled up while it was away goes now."""
    try:
        outbox_dispatch_task.apply_async()
    except Exception:
        logger.exception("could not queue the outbox dispatch at worker start; beat will run it")

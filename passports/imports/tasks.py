"""Celery tasks of the import: run a job by id, and resume the jobs of workers that died.

The task only takes the job id and calls the service; all state is in ``ImportJob``. Tasks are
acknowledged late (settings), so a worker that dies mid-import leaves the message to be redelivered; the
job's checkpoint makes the redelivered run continue rather than start over.
"""

from __future__ import annotations

from typing import Any

from celery import current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from passports.imports.services import IMPORT_JOB_TASK, import_job_run, import_jobs_resume_orphaned


@shared_task(name=IMPORT_JOB_TASK, bind=True)
def import_job_task(self: Any, job_id: int) -> None:
    try:
        import_job_run(job_id=job_id, runner=str(self.request.hostname or ""))
    except SoftTimeLimitExceeded:
        # The committed chunks are kept; a fresh task continues after the checkpoint within a new limit.
        import_job_task.apply_async(args=[job_id])


@shared_task(name="passports.imports.resume_orphaned")
def imports_resume_orphaned(started: str = "", started_at: str = "") -> list[int]:
    """Queue again the running imports no live worker runs: their worker does not answer a ping (killed,
    lost its host), or it is ``started``, restarted since (``started_at``) under the same name."""

    replies = current_app.control.ping(timeout=2.0) or []
    alive = {name for reply in replies for name in reply}
    return import_jobs_resume_orphaned(alive=alive, started=started, started_at=parse_datetime(started_at or ""))


@worker_ready.connect
def resume_after_worker_start(sender: Any = None, **kwargs: Any) -> None:
    """A starting worker, whatever its name, looks for imports left running by a worker that died before it
    (itself too, in an earlier life under the same name).

    ``send_task`` always goes through the broker (never runs eagerly in the worker's main process), so the
    check runs in a pool process like any task, once the worker consumes.
    """

    name = str(getattr(sender, "hostname", "") or "")
    current_app.send_task(imports_resume_orphaned.name, args=[name, timezone.now().isoformat()])

"""Celery tasks of footprint recalculation: they take a job id and call the service; state is in the job.

Tasks are acknowledged late (settings), so a worker killed mid-way leaves its message to be redelivered;
a starting worker also queues again the jobs left running by a worker that no longer answers. Either way
the job continues after its last committed batch. A task that reaches its soft time limit queues a fresh
run, which continues the same way; any other error marks the job failed, with the message.
"""

from __future__ import annotations

from typing import Any

from celery import current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready

from lca.recalculation import (
    RECALCULATION_JOB_TASK,
    recalculation_job_fail,
    recalculation_job_run,
    recalculation_jobs_resume_orphaned,
)


@shared_task(name=RECALCULATION_JOB_TASK, bind=True)
def recalculation_job_task(self: Any, job_id: int) -> None:
    try:
        recalculation_job_run(job_id=job_id, runner=str(self.request.hostname or ""))
    except SoftTimeLimitExceeded:
        recalculation_job_task.apply_async(args=[job_id])
    except Exception as exc:
        recalculation_job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="lca.recalculations.resume_orphaned")
def recalculations_resume_orphaned() -> list[int]:
    """Queue again the recalculations whose worker does not answer a ping (killed, lost its host)."""

    replies = current_app.control.ping(timeout=2.0) or []
    alive = {name for reply in replies for name in reply}
    return recalculation_jobs_resume_orphaned(alive=alive)


@worker_ready.connect
def resume_recalculations_after_worker_start(sender: Any = None, **kwargs: Any) -> None:
    """A starting worker looks for recalculations left running by a worker that died before it."""
    recalculations_resume_orphaned.apply_async()

"""Celery tasks of footprint recalculation: they take a job id and call the service; state is in the job.

Tasks are acknowledged late (settings), so a worker killed mid-way leaves the message to be redelivered
and the job continues after its last committed batch. A task that reaches its soft time limit queues a
fresh run, which continues the same way; any other error marks the job failed, with the message.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from lca.services import recalculation_job_fail, recalculation_job_run


@shared_task(name="lca.recalculate", bind=True)
def recalculation_job_task(self: Any, job_id: int) -> None:
    try:
        recalculation_job_run(job_id=job_id, runner=str(self.request.hostname or ""))
    except SoftTimeLimitExceeded:
        recalculation_job_task.apply_async(args=[job_id])
    except Exception as exc:
        recalculation_job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise

"""Celery tasks of the backup copy: replicate one version until confirmed; sweep up what is missing.

``replicate_version_task`` retries on any failure with exponential backoff (30 s doubling to an hour, with
jitter) for about a day; ``replicate_pending`` (run it from beat, e.g. hourly, and on demand) enqueues every
published version whose copy is missing, unconfirmed or older than its last change, so a version whose
retries ran out, or whose enqueue was lost with a broker outage, is copied in the end all the same.

``replicate_after_commit`` is how publication and revocation ask for a copy: through the transactional outbox
(``core.jobs.enqueue_after_commit``), its row commits with the publication, the task is sent once the transaction
commits, and, if the broker is away then, once it is back.
"""

from __future__ import annotations

import logging

from celery import shared_task

from core.jobs import enqueue_after_commit
from exporters.backup.replication import replicate_version, versions_needing_backup

logger = logging.getLogger(__name__)

MAX_RETRIES = 30  # with a one-hour backoff cap: about a day of trying before the sweep takes over


@shared_task(
    name="exporters.backup.replicate_version",
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
)
def replicate_version_task(version_id: int) -> None:
    record = replicate_version(version_id)
    logger.info("backup of version %s confirmed at %s", version_id, record.location)


@shared_task(name="exporters.backup.replicate_pending")
def replicate_pending(limit: int = 10_000) -> int:
    """Enqueue a replication for each version still without a confirmed, current copy; returns how many."""
    ids = list(versions_needing_backup().order_by("pk").values_list("pk", flat=True)[:limit])
    for version_id in ids:
        replicate_version_task.delay(version_id)
    return len(ids)


def replicate_after_commit(*version_ids: int) -> None:
    """Copy these versions to the backup store once the current transaction commits (through the outbox)."""
    for version_id in version_ids:
        enqueue_after_commit(replicate_version_task, version_id)

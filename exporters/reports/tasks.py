"""Celery tasks of reports: build a report pack; on worker start, pick up packs whose worker died.

The task takes the pack id, reloads the row and calls ``packs.pack_build``, which is idempotent and
resumable: a redelivered or duplicated message finishes the pack or does nothing. A worker killed outright
leaves its message unacknowledged in the broker until the visibility timeout (hours, so long jobs are not
run twice); packs stalled that long are picked up sooner by the status endpoint and by the next worker
that starts (``worker_ready``).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from exporters.reports.packs import pack_build, pack_touch, stalled_packs

logger = logging.getLogger(__name__)


@shared_task(name="exporters.reports.build_report_pack", acks_late=True, reject_on_worker_lost=True)
def build_report_pack(pack_id: int) -> None:
    pack = pack_build(pack_id)
    logger.info("report pack %s: %s, %s of %s reports", pack.pk, pack.status, pack.done, pack.total)


def resume_stalled_packs() -> int:
    """Enqueue every pack without progress for the stall period again; returns how many."""
    packs = stalled_packs()
    for pack in packs:
        pack_touch(pack)
        build_report_pack.delay(pack.pk)
    return len(packs)


@worker_ready.connect(dispatch_uid="exporters.reports.resume_stalled_packs")
def resume_stalled_packs_on_start(**kwargs: Any) -> None:
    try:
        resumed = resume_stalled_packs()
    except Exception:  # a worker must start even when the database is briefly away
        logger.exception("could not look for stalled report packs")
        return
    if resumed:
        logger.info("re-enqueued %s stalled report pack(s)", resumed)

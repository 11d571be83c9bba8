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

from exporters.reports.packs import (
    missing_chunks,
    pack_finish,
    pack_render_chunk,
    pack_start,
    pack_touch,
    stalled_packs,
)

logger = logging.getLogger(__name__)


@shared_task(name="exporters.reports.build_report_pack", acks_late=True, reject_on_worker_lost=True)
def build_report_pack(pack_id: int) -> None:
    """Start (or resume) a pack: small ones in this task, larger ones as chunks the worker pool shares.

    A worker runs one task per pool process, so chunks render on every core at once; the chunk that
    finds every report staged zips the pack. Chunks already complete are not sent again on a resume.
    """
    pack = pack_start(pack_id)
    if pack is None:
        return
    chunks = missing_chunks(pack)
    if len(chunks) <= 1:
        pack_render_chunk(pack_id, 0, len(pack.items))
        built = pack_finish(pack_id)
        if built is not None:
            logger.info("report pack %s done: %s reports", built.pk, built.total)
        return
    for first, last in chunks:
        render_report_pack_chunk.delay(pack_id, first, last)
    pack_finish(pack_id)  # with eager tasks every chunk has run by now; otherwise the last chunk zips


@shared_task(name="exporters.reports.render_report_pack_chunk", acks_late=True, reject_on_worker_lost=True)
def render_report_pack_chunk(pack_id: int, first: int, last: int) -> None:
    pack_render_chunk(pack_id, first, last)
    finished = pack_finish(pack_id)
    if finished is not None:
        logger.info("report pack %s done: %s reports", finished.pk, finished.total)


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

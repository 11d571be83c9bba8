"""The stuck-job sweeper: background jobs whose worker died are found by their stale heartbeat and resumed.

Long jobs (CSV imports, batch report packs) keep their state in our own tables and commit progress as they
go, each with a timestamp that moves while the job is alive (``heartbeat_at``, or ``updated_at`` where a
model has no heartbeat). Three failures leave a job that no worker is working on:

- the worker was killed (kill -9, a lost machine): its message stays unacknowledged in Redis until the
  visibility timeout, hours away, so long jobs are not run twice;
- Redis restarted without persistence and lost the queued message;
- the message was never sent (the web process died between commit and enqueue).

Celery beat runs ``sweep_stuck_jobs`` every minute (``CELERY_BEAT_SCHEDULE``). For each kind of job in
``settings.STUCK_JOBS`` it finds rows in a live status whose heartbeat is older than the kind's stall
period and enqueues the job's own task again. The tasks are idempotent and resumable (imports continue
after their last committed chunk under a new lease, packs skip the reports already rendered), so a job that
was only slow, not dead, loses at most the work since its last checkpoint. Each row is claimed by a
conditional UPDATE that moves its heartbeat to now: two sweepers running at once enqueue it once, and a job
is re-enqueued at most once per stall period.

The kinds are named in settings (model label, task path), so this module imports no app. The task keeps
its first name, ``passports.sweep_stuck_jobs``, so the beat schedule and queued messages still resolve.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StuckJobKind:
    """One kind of background job the sweeper watches.

    ``task`` is the dotted path of the Celery task that runs (or resumes) one job from its primary key;
    ``heartbeat`` the timestamp field that moves while the job makes progress; a row whose heartbeat is
    empty counts from ``created_at``.
    """

    model: str
    task: str
    heartbeat: str
    stale_seconds: int
    statuses: tuple[str, ...] = ("queued", "running")
    status_field: str = "status"
    created_field: str = "created_at"

    @classmethod
    def from_setting(cls, entry: dict[str, Any]) -> StuckJobKind:
        return cls(**{**entry, "statuses": tuple(entry.get("statuses", cls.statuses))})


@dataclass
class SweepReport:
    """What one sweep found and re-enqueued, by model label."""

    resumed: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(pks) for pks in self.resumed.values())


def configured_kinds() -> list[StuckJobKind]:
    return [StuckJobKind.from_setting(entry) for entry in getattr(settings, "STUCK_JOBS", [])]


def _stale(kind: StuckJobKind, limit: datetime) -> models.Q:
    return models.Q(**{f"{kind.heartbeat}__lt": limit}) | models.Q(
        **{f"{kind.heartbeat}__isnull": True, f"{kind.created_field}__lt": limit}
    )


def stuck_rows(kind: StuckJobKind, *, now: datetime | None = None) -> models.QuerySet[Any]:
    """The rows of one kind that are in a live status but have shown no progress for its stall period."""
    model = apps.get_model(kind.model)
    limit = (now or timezone.now()) - timedelta(seconds=kind.stale_seconds)
    live = models.Q(**{f"{kind.status_field}__in": kind.statuses})
    return model._default_manager.filter(live & _stale(kind, limit)).order_by("pk")


def sweep_stuck_jobs(*, kinds: list[StuckJobKind] | None = None, now: datetime | None = None) -> SweepReport:
    """Re-enqueue every stuck job once; returns the ids it resumed, by model."""
    now = now or timezone.now()
    report = SweepReport()
    for kind in configured_kinds() if kinds is None else kinds:
        model = apps.get_model(kind.model)
        task = import_string(kind.task)
        limit = now - timedelta(seconds=kind.stale_seconds)
        live = models.Q(**{f"{kind.status_field}__in": kind.statuses})
        for pk in stuck_rows(kind, now=now).values_list("pk", flat=True):
            # The claim: only the sweeper whose UPDATE still finds the row stale re-enqueues it.
            with transaction.atomic():
                claimed = model._default_manager.filter(live & _stale(kind, limit), pk=pk).update(
                    **{kind.heartbeat: now}
                )
                if claimed:
                    transaction.on_commit(partial(task.apply_async, args=[pk]))
            if claimed:
                report.resumed.setdefault(kind.model, []).append(pk)
                logger.warning("re-enqueued stuck %s %s (no progress for %s s)", kind.model, pk, kind.stale_seconds)
    return report


@shared_task(name="passports.sweep_stuck_jobs")
def sweep_stuck_jobs_task() -> dict[str, list[int]]:
    return sweep_stuck_jobs().resumed

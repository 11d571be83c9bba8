"""Recalculating stored footprints when what they depend on changes: one job per organization, planned
when it starts (every product with a current footprint that depends on the changed factors or supplier
footprints), run in batches that commit with their progress, resumable after a crash.

The Celery task (``lca.tasks``) takes the job id and calls ``recalculation_job_run``; this module queues it
by its registered name (``RECALCULATION_JOB_TASK``) rather than importing the tasks module, which imports
this one. Callers use the names re-exported by ``lca.services``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from core.jobs import enqueue_after_commit
from lca.computation import footprints_recompute
from lca.models import RecalculationJob
from lca.selectors import organizations_using_factors, products_affected_by
from passports.models import Organization, Product

_ERROR_LIMIT = 1000
RECALCULATION_JOB_TASK = "lca.recalculate"


def _user(by: Any) -> Any:
    return by if isinstance(by, get_user_model()) else None


def recalculation_schedule(
    *,
    factor_ids: Sequence[int] = (),
    component_ids: Sequence[int] = (),
    org: Organization | None = None,
    reason: str = "",
    by: Any = None,
) -> list[RecalculationJob]:
    """One job per organization concerned, each enqueued once the current transaction commits.

    Changed factors concern every organization with activity data on them (a shared factor, many);
    changed supplier footprints concern ``org``. The job finds the affected products when it starts.
    """
    orgs: set[int] = set()
    if factor_ids:
        orgs.update(organizations_using_factors(factor_ids=factor_ids))
        if org is not None:
            orgs &= {org.pk}
    if component_ids and org is not None:
        orgs.add(org.pk)
    jobs = []
    cause = RecalculationJob.Cause.FACTOR if factor_ids else RecalculationJob.Cause.SUPPLIER_FOOTPRINT
    for org_id in sorted(orgs):
        job = RecalculationJob.objects.create(
            organization_id=org_id,
            cause=cause,
            reason=reason[:300],
            factor_ids=sorted(map(int, factor_ids)),
            component_ids=sorted(map(int, component_ids)) if org_id == getattr(org, "pk", None) else [],
            created_by=_user(by),
        )
        enqueue_after_commit(current_app.tasks[RECALCULATION_JOB_TASK], job.pk)
        jobs.append(job)
    return jobs


@transaction.atomic
def recalculation_job_create(
    *, org: Organization, product_ids: Sequence[int] | None = None, by: Any = None
) -> RecalculationJob:
    """A requested recalculation: the given products, or every product of the organization with LCA data."""
    if product_ids is not None:
        known = set(Product.objects.filter(organization=org, pk__in=product_ids).values_list("pk", flat=True))
        if unknown := sorted(set(map(int, product_ids)) - known):
            raise ValidationError({"product_ids": f"Not products of your organization: {unknown[:20]}"})
    job = RecalculationJob.objects.create(
        organization=org,
        cause=RecalculationJob.Cause.MANUAL,
        reason="requested",
        requested_product_ids=sorted(set(map(int, product_ids))) if product_ids is not None else None,
        created_by=_user(by),
    )
    enqueue_after_commit(current_app.tasks[RECALCULATION_JOB_TASK], job.pk)
    return job


def _plan(job: RecalculationJob) -> list[int]:
    org = job.organization
    if job.cause == RecalculationJob.Cause.MANUAL:
        if job.requested_product_ids is not None:
            return sorted(
                set(
                    Product.objects.filter(organization=org, pk__in=job.requested_product_ids).values_list(
                        "pk", flat=True
                    )
                )
            )
        with_data = (
            models.Q(footprints__isnull=False)
            | models.Q(activity_data__isnull=False)
            | models.Q(bom_lines__isnull=False)
            | models.Q(supplier_footprints__isnull=False)
        )
        return sorted(set(Product.objects.filter(organization=org).filter(with_data).values_list("pk", flat=True)))
    return products_affected_by(org=org, factor_ids=job.factor_ids, component_ids=job.component_ids)


def recalculation_batch_size() -> int:
    """Products per committed batch: each batch reads the organization's rows once and factorises once, so
    larger batches are faster, smaller ones commit progress more often. The setting
    ``LCA_RECALCULATION_BATCH`` wins; without it the environment variable of that name, else 5,000."""
    configured = getattr(settings, "LCA_RECALCULATION_BATCH", None) or os.environ.get("LCA_RECALCULATION_BATCH")
    return max(1, int(configured or 5000))


def recalculation_job_run(*, job_id: int, runner: str = "") -> RecalculationJob | None:
    """Run (or resume) a recalculation job: plan once, then commit batch after batch with the progress.

    Each batch stores its footprints and advances ``products_done`` in one transaction, under a lock on
    the job row, so a redelivered task continues after the last committed batch and two runs of the
    same job never store a batch twice.
    """
    with transaction.atomic():
        job = RecalculationJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (RecalculationJob.Status.DONE, RecalculationJob.Status.FAILED):
            return job
        if job.product_ids is None:
            job.product_ids = _plan(job)
            job.products_total = len(job.product_ids)
            job.started_at = timezone.now()
        job.status = RecalculationJob.Status.RUNNING
        job.runner = runner[:200]
        job.save()
    size = recalculation_batch_size()
    while True:
        with transaction.atomic():
            job = RecalculationJob.objects.select_for_update(of=("self",)).select_related("organization").get(pk=job_id)
            ids = job.product_ids or []
            if job.status != RecalculationJob.Status.RUNNING or job.products_done >= len(ids):
                break
            batch = ids[job.products_done : job.products_done + size]
            outcome = footprints_recompute(org=job.organization, product_ids=batch, job=job)
            job.products_changed += len(outcome.stored)
            job.products_unchanged += len(outcome.unchanged)
            job.products_failed += len(outcome.failed)
            room = max(_ERROR_LIMIT - len(job.errors), 0)
            job.errors = job.errors + [error.as_detail() for error in outcome.failed.values()][:room]
            job.products_done += len(batch)
            job.save()
    RecalculationJob.objects.filter(pk=job_id, status=RecalculationJob.Status.RUNNING).update(
        status=RecalculationJob.Status.DONE, finished_at=timezone.now()
    )
    return RecalculationJob.objects.get(pk=job_id)


def recalculation_jobs_resume_orphaned(*, alive: set[str], stale_after_seconds: int = 300) -> list[int]:
    """Queue again the jobs a dead worker left: running under a worker that does not answer, or queued
    long ago and never started (a lost message). A job run twice is safe: batches commit under a lock."""
    stale = timezone.now() - timedelta(seconds=stale_after_seconds)
    running = RecalculationJob.objects.filter(status=RecalculationJob.Status.RUNNING).exclude(runner__in=alive)
    queued = RecalculationJob.objects.filter(status=RecalculationJob.Status.QUEUED, created_at__lt=stale)
    resumed = sorted({*running.values_list("pk", flat=True), *queued.values_list("pk", flat=True)})
    for job_id in resumed:
        current_app.tasks[RECALCULATION_JOB_TASK].apply_async(args=[job_id])
    return resumed


def recalculation_job_fail(*, job_id: int, error: str) -> None:
    """Mark a job failed after an error a retry would not cure; its committed batches stay stored."""
    with transaction.atomic():
        job = RecalculationJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == RecalculationJob.Status.DONE:
            return
        job.status = RecalculationJob.Status.FAILED
        job.finished_at = timezone.now()
        job.errors = [*job.errors, {"code": "failed", "message": error[:2000]}]
        job.save(update_fields=["status", "finished_at", "errors", "updated_at"])

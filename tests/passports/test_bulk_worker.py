"""A real worker killed (kill -9) in the middle of a bulk publication: the restarted worker finishes it, and every
passport is published, signed and reported exactly once. Runs against PostgreSQL and Redis (``DATABASE_URL`` and
``REDIS_URL``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from passports.models import AuditEvent, BulkJob, BulkJobItem, Passport, PassportVersion
from passports.services import bulk
from tests.factories import example_data, make_passport, make_published_passport
from tests.workers import WorkerProcess, wait_for

ITEMS = 120


def _job(pk: int) -> BulkJob:
    return BulkJob.objects.get(pk=pk)


@pytest.mark.celery_worker
@pytest.mark.slow
def test_a_worker_killed_mid_job_is_resumed_and_no_passport_is_lost_or_doubled(
    celery_worker: WorkerProcess, tenant: Any
) -> None:
    model = make_published_passport(tenant.org)
    drafts = [
        make_passport(tenant.org, granularity="item", product=model.product, serial=f"K{n:04d}", data={})
        for n in range(ITEMS - 1)
    ]
    broken_data = example_data("battery")
    broken_data.pop("carbon_footprint")
    broken = make_passport(tenant.org, data=broken_data)
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        selection=bulk.Selection(passport_ids=[p.pk for p in [*drafts, broken]]),
        chunk_size=5,
    )
    with transaction.atomic():
        bulk.bulk_job_confirm(job=job, by=tenant.owner)
    wait_for(lambda: 0 < _job(job.pk).done < ITEMS // 2, 120, 0.02)
    celery_worker.kill()
    at_kill = _job(job.pk)
    assert at_kill.status == BulkJob.Status.RUNNING and 0 < at_kill.done < ITEMS, at_kill.done
    first_runner = at_kill.runner
    # What is committed is exactly the chunks counted: no half chunk survives the kill.
    published = Passport.objects.filter(parent=model, status="published").count()
    assert published == at_kill.succeeded == BulkJobItem.objects.filter(job=job, outcome="done").count()

    celery_worker.start()
    done = wait_for(lambda: (j := _job(job.pk)).status == BulkJob.Status.DONE and j, 180, 0.2)
    assert done.runner != first_runner, celery_worker.log()
    assert (done.total, done.done, done.succeeded, done.failed) == (ITEMS, ITEMS, ITEMS - 1, 1)
    items = BulkJobItem.objects.filter(job=done)
    assert sorted(items.values_list("position", flat=True)) == list(range(ITEMS))  # none twice, none lost
    assert items.get(outcome="refused").passport_id == broken.pk
    versions = PassportVersion.objects.filter(passport__in=drafts, status="published")
    assert versions.count() == ITEMS - 1
    published_events = AuditEvent.objects.filter(
        action="passport.published", object_id__in=[str(p.pk) for p in drafts]
    ).values_list("object_id", flat=True)
    assert sorted(published_events) == sorted(str(p.pk) for p in drafts)  # one event each, none doubled
    assert all(v.issued_credentials.count() == 1 for v in versions)

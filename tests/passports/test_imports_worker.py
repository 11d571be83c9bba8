"""A real worker killed (kill -9) in the middle of an import: the restarted worker finishes it, and every row
lands exactly once. Runs against PostgreSQL and Redis (``DATABASE_URL`` and ``REDIS_URL``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from passports.imports.services import import_job_create
from passports.models import ImportJob, ImportRowError, Product
from tests.factories import gtin_from
from tests.workers import WorkerProcess, wait_for

ROWS = 4000
BAD_EVERY = 100  # rows 100, 200, ... carry a CN code too short: 40 bad rows


def _file() -> bytes:
    lines = ["gtin,name,name_ko,category,cn_code"]
    for n in range(1, ROWS + 1):
        cn = "8507" if n % BAD_EVERY == 0 else "85076000"
        lines.append(f"{gtin_from(n)},Battery module {n},배터리 모듈 {n},battery,{cn}")
    return ("\r\n".join(lines) + "\r\n").encode()


def _job(pk: int) -> ImportJob:
    return ImportJob.objects.get(pk=pk)


@pytest.mark.celery_worker
@pytest.mark.slow
def test_a_worker_killed_mid_import_is_resumed_and_no_row_is_lost_or_doubled(
    celery_worker: WorkerProcess, tenant: Any
) -> None:
    with transaction.atomic():
        job = import_job_create(
            org=tenant.org,
            by=tenant.owner,
            upload=ContentFile(_file(), name="modules.csv"),
            kind="products",
            mode=ImportJob.Mode.COMMIT,
            policy=ImportJob.Policy.VALID_ROWS,
            chunk_rows=20,
        )
    mid = wait_for(lambda: (j := _job(job.pk)).rows_total and 0 < j.rows_done < j.rows_total and j, 60, 0.02)
    celery_worker.kill()
    at_kill = _job(job.pk)
    assert at_kill.status == ImportJob.Status.RUNNING
    assert 0 < at_kill.rows_done < ROWS, (mid.rows_done, at_kill.rows_done)
    first_runner = at_kill.runner
    assert first_runner.endswith(f"@{first_runner.split('@')[1]}")
    # Nothing moves while no worker runs: the committed chunks are all there is.
    assert Product.objects.filter(organization=tenant.org).count() == at_kill.rows_created

    celery_worker.start()
    done = wait_for(lambda: (j := _job(job.pk)).status == ImportJob.Status.DONE and j, 120, 0.2)
    assert done.runner != first_runner, celery_worker.log()
    bad = ROWS // BAD_EVERY
    assert (done.rows_total, done.rows_done) == (ROWS, ROWS)
    assert (done.rows_created, done.rows_updated, done.rows_rejected) == (ROWS - bad, 0, bad)
    stored = set(Product.objects.filter(organization=tenant.org).values_list("gtin", flat=True))
    assert stored == {gtin_from(n) for n in range(1, ROWS + 1) if n % BAD_EVERY}
    errors = list(ImportRowError.objects.filter(job=done).values_list("row", "column"))
    assert sorted(errors) == [(n + 1, "cn_code") for n in range(BAD_EVERY, ROWS + 1, BAD_EVERY)]  # none twice

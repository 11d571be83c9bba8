"""Resuming imports when a worker starts (``import_jobs_resume_orphaned``): the jobs of workers that are gone,
and of this worker's own earlier life under the same name, are taken once, under a new lease."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from passports.imports.services import (
    LeaseLostError,
    _locked,
    import_job_create,
    import_job_run,
    import_jobs_resume_orphaned,
)
from passports.models import ImportJob, Product
from tests.factories import gtin_from

pytestmark = pytest.mark.django_db

ROWS = 40
NAME = "celery@host-a"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _left_running(tenant: Any, *, runner: str = NAME, minutes_ago: int = 5) -> ImportJob:
    """A job whose worker committed one chunk and then stopped: still ``running``, last moved minutes ago."""
    lines = ["gtin,name,category,cn_code"] + [f"{gtin_from(n)},Cell {n},battery,85076000" for n in range(1, ROWS + 1)]
    job = import_job_create(
        org=tenant.org,
        by=tenant.owner,
        upload=ContentFile(("\r\n".join(lines) + "\r\n").encode(), name="cells.csv"),
        kind="products",
        mode=ImportJob.Mode.COMMIT,
        policy=ImportJob.Policy.VALID_ROWS,
        chunk_rows=10,
        enqueue=False,
    )
    import_job_run(job_id=job.pk, runner=runner, max_chunks=1)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return ImportJob.objects.get(pk=job.pk)


def test_a_worker_restarted_under_its_own_name_resumes_what_its_earlier_life_left(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _left_running(tenant)
    assert (job.status, job.rows_done) == (ImportJob.Status.RUNNING, 10)
    # It answers the ping under the name the job carries, yet it started after the job last moved.
    with django_capture_on_commit_callbacks(execute=True):
        resumed = import_jobs_resume_orphaned(alive={NAME}, started=NAME, started_at=timezone.now())
    assert resumed == [job.pk]
    done = ImportJob.objects.get(pk=job.pk)
    assert (done.status, done.rows_done, done.rows_created) == (ImportJob.Status.DONE, ROWS, ROWS)
    assert Product.objects.filter(organization=tenant.org).count() == ROWS


def test_jobs_of_live_workers_and_jobs_moved_since_the_start_are_left_alone(tenant: Any) -> None:
    elsewhere = _left_running(tenant, runner="celery@host-b")
    started_at = timezone.now() - timedelta(minutes=1)
    own_fresh = _left_running(tenant, minutes_ago=0)  # claimed again by this worker after it started
    assert own_fresh.updated_at > started_at
    assert import_jobs_resume_orphaned(alive={NAME, "celery@host-b"}, started=NAME, started_at=started_at) == []
    assert ImportJob.objects.get(pk=elsewhere.pk).lease == elsewhere.lease
    assert ImportJob.objects.get(pk=own_fresh.pk).lease == own_fresh.lease


def test_a_job_is_taken_once_and_its_old_lease_stops_writing(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _left_running(tenant, runner="celery@gone")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = import_jobs_resume_orphaned(alive=set())
        second = import_jobs_resume_orphaned(alive=set())  # another worker starting at the same moment
    assert (first, second, len(queued)) == ([job.pk], [], 1)
    taken = ImportJob.objects.get(pk=job.pk)
    assert taken.lease != job.lease and taken.runner == ""
    # A run still holding the old lease (a worker that was only slow) writes nothing more: its next chunk
    # finds the lease gone and stops.
    with pytest.raises(LeaseLostError):
        _locked(job.pk, job.lease)
    queued[0]()
    assert ImportJob.objects.get(pk=job.pk).rows_created == ROWS

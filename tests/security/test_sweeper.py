"""The stuck-job sweeper (core/sweeper.py): jobs whose worker died are found by heartbeat and finished."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.sweeper import StuckJobKind, configured_kinds, stuck_rows, sweep_stuck_jobs
from exporters.models import ReportPack
from exporters.reports import packs
from passports.imports.services import import_job_create, import_job_run
from passports.models import ImportJob, Product
from passports.services.passports import passport_publish
from tests.factories import gtin_from, make_passport
from tests.workers import WorkerProcess, wait_for

pytestmark = pytest.mark.django_db

ROWS = 50


def _csv(rows: int = ROWS) -> bytes:
    lines = ["gtin,name,category,cn_code"] + [f"{gtin_from(n)},Module {n},battery,85076000" for n in range(1, rows + 1)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _job(tenant: Any, *, chunk_rows: int = 10) -> ImportJob:
    return import_job_create(
        org=tenant.org,
        by=tenant.owner,
        upload=ContentFile(_csv(), name="modules.csv"),
        kind="products",
        mode=ImportJob.Mode.COMMIT,
        policy=ImportJob.Policy.VALID_ROWS,
        chunk_rows=chunk_rows,
        enqueue=False,
    )


def _age(model: Any, pk: int, field: str, seconds: int) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(seconds=seconds)})


def _kind(model: str) -> StuckJobKind:
    return next(kind for kind in configured_kinds() if kind.model == model)


@pytest.fixture
def media(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A media folder of the test's own, shared with a real worker started after it (through its environment)."""
    folder = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(folder))
    settings.MEDIA_ROOT = str(folder)
    return folder


def test_the_settings_name_every_long_job_kind() -> None:
    kinds = {kind.model: kind for kind in configured_kinds()}
    assert set(kinds) == {"passports.ImportJob", "exporters.ReportPack", "passports.BulkJob"}
    assert kinds["passports.ImportJob"].heartbeat == "updated_at"  # ImportJob has no heartbeat field
    assert kinds["passports.BulkJob"].heartbeat == "updated_at"
    assert kinds["exporters.ReportPack"].heartbeat == "heartbeat_at"


def test_an_import_left_running_by_a_dead_worker_is_resumed_and_completes(
    tenant: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job = _job(tenant)
    # The first worker committed two chunks, then died: the job stays "running" and stops moving.
    partial = import_job_run(job_id=job.pk, max_chunks=2)
    assert partial.status == ImportJob.Status.RUNNING
    assert 0 < partial.rows_done < ROWS
    assert stuck_rows(_kind("passports.ImportJob")).count() == 0  # fresh heartbeat: only slow, not stuck
    _age(ImportJob, job.pk, "updated_at", 3600)

    with django_capture_on_commit_callbacks(execute=True):
        report = sweep_stuck_jobs()
    assert report.resumed == {"passports.ImportJob": [job.pk]}
    done = ImportJob.objects.get(pk=job.pk)
    assert (done.status, done.rows_done, done.rows_created, done.rows_rejected) == ("done", ROWS, ROWS, 0)
    assert Product.objects.filter(organization=tenant.org).count() == ROWS  # resumed, not restarted: none twice


def test_a_queued_import_whose_message_was_lost_is_sent_again(
    tenant: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # Redis restarted without persistence: the job was committed as queued but its message is gone.
    job = _job(tenant)
    _age(ImportJob, job.pk, "updated_at", 3600)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stuck_jobs().total == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE


def test_finished_and_fresh_jobs_are_left_alone(tenant: Any, media: Path) -> None:
    finished = _job(tenant)
    import_job_run(job_id=finished.pk)
    _age(ImportJob, finished.pk, "updated_at", 3600)
    fresh = _job(tenant)
    ImportJob.objects.filter(pk=fresh.pk).update(status=ImportJob.Status.RUNNING)
    assert sweep_stuck_jobs().total == 0


def test_a_stuck_job_is_claimed_by_one_sweep_only(
    tenant: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job = _job(tenant)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    _age(ImportJob, job.pk, "updated_at", 3600)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = sweep_stuck_jobs()
        second = sweep_stuck_jobs()  # a second beat (or a second sweeper) right after
    assert (first.total, second.total, len(callbacks)) == (1, 0, 1)
    # The claim moved the heartbeat: the job counts as stuck again only after another stall period.
    assert ImportJob.objects.get(pk=job.pk).updated_at > timezone.now() - timedelta(seconds=60)


def test_a_report_pack_stuck_mid_way_is_resumed_and_completes(
    tenant: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    passports = [make_passport(tenant.org) for _ in range(3)]
    for passport in passports:
        passport_publish(passport=passport)
    pack = packs.pack_create(org=tenant.org, passports=passports, lang="en", tier="public", source="sweeper")
    ReportPack.objects.filter(pk=pack.pk).update(status=ReportPack.Status.RUNNING, heartbeat_at=None)
    _age(ReportPack, pack.pk, "created_at", 3600)
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep_stuck_jobs()
    assert report.resumed == {"exporters.ReportPack": [pack.pk]}
    done = ReportPack.objects.get(pk=pack.pk)
    assert (done.status, done.done, done.total) == ("done", 3, 3)
    assert packs.pack_zip_path(done) is not None


def test_the_beat_schedule_names_registered_tasks(settings: Any) -> None:
    from config.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"passports.sweep_stuck_jobs", "passports.purge_idempotency_keys"} <= names
    assert names <= set(app.tasks), names - set(app.tasks)
    assert all(entry["schedule"] <= 3600 for entry in settings.CELERY_BEAT_SCHEDULE.values())


@pytest.mark.celery_worker
@pytest.mark.services
@pytest.mark.slow
def test_a_real_worker_finishes_the_job_the_sweeper_resumes(
    media: Path, celery_worker: WorkerProcess, tenant: Any
) -> None:
    # The job was claimed by a worker that is gone (its name answers no ping and its heartbeat is old).
    job = _job(tenant)
    import_job_run(job_id=job.pk, runner="gone@nowhere", max_chunks=1)
    _age(ImportJob, job.pk, "updated_at", 3600)
    with transaction.atomic():
        report = sweep_stuck_jobs()
    assert report.resumed == {"passports.ImportJob": [job.pk]}
    done = wait_for(lambda: (j := ImportJob.objects.get(pk=job.pk)).status == ImportJob.Status.DONE and j, 120, 0.2)
    assert done.runner != "gone@nowhere", celery_worker.log()
    assert (done.rows_done, done.rows_created) == (ROWS, ROWS)
    assert Product.objects.filter(organization=tenant.org).count() == ROWS

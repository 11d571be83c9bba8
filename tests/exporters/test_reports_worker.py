"""A report pack built by a real Celery worker that is killed (kill -9) half-way and started again.

Runs only on PostgreSQL + Redis (the real-services run of .ci/run): the worker is a separate process that
must share the test database and the media folder.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from pypdf import PdfReader

from core.jobs import enqueue_after_commit
from exporters.models import ReportPack
from exporters.reports import packs
from exporters.reports.pdf import read_embedded_hash
from exporters.reports.tasks import build_report_pack
from passports.services.passports import passport_publish
from tests.factories import make_passport
from tests.workers import WorkerProcess, wait_for

REPORTS = 20


@pytest.fixture
def shared_media(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One media folder for this process and the worker (which reads MEDIA_ROOT from its environment)."""
    folder = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(folder))
    settings.MEDIA_ROOT = str(folder)
    settings.REPORT_PACK_STALL_SECONDS = 3
    return folder


@pytest.mark.celery_worker
@pytest.mark.slow
def test_pack_survives_a_killed_worker(shared_media: Path, celery_worker: WorkerProcess, tenant: Any) -> None:
    passports = []
    for _ in range(REPORTS):
        passport = make_passport(tenant.org)
        passport_publish(passport=passport)
        passports.append(passport)
    with transaction.atomic():
        pack = packs.pack_create(org=tenant.org, passports=passports, lang="en", tier="public", source="worker test")
        enqueue_after_commit(build_report_pack, pack.pk)

    def progress() -> int:
        return ReportPack.objects.get(pk=pack.pk).done

    wait_for(lambda: progress() >= 3, timeout=120)
    celery_worker.kill()
    killed_at = progress()
    assert 0 < killed_at < REPORTS, f"the kill must land mid-way, it came at {killed_at}/{REPORTS}"
    assert ReportPack.objects.get(pk=pack.pk).status == "running"
    celery_worker.start()

    def finished() -> bool:
        # Polling the status is what a client does; a pack stalled past the limit is enqueued again there.
        current = ReportPack.objects.get(pk=pack.pk)
        if packs.is_stalled(current):
            packs.pack_touch(current)
            build_report_pack.delay(current.pk)
        return current.status == "done"

    wait_for(finished, timeout=180, interval=0.5)
    done = ReportPack.objects.get(pk=pack.pk)
    assert done.attempts >= 2, celery_worker.log()
    assert done.done == REPORTS
    path = packs.pack_zip_path(done)
    assert path is not None
    archive = zipfile.ZipFile(path)
    expected = sorted([item["file"] for item in done.items] + ["manifest.json"])
    assert sorted(archive.namelist()) == expected
    hashes = {p.versions.get(status="published").content_hash for p in passports}
    found = set()
    for item in done.items:
        pdf = archive.read(item["file"])
        assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2  # whole files, not a report cut off by the kill
        found.add(read_embedded_hash(pdf))
    assert found == hashes

"""Batch report packs: many passports (or a whole import) in, one ZIP of sealed PDFs out.

A pack is built by a Celery task that may die at any point (a worker killed, a machine lost). The build is
resumable and idempotent: each report is written to a staging folder under its final name by an atomic
rename, so a report on disk is always whole; a rerun skips the reports already there, and the ZIP is
assembled, again by atomic rename, only when all are. Rerunning a finished pack does nothing. Progress
(``done``) and a heartbeat are committed after each report, so the status endpoint can tell a stalled
pack from a slow one and enqueue it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from exporters.models import ReportPack
from exporters.reports.labels import check_lang
from exporters.reports.rendering import render_version_report, report_filename
from exporters.reports.selectors import version_for_report
from passports.models import ImportJob, Organization, Passport, PassportVersion
from passports.scoping import get_scoped_or_404, scoped
from passports.tiers import tier_rank

PACK_FOLDER = "packs"
MAX_PASSPORTS = 5000
DEFAULT_STALL_SECONDS = 120
CHUNK_SIZE = 10  # reports per task when a pack is spread over a worker pool: seconds of work each


class PackBuildError(RuntimeError):
    """A report of the pack could not be rendered; the pack is marked failed with this message."""


def pack_root() -> Path:
    return Path(settings.MEDIA_ROOT) / PACK_FOLDER


def _staging(pack: ReportPack) -> Path:
    return pack_root() / ".staging" / str(pack.key)


def pack_zip_path(pack: ReportPack) -> Path | None:
    """The finished ZIP on disk, or None while the pack is not built (or its file went missing)."""
    if not pack.file:
        return None
    path = Path(settings.MEDIA_ROOT) / pack.file
    return path if path.is_file() else None


def stall_seconds() -> int:
    return int(getattr(settings, "REPORT_PACK_STALL_SECONDS", DEFAULT_STALL_SECONDS))


# --------------------------------------------------------------------------------------------------
# Choosing what goes in


def passports_for_ids(*, org: Organization, ids: Sequence[object]) -> list[Passport]:
    """The caller's passports with these ids, in the order given; any id not theirs answers 404."""
    wanted = list(dict.fromkeys(ids))
    try:
        found = {p.pk: p for p in scoped(Passport, org).filter(pk__in=wanted)}
    except (ValueError, TypeError) as exc:
        raise Http404("No such passport in your organization.") from exc
    missing = [pk for pk in wanted if pk not in found and str(pk) not in {str(key) for key in found}]
    if missing:
        raise Http404("No such passport in your organization.")
    by_text = {str(pk): passport for pk, passport in found.items()}
    return [by_text[str(pk)] for pk in wanted]


def passports_for_import_job(*, org: Organization, job_id: object) -> list[Passport]:
    """The passports a committed import created or updated (``ImportJob.passports``); another organization's
    job answers 404, and a job that wrote no passport (a dry run, products, every row rejected) is refused."""
    job = get_scoped_or_404(ImportJob, org, pk=job_id)
    found = list(scoped(job.passports.all(), org).order_by("pk"))
    if not found:
        raise ValueError(
            f"import {job.pk} stored no passports (a dry run, an import of products, or every row rejected)"
        )
    return found


@transaction.atomic
def pack_create(
    *,
    org: Organization,
    passports: Sequence[Passport],
    lang: str,
    tier: str,
    source: str,
    by: Any = None,
    include_drafts: bool = True,
) -> ReportPack:
    """Freeze the selection (each passport's reportable version and file name) in a new queued pack.

    With ``include_drafts`` false, passports whose reportable version is a draft are left out, so a pack
    meant for a customs broker holds compliance documents only; with it true, each draft's report says on
    every page that it is not one (``report_watermark``).
    """
    check_lang(lang)
    tier_rank(tier)
    if not passports:
        raise ValueError("a pack needs at least one passport")
    if len(passports) > MAX_PASSPORTS:
        raise ValueError(f"a pack holds at most {MAX_PASSPORTS} passports; split the selection")
    items: list[dict[str, Any]] = []
    names: set[str] = set()
    for passport in passports:
        version = version_for_report(passport)
        if not include_drafts and version.status == PassportVersion.Status.DRAFT:
            continue
        name = report_filename(version, lang=lang)
        if name in names:  # two passports printing to one name: keep both, the later one numbered
            name = name.removesuffix(".pdf") + f"-{passport.pk}.pdf"
        names.add(name)
        items.append({"passport": passport.pk, "version": version.pk, "file": name})
    if not items:
        raise ValueError("every chosen passport is a draft; include drafts or publish them first")
    return ReportPack.objects.create(
        organization=org,
        created_by=by if isinstance(by, get_user_model()) else None,  # API clients act as no person
        lang=lang,
        tier=tier,
        source=source[:100],
        items=items,
        total=len(items),
    )


# --------------------------------------------------------------------------------------------------
# Building


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def _versions(pack: ReportPack, ids: Sequence[int] | None = None) -> dict[int, PassportVersion]:
    ids = [item["version"] for item in pack.items] if ids is None else ids
    # Each passport's stored QR code comes in the same query (a report draws it rather than making it
    # again); its SVG stays behind, as no report reads it.
    versions = (
        PassportVersion.objects.select_related(
            "schema", "base_version", "passport", "passport__product", "passport__organization", "passport__qr_code"
        )
        .defer("passport__qr_code__svg")
        .filter(pk__in=ids, organization_id=pack.organization_id)
    )
    return {version.pk: version for version in versions}


def _render_items(pack: ReportPack, staging: Path, first: int = 0, last: int | None = None) -> None:
    """Render the reports of ``items[first:last]`` that are not staged yet, one atomic file each."""
    lang = check_lang(pack.lang)
    wanted = pack.items[first:last]
    missing = [item for item in wanted if not (staging / item["file"]).exists()]
    if not missing:
        return
    versions = _versions(pack, [item["version"] for item in missing])
    for item in missing:
        target = staging / item["file"]
        if target.exists():  # another run of the same chunk got here first
            continue
        version = versions.get(item["version"])
        if version is None:
            raise PackBuildError(f"passport {item['passport']} version {item['version']} no longer exists")
        _write_atomically(target, render_version_report(version, tier=pack.tier, lang=lang))
        ReportPack.objects.filter(pk=pack.pk).update(done=F("done") + 1, heartbeat_at=timezone.now())


def _manifest(pack: ReportPack, staging: Path, versions: dict[int, PassportVersion]) -> bytes:
    entries = []
    for item in pack.items:
        version = versions[item["version"]]
        pdf = (staging / item["file"]).read_bytes()
        entries.append(
            {
                "file": item["file"],
                "passport": item["passport"],
                "identifier": version.passport.identifier,
                "version": version.number,
                "status": version.status,
                "content_hash": version.content_hash,
                "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
            }
        )
    body = {"pack": pack.pk, "lang": pack.lang, "tier": pack.tier, "source": pack.source, "reports": entries}
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def _zip(pack: ReportPack, staging: Path) -> Path:
    folder = pack_root() / str(pack.organization_id)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"report-pack-{pack.key}.zip"
    temporary = folder / f".report-pack-{pack.key}.{os.getpid()}.tmp"
    with zipfile.ZipFile(temporary, "w") as archive:
        for item in pack.items:
            # PDF page streams are compressed already; storing them keeps the ZIP fast to write.
            archive.write(staging / item["file"], item["file"], compress_type=zipfile.ZIP_STORED)
        archive.writestr("manifest.json", _manifest(pack, staging, _versions(pack)), zipfile.ZIP_DEFLATED)
    temporary.replace(final)
    return final


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(pack_id: int, exc: Exception) -> None:
    ReportPack.objects.filter(pk=pack_id).update(
        status=ReportPack.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
    )


def pack_start(pack_id: int) -> ReportPack | None:
    """Mark the pack running (one more attempt) and count the reports already staged; None when done."""
    pack = ReportPack.objects.get(pk=pack_id)
    if pack.status == ReportPack.Status.DONE and pack_zip_path(pack) is not None:
        return None
    staging = _staging(pack)
    staging.mkdir(parents=True, exist_ok=True)
    already = sum(1 for item in pack.items if (staging / item["file"]).exists())
    ReportPack.objects.filter(pk=pack.pk).update(
        status=ReportPack.Status.RUNNING, attempts=F("attempts") + 1, done=already, heartbeat_at=timezone.now()
    )
    pack.refresh_from_db()
    return pack


def missing_chunks(pack: ReportPack, size: int | None = None) -> list[tuple[int, int]]:
    """``(first, last)`` item ranges of at most ``size`` reports that still have reports to render."""
    size = size or CHUNK_SIZE
    staging = _staging(pack)
    chunks = []
    for first in range(0, len(pack.items), size):
        chunk = pack.items[first : first + size]
        if any(not (staging / item["file"]).exists() for item in chunk):
            chunks.append((first, first + len(chunk)))
    return chunks


def pack_render_chunk(pack_id: int, first: int, last: int) -> None:
    """Render the missing reports of ``items[first:last]``; chunks of one pack may run in parallel."""
    pack = ReportPack.objects.get(pk=pack_id)
    if pack.status in (ReportPack.Status.DONE, ReportPack.Status.FAILED):
        return
    try:
        _render_items(pack, _staging(pack), first, last)
    except Exception as exc:
        _fail(pack_id, exc)
        raise


def pack_finish(pack_id: int) -> ReportPack | None:
    """Zip the pack once every report is staged (None while some are missing); only one caller zips."""
    with transaction.atomic():
        pack = ReportPack.objects.select_for_update().get(pk=pack_id)
        if pack.status == ReportPack.Status.DONE and pack_zip_path(pack) is not None:
            return pack
        if pack.status == ReportPack.Status.FAILED:
            return None
        staging = _staging(pack)
        if any(not (staging / item["file"]).exists() for item in pack.items):
            return None
        try:
            final = _zip(pack, staging)
        except Exception as exc:
            _fail(pack_id, exc)
            raise
        ReportPack.objects.filter(pk=pack.pk).update(
            status=ReportPack.Status.DONE,
            done=pack.total,
            file=str(final.relative_to(Path(settings.MEDIA_ROOT))),
            size=final.stat().st_size,
            sha256=_sha256_of(final),
            error="",
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
    shutil.rmtree(staging, ignore_errors=True)
    pack.refresh_from_db()
    return pack


def pack_build(pack_id: int) -> ReportPack:
    """Build (or finish building) the pack in this process; safe to run again at any point, a no-op once done."""
    pack = pack_start(pack_id)
    if pack is None:
        return ReportPack.objects.get(pk=pack_id)
    pack_render_chunk(pack_id, 0, len(pack.items))
    finished = pack_finish(pack_id)
    return finished if finished is not None else ReportPack.objects.get(pk=pack_id)


def is_stalled(pack: ReportPack, *, seconds: int | None = None) -> bool:
    """Queued or running, yet no progress for ``seconds``: its worker died (or never got the task)."""
    if pack.status not in (ReportPack.Status.QUEUED, ReportPack.Status.RUNNING):
        return False
    last = pack.heartbeat_at or pack.created_at
    return last < timezone.now() - timedelta(seconds=stall_seconds() if seconds is None else seconds)


def stalled_packs(*, seconds: int | None = None) -> list[ReportPack]:
    limit = timezone.now() - timedelta(seconds=stall_seconds() if seconds is None else seconds)
    candidates = ReportPack.objects.filter(status__in=[ReportPack.Status.QUEUED, ReportPack.Status.RUNNING])
    return [pack for pack in candidates if (pack.heartbeat_at or pack.created_at) < limit]


def pack_touch(pack: ReportPack) -> None:
    """Note that the pack was (re)enqueued now, so it is not taken for stalled again at once."""
    ReportPack.objects.filter(pk=pack.pk).update(heartbeat_at=timezone.now())

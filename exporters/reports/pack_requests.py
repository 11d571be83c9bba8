"""What a request does with report packs, the same for the API and the web pages: start one, look in on
one, hand its ZIP over.

``packs`` builds packs and ``tasks`` runs the builds; this module sits above both (``tasks`` imports
``packs``, so starting a build cannot live in ``packs`` itself). Views stay thin: they check the shape of
what was asked and answer in their own format, everything else happens here once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpResponse

from core.jobs import enqueue_after_commit
from exporters.models import ReportPack
from exporters.reports import packs
from exporters.reports.tasks import build_report_pack
from passports.models import Organization

# A pack up to this size is answered from memory; larger ones stream from disk instead of sitting in the
# web worker's memory.
INLINE_PACK_BYTES = 32 * 1024 * 1024
_IMPORT_SOURCE = re.compile(r"^import (\d+)$")


def import_source(job_id: object) -> str:
    """The ``source`` of a pack of a whole import (the API shows it as is: ``import 12``)."""
    return f"import {job_id}"


def selection_source(count: int) -> str:
    """The ``source`` of a pack of chosen passports (the API shows it as is: ``3 selected passport(s)``)."""
    return f"{count} selected passport(s)"


def source_import_job(source: str) -> int | None:
    """The import job a pack was made of, read back from its ``source``; None for a selection."""
    matched = _IMPORT_SOURCE.match(source)
    return int(matched.group(1)) if matched else None


def pack_request(
    *,
    org: Organization,
    passport_ids: Sequence[object] | None = None,
    import_job_id: object = None,
    lang: str,
    tier: str,
    by: Any = None,
    include_drafts: bool = True,
) -> ReportPack:
    """Freeze a pack of the chosen passports (or of every passport an import stored) and build it once the
    transaction commits.

    Another organization's passport or import answers 404 (``Http404``); an empty selection, an import that
    stored no passports, an unknown language or tier raise ``ValueError``.
    """
    if (passport_ids is None) == (import_job_id is None):
        raise ValueError("give either passports or an import job")
    if import_job_id is not None:
        chosen = packs.passports_for_import_job(org=org, job_id=import_job_id)
        source = import_source(import_job_id)
    else:
        chosen = packs.passports_for_ids(org=org, ids=passport_ids or [])
        source = selection_source(len(chosen))
    pack = packs.pack_create(
        org=org, passports=chosen, lang=lang, tier=tier, source=source, by=by, include_drafts=include_drafts
    )
    enqueue_after_commit(build_report_pack, pack.pk)
    return pack


def pack_resume_if_stalled(pack: ReportPack) -> ReportPack:
    """The pack as it stands; one whose worker died (no progress for the stall period) is enqueued again, so
    whoever watches a pack also keeps it going."""
    if packs.is_stalled(pack):
        with transaction.atomic():
            packs.pack_touch(pack)
            enqueue_after_commit(build_report_pack, pack.pk)
        pack.refresh_from_db()
    return pack


def pack_file_response(pack: ReportPack) -> HttpResponse | FileResponse | None:
    """The finished ZIP as an attachment, or None while the pack is not done (or its file went missing)."""
    path = packs.pack_zip_path(pack) if pack.status == ReportPack.Status.DONE else None
    if path is None:
        return None
    response: HttpResponse | FileResponse
    if pack.size <= INLINE_PACK_BYTES:
        response = HttpResponse(path.read_bytes(), content_type="application/zip")
    else:
        response = FileResponse(path.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="report-pack-{pack.pk}.zip"'
    return response

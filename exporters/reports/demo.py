"""Demo data of reports: QR codes of every published demo passport, made once as publication would, and one
finished report pack, so the report pack pages have something to show on ``make run``."""

from __future__ import annotations

from typing import Any

from exporters.models import ReportPack
from exporters.reports.pack_requests import selection_source
from exporters.reports.packs import pack_build, pack_create
from exporters.resolver.carriers import qr_code_for
from passports.models import Passport, PassportVersion

DEMO_PACK_SIZE = 2  # each report takes about half a second to draw; seed_demo stays quick


def seed_reports() -> int:
    """Make the QR codes that publication makes, for published passports seeded before reports existed."""
    passports = Passport.objects.filter(status=PassportVersion.Status.PUBLISHED, qr_code__isnull=True)
    count = 0
    for passport in passports:
        qr_code_for(passport)
        count += 1
    return count


def seed_report_pack(tenants: Any) -> ReportPack | None:
    """A Korean pack of the maker's first published passports (its battery model and an item passport), built
    here (idempotent: made once)."""
    org = tenants.maker
    found = ReportPack.objects.filter(organization=org).order_by("pk").first()
    if found is not None:
        return found
    published = Passport.objects.filter(organization=org, status=PassportVersion.Status.PUBLISHED)
    chosen = list(published.order_by("pk")[:DEMO_PACK_SIZE])
    if not chosen:
        return None
    pack = pack_create(
        org=org,
        passports=chosen,
        lang="ko",
        tier="public",
        source=selection_source(len(chosen)),
        by=tenants.users.get("editor"),
    )
    return pack_build(pack.pk)

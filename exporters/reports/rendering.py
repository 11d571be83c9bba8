"""The sealed PDF of a passport version: facts from the database, layout from ``content``, seal from ``seal``."""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from exporters.pdf import ReportDocument, render_report
from exporters.reports.content import build_report
from exporters.reports.labels import Lang
from exporters.reports.seal import seal_pdf
from exporters.reports.selectors import report_facts
from passports.models import PassportVersion


def seal_key() -> bytes:
    """The platform's key for report seals, derived from SECRET_KEY (rotating it voids older seals only)."""
    return salted_hmac("exporters.reports.seal", "report seal key").digest()


def render_sealed(document: ReportDocument) -> bytes:
    return seal_pdf(render_report(document), seal_key())


def version_report_document(
    version: PassportVersion, *, tier: str, lang: Lang, full_data: bool = False
) -> ReportDocument:
    return build_report(report_facts(version), tier=tier, lang=lang, full_data=full_data)


def render_version_report(version: PassportVersion, *, tier: str, lang: Lang, full_data: bool = False) -> bytes:
    """Return the sealed compliance report of ``version`` as PDF bytes."""
    return render_sealed(version_report_document(version, tier=tier, lang=lang, full_data=full_data))


def report_filename(version: PassportVersion, *, lang: str, suffix: str = "report") -> str:
    """A file name that says which passport and version a file shows: ``<gtin>[-<lot>][-<serial>]-v<n>-...``."""
    passport = version.passport
    parts = [passport.product.gtin, passport.lot, passport.serial, f"v{version.number}", suffix, lang]
    safe = ["".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in part) for part in parts if part]
    return "-".join(safe) + ".pdf"

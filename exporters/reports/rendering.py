"""The sealed PDF of a passport version: facts from the database, layout from ``content``, seal from ``seal``."""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac

from exporters.reports.cbam import communication, legal_basis_for
from exporters.reports.cbam_defaults import add_default_comparison
from exporters.reports.cbam_pdf import cbam_report_document, schema_titles
from exporters.reports.content import build_report
from exporters.reports.default_values import current_default_table
from exporters.reports.labels import Lang
from exporters.reports.pdf import ReportDocument, render_report
from exporters.reports.seal import seal_pdf
from exporters.reports.selectors import report_facts, signing_info, stored_qr_png
from passports.models import PassportVersion
from passports.selectors.passports import effective_data_of
from passports.tiers import render_for_tier


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


class NotCbamError(ValueError):
    """The passport is not a CBAM installation communication."""


CBAM_CATEGORY = "cbam-installation"


def cbam_document(version: PassportVersion, *, tier: str, import_year: int | None = None) -> dict[str, Any]:
    """The Annex IV communication of a ``cbam-installation`` version, cut to ``tier`` first.

    Each good is compared with the Commission default value that would apply to goods imported in
    ``import_year`` (default: the year after the reporting period, 2026 at the earliest).
    """
    if version.schema.category != CBAM_CATEGORY:
        raise NotCbamError(f"passport follows {version.schema.key}, not a {CBAM_CATEGORY} schema")
    data = render_for_tier(version.schema.document, effective_data_of(version), tier)
    source = {
        "passport_identifier": version.passport.identifier,
        "version": version.number,
        "content_hash": version.content_hash,
        "status": version.status,
    }
    if version.published_at is not None:
        source["published_at"] = version.published_at.isoformat()
    document = communication(data, source=source, legal_basis=legal_basis_for(version.schema.version))
    return add_default_comparison(document, current_default_table(), import_year=import_year)


def render_cbam_pdf(version: PassportVersion, *, tier: str, lang: Lang, import_year: int | None = None) -> bytes:
    document = cbam_document(version, tier=tier, import_year=import_year)
    created = version.published_at or version.created_at
    return render_sealed(
        cbam_report_document(
            document,
            tier=tier,
            lang=lang,
            created=created,
            key=signing_info(version),
            titles=schema_titles(version.schema.document),
            qr_png=stored_qr_png(version.passport),
        )
    )

"""Demo data of CBAM: the Commission's default values (the shipped rows) loaded, and the demo steel works'
communication compared with them, so ``seed_demo`` shows what actual data saves in certificates."""

from __future__ import annotations

from dataclasses import dataclass

from exporters.reports.cbam_defaults import SHIPPED_TABLE
from exporters.reports.default_values import default_table_load
from exporters.reports.rendering import CBAM_CATEGORY, cbam_document
from passports.models import PassportVersion


@dataclass(frozen=True)
class CbamDemo:
    default_lines: int
    installation: str
    import_year: int
    certificates_saved: float | int


def seed_cbam() -> CbamDemo | None:
    """Load the shipped default values (idempotent) and compare the first published CBAM installation."""
    stored, _ = default_table_load(text=SHIPPED_TABLE.read_text(encoding="utf-8"))
    version = (
        PassportVersion.objects.filter(schema__category=CBAM_CATEGORY, status=PassportVersion.Status.PUBLISHED)
        .select_related("passport", "schema")
        .order_by("passport__organization__name", "pk")
        .first()
    )
    if version is None:
        return None
    document = cbam_document(version, tier="legitimate_interest")
    basis = document["default_values"]
    return CbamDemo(
        default_lines=stored.row_count,
        installation=document["installation"]["name"],
        import_year=basis["import_year"],
        certificates_saved=basis["certificates_saved_on_period"],
    )

"""Demo data of CBAM: the Commission's default values (the shipped rows) loaded, the demo steel works'
communication compared with them, and an EU importer's summary with the K-ETS price deducted, so
``seed_demo`` shows what actual data saves and what the carbon price paid in Korea takes off.

The K-ETS claim uses published figures, each with its source: the Korea Exchange price of the 2025
allowance (KAU25) at its August 2025 low, KRW 8,580 per t CO2e (Eco-Business, "South Korea carbon prices
jump nearly 50 per cent as tighter emissions caps loom", citing Korea Exchange data); the ECB euro reference
rate of 28 February 2025, KRW 1,519.92 per EUR; and the first CBAM certificate price the Commission
published, EUR 75.36 per t CO2e for the first quarter of 2026 (7 April 2026). The quantities imported are
the demo's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from exporters.reports.cbam import importer_summary
from exporters.reports.cbam_carbon_price import carbon_price_deduction
from exporters.reports.cbam_defaults import SHIPPED_TABLE
from exporters.reports.default_values import default_table_load
from exporters.reports.rendering import CBAM_CATEGORY, cbam_document
from passports.models import PassportVersion

DEMO_INSTALLATION: Final = "KR-GY-0001"  # Hando Steel Gwangyang works, the shipped bf-bof example
DEMO_QUANTITIES: Final = ({"cn_code": "72083800", "quantity": 1000}, {"cn_code": "72071210", "quantity": 250})
DEMO_CARBON_PRICE: Final[dict[str, Any]] = {
    "instrument_name": "Korea Emissions Trading Scheme (K-ETS)",
    "allowance_price": 8580,
    "currency": "KRW",
    "rebate_per_tonne": 0,
    "exchange_rate": {
        "rate": 1519.92,
        "date": "2025-02-28",
        "source": "ECB euro foreign exchange reference rates, 28 February 2025",
    },
    "cbam_certificate_price": 75.36,
    "cbam_certificate_price_source": "European Commission, CBAM certificate price for Q1 2026 (7 April 2026)",
    "evidence": [
        {
            "title": "KAU25 price on the Korea Exchange, August 2025 low (KRW 8,580)",
            "issuer": "Eco-Business, citing Korea Exchange data",
            "url": "https://www.eco-business.com/ms/news/south-korea-carbon-prices-jump-nearly-50-per-cent-as-tighter-emissions-caps-loom",
        },
        {
            "title": "ECB euro foreign exchange reference rates, 28 February 2025 (KRW 1,519.92)",
            "issuer": "European Central Bank",
            "url": "https://data.ecb.europa.eu/currency-converter",
        },
    ],
}


@dataclass(frozen=True)
class CbamDemo:
    default_lines: int
    installation: str
    import_year: int
    certificates_saved: float | int
    importer_summary: dict[str, Any]


def seed_cbam() -> CbamDemo | None:
    """Load the shipped default values (idempotent), compare the demo steel works' published communication
    with them and sum up the demo import with the K-ETS deduction."""
    stored, _ = default_table_load(text=SHIPPED_TABLE.read_text(encoding="utf-8"))
    version = (
        PassportVersion.objects.filter(
            schema__category=CBAM_CATEGORY,
            status=PassportVersion.Status.PUBLISHED,
            data__installation__installation_identifier=DEMO_INSTALLATION,
        )
        .select_related("passport", "schema")
        .order_by("pk")
        .first()
    )
    if version is None:
        return None
    document = cbam_document(version, tier="legitimate_interest")
    basis = document["default_values"]
    summary = importer_summary(document, list(DEMO_QUANTITIES))
    summary["carbon_price_deduction"] = carbon_price_deduction(document, summary, DEMO_CARBON_PRICE)
    return CbamDemo(
        default_lines=stored.row_count,
        installation=document["installation"]["name"],
        import_year=basis["import_year"],
        certificates_saved=basis["certificates_saved_on_period"],
        importer_summary=summary,
    )


def deduction_line(summary: dict[str, Any]) -> str:
    """Gross, K-ETS deduction and net certificates of a summary, each in certificates, EUR and KRW."""
    totals = summary["carbon_price_deduction"]["totals"]
    parts = [
        ("gross", totals["gross_certificates"], totals["gross"]),
        ("K-ETS deduction", totals["certificates_deducted"], totals["deduction"]),
        ("net", totals["net_certificates"], totals["net"]),
    ]
    return ", ".join(f"{name} {count:,} (EUR {money['EUR']:,}, KRW {money['KRW']:,})" for name, count, money in parts)

"""The CBAM communication as a PDF for people: the same content as the JSON and XML files, with the sums.

Each good shows its reported specific embedded emissions beside the figures recomputed from the
installation's own data (Regulation (EU) 2023/956, Annex IV), and the formula with the numbers filled in,
so an importer or verifier can redo the arithmetic by hand. Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exporters.reports.fields import format_value
from exporters.reports.labels import Lang, layout_labels, no_qr_reason, report_watermark, status_label, tier_label, word
from exporters.reports.pdf import (
    Cover,
    KeyValueTable,
    Metadata,
    Paragraph,
    ReportDocument,
    Section,
    SigningKeyInfo,
    Table,
)
from exporters.reports.pdf.document import Block
from exporters.reports.seal import SEAL_PLACEHOLDER
from passports.fieldmodel import walk_schema
from passports.validation.wording import format_number

TIMES = "\u00d7"  # multiplication sign in the printed formulas
DASH = "\u2013"  # en dash between the dates of a period


@dataclass(frozen=True)
class Namer:
    """Field names as the passport schema titles them (``title`` / ``x-title-ko``), by member name."""

    titles: Mapping[str, tuple[str, str]]
    lang: Lang

    def __call__(self, key: str) -> str:
        found = self.titles.get(key)
        if found is None:
            return key.replace("_", " ").capitalize()
        return found[1] if self.lang == "ko" else found[0]


def schema_titles(schema: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Member name → (English, Korean) title, first occurrence in the schema winning."""
    titles: dict[str, tuple[str, str]] = {}
    for spec in walk_schema(schema):
        if spec.pattern and spec.pattern[-1] != "*":
            titles.setdefault(spec.pattern[-1], (spec.title_en, spec.title_ko))
    return titles


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else format_number(value) if isinstance(value, float) else str(value)


def _address(address: Mapping[str, Any]) -> str:
    parts = ("street_address", "postal_code", "address_locality", "address_region", "address_country")
    return ", ".join(str(address[key]) for key in parts if address.get(key))


def _pairs(node: Mapping[str, Any], lang: Lang, name: Namer) -> list[tuple[str, str]]:
    rows = []
    for key, value in node.items():
        if isinstance(value, Mapping):
            text = _address(value) if "address_country" in value else format_value(value, None, lang)
        else:
            text = format_value(value, None, lang)
        rows.append((name(key), text))
    return rows


def _calculation(good: Mapping[str, Any], lang: Lang) -> list[tuple[str, str]]:
    level = good["production_level"]
    precursors = good.get("precursors") or []
    attributed = good.get("attributed_direct_emissions")
    electricity = good.get("electricity") or {}
    calculated = good.get("calculated_specific_embedded_emissions")
    if calculated is None or attributed is None:
        return []
    unit = good["specific_embedded_emissions"]["unit"]
    direct_terms = " + ".join(
        [_n(attributed)]
        + [f"{_n(p['quantity_consumed'])} {TIMES} {_n(p['specific_direct_embedded_emissions'])}" for p in precursors]
    )
    indirect_terms = " + ".join(
        [f"{_n(electricity['consumption'])} {TIMES} {_n(electricity['emission_factor'])}"]
        + [f"{_n(p['quantity_consumed'])} {TIMES} {_n(p['specific_indirect_embedded_emissions'])}" for p in precursors]
    )
    return [
        (word("direct", lang), f"({direct_terms}) / {_n(level['value'])} = {_n(calculated['direct'])} {unit}"),
        (word("indirect", lang), f"({indirect_terms}) / {_n(level['value'])} = {_n(calculated['indirect'])} {unit}"),
        (word("total", lang), f"{_n(calculated['total'])} {unit}"),
    ]


def _default_rows(compared: Mapping[str, Any], *, unit: str, lang: Lang) -> list[tuple[str, str]]:
    """The default value that would apply beside the actual figure, with the certificates saved."""
    line = [compared["table_cn_code"], compared["table_country"], compared.get("table_production_route", "")]
    which = word(f"cbam_counted_{compared['counted_emissions']}", lang)
    mark_up = f"{_n(round(compared['mark_up'] * 100, 1))} %"
    return [
        (word("cbam_default_line", lang), ", ".join(part for part in line if part)),
        (word("cbam_default_value", lang), f"{_n(compared['default_total'])} {unit}"),
        (word("cbam_mark_up", lang, year=compared["import_year"]), mark_up),
        (word("cbam_default_with_mark_up", lang), f"{_n(compared['default_with_mark_up'])} {unit}"),
        (
            word("cbam_counted", lang, which=which),
            f"{_n(compared['default_counted'])} / {_n(compared['actual_counted'])} {unit}",
        ),
        (word("cbam_saved_per_unit", lang), _n(compared["certificates_saved_per_unit"])),
        (word("cbam_saved_period", lang), _n(compared["certificates_saved_on_period"])),
    ]


def _defaults_section(document: Mapping[str, Any], lang: Lang) -> Section:
    basis = document["default_values"]
    blocks: list[Block] = [
        Paragraph(
            word(
                "cbam_defaults_intro",
                lang,
                country=basis["country_of_production"],
                year=basis["import_year"],
                source=basis["source"],
                sha=basis["table_sha256"][:16],
            )
        )
    ]
    rows = [
        [
            good["cn_code"],
            _n(good["default_value_comparison"]["default_counted"]),
            _n(good["default_value_comparison"]["actual_counted"]),
            _n(good["default_value_comparison"]["certificates_saved_per_unit"]),
            _n(good["default_value_comparison"]["certificates_saved_on_period"]),
        ]
        for good in document["goods"]
        if "default_value_comparison" in good
    ]
    if rows:
        rows.append([word("total", lang), "", "", "", _n(basis["certificates_saved_on_period"])])
        blocks.append(
            Table(
                columns=[
                    "CN",
                    word("cbam_default_with_mark_up", lang),
                    word("reported", lang),
                    word("cbam_saved_per_unit", lang),
                    word("cbam_saved_period", lang),
                ],
                rows=rows,
                align=["left", "right", "right", "right", "right"],
            )
        )
    for cn in basis["goods_without_default"]:
        blocks.append(Paragraph(word("cbam_no_default", lang, cn=cn, country=basis["country_of_production"])))
    return Section(word("cbam_defaults", lang), blocks)


def _rows(items: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[list[str]]:
    return [[_n(item.get(key, "")) for key in keys] for item in items]


def _good_blocks(number: int, good: Mapping[str, Any], lang: Lang, name: Namer) -> list[Block]:
    see = good["specific_embedded_emissions"]
    calculated = good.get("calculated_specific_embedded_emissions") or {}
    period = good["embedded_emissions_of_period"]
    facts = [
        (name("cn_code"), good["cn_code"]),
        (name("goods_description"), good.get("goods_description", "")),
        (name("aggregated_goods_category"), good["aggregated_goods_category"]),
        (name("production_route"), good["production_route"]),
        (name("production_level"), f"{_n(good['production_level']['value'])} {good['production_level']['unit']}"),
        (name("direct_emissions_method"), good["direct_emissions_method"]),
        (name("indirect_emissions_method"), good["indirect_emissions_method"]),
    ]
    if "electricity" in good:
        electricity = good["electricity"]
        facts.append(
            (
                name("electricity"),
                (
                    f"{_n(electricity['consumption'])} MWh {TIMES} {_n(electricity['emission_factor'])} t CO2e/MWh "
                    f"({electricity['emission_factor_source']})"
                ),
            )
        )
    blocks: list[Block] = [KeyValueTable(facts, title=word("cbam_good", lang, number=number, cn=good["cn_code"]))]
    emissions = [
        [word(part, lang), _n(see[part]), _n(calculated[part]) if part in calculated else "—", _n(period[part])]
        for part in ("direct", "indirect", "total")
    ]
    blocks.append(
        Table(
            columns=[
                "",
                f"{word('reported', lang)} ({see['unit']})",
                f"{word('calculated', lang)} ({see['unit']})",
                "t CO2e",
            ],
            rows=emissions,
            align=["left", "right", "right", "right"],
        )
    )
    calculation = _calculation(good, lang)
    if calculation:
        blocks.append(KeyValueTable(calculation, title=word("cbam_calculation", lang)))
    if good.get("precursors"):
        keys = [
            "aggregated_goods_category",
            "country_of_production",
            "installation_identifier",
            "quantity_consumed",
            "specific_direct_embedded_emissions",
            "specific_indirect_embedded_emissions",
            "method",
        ]
        blocks.append(
            Table(
                columns=[name(key) for key in keys],
                rows=_rows(good["precursors"], keys),
                title=word("cbam_precursors", lang),
            )
        )
    if good.get("qualifying_parameters"):
        keys = ["parameter", "value", "unit"]
        blocks.append(
            Table(
                columns=[name(key) for key in keys],
                rows=_rows(good["qualifying_parameters"], keys),
                title=word("cbam_parameters", lang),
            )
        )
    compared = good.get("default_value_comparison")
    if compared:
        rows = _default_rows(compared, unit=see["unit"], lang=lang)
        blocks.append(KeyValueTable(rows, title=word("cbam_defaults", lang)))
    if good.get("carbon_price_due"):
        keys = ["instrument_name", "country", "amount", "currency", "covered_emissions", "free_allocation"]
        blocks.append(
            Table(
                columns=[name(key) for key in keys],
                rows=_rows(good["carbon_price_due"], keys),
                title=word("cbam_carbon_price", lang),
            )
        )
    return blocks


def cbam_report_document(
    document: Mapping[str, Any],
    *,
    tier: str,
    lang: Lang,
    created: datetime,
    key: SigningKeyInfo | None = None,
    titles: Mapping[str, tuple[str, str]] | None = None,
    qr_png: bytes | None = None,
) -> ReportDocument:
    """The communication ``document`` (from ``cbam.communication``) laid out as a report.

    ``titles`` (from ``schema_titles`` of the passport schema) names the fields in ``lang``; ``qr_png`` is
    the passport's QR code stored at publication (None: the cover makes it).
    """
    name = Namer(titles or {}, lang)
    installation, operator, source = document["installation"], document["operator"], document["source"]
    period = document["reporting_period"]
    summary_rows = [
        [
            good["cn_code"],
            good["production_route"],
            f"{_n(good['production_level']['value'])} {good['production_level']['unit']}",
            _n(good["specific_embedded_emissions"]["direct"]),
            _n(good["specific_embedded_emissions"]["indirect"]),
            _n(good["specific_embedded_emissions"]["total"]),
        ]
        for good in document["goods"]
    ]
    goods_blocks: list[Block] = [
        Table(
            columns=["CN", "Route", "AL", word("direct", lang), word("indirect", lang), word("total", lang)],
            rows=summary_rows,
            align=["left", "left", "right", "right", "right", "right"],
        )
    ]
    for number, good in enumerate(document["goods"], start=1):
        goods_blocks += _good_blocks(number, good, lang, name)
    sections = [
        Section(
            word("cbam_installation", lang),
            [
                Paragraph(word("cbam_intro", lang)),
                KeyValueTable(_pairs(installation, lang, name), title=installation["name"]),
                KeyValueTable(_pairs(operator, lang, name), title=operator["name"]),
                KeyValueTable([(word("cbam_period", lang), f"{period['start_date']} {DASH} {period['end_date']}")]),
            ],
        ),
        Section(word("cbam_goods", lang), goods_blocks),
    ]
    if "default_values" in document:
        sections.append(_defaults_section(document, lang))
    if "electricity" in document:
        sections.append(
            Section(word("cbam_electricity", lang), [KeyValueTable(_pairs(document["electricity"], lang, name))])
        )
    if "verification" in document:
        sections.append(
            Section(word("cbam_verification", lang), [KeyValueTable(_pairs(document["verification"], lang, name))])
        )
    title = word("cbam_title", lang)
    return ReportDocument(
        title=title,
        lang=lang,
        metadata=Metadata(
            author=operator["name"],
            subject=f"{title}: {installation['installation_identifier']} {period['start_date']}/{period['end_date']}",
            creator="DPP platform compliance reports",
            keywords=["CBAM", "Annex IV", installation["installation_identifier"], SEAL_PLACEHOLDER],
            created=created,
        ),
        cover=Cover(
            product_name=f"{installation['name']} · {period['start_date']} {DASH} {period['end_date']}",
            qr_payload=source["passport_identifier"],
            issuer=f"{operator['name']} ({operator['identifier']})",
            version=str(source["version"]),
            status=status_label(source["status"], lang),
            identifiers=[
                ("Installation", installation["installation_identifier"]),
                *([("UN/LOCODE", installation["un_locode"])] if installation.get("un_locode") else []),
                (word("cbam_period", lang), f"{period['start_date']} {DASH} {period['end_date']}"),
            ],
            key=key,
            qr_png=qr_png,
            no_qr_reason=no_qr_reason(str(source["status"]), qr_png, lang),
        ),
        content_hash=source["content_hash"],
        tier_label=tier_label(tier, lang),
        sections=sections,
        labels=layout_labels(lang),
        watermark=report_watermark(str(source["status"]), 0, lang),
    )

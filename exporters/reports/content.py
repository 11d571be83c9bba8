"""What a passport's compliance report says: ``build_report(facts, tier=..., lang=...) -> ReportDocument``.

The report follows the passport schema, so one builder serves every category: a cover (product,
identifiers, QR code of the GS1 Digital Link, issuer, version, status and signing key), a summary, the
carbon footprint per lifecycle stage where the schema has one (Battery Regulation (EU) 2023/1542 Art. 7 and
Annex II: stages, total, declared unit, performance class), materials and substances, the clause checklist,
then every other field the access tier may see. Data is first cut to the tier with ``render_for_tier``
(ESPR Art. 10(1)(d)), so nothing above the tier reaches the page.
Plain Python, no Django: the Django side gathers ``ReportFacts`` from a version (see ``selectors``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from exporters.reports.clauses import checklists, judge_clauses
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
    StageChart,
    Table,
)
from exporters.reports.pdf.document import Block
from exporters.reports.seal import SEAL_PLACEHOLDER
from passports.fieldmodel import ITEM, FieldSpec, children, is_filled, specs_by_pattern, walk_schema
from passports.tiers import render_for_tier, tier_rank
from passports.validation import Issue
from passports.validation.wording import format_number

MAX_TABLE_COLUMNS = 7  # wider arrays are printed item by item, so no column shrinks below a word
MATERIAL_WORDS = ("material", "substance", "fibre", "recycled_content", "composition")
STAGE_WORD = "lifecycle_stage"
QUALITY_WORDS = ("primary_data", "data_quality")
_NUMBER = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?")
PATH_SEPARATOR = " \u203a "  # a single right-pointing angle quotation mark between nested field titles


@dataclass(frozen=True)
class ReportFacts:
    """Everything a report needs about one passport version, read from the database by the caller."""

    schema: Mapping[str, Any]
    schema_key: str
    data: Mapping[str, Any]  # the effective data (model data with the batch/item overrides merged)
    issues: Sequence[Issue]
    identifier: str  # GS1 Digital Link URI, also the QR code's content
    product_name: str
    product_name_ko: str
    gtin: str
    cn_code: str
    granularity: str
    lot: str
    serial: str
    issuer: str
    issuer_identifiers: Sequence[tuple[str, str]]
    version_number: int
    status: str
    content_hash: str
    created_at: datetime
    published_at: datetime | None = None
    key: SigningKeyInfo | None = None
    keywords: Sequence[str] = field(default_factory=tuple)
    qr_png: bytes | None = None  # the passport's QR code stored at publication, if it encodes ``identifier``


def build_report(facts: ReportFacts, *, tier: str, lang: Lang, full_data: bool = False) -> ReportDocument:
    """Return the report of ``facts`` as a viewer of ``tier`` sees it, written in ``lang``.

    ``full_data`` appends every other field the tier may see: the report then doubles as a printed copy
    of the passport, at three times the pages (and the time to render them).
    """
    tier_rank(tier)  # ValueError for an unknown tier, before any work
    specs = walk_schema(facts.schema)
    visible = render_for_tier(facts.schema, facts.data, tier)
    sections: list[Section] = [_summary(facts, tier, lang)]
    shown: set[tuple[str, ...]] = set()
    footprint = _footprint_section(specs, visible, lang, shown)
    if footprint is not None:
        sections.append(footprint)
    materials = _materials_section(specs, visible, lang, shown)
    if materials is not None:
        sections.append(materials)
    results = judge_clauses(facts.schema, facts.data, facts.issues, tier=tier, lang=lang)
    sections.append(
        Section(word("checklist", lang), [Paragraph(word("checklist_intro", lang), "note"), *checklists(results)])
    )
    rest = _data_blocks(specs, visible, lang, shown) if full_data else []
    if rest:
        intro = Paragraph(word("passport_data_intro", lang, tier=tier_label(tier, lang)), "note")
        sections.append(Section(word("passport_data", lang), [intro, *rest]))
    title = word("report_title", lang)
    return ReportDocument(
        title=title,
        lang=lang,
        metadata=_metadata(facts, title, lang),
        cover=_cover(facts, lang),
        content_hash=facts.content_hash,
        tier_label=tier_label(tier, lang),
        sections=sections,
        labels=layout_labels(lang),
        watermark=report_watermark(facts.status, len(facts.issues), lang),
    )


def report_created_at(facts: ReportFacts) -> datetime:
    """The date a report carries: the version's publication, so one version always renders the same bytes."""
    return facts.published_at or facts.created_at


def _metadata(facts: ReportFacts, title: str, lang: Lang) -> Metadata:
    return Metadata(
        author=facts.issuer,
        subject=f"{title}: {facts.identifier} v{facts.version_number}",
        creator="DPP platform compliance reports",
        # The seal placeholder is replaced by the report's seal after rendering (see ``seal``).
        keywords=["Digital Product Passport", facts.schema_key, facts.identifier, *facts.keywords, SEAL_PLACEHOLDER],
        created=report_created_at(facts),
    )


def _cover(facts: ReportFacts, lang: Lang) -> Cover:
    identifiers: list[tuple[str, str]] = [(word("digital_link", lang), facts.identifier), ("GTIN", facts.gtin)]
    identifiers.append((word("granularity", lang), word(f"granularity_{facts.granularity}", lang)))
    if facts.lot:
        identifiers.append((word("lot", lang), facts.lot))
    if facts.serial:
        identifiers.append((word("serial", lang), facts.serial))
    if facts.cn_code:
        identifiers.append((word("cn_code", lang), facts.cn_code))
    identifiers.append((word("schema", lang), facts.schema_key))
    identifiers.extend(facts.issuer_identifiers)
    moment = facts.published_at or facts.created_at
    when = word("published_on" if facts.published_at else "created_on", lang)
    version = f"{facts.version_number} ({when} {moment:%Y-%m-%d %H:%M} UTC)"
    name = facts.product_name_ko if lang == "ko" and facts.product_name_ko else facts.product_name
    return Cover(
        product_name=name,
        qr_payload=facts.identifier,
        issuer=facts.issuer,
        version=version,
        status=status_label(facts.status, lang),
        identifiers=identifiers,
        key=facts.key,
        qr_png=facts.qr_png,
        no_qr_reason=no_qr_reason(facts.status, facts.qr_png, lang),
    )


def _summary(facts: ReportFacts, tier: str, lang: Lang) -> Section:
    text = word(
        "summary_text", lang, version=facts.version_number, identifier=facts.identifier, tier=tier_label(tier, lang)
    )
    verdict = (
        word("validation_clean", lang) if not facts.issues else word("validation_issues", lang, count=len(facts.issues))
    )
    return Section(word("summary", lang), [Paragraph(text), Paragraph(verdict)])


# --------------------------------------------------------------------------------------------------
# Carbon footprint


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def chart_scale(values: Sequence[float], unit: str) -> tuple[float, str]:
    """Return (factor, unit) that print the stage values with 2 decimals without losing them.

    Battery footprints are declared in kg CO2e per kWh; small declared values (0.0355) would print as
    0.04, so the chart switches to grams (35.50 g CO2e/kWh) while the table keeps the declared figures.
    """
    largest = max((abs(value) for value in values), default=0.0)
    if 0 < largest < 1:
        for big, small in (("t ", "kg "), ("kg ", "g ")):
            if unit.startswith(big):
                return 1000.0, small + unit[len(big) :]
    return 1.0, unit


def _stage_group(specs: Sequence[FieldSpec], visible: Mapping[str, Any]) -> FieldSpec | None:
    for spec in specs:
        if spec.kind == "object" and spec.pattern and STAGE_WORD in spec.pattern[-1] and ITEM not in spec.pattern:
            node: Any = visible
            for part in spec.pattern:
                node = node.get(part) if isinstance(node, Mapping) else None
            if isinstance(node, Mapping) and any(_number(value) is not None for value in node.values()):
                return spec
    return None


def _footprint_section(
    specs: Sequence[FieldSpec], visible: Mapping[str, Any], lang: Lang, shown: set[tuple[str, ...]]
) -> Section | None:
    group = _stage_group(specs, visible)
    if group is None:
        return None
    stages_node: Mapping[str, Any] = visible
    for part in group.pattern:
        stages_node = stages_node[part]
    parent = group.pattern[:-1]
    parent_node: Mapping[str, Any] = visible
    for part in parent:
        parent_node = parent_node[part]
    stage_specs = [spec for spec in children(specs, group.pattern) if spec.kind == "scalar"]
    total_spec = next((spec for spec in stage_specs if spec.pattern[-1] == "total"), None)
    parts = [
        (spec, value)
        for spec in stage_specs
        if spec is not total_spec and (value := _number(stages_node.get(spec.pattern[-1]))) is not None
    ]
    total = _number(stages_node.get("total")) if total_spec else None
    if total is None:
        total = sum(value for _, value in parts)
    unit = next((spec.unit for spec, _ in parts if spec.unit), "") or ""
    factor, chart_unit = chart_scale([value for _, value in parts], unit)
    class_value = next(
        (value for key, value in parent_node.items() if "performance_class" in key and isinstance(value, str)), None
    )
    chart = StageChart(
        stages=[(spec.title(lang), value * factor) for spec, value in parts],
        total=total * factor,
        unit=chart_unit,
        class_label=word("class_prefix", lang, value=class_value) if class_value else None,
        title=word("stage_chart_title", lang),
    )
    rows = [
        [spec.title(lang), format_number(value), f"{value / total * 100:.1f} %" if total else "—"]
        for spec, value in parts
    ]
    rows.append([layout_labels(lang).total, format_number(total), "100.0 %" if total else "—"])
    table = Table(
        columns=[word("stage", lang), f"{word('value', lang)} ({unit})", word("share", lang)],
        rows=rows,
        column_widths=[0.55, 0.25, 0.2],
        align=["left", "right", "right"],
    )
    blocks: list[Block] = [chart]
    if factor != 1.0:
        blocks.append(Paragraph(word("chart_scale_note", lang, unit=chart_unit, declared_unit=unit), "note"))
    blocks.append(table)
    facts = _scalar_rows(specs, parent, parent_node, lang, skip={group.pattern})
    facts += _quality_rows(specs, visible, lang)
    if facts:
        blocks.append(KeyValueTable(facts))
    shown.add(parent)
    title = specs_by_pattern(specs)[parent].title(lang) if parent else word("carbon_footprint", lang)
    return Section(title, blocks)


def _quality_rows(specs: Sequence[FieldSpec], visible: Mapping[str, Any], lang: Lang) -> list[tuple[str, str]]:
    """Data quality and primary-data share, wherever the schema keeps them (PACT ``primaryDataShare``, DQR)."""
    rows: list[tuple[str, str]] = []
    for spec in specs:
        if spec.kind == "scalar" and spec.pattern and any(key in spec.pattern[-1] for key in QUALITY_WORDS):
            value = _value_at(visible, spec.pattern)
            if is_filled(value):
                rows.append((spec.title(lang), format_value(value, spec.unit, lang)))
    return rows


def _value_at(data: Any, pattern: Sequence[str]) -> Any:
    node = data
    for part in pattern:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


# --------------------------------------------------------------------------------------------------
# Tables of fields


def _scalar_rows(
    specs: Sequence[FieldSpec],
    parent: tuple[str, ...],
    node: Mapping[str, Any],
    lang: Lang,
    *,
    skip: set[tuple[str, ...]] | None = None,
    prefix: str = "",
) -> list[tuple[str, str]]:
    """(label, value) for the scalar fields and scalar lists under ``parent``, nested objects flattened."""
    rows: list[tuple[str, str]] = []
    for spec in children(specs, parent):
        if skip and spec.pattern in skip:
            continue
        name = spec.pattern[-1]
        if name not in node or not is_filled(node[name]):
            continue
        value = node[name]
        label = f"{prefix}{spec.title(lang)}"
        if spec.kind == "object" and isinstance(value, Mapping):
            rows += _scalar_rows(specs, spec.pattern, value, lang, skip=skip, prefix=f"{label}{PATH_SEPARATOR}")
        elif spec.kind == "array" and isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
            continue  # arrays of objects become tables of their own
        else:
            item_spec = specs_by_pattern(specs).get((*spec.pattern, ITEM))
            unit = spec.unit or (item_spec.unit if item_spec else None)
            rows.append((label, format_value(value, unit, lang)))
    return rows


def _columns(specs: Sequence[FieldSpec], item: tuple[str, ...], lang: Lang, prefix: str = "") -> list[FieldSpec]:
    """The leaf fields of an array item, nested objects flattened (their titles joined by ``PATH_SEPARATOR``)."""
    found: list[FieldSpec] = []
    for spec in children(specs, item):
        if spec.kind == "object":
            found += _columns(specs, spec.pattern, lang)
        else:
            found.append(spec)
    return found


def _cell(
    item: Mapping[str, Any], spec: FieldSpec, base: tuple[str, ...], specs: Sequence[FieldSpec], lang: Lang
) -> str:
    value = _value_at(item, spec.pattern[len(base) :])
    if not is_filled(value):
        return ""
    if isinstance(value, list) and value and all(isinstance(entry, Mapping) for entry in value):
        inner = [
            ", ".join(format_value(entry[key], None, lang) for key in entry if is_filled(entry[key])) for entry in value
        ]
        return "; ".join(inner)
    item_spec = specs_by_pattern(specs).get((*spec.pattern, ITEM))
    return format_value(value, spec.unit or (item_spec.unit if item_spec else None), lang)


def _array_blocks(specs: Sequence[FieldSpec], spec: FieldSpec, value: list[Any], lang: Lang) -> list[Block]:
    """An array of objects as one table (repeated header across pages), or item by item when too wide."""
    item = (*spec.pattern, ITEM)
    columns = _columns(specs, item, lang)
    items = [entry for entry in value if isinstance(entry, Mapping)]
    base_len = len(item)
    labels = [PATH_SEPARATOR.join(_column_title(specs, column, base_len, lang)) for column in columns]
    if len(columns) <= MAX_TABLE_COLUMNS:
        rows = [[_cell(entry, column, item, specs, lang) for column in columns] for entry in items]
        align: list[Literal["left", "right", "center"]] = [
            "right" if _is_numeric_column(rows, index) else "left" for index in range(len(columns))
        ]
        header = [
            f"{label} ({column.unit})" if column.unit else label for label, column in zip(labels, columns, strict=True)
        ]
        numeric_units = [column.unit if align[index] == "right" else None for index, column in enumerate(columns)]
        rows = [[_strip_unit(cell, numeric_units[index]) for index, cell in enumerate(row)] for row in rows]
        return [Table(columns=header, rows=rows, align=align, title=spec.title(lang))]
    blocks: list[Block] = []
    for number, entry in enumerate(items, start=1):
        pairs = [
            (label, cell)
            for label, column in zip(labels, columns, strict=True)
            if (cell := _cell(entry, column, item, specs, lang))
        ]
        blocks.append(KeyValueTable(pairs, title=f"{spec.title(lang)} {number}"))
    return blocks


def _column_title(specs: Sequence[FieldSpec], column: FieldSpec, base_len: int, lang: Lang) -> list[str]:
    by_pattern = specs_by_pattern(specs)
    return [
        by_pattern[column.pattern[:end]].title(lang)
        for end in range(base_len + 1, len(column.pattern) + 1)
        if column.pattern[:end] in by_pattern
    ]


def _is_numeric_column(rows: Sequence[Sequence[str]], index: int) -> bool:
    cells = [row[index] for row in rows if row[index]]
    return bool(cells) and all(_NUMBER.fullmatch(cell.split(" ")[0]) is not None for cell in cells)


def _strip_unit(cell: str, unit: str | None) -> str:
    # The unit moves into the column header, so the cells hold bare numbers that line up.
    return cell[: -len(unit) - 1] if unit and cell.endswith(f" {unit}") else cell


def _is_material(spec: FieldSpec) -> bool:
    return (
        len(spec.pattern) >= 1
        and ITEM not in spec.pattern
        and spec.kind == "array"
        and any(key in spec.pattern[-1] for key in MATERIAL_WORDS)
    )


def _materials_section(
    specs: Sequence[FieldSpec], visible: Mapping[str, Any], lang: Lang, shown: set[tuple[str, ...]]
) -> Section | None:
    """Material composition, critical raw materials and substances of concern, as tables."""
    blocks: list[Block] = []
    for spec in specs:
        if not _is_material(spec) or any(spec.pattern[: len(done)] == done for done in shown):
            continue
        value = _value_at(visible, spec.pattern)
        if not isinstance(value, list) or not value:
            continue
        if all(isinstance(entry, Mapping) for entry in value):
            blocks += _array_blocks(specs, spec, value, lang)
        else:
            blocks.append(KeyValueTable([(spec.title(lang), format_value(value, spec.unit, lang))]))
        shown.add(spec.pattern)
    return Section(word("materials", lang), blocks) if blocks else None


def _data_blocks(
    specs: Sequence[FieldSpec], visible: Mapping[str, Any], lang: Lang, shown: set[tuple[str, ...]]
) -> list[Block]:
    """Every visible top-level group not shown yet: its scalar fields, then a table per array of objects."""
    blocks: list[Block] = []
    for group in children(specs, ()):
        if group.pattern in shown:
            continue
        value = visible.get(group.pattern[0])
        if not is_filled(value):
            continue
        if group.kind == "object" and isinstance(value, Mapping):
            rows = _scalar_rows(specs, group.pattern, value, lang, skip=shown)
            if rows:
                blocks.append(KeyValueTable(rows, title=group.title(lang)))
            blocks += _nested_arrays(specs, group.pattern, value, lang, shown)
        elif group.kind == "array" and isinstance(value, list):
            if all(isinstance(entry, Mapping) for entry in value):
                blocks += _array_blocks(specs, group, value, lang)
            else:
                blocks.append(KeyValueTable([(group.title(lang), format_value(value, group.unit, lang))]))
        else:
            blocks.append(KeyValueTable([(group.title(lang), format_value(value, group.unit, lang))]))
    return blocks


def _nested_arrays(
    specs: Sequence[FieldSpec],
    parent: tuple[str, ...],
    node: Mapping[str, Any],
    lang: Lang,
    shown: set[tuple[str, ...]],
) -> list[Block]:
    blocks: list[Block] = []
    for spec in children(specs, parent):
        if spec.pattern in shown:
            continue
        value = node.get(spec.pattern[-1])
        if spec.kind == "object" and isinstance(value, Mapping):
            blocks += _nested_arrays(specs, spec.pattern, value, lang, shown)
        elif (
            spec.kind == "array"
            and isinstance(value, list)
            and value
            and all(isinstance(entry, Mapping) for entry in value)
        ):
            blocks += _array_blocks(specs, spec, value, lang)
    return blocks

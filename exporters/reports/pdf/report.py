"""``render_report``: a ReportDocument in, the bytes of a finished PDF out.

The cover says what the product is, where its passport lives (QR code and URI) and who signed
which version with which key; the sections follow. Every page carries the access tier and the
SHA-256 of the passport version, so a printed page can be matched to the signed data.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer
from reportlab.platypus import Table as RLTable

from exporters.reports.pdf.charts import stage_chart_drawing
from exporters.reports.pdf.document import (
    Checklist,
    Cover,
    KeyValueTable,
    Labels,
    Paragraph,
    ReportDocument,
    Section,
    StageChart,
    Table,
)
from exporters.reports.pdf.fonts import FontSet, register_fonts
from exporters.reports.pdf.integrity import footer_hash_text, hash_keyword
from exporters.reports.pdf.layout import (
    TEXT_WIDTH,
    PageFrame,
    PdfInfo,
    Styles,
    build_pdf,
    data_table,
    key_value_table,
    make_styles,
    text,
)
from exporters.reports.pdf.qr import QrCode, module_size_for, symbol_rows

QR_COLUMN = 52 * mm
QR_SIDE_MM = 36  # on the cover the symbol is a headline, not a label: large enough to scan from a desk
_STATUS_FILL = {
    "met": colors.HexColor("#dcefdc"),
    "missing": colors.HexColor("#f8dcdc"),
    "not_applicable": colors.HexColor("#eceef1"),
}


def _cover(cover: Cover, title: str, labels: Labels, styles: Styles, fonts: FontSet) -> list[Flowable]:
    left_width = TEXT_WIDTH - QR_COLUMN - 6 * mm
    left: list[Flowable] = [text(title, styles.title), text(cover.product_name, styles.subtitle)]
    if cover.identifiers:
        left += [
            text(labels.identifiers, styles.h2),
            key_value_table(cover.identifiers, styles, left_width),
        ]
    right: list[Flowable]
    if cover.no_qr_reason:
        right = [text(cover.no_qr_reason, styles.caption)]
    else:
        rows = symbol_rows(cover.qr_payload, cover.qr_png)
        right = [
            QrCode(cover.qr_payload, module_size_for(cover.qr_payload, QR_SIDE_MM, rows=rows), rows=rows),
            Spacer(1, 2 * mm),
            text(labels.scan_hint, styles.caption),
            text(cover.qr_payload, styles.caption),
        ]
    top = RLTable([[left, right]], colWidths=[left_width + 6 * mm, QR_COLUMN], hAlign="LEFT")
    top.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), fonts.regular, 9),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 0), (1, 0), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    facts = [(labels.issuer, cover.issuer), (labels.version, cover.version), (labels.status, cover.status)]
    if cover.key is not None:
        facts += [
            (labels.key_id, cover.key.key_id),
            (labels.fingerprint, cover.key.fingerprint),
            (labels.verification_url, cover.key.verification_url),
        ]
    return [top, Spacer(1, 8 * mm), key_value_table(facts, styles)]


def _checklist(block: Checklist, labels: Labels, styles: Styles) -> Flowable:
    words = {"met": labels.met, "missing": labels.missing, "not_applicable": labels.not_applicable}
    rows = [[row.clause, row.requirement, words[row.status], row.evidence] for row in block.rows]
    # The status cell is tinted by outcome so a reader finds the gaps without reading every row.
    tints = [
        ("BACKGROUND", (2, number), (2, number), _STATUS_FILL[row.status])
        for number, row in enumerate(block.rows, start=1)
    ]
    return data_table(
        [labels.clause, labels.requirement, labels.checklist_status, labels.evidence],
        rows,
        styles,
        column_widths=[0.16, 0.42, 0.14, 0.28],
        extra_style=tints,
    )


def _block(block: object, labels: Labels, styles: Styles, fonts: FontSet) -> list[Flowable]:
    title = getattr(block, "title", None)
    heading: list[Flowable] = [text(title, styles.h2)] if title else []
    if isinstance(block, Paragraph):
        style = styles.note if block.style == "note" else styles.body
        return [text(part, style) for part in block.text.split("\n\n")]
    if isinstance(block, KeyValueTable):
        return [*heading, key_value_table(block.rows, styles), Spacer(1, 4 * mm)]
    if isinstance(block, Table):
        table = data_table(block.columns, block.rows, styles, column_widths=block.column_widths, align=block.align)
        return [*heading, table, Spacer(1, 4 * mm)]
    if isinstance(block, StageChart):
        drawing = stage_chart_drawing(block, fonts, TEXT_WIDTH, labels.total)
        return [KeepTogether([*heading, drawing]), Spacer(1, 4 * mm)]
    if isinstance(block, Checklist):
        return [*heading, _checklist(block, labels, styles), Spacer(1, 4 * mm)]
    raise TypeError(f"unknown report block {type(block).__name__}")


def _section(section: Section, labels: Labels, styles: Styles, fonts: FontSet) -> list[Flowable]:
    # A section title never sits alone at the foot of a page.
    story: list[Flowable] = [CondPageBreak(40 * mm), text(section.title, styles.h1)]
    for block in section.blocks:
        story += _block(block, labels, styles, fonts)
    return story


def render_report(doc: ReportDocument) -> bytes:
    """Render ``doc`` to PDF bytes: cover, then each section; fonts embedded, hash on every page."""
    fonts = register_fonts()
    styles = make_styles(fonts)
    story = _cover(doc.cover, doc.title, doc.labels, styles, fonts)
    if doc.sections:
        story.append(PageBreak())
    for section in doc.sections:
        story += _section(section, doc.labels, styles, fonts)
    info = PdfInfo(
        title=doc.title,
        author=doc.metadata.author,
        subject=doc.metadata.subject,
        creator=doc.metadata.creator,
        keywords=[*doc.metadata.keywords, hash_keyword(doc.content_hash)],
        created=doc.metadata.created,
        lang=doc.lang,
    )
    page_frame = PageFrame(
        title=doc.title,
        tier_label=doc.tier_label,
        page_label=doc.labels.page,
        footer_hash=footer_hash_text(doc.content_hash, doc.labels.content_hash),
        fonts=fonts,
        watermark=doc.watermark,
    )
    return build_pdf(story, info=info, page_frame=page_frame)

"""Page layout of every report: A4, header and footer on each page, styles, and tables that split.

The footer needs the page count ("Page 3 of 12") before the last page is known. Instead of laying
the document out twice, the canvas below holds each finished page back and draws the header and
footer on all of them at save time, when the count is known: one layout pass, same output.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, LongTable, PageTemplate, TableStyle
from reportlab.platypus import Paragraph as RLParagraph
from typing_extensions import override  # typing.override arrives in Python 3.12

from exporters.reports.pdf.fonts import FontSet

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm  # room for the header line above the frame
MARGIN_BOTTOM = 20 * mm  # room for the two footer lines below the frame
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#5f6670")
RULE = colors.HexColor("#c9ced6")
HEADER_FILL = colors.HexColor("#24445c")
ZEBRA = colors.HexColor("#f3f5f8")
ACCENT = colors.HexColor("#2f6f8f")

Alignment = Literal["left", "right", "center"]
_ALIGN = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}


@dataclass(frozen=True)
class Styles:
    """Paragraph styles of a report, all in the embedded font."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    header_cell: ParagraphStyle
    caption: ParagraphStyle


def make_styles(fonts: FontSet) -> Styles:
    """Build the styles; leading is ~1.45x the size because Hangul needs more air than Latin."""
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=14, textColor=INK, spaceAfter=5)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11.5, spaceAfter=0)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontName=fonts.bold, fontSize=19, leading=25, spaceAfter=4),
        subtitle=ParagraphStyle(
            "subtitle",
            parent=body,
            fontName=fonts.bold,
            fontSize=14,
            leading=19,
            textColor=ACCENT,
            spaceAfter=10,
        ),
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontName=fonts.bold,
            fontSize=13.5,
            leading=19,
            spaceBefore=8,
            spaceAfter=6,
            textColor=HEADER_FILL,
            keepWithNext=True,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=fonts.bold,
            fontSize=10.5,
            leading=15,
            spaceBefore=6,
            spaceAfter=4,
            keepWithNext=True,
        ),
        body=body,
        note=ParagraphStyle("note", parent=body, fontSize=8, leading=11.5, textColor=MUTED),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=fonts.bold),
        header_cell=ParagraphStyle("header_cell", parent=cell, fontName=fonts.bold, textColor=colors.white),
        caption=ParagraphStyle("caption", parent=cell, fontSize=7.5, leading=10, textColor=MUTED, alignment=TA_CENTER),
    )


def text(value: str, style: ParagraphStyle) -> RLParagraph:
    """A paragraph of literal text: markup characters are escaped and newlines become line breaks."""
    return RLParagraph(escape(value).replace("\n", "<br/>"), style)


@dataclass(frozen=True)
class PageFrame:
    """What the header and footer of every page show; all strings already translated."""

    title: str
    tier_label: str
    page_label: str  # format string with {page} and {pages}
    footer_hash: str
    fonts: FontSet
    watermark: str | None = None


def _fit_size(value: str, font: str, size: float, width: float, smallest: float) -> float:
    while size > smallest and stringWidth(value, font, size) > width:
        size -= 0.25
    return size


def draw_page_frame(canvas: Canvas, frame: PageFrame, page: int, pages: int) -> None:
    """Draw the header (title, access tier) and footer (content hash, page X of Y) of one page."""
    canvas.saveState()
    top = PAGE_HEIGHT - 12 * mm
    canvas.setFillColor(MUTED)
    canvas.setFont(frame.fonts.regular, 8)
    tier_width = stringWidth(frame.tier_label, frame.fonts.bold, 8) + 8
    title_room = TEXT_WIDTH - tier_width - 8
    title = frame.title
    # Shortened with an ellipsis rather than run under the tier tag; "…" alone is the floor.
    while len(title) > 1 and stringWidth(title, frame.fonts.regular, 8) > title_room:
        title = title[:-2] + "…"
    canvas.drawString(MARGIN_X, top, title)
    # The access tier sits in a filled tag so it is seen at a glance on a printed page.
    canvas.setFillColor(ACCENT)
    canvas.roundRect(PAGE_WIDTH - MARGIN_X - tier_width, top - 3, tier_width, 12, 2, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(frame.fonts.bold, 8)
    canvas.drawCentredString(PAGE_WIDTH - MARGIN_X - tier_width / 2, top, frame.tier_label)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN_X, top - 6, PAGE_WIDTH - MARGIN_X, top - 6)

    bottom = 10 * mm
    canvas.line(MARGIN_X, bottom + 9, PAGE_WIDTH - MARGIN_X, bottom + 9)
    page_text = frame.page_label.format(page=page, pages=pages)
    canvas.setFillColor(INK)
    canvas.setFont(frame.fonts.regular, 8)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, bottom, page_text)
    hash_room = TEXT_WIDTH - stringWidth(page_text, frame.fonts.regular, 8) - 12
    size = _fit_size(frame.footer_hash, frame.fonts.regular, 7, hash_room, 4.5)
    canvas.setFillColor(MUTED)
    canvas.setFont(frame.fonts.regular, size)
    canvas.drawString(MARGIN_X, bottom, frame.footer_hash)
    canvas.restoreState()
    if frame.watermark:
        _draw_watermark(canvas, frame.watermark, frame.fonts)


WATERMARK_COLOR = colors.HexColor("#c62828")


def _draw_watermark(canvas: Canvas, words: str, fonts: FontSet) -> None:
    """Words across the page's diagonal, light enough to read the page through, in the page's own text layer
    (so text extraction and screen readers find them too, not only eyes)."""
    canvas.saveState()
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(45)
    canvas.setFillColor(WATERMARK_COLOR)
    canvas.setFillAlpha(0.16)
    diagonal = (PAGE_WIDTH**2 + PAGE_HEIGHT**2) ** 0.5
    size = _fit_size(words, fonts.bold, 44, diagonal * 0.8, 14)
    canvas.setFont(fonts.bold, size)
    canvas.drawCentredString(0, -size / 3, words)
    canvas.restoreState()


class _DeferredPageCanvas(Canvas):
    """A canvas that keeps finished pages until save, then decorates each knowing the page count."""

    def __init__(self, *args: Any, decorate: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages: list[dict[str, Any]] = []

    @override
    def showPage(self) -> None:
        # A page's content lives in the canvas attributes; _startPage gives the next page fresh ones.
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    @override
    def save(self) -> None:
        pages = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, pages)
            super().showPage()
        super().save()


def _pdf_date(moment: datetime) -> Callable[..., str]:
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    stamp = utc.strftime("D:%Y%m%d%H%M%S+00'00'")
    return lambda *_: stamp


@dataclass(frozen=True)
class PdfInfo:
    """The document information dictionary (ISO 32000-1 section 14.3.3)."""

    title: str
    author: str
    subject: str
    creator: str
    keywords: Sequence[str]
    created: datetime
    lang: str


def build_pdf(story: list[Flowable], *, info: PdfInfo, page_frame: PageFrame) -> bytes:
    """Lay ``story`` out on A4 pages with the header and footer, and return the PDF bytes.

    ``invariant`` mode with the given creation date makes equal input give equal bytes: a report
    can be regenerated later and compared with the one that was handed out.
    """
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=info.title,
        author=info.author,
        subject=info.subject,
        creator=info.creator,
        keywords=list(info.keywords),
        lang=info.lang,
        invariant=1,
        initialFontName=page_frame.fonts.regular,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body")
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    date_formatter = _pdf_date(info.created)

    def canvas_maker(*args: Any, **kwargs: Any) -> Canvas:
        canvas = _DeferredPageCanvas(
            *args, decorate=lambda c, page, pages: draw_page_frame(c, page_frame, page, pages), **kwargs
        )
        canvas.setDateFormatter(date_formatter)
        return canvas

    template.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()


def _fits_on_one_line(value: str, font: str, size: float, width: float) -> bool:
    return "\n" not in value and stringWidth(value, font, size) <= width


def data_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles: Styles,
    *,
    column_widths: Sequence[float] | None = None,
    align: Sequence[Alignment] | None = None,
    width: float = TEXT_WIDTH,
    extra_style: Sequence[tuple[Any, ...]] = (),
) -> LongTable:
    """A table whose header row repeats on every page it runs onto, with wrapped cells.

    Cells that fit on one line stay plain strings and only longer ones become paragraphs: a
    paragraph costs ~20x a string to lay out, and most cells in data tables are short.
    """
    relative = list(column_widths) if column_widths else [1.0] * len(columns)
    scale = width / sum(relative)
    widths = [share * scale for share in relative]
    aligns: list[Alignment] = list(align) if align else ["left"] * len(columns)
    cell_styles = [ParagraphStyle(f"cell-{a}", parent=styles.cell, alignment=_ALIGN[a]) for a in aligns]
    padding = 4
    font, size = styles.cell.fontName, styles.cell.fontSize
    header = [
        text(name, ParagraphStyle(f"hcell-{a}", parent=styles.header_cell, alignment=_ALIGN[a]))
        for name, a in zip(columns, aligns, strict=True)
    ]
    room = [column_width - 2 * padding for column_width in widths]
    body: list[list[str | RLParagraph]] = [
        [
            value if _fits_on_one_line(value, font, size, room[i]) else text(value, cell_styles[i])
            for i, value in enumerate(row)
        ]
        for row in rows
    ]
    table = LongTable([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, size, styles.cell.leading),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
    ]
    commands += [("ALIGN", (i, 1), (i, -1), a.upper()) for i, a in enumerate(aligns) if a != "left"]
    table.setStyle(TableStyle([*commands, *extra_style]))
    return table


def key_value_table(rows: Sequence[tuple[str, str]], styles: Styles, width: float = TEXT_WIDTH) -> LongTable:
    """Label and value in two columns; long values such as URLs and fingerprints wrap."""
    label_width = min(width * 0.34, 58 * mm)
    table = LongTable(
        [[text(label, styles.cell_bold), text(value, styles.cell)] for label, value in rows],
        colWidths=[label_width, width - label_width],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                # Table cells start in the table's default font (Helvetica) unless told otherwise.
                ("FONT", (0, 0), (-1, -1), styles.cell.fontName, styles.cell.fontSize),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("BACKGROUND", (0, 0), (0, -1), ZEBRA),
            ]
        )
    )
    return table

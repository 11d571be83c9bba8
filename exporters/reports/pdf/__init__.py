"""PDF reports of passports, rendered with reportlab from plain data (no Django here).

The Django layer builds a ``ReportDocument`` (labels already translated) and calls
``render_report``; ``read_embedded_hash`` reads back which passport version a PDF shows.
"""

from exporters.reports.pdf.document import (
    Checklist,
    ChecklistRow,
    Cover,
    KeyValueTable,
    Labels,
    Metadata,
    Paragraph,
    ReportDocument,
    Section,
    SigningKeyInfo,
    StageChart,
    Table,
)
from exporters.reports.pdf.fonts import FontNotFoundError, FontSet, register_fonts
from exporters.reports.pdf.integrity import read_embedded_hash, read_footer_hashes
from exporters.reports.pdf.report import render_report

__all__ = [
    "Checklist",
    "ChecklistRow",
    "Cover",
    "FontNotFoundError",
    "FontSet",
    "KeyValueTable",
    "Labels",
    "Metadata",
    "Paragraph",
    "ReportDocument",
    "Section",
    "SigningKeyInfo",
    "StageChart",
    "Table",
    "read_embedded_hash",
    "read_footer_hashes",
    "register_fonts",
    "render_report",
]

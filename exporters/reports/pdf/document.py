"""The plain-data description of a report that ``render_report`` turns into a PDF.

The Django layer fills these dataclasses from a passport version: every label arrives already
translated, every value already formatted as the reader should see it. Nothing here reads a model,
a setting or a translation catalogue, so the renderer is tested and benchmarked on its own.
All text is taken literally: it is escaped before reportlab sees it, so a product name containing
``<b>`` or ``&`` is printed as typed and can never inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from exporters.reports.pdf.integrity import check_sha256_hex


@dataclass(frozen=True)
class Labels:
    """Fixed words of the layout, translated by the caller; the English defaults serve tests and tools.

    ``page`` is a format string with ``{page}`` and ``{pages}`` so languages can order them
    their own way (Korean: ``"{page} / {pages} 쪽"``).
    """

    page: str = "Page {page} of {pages}"
    content_hash: str = "SHA-256 of the passport version"
    identifiers: str = "Identifiers"
    issuer: str = "Issuer"
    version: str = "Version"
    status: str = "Status"
    key_id: str = "Signing key ID"
    fingerprint: str = "Key fingerprint"
    verification_url: str = "Verify the signature at"
    scan_hint: str = "Scan to open the passport"
    total: str = "Total"
    clause: str = "Clause"
    requirement: str = "Requirement"
    checklist_status: str = "Status"
    evidence: str = "Evidence"
    met: str = "Met"
    missing: str = "Missing"
    not_applicable: str = "Not applicable"


@dataclass(frozen=True)
class Metadata:
    """PDF document information: what a viewer's "Properties" dialog and a records system see."""

    author: str
    subject: str = ""
    creator: str = "DPP platform"
    keywords: Sequence[str] = ()
    # A fixed creation date (the version's publication time) makes the same version render to the
    # same bytes, so a stored report can be re-created and compared.
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class SigningKeyInfo:
    """The key that signed the passport version, so a reader of the paper copy can verify it online."""

    key_id: str
    fingerprint: str
    verification_url: str


@dataclass(frozen=True)
class Cover:
    """The first page: what the product is, how to reach its passport, and who vouches for it."""

    product_name: str
    qr_payload: str  # the GS1 Digital Link URI printed as a QR code
    issuer: str
    version: str
    status: str
    identifiers: Sequence[tuple[str, str]] = ()  # (label, value), e.g. ("GTIN", "09506000134352")
    key: SigningKeyInfo | None = None
    # The symbol of ``qr_payload`` made at publication, as PNG: drawn instead of making it again.
    # None (a draft, never published) makes the symbol while rendering.
    qr_png: bytes | None = None
    # Why there is no QR code, when there must be none: a passport never published has no page to open,
    # and a printed symbol that leads nowhere would pass for a data carrier (ESPR Art. 9(2)(b)).
    no_qr_reason: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """Running text; blank lines start a new paragraph, single newlines break the line."""

    text: str
    style: Literal["body", "note"] = "body"


@dataclass(frozen=True)
class KeyValueTable:
    """Two columns of label and value, for the facts of one thing."""

    rows: Sequence[tuple[str, str]]
    title: str | None = None


@dataclass(frozen=True)
class Table:
    """A data table that may run over many pages; its header row repeats on each page.

    ``column_widths`` are relative (they are scaled to the text width); ``align`` gives one of
    ``left``/``right``/``center`` per column, ``right`` suiting numbers.
    """

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    column_widths: Sequence[float] | None = None
    align: Sequence[Literal["left", "right", "center"]] | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        if self.column_widths is not None and len(self.column_widths) != width:
            raise ValueError(f"table has {width} columns but {len(self.column_widths)} column widths")
        if self.align is not None and len(self.align) != width:
            raise ValueError(f"table has {width} columns but {len(self.align)} alignments")
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"table row {number} has {len(row)} cells, the header has {width}")


@dataclass(frozen=True)
class StageChart:
    """Carbon footprint per lifecycle stage as a bar chart, with the total and the performance class.

    Battery Regulation (EU) 2023/1542 Art. 7 and Annex II: the carbon footprint declaration gives
    the total and the share of each lifecycle stage, and a performance class. Values are in
    ``unit`` (e.g. ``kg CO2e / kWh``); negative values (credits) are drawn left of or below zero.
    """

    stages: Sequence[tuple[str, float]]
    total: float
    unit: str
    class_label: str | None = None
    title: str | None = None
    orientation: Literal["horizontal", "vertical"] = "horizontal"

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValueError("a stage chart needs at least one lifecycle stage")


ChecklistStatus = Literal["met", "missing", "not_applicable"]


@dataclass(frozen=True)
class ChecklistRow:
    """One requirement of a regulation and whether the passport meets it."""

    clause: str
    requirement: str
    status: ChecklistStatus
    evidence: str = ""

    def __post_init__(self) -> None:
        if self.status not in ("met", "missing", "not_applicable"):
            raise ValueError(f"checklist status must be met, missing or not_applicable, got {self.status!r}")


@dataclass(frozen=True)
class Checklist:
    """A compliance checklist: clause, requirement, status and the evidence for it."""

    rows: Sequence[ChecklistRow]
    title: str | None = None


Block = Paragraph | KeyValueTable | Table | StageChart | Checklist


@dataclass(frozen=True)
class Section:
    """A titled part of the report after the cover."""

    title: str
    blocks: Sequence[Block]


@dataclass(frozen=True)
class ReportDocument:
    """Everything a report shows. ``content_hash`` is the SHA-256 (hex) of the passport version it reports.

    ``tier_label`` names the access tier of the data shown (ESPR Art. 10(1)(d): public, legitimate
    interest, authorities), printed on every page so a paper copy says who may read it.
    ``lang`` is a BCP 47 tag (``en``, ``ko``) stored as the PDF's language for screen readers.
    """

    title: str
    lang: str
    metadata: Metadata
    cover: Cover
    content_hash: str
    tier_label: str
    sections: Sequence[Section] = ()
    labels: Labels = field(default_factory=Labels)
    # Printed across every page of a report that is not a compliance document (a draft, invalid data).
    watermark: str | None = None

    def __post_init__(self) -> None:
        check_sha256_hex(self.content_hash)

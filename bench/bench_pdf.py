"""Benchmark: render a 3-page passport report (cover with QR code, stage chart, table) to PDF.

Run from the repository root: ``.venv/bin/python bench/bench_pdf.py``. Prints each figure beside
its target. "Bare reportlab" lays out the same pages with reportlab alone (Helvetica, not
embedded; its own pure-Python QR widget; plain page numbers), to show what our layer costs.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

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
    register_fonts,
    render_report,
)

LINK = "https://id.example.com/01/09506000134352/10/LOT-2026-03"
STAGES = [
    ("Raw material acquisition and pre-processing", 52.1),
    ("Main product production", 21.4),
    ("Distribution", 3.2),
    ("End of life and recycling", -4.5),
]
ROWS = [[f"R{n:03d}", f"Cathode active material {n}", "NCM811", f"{n * 1.5:,.2f}"] for n in range(1, 31)]
TEXT = "The carbon footprint is calculated per Battery Regulation Art. 7 and Annex II. " * 6


def sample_report(serial: int | None = None) -> ReportDocument:
    """The bench report; a ``serial`` gives it its own Digital Link, hence its own QR code."""
    link = LINK if serial is None else f"{LINK}/21/SN{serial:06d}"
    return ReportDocument(
        title="Digital Product Passport report",
        lang="en",
        metadata=Metadata(author="Hanbit Battery Co., Ltd.", created=datetime(2026, 3, 1, tzinfo=UTC)),
        cover=Cover(
            product_name="Hanbit EV cell NCM811 60Ah",
            qr_payload=link,
            issuer="Hanbit Battery Co., Ltd.",
            version="3",
            status="Published",
            identifiers=[("GTIN", "09506000134352"), ("LEI", "5493001KJTIIGC8Y1R12")],
            key=SigningKeyInfo("did:web:id.example.com#key-1", "SHA256:" + "ab" * 32, LINK),
        ),
        content_hash=hashlib.sha256(b"bench").hexdigest(),
        tier_label="Public",
        sections=[
            Section(
                "Carbon footprint",
                [
                    Paragraph(TEXT),
                    StageChart(STAGES, 72.2, "kg CO2e/kWh", "Performance class B"),
                    KeyValueTable([("Declared unit", "1 kWh"), ("Share of primary data", "64 %")]),
                    Paragraph(TEXT),
                ],
            ),
            Section("Bill of materials", [Table(["Row", "Component", "Material", "Mass (kg)"], ROWS)]),
        ],
    )


def bare_reportlab() -> bytes:
    """The same three pages with reportlab's own defaults and nothing of ours."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title="Digital Product Passport report")
    qr = QrCodeWidget(LINK, barLevel="M")
    qr_drawing = Drawing(36 * mm, 36 * mm)
    qr.barWidth = qr.barHeight = 36 * mm
    qr_drawing.add(qr)
    chart_drawing = Drawing(480, 130)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 160, 20, 300, 100
    chart.data = [[value for _, value in STAGES]]
    chart.categoryAxis.categoryNames = [name for name, _ in STAGES]
    chart_drawing.add(chart)
    story = [
        RLParagraph("Digital Product Passport report", styles["Title"]),
        RLParagraph("Hanbit EV cell NCM811 60Ah", styles["Heading2"]),
        qr_drawing,
        RLTable([["GTIN", "09506000134352"], ["LEI", "5493001KJTIIGC8Y1R12"], ["Issuer", "Hanbit"]]),
        PageBreak(),
        RLParagraph("Carbon footprint", styles["Heading1"]),
        RLParagraph(TEXT, styles["BodyText"]),
        chart_drawing,
        RLParagraph(TEXT, styles["BodyText"]),
        PageBreak(),
        RLParagraph("Bill of materials", styles["Heading1"]),
        RLTable([["Row", "Component", "Material", "Mass (kg)"], *ROWS], repeatRows=1),
        Spacer(1, 1),
    ]

    def page_number(canvas: Canvas, _doc: object) -> None:
        canvas.drawRightString(A4[0] - 40, 30, f"Page {canvas.getPageNumber()}")

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def _render_one(serial: int) -> int:
    return len(render_report(sample_report(serial)))


def _median_seconds(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process; on a shared machine CPU time is steadier."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _rate(label: str, seconds: tuple[float, float], target: str) -> None:
    wall, cpu = seconds
    print(
        f"{label}: {1 / wall:,.1f}/s, {wall * 1000:.1f} ms wall; {cpu * 1000:.1f} ms CPU = "
        f"{1 / cpu:,.1f}/s per core ({target})"
    )


def main() -> None:
    start = time.perf_counter()
    register_fonts()
    font_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    first = render_report(sample_report())
    cold_ms = (time.perf_counter() - start) * 1000
    pages = len(PdfReader(io.BytesIO(first)).pages)
    print(f"report: {pages} pages, {len(first) / 1024:.0f} KB")
    print(f"font registration (once per process): {font_ms:.0f} ms")
    print(f"first report after registration: {cold_ms:.1f} ms")

    serials = iter(range(10**6))
    _rate(
        "single report, new QR each time, median of 40",
        _median_seconds(lambda: render_report(sample_report(next(serials))), 40),
        "target >= 10/s, < 100 ms",
    )
    _rate(
        "same passport re-rendered (QR cached), median of 40",
        _median_seconds(lambda: render_report(sample_report()), 40),
        "no target",
    )
    _rate(
        "bare reportlab, same pages, median of 40",
        _median_seconds(bare_reportlab, 40),
        "reference, no target",
    )

    batch = 60
    start = time.perf_counter()
    for serial in range(1000, 1000 + batch):
        _render_one(serial)
    sequential = batch / (time.perf_counter() - start)
    print(f"batch of {batch} passports, one process: {sequential:,.1f}/s (target >= 30/s on two cores)")

    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_render_one, range(4)))  # fonts registered in each worker before timing
        start = time.perf_counter()
        list(pool.map(_render_one, range(2000, 2000 + batch)))
        parallel = batch / (time.perf_counter() - start)
    print(f"batch of {batch} passports, two worker processes: {parallel:,.1f}/s (target >= 30/s)")


if __name__ == "__main__":
    main()

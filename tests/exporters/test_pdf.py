"""Tests for exporters/pdf: render English and Korean reports and read them back as a reader would.

Text is read with pypdf, the page image with Debian's pdftoppm and the QR code with zxing-cpp:
each is an independent reader, so the tests check the PDF, not our own idea of it.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from exporters.reports.pdf import (
    Checklist,
    ChecklistRow,
    Cover,
    FontNotFoundError,
    KeyValueTable,
    Labels,
    Metadata,
    Paragraph,
    ReportDocument,
    Section,
    SigningKeyInfo,
    StageChart,
    Table,
    layout,
    read_embedded_hash,
    read_footer_hashes,
    register_fonts,
    render_report,
)
from exporters.reports.pdf.integrity import check_sha256_hex
from exporters.reports.pdf.qr import (
    MAX_MODULE_MM,
    MIN_MODULE_MM,
    QrCode,
    UnreadableSymbolError,
    module_size_for,
    modules_from_png,
    qr_drawing,
    qr_modules,
    symbol_rows,
)
from exporters.resolver.carriers import qr_png

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CONTENT_HASH = hashlib.sha256(b"passport version 3 of GTIN 09506000134352").hexdigest()
LINK = "https://id.example.com/01/09506000134352/10/LOT-2026-03"
ROWS = 200

KO_LABELS = Labels(
    page="{page} / {pages} 쪽",
    content_hash="여권 버전 SHA-256",
    identifiers="식별자",
    issuer="발행자",
    version="버전",
    status="상태",
    key_id="서명 키 ID",
    fingerprint="키 지문",
    verification_url="서명 검증 주소",
    scan_hint="스캔하여 여권 열기",
    total="합계",
    clause="조항",
    requirement="요구 사항",
    checklist_status="상태",
    evidence="근거",
    met="충족",
    missing="누락",
    not_applicable="해당 없음",
)


def _report(lang: str) -> ReportDocument:
    ko = lang == "ko"
    stages: Sequence[tuple[str, float]] = (
        [("원료 획득 및 전처리", 52.1), ("주요 제품 생산", 21.4), ("유통", 3.2), ("폐기 및 재활용", -4.5)]
        if ko
        else [
            ("Raw material acquisition and pre-processing", 52.1),
            ("Main product production", 21.4),
            ("Distribution", 3.2),
            ("End of life and recycling", -4.5),
        ]
    )
    part = "양극 활물질" if ko else "Cathode active material"
    rows = [[f"R{n:03d}", f"{part} {n}", "NCM811", f"{n * 1.5:,.2f}"] for n in range(1, ROWS + 1)]
    columns = ["Row", "Component name", "Material", "Mass (kg)"]
    if ko:
        columns = ["번호", "부품명", "재료", "질량 (kg)"]
    return ReportDocument(
        title="디지털 제품 여권 보고서" if ko else "Digital Product Passport report",
        lang=lang,
        metadata=Metadata(
            author="한빛배터리 주식회사" if ko else "Hanbit Battery Co., Ltd.",
            subject="배터리 여권" if ko else "Battery passport",
            created=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        ),
        cover=Cover(
            product_name="한빛 EV 셀 NCM811 60Ah" if ko else "Hanbit EV cell NCM811 60Ah",
            qr_payload=LINK,
            issuer="한빛배터리 주식회사",
            version="3",
            status="발행됨" if ko else "Published",
            identifiers=[("GTIN", "09506000134352"), ("LEI", "5493001KJTIIGC8Y1R12")],
            key=SigningKeyInfo(
                key_id="did:web:id.example.com#key-2026-01",
                fingerprint="SHA256:" + "ab" * 32,
                verification_url="https://id.example.com/verify/09506000134352",
            ),
        ),
        content_hash=CONTENT_HASH,
        tier_label="공개" if ko else "Public",
        labels=KO_LABELS if ko else Labels(),
        sections=[
            Section(
                "탄소 발자국" if ko else "Carbon footprint",
                [
                    Paragraph(
                        "배터리 규정 제7조에 따라 수명 주기 단계별로 계산한 탄소 발자국입니다."
                        if ko
                        else "Carbon footprint per lifecycle stage, calculated per Battery Regulation Art. 7."
                    ),
                    StageChart(stages, 72.2, "kg CO2e/kWh", "성능 등급 B" if ko else "Performance class B"),
                ],
            ),
            Section(
                "부품 목록" if ko else "Bill of materials",
                [Table(columns, rows, [0.12, 0.43, 0.25, 0.2], align=["left", "left", "left", "right"])],
            ),
            Section(
                "적합성" if ko else "Compliance",
                [
                    Checklist(
                        [
                            ChecklistRow("Art. 7(1)", "탄소 발자국" if ko else "Carbon footprint", "met"),
                            ChecklistRow("Art. 8", "재활용 원료" if ko else "Recycled content", "missing"),
                            ChecklistRow("Art. 10", "x", "not_applicable"),
                        ]
                    )
                ],
            ),
        ],
    )


@pytest.fixture(scope="module")
def en_pdf() -> bytes:
    return render_report(_report("en"))


@pytest.fixture(scope="module")
def ko_pdf() -> bytes:
    return render_report(_report("ko"))


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def test_metadata_title_author_subject_date(en_pdf: bytes, ko_pdf: bytes) -> None:
    for pdf, lang in ((en_pdf, "en"), (ko_pdf, "ko")):
        reader = PdfReader(io.BytesIO(pdf))
        info = reader.metadata
        assert info is not None
        expected = _report(lang)
        assert info.title == expected.title
        assert info.author == expected.metadata.author
        assert info.subject == expected.metadata.subject
        assert info.creation_date == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
        assert reader.trailer["/Root"]["/Lang"] == lang


def test_korean_text_round_trips_as_korean(ko_pdf: bytes) -> None:
    text = "\n".join(_pages_text(ko_pdf))
    phrases = ("디지털 제품 여권 보고서", "한빛 EV 셀 NCM811 60Ah", "한빛배터리 주식회사")
    phrases += ("탄소 발자국", "합계", "충족", "재활용 원료")
    for phrase in phrases:
        assert phrase in text
    assert "양극 활물질 200" in text


def test_page_numbers_on_every_page(en_pdf: bytes, ko_pdf: bytes) -> None:
    en_pages = _pages_text(en_pdf)
    ko_pages = _pages_text(ko_pdf)
    # A cover, a chart page and 200 rows of ~11 pt do not fit on three pages.
    assert len(en_pages) > 3
    for number, text in enumerate(en_pages, start=1):
        assert f"Page {number} of {len(en_pages)}" in text
    for number, text in enumerate(ko_pages, start=1):
        assert f"{number} / {len(ko_pages)} 쪽" in text


@pytest.mark.parametrize(("lang", "header"), [("en", "Component name"), ("ko", "부품명")])
def test_table_header_repeats_and_no_row_is_lost(lang: str, header: str) -> None:
    pages = _pages_text(render_report(_report(lang)))
    pages_with_rows = [text for text in pages if re.search(r"\bR\d{3}\b", text)]
    assert len(pages_with_rows) >= 3  # the table really runs over pages 2+
    for text in pages_with_rows:
        assert header in text
    seen = [int(n) for text in pages_with_rows for n in re.findall(r"\bR(\d{3})\b", text)]
    assert seen == list(range(1, ROWS + 1))


def test_hash_in_metadata_and_every_footer(en_pdf: bytes, ko_pdf: bytes) -> None:
    for pdf in (en_pdf, ko_pdf):
        assert read_embedded_hash(pdf) == CONTENT_HASH
        footers = read_footer_hashes(pdf)
        assert footers == [CONTENT_HASH] * len(footers)


def test_pdf_without_hash_reads_none() -> None:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "no hash here")
    canvas.save()
    assert read_embedded_hash(buffer.getvalue()) is None
    assert read_footer_hashes(buffer.getvalue()) == [None]


def test_every_font_is_embedded(ko_pdf: bytes) -> None:
    # A font that is not embedded shows as boxes where the reader lacks it (HYGothic's failure).
    reader = PdfReader(io.BytesIO(ko_pdf))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
    assert names
    assert all("NanumGothic" in name for name in names)


def test_same_input_gives_same_bytes(en_pdf: bytes) -> None:
    assert render_report(_report("en")) == en_pdf


def test_chart_and_checklist_content(en_pdf: bytes) -> None:
    text = "\n".join(_pages_text(en_pdf))
    assert "Total: 72.20 kg CO2e/kWh" in text
    assert "Performance class B" in text
    for value in ("52.10", "21.40", "3.20", "-4.50"):
        assert value in text
    for word in ("Met", "Missing", "Not applicable"):
        assert word in text


def test_markup_in_data_is_printed_literally() -> None:
    doc = _report("en")
    doc = replace(doc, cover=replace(doc.cover, product_name="<b>Cell</b> & <font size=40>pack</font>"))
    text = "\n".join(_pages_text(render_report(doc)))
    assert "<b>Cell</b> & <font size=40>pack</font>" in text


def test_long_cell_text_wraps_inside_its_column() -> None:
    styles = layout.make_styles(register_fonts())
    long_value = "Recycled nickel from pre-consumer scrap " * 12 + "x" * 150
    table = layout.data_table(["A", "B"], [["1", long_value]], styles, column_widths=[1, 3])
    width, height = table.wrap(layout.TEXT_WIDTH, layout.PAGE_HEIGHT)
    assert width <= layout.TEXT_WIDTH + 0.01
    assert height > 5 * styles.cell.leading  # many lines, not one line running off the page


def test_documents_refuse_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="row 2 has 1 cells"):
        Table(["a", "b"], [["1", "2"], ["3"]])
    with pytest.raises(ValueError, match="column widths"):
        Table(["a", "b"], [], column_widths=[1])
    with pytest.raises(ValueError, match="met, missing or not_applicable"):
        ChecklistRow("Art. 1", "x", "done")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="SHA-256"):
        replace(_report("en"), content_hash="ABC")
    with pytest.raises(ValueError, match="SHA-256"):
        check_sha256_hex(CONTENT_HASH.upper())
    with pytest.raises(ValueError, match="at least one"):
        StageChart([], 0, "kg")


def test_key_value_block_and_note_paragraph_render() -> None:
    doc = replace(
        _report("en"),
        sections=[
            Section(
                "Facts",
                [
                    KeyValueTable([("Declared unit", "1 kWh of total energy")], title="Declaration"),
                    Paragraph("First paragraph.\n\nSecond paragraph,\nwith a line break.", style="note"),
                    StageChart([("A", 1.0), ("B", 2.0)], 3.0, "kg", orientation="vertical"),
                ],
            )
        ],
    )
    text = "\n".join(_pages_text(render_report(doc)))
    assert "Declaration" in text
    assert "1 kWh of total energy" in text
    assert "Second paragraph," in text


def test_long_title_and_tier_label_still_render() -> None:
    doc = replace(_report("en"), title="Battery passport " * 30, tier_label="Legitimate interest " * 12, sections=[])
    pages = _pages_text(render_report(doc))
    assert len(pages) == 1
    assert "…" in pages[0]  # the header title was shortened, not run under the tier tag


def test_missing_font_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(FontNotFoundError, match="fonts-nanum"):
        register_fonts([tmp_path])


def test_font_licence_travels_with_the_font() -> None:
    fonts = register_fonts()
    assert fonts.licence_path is not None
    licence = fonts.licence_path.read_text(encoding="utf-8", errors="replace")
    assert "OFL" in licence or "Open Font License" in licence


def _render_page_one(pdf: bytes, name: str, dpi: int) -> Path:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    prefix = ARTIFACTS / f"{name}-page1"
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-png", str(source), str(prefix)],
        check=True,
        timeout=60,
    )
    return prefix.with_suffix(".png")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_cover_qr_code_decodes_to_the_digital_link(lang: str, en_pdf: bytes, ko_pdf: bytes) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR code")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a reportlab dependency) opens the PNG")
    png = _render_page_one(en_pdf if lang == "en" else ko_pdf, f"report-{lang}", dpi=150)
    results = zxingcpp.read_barcodes(image_module.open(png))
    assert [result.text for result in results if result.format == zxingcpp.BarcodeFormat.QRCode] == [LINK]


def test_qr_drawing_decodes_to_the_digital_link() -> None:
    from reportlab.graphics import renderPDF
    from reportlab.pdfgen.canvas import Canvas

    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR code")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a reportlab dependency) opens the PNG")
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    renderPDF.draw(qr_drawing(LINK, module_mm=0.6), canvas, 100, 500)
    canvas.save()
    png = _render_page_one(buffer.getvalue(), "qr-drawing", dpi=150)
    results = zxingcpp.read_barcodes(image_module.open(png))
    assert [result.text for result in results] == [LINK]


def test_qr_module_size_stays_in_the_gs1_range() -> None:
    # LINK makes a version-4 symbol: 33 modules + 8 of quiet zone = 41; 36 mm / 41 = 0.878 mm.
    assert module_size_for(LINK, 36) == pytest.approx(36 / 41)
    assert module_size_for(LINK, 5) == MIN_MODULE_MM
    assert module_size_for(LINK, 200) == MAX_MODULE_MM
    assert QrCode(LINK, 0.5).wrap(0, 0) == pytest.approx((41 * 0.5 * 72 / 25.4,) * 2)
    with pytest.raises(ValueError, match=r"0\.396"):
        QrCode(LINK, 0.3)
    with pytest.raises(ValueError, match=r"0\.396"):
        qr_drawing(LINK, 1.5)


@pytest.mark.parametrize("scale", [1, 3, 8])
@pytest.mark.parametrize("data", [LINK, "x", LINK + "/21/" + "S" * 150])
def test_stored_png_reads_back_to_the_same_modules(data: str, scale: int) -> None:
    # Versions 1, 4 and 9 at several pixel sizes: the stored PNG gives exactly the symbol segno made.
    assert modules_from_png(qr_png(data, scale=scale)) == qr_modules(data)


def test_unreadable_stored_png_is_refused_and_the_symbol_made_again() -> None:
    import PIL.Image

    blank = io.BytesIO()
    PIL.Image.new("L", (200, 200), 255).save(blank, format="PNG")
    cropped = io.BytesIO()
    PIL.Image.open(io.BytesIO(qr_png(LINK, scale=4))).crop((0, 0, 150, 164)).save(cropped, format="PNG")
    for junk in (b"not a png", blank.getvalue(), cropped.getvalue()):
        with pytest.raises(UnreadableSymbolError):
            modules_from_png(junk)
        assert symbol_rows(LINK, junk) == qr_modules(LINK)
    other = "https://id.example.com/01/09506000134352"
    assert symbol_rows(LINK, qr_png(other)) == qr_modules(other)  # a readable PNG is drawn as stored

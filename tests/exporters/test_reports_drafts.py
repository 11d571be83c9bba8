"""Reports tell the truth about drafts: a draft or invalid passport's report says on every page that it is not
a compliance document, and a passport never published gets no QR code to a page that does not exist."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from exporters.pdf import render_report
from exporters.reports.content import build_report
from tests.exporters.test_reports_content import _facts

QR_PNG = b"\x89PNG stored at publication"


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_draft_report_is_marked_on_every_page(lang: str) -> None:
    pdf = render_report(build_report(_facts(status="draft", published_at=None), tier="public", lang=lang))
    pages = _pages(pdf)
    assert len(pages) > 1
    mark = "DRAFT — not a compliance document" if lang == "en" else "초안 — 규정 준수 문서가 아님"
    assert all(mark.replace(" ", "") in page.replace(" ", "") for page in pages), pages[0][:200]


def test_an_invalid_passport_report_is_marked_and_a_clean_published_one_is_not() -> None:
    data = _facts().data
    broken = {**data, "general_product_information": {**data["general_product_information"]}}
    broken["general_product_information"].pop("manufacturing_date")
    invalid = _pages(render_report(build_report(_invalid(broken), tier="public", lang="en")))
    assert all("INVALID DATA" in page for page in invalid)
    clean = _pages(render_report(build_report(_facts(), tier="public", lang="en")))
    assert not any("compliance document" in page for page in clean)


def _invalid(data: dict[str, Any]) -> Any:
    facts = _facts(data=data)  # _facts validates the data it is given
    assert facts.issues
    return facts


def _qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils)")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR code")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a reportlab dependency) opens the PNG")
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    prefix = tmp_path / "page1"
    subprocess.run(
        [pdftoppm, "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-png", str(source), str(prefix)],
        check=True,
        capture_output=True,
    )
    return [r.text for r in zxingcpp.read_barcodes(image_module.open(prefix.with_suffix(".png")))]


def test_a_never_published_passport_has_no_qr_code_and_says_why(tmp_path: Path) -> None:
    pdf = render_report(build_report(_facts(status="draft", published_at=None), tier="public", lang="en"))
    assert _qr_codes(pdf, tmp_path) == []
    assert "No QR code: this passport is not published yet" in _pages(pdf)[0]


def test_a_draft_of_a_published_passport_keeps_the_code_to_the_published_page(tmp_path: Path) -> None:
    facts = _facts(status="draft", published_at=None, qr_png=None)
    document = build_report(facts, tier="public", lang="en")
    assert document.cover.no_qr_reason is not None  # never published: no stored symbol
    with_symbol = build_report(_facts(status="draft", published_at=None, qr_png=QR_PNG), tier="public", lang="en")
    assert with_symbol.cover.no_qr_reason is None
    assert with_symbol.watermark is not None  # still not a compliance document

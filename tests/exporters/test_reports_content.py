"""Tests for exporters/reports/{content,clauses,fields,labels,seal}.py: reports built from plain data.

No database: the demo battery passport's example data goes straight into ``build_report``, and the PDF is
read back with pypdf (text), pdftoppm (page image) and zxing-cpp (the QR code), as a reader would.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from exporters.reports.clauses import judge_clauses
from exporters.reports.content import ReportFacts, build_report, chart_scale
from exporters.reports.pdf import SigningKeyInfo, read_embedded_hash, read_footer_hashes, render_report
from exporters.reports.seal import SEAL_PLACEHOLDER, SealError, read_seal, seal_is_valid, seal_pdf
from passports.fieldmodel import split_clause, walk_schema
from passports.validation import validate

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SCHEMAS = ROOT / "passports" / "schemas"
LINK = "http://127.0.0.1:8000/01/08801234000017"
HASH = hashlib.sha256(b"battery passport v1").hexdigest()


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _facts(data: dict[str, Any] | None = None, **changes: Any) -> ReportFacts:
    schema = _load("battery-1.0.json")
    data = data if data is not None else _load("examples/battery-1.0-ev-pack.json")
    fields: dict[str, Any] = {
        "schema": schema,
        "schema_key": "battery/1.0",
        "data": data,
        "issues": validate(schema, data),
        "identifier": LINK,
        "product_name": "HBE-P96 NMC811 96 kWh EV battery pack",
        "product_name_ko": "HBE-P96 NMC811 96 kWh 전기차 배터리 팩",
        "gtin": "08801234000017",
        "cn_code": "85076000",
        "granularity": "model",
        "lot": "",
        "serial": "",
        "issuer": "Hanbit Energy Solutions Co., Ltd. (KR)",
        "issuer_identifiers": [("LEI", "9884004HBTENERGY0111")],
        "version_number": 1,
        "status": "published",
        "content_hash": HASH,
        "created_at": datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        "published_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    }
    fields.update(changes)
    return ReportFacts(**fields)


def _text(pdf: bytes) -> str:
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    return re.sub(r"\s+", " ", " ".join(pages))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_clause_of_the_battery_schema_is_judged_and_printed() -> None:
    facts = _facts()
    schema = facts.schema
    clauses = list(dict.fromkeys(spec.own_legal for spec in walk_schema(schema) if spec.own_legal))
    assert len(clauses) > 40  # the battery schema cites dozens of provisions of Regulation (EU) 2023/1542
    pdf = render_report(build_report(facts, tier="public", lang="en"))
    # Cells wrap, so compare without whitespace: every provision and every act is on the page.
    printed = _squeezed(_text(pdf))
    for legal in clauses:
        act, provision = split_clause(legal)
        assert _squeezed(act) in printed, act
        assert _squeezed(provision) in printed, legal


def test_clause_verdicts_follow_data_and_validation() -> None:
    data = _load("examples/battery-1.0-ev-pack.json")
    # A battery just placed on the market has no state-of-health history yet (Annex XIII(4)): optional, empty.
    del data["performance_and_durability"]["battery_condition"]
    facts = _facts(data)
    assert not facts.issues
    results = {result.legal: result for result in judge_clauses(facts.schema, facts.data, [], tier="public", lang="en")}
    health = "Regulation (EU) 2023/1542, Annex XIII(4)(a)-(b) and Art. 14"
    assert results[health].status == "not_applicable"
    # Performance class (Art. 7(2)) is public and met, with the class as evidence.
    assert results["Regulation (EU) 2023/1542, Art. 7(2)"].status == "met"
    assert "B" in results["Regulation (EU) 2023/1542, Art. 7(2)"].evidence
    # Detailed composition (Annex XIII(2)(a)) is met, but a public report does not print the masses.
    composition = results["Regulation (EU) 2023/1542, Annex XIII(2)(a)"]
    assert composition.status == "met"
    assert "Graphite" not in composition.evidence
    assert "Legitimate interest" in composition.evidence
    li = {r.legal: r for r in judge_clauses(facts.schema, facts.data, [], tier="legitimate_interest", lang="en")}
    assert "Graphite" in li["Regulation (EU) 2023/1542, Annex XIII(2)(a)"].evidence


def test_a_validation_problem_makes_its_clause_missing() -> None:
    data = _load("examples/battery-1.0-ev-pack.json")
    del data["carbon_footprint"]["carbon_footprint_performance_class"]
    facts = _facts(data)
    assert facts.issues, "removing a required field must give a validation issue"
    results = {r.legal: r for r in judge_clauses(facts.schema, facts.data, facts.issues, tier="public", lang="en")}
    assert results["Regulation (EU) 2023/1542, Art. 7(2)"].status == "missing"
    assert results["Regulation (EU) 2023/1542, Art. 7(2)"].evidence  # the validation message is the evidence
    text = _text(render_report(build_report(facts, tier="public", lang="en")))
    assert "Missing" in text
    assert f"{len(facts.issues)} open validation issue" in text


def test_report_shows_stage_figures_total_class_and_declared_unit() -> None:
    text = _text(render_report(build_report(_facts(), tier="public", lang="en")))
    # Declared figures (kg CO2e/kWh) in the table, as entered: 0.0355 + 0.0131 + 0.0009 + 0.0006 = 0.0501.
    for figure in ("0.0355", "0.0131", "0.0009", "0.0006", "0.0501"):
        assert figure in text
    # Shares of the total: 0.0355 / 0.0501 = 70.9 %, 0.0131 / 0.0501 = 26.1 %.
    assert "70.9 %" in text
    assert "26.1 %" in text
    # The chart draws the same figures in grams so two decimals keep them: 35.50, 13.10, total 50.10.
    assert "35.50" in text
    assert "Total: 50.10 g CO2e/kWh" in text
    assert "Class B" in text
    assert "Declared unit" in text
    assert "6850 kg CO2e" in text  # absolute carbon footprint with its unit


def test_materials_and_substances_tables() -> None:
    public = _text(render_report(build_report(_facts(), tier="public", lang="en")))
    assert "Lithium hexafluorophosphate" in public
    assert "21324-40-3" in public
    assert "Natural graphite" in public
    assert "182.4" not in public  # battery material masses are legitimate-interest data
    li = _text(render_report(build_report(_facts(), tier="legitimate_interest", lang="en")))
    assert "182.4" in li


def test_cover_shows_issuer_version_status_and_signing_key() -> None:
    key = SigningKeyInfo("did:web:dpp.example:orgs:hanbit#key-1", "SHA256:" + "ab" * 32, "https://dpp.example/v")
    text = _text(render_report(build_report(_facts(key=key), tier="public", lang="en")))
    assert "Hanbit Energy Solutions Co., Ltd. (KR)" in text
    assert "1 (published 2026-03-01 09:30 UTC)" in text
    assert "Published" in text
    assert "did:web:dpp.example:orgs:hanbit#key-1" in text
    assert _squeezed("SHA256:" + "ab" * 32) in _squeezed(text)
    assert "9884004HBTENERGY0111" in text
    unsigned = _text(render_report(build_report(_facts(), tier="public", lang="en")))
    assert "Signing key ID" not in unsigned


def test_every_page_and_the_metadata_carry_the_version_hash() -> None:
    pdf = render_report(build_report(_facts(), tier="public", lang="en"))
    assert read_embedded_hash(pdf) == HASH
    footers = read_footer_hashes(pdf)
    assert len(footers) >= 3
    assert set(footers) == {HASH}
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Digital Product Passport compliance report"
    assert "Hanbit" in (reader.metadata.author or "")
    assert f"Page 1 of {len(reader.pages)}" in (reader.pages[0].extract_text() or "")


def test_korean_report_reads_as_korean_and_renders(tmp_path: Path) -> None:
    pdf = render_report(build_report(_facts(), tier="public", lang="ko"))
    text = _text(pdf)
    for korean in (
        "디지털 제품 여권 규정 준수 보고서",
        "규정 준수 점검표",
        "수명주기 단계별 탄소발자국",
        "충족",
        "발행됨",
        "공개",
    ):
        assert korean in text, korean
    assert "원료 획득 및 전처리" in text  # a stage name from the schema's x-title-ko
    assert "HBE-P96 NMC811 96 kWh 전기차 배터리 팩" in text
    assert re.search(r"1 / \d+ 쪽", text)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils)")
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "compliance-report-ko.pdf"
    source.write_bytes(pdf)
    prefix = ARTIFACTS / "compliance-report-ko-page2"
    subprocess.run(
        [pdftoppm, "-r", "60", "-f", "2", "-l", "2", "-singlefile", "-png", str(source), str(prefix)],
        check=True,
        capture_output=True,
    )
    image = prefix.with_suffix(".png")
    assert image.stat().st_size > 10_000  # a page of text and a chart, not a blank page


def cover_qr_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of every QR code on the first page, as a phone's decoder reads it off the rendered page."""
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
    results = zxingcpp.read_barcodes(image_module.open(prefix.with_suffix(".png")))
    return [result.text for result in results if result.format == zxingcpp.BarcodeFormat.QRCode]


def test_cover_qr_code_decodes_to_the_passport_link(tmp_path: Path) -> None:
    pdf = render_report(build_report(_facts(), tier="public", lang="en"))
    assert cover_qr_texts(pdf, tmp_path) == [LINK]


def test_long_product_names_wrap_and_full_data_adds_pages() -> None:
    long_name = "Hanbit high-nickel NMC811 liquid-cooled traction battery pack for long-range vehicles " * 4
    pdf = render_report(build_report(_facts(product_name=long_name), tier="public", lang="en"))
    assert _squeezed(long_name) in _squeezed(_text(pdf))
    summary_pages = len(PdfReader(io.BytesIO(pdf)).pages)
    full = render_report(build_report(_facts(), tier="authority", lang="en", full_data=True))
    full_text = _text(full)
    assert "Passport data" in full_text
    assert "Test reports" in full_text or "result_of_test_report" in full_text or len(full_text) > len(_text(pdf))
    assert len(PdfReader(io.BytesIO(full)).pages) > summary_pages


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown access tier"):
        build_report(_facts(), tier="everyone", lang="en")


def test_same_facts_render_the_same_bytes() -> None:
    first = render_report(build_report(_facts(), tier="public", lang="en"))
    second = render_report(build_report(_facts(), tier="public", lang="en"))
    assert first == second  # the creation date is the publication time, so reports can be re-created


def test_chart_scale_switches_to_grams_only_for_small_values() -> None:
    assert chart_scale([0.0355, 0.0131], "kg CO2e/kWh") == (1000.0, "g CO2e/kWh")
    assert chart_scale([52.1, 21.4], "kg CO2e/kWh") == (1.0, "kg CO2e/kWh")
    assert chart_scale([0.5], "t CO2e/t") == (1000.0, "kg CO2e/t")
    assert chart_scale([0.5], "%") == (1.0, "%")


def test_seal_detects_any_changed_byte() -> None:
    pdf = render_report(build_report(_facts(), tier="public", lang="en"))
    assert pdf.count(SEAL_PLACEHOLDER.encode()) == 1
    sealed = seal_pdf(pdf, b"key")
    assert len(sealed) == len(pdf)  # same length: cross-reference offsets stay valid
    assert PdfReader(io.BytesIO(sealed)).pages  # still a readable PDF
    assert seal_is_valid(sealed, b"key")
    assert not seal_is_valid(sealed, b"other key")
    position = len(sealed) // 2
    changed = sealed[:position] + bytes([sealed[position] ^ 0x01]) + sealed[position + 1 :]
    assert not seal_is_valid(changed, b"key")
    assert read_seal(pdf) is not None  # the placeholder itself reads as a (worthless) seal
    assert not seal_is_valid(pdf, b"key")
    with pytest.raises(SealError):
        seal_pdf(sealed, b"key")  # no placeholder left: a file is sealed once


@given(st.binary(min_size=1, max_size=64))
def test_seal_round_trip_property(key: bytes) -> None:
    body = b"%PDF-1.4 /Keywords (" + SEAL_PLACEHOLDER.encode() + b") %%EOF"
    assert seal_is_valid(seal_pdf(body, key), key)

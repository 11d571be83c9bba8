"""Reports draw the QR code stored at publication (issue #8), and read it in one query, or none in a pack.

The cover's QR code is read back from the rendered page with pdftoppm and zxing-cpp, as a phone would. How
often a symbol is made is counted by wrapping ``make_qr`` of the PDF layer with a counter that still calls
segno, so every report still carries a real symbol.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exporters.models import PassportQrCode
from exporters.reports import packs
from exporters.reports.content import build_report
from exporters.reports.pdf import qr, render_report
from exporters.reports.rendering import render_cbam_pdf, render_version_report
from exporters.reports.selectors import passport_for_report, report_facts, version_for_report
from exporters.resolver.carriers import PNG_SCALE, qr_png
from passports.models import Passport
from tests.factories import ProductFactory, example_data, make_passport, make_published_passport

pytestmark = pytest.mark.django_db

QR_TABLE = PassportQrCode._meta.db_table
ELSEWHERE = "https://elsewhere.example/01/09506000134352"


@pytest.fixture
def segno_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The data of every symbol the PDF layer makes while the test runs (its caches emptied first)."""
    calls: list[str] = []
    real = qr.make_qr

    def counting(data: str) -> Any:
        calls.append(data)
        return real(data)

    monkeypatch.setattr(qr, "make_qr", counting)
    qr.qr_modules.cache_clear()
    qr.modules_from_png.cache_clear()
    yield calls
    qr.qr_modules.cache_clear()  # entries made through the counter are right, but start the next test cold


def _report(passport: Passport) -> bytes:
    """The report as the API serves it: passport and version loaded by the report selectors."""
    found = passport_for_report(org=passport.organization, pk=passport.pk)
    return render_version_report(version_for_report(found), tier="public", lang="en")


def _cover_qr_texts(pdf: bytes, folder: Path) -> list[str]:
    """What the QR codes on page 1 say, read from a 150 dpi picture of the page."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils)")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR code")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a reportlab dependency) opens the PNG")
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"report-{len(list(folder.iterdir()))}.pdf"
    source.write_bytes(pdf)
    prefix = source.with_suffix("")
    subprocess.run(
        [pdftoppm, "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-png", str(source), str(prefix)],
        check=True,
        timeout=60,
    )
    results = zxingcpp.read_barcodes(image_module.open(prefix.with_suffix(".png")))
    return [result.text for result in results if result.format == zxingcpp.BarcodeFormat.QRCode]


def test_published_report_draws_the_stored_qr_code(tenant: Any, tmp_path: Path, segno_calls: list[str]) -> None:
    passport = make_published_passport(tenant.org)
    assert _cover_qr_texts(_report(passport), tmp_path) == [passport.identifier]
    assert segno_calls == []  # no symbol made: the one stored at publication was drawn
    # Swap the stored PNG for another link's symbol (the row still names the passport's URI): the report
    # follows the stored pixels, so it is that PNG, not a symbol made from the URI, that is drawn.
    PassportQrCode.objects.filter(passport=passport).update(png=qr_png(ELSEWHERE, scale=PNG_SCALE))
    assert _cover_qr_texts(_report(passport), tmp_path) == [ELSEWHERE]
    assert segno_calls == []


def test_a_draft_gets_no_symbol_and_a_code_made_for_another_uri_gets_a_new_one(
    tenant: Any, tmp_path: Path, segno_calls: list[str]
) -> None:
    draft = make_passport(tenant.org)
    assert not PassportQrCode.objects.filter(passport=draft).exists()  # never published, nothing stored
    # No page answers at a never-published passport's address yet: its report prints no code at all.
    assert _cover_qr_texts(_report(draft), tmp_path) == []
    assert segno_calls == []
    passport = make_published_passport(tenant.org)
    PassportQrCode.objects.filter(passport=passport).update(uri=ELSEWHERE, png=qr_png(ELSEWHERE, scale=PNG_SCALE))
    segno_calls.clear()
    # A stored code that names another URI is not the passport's: the report makes the right one.
    assert _cover_qr_texts(_report(passport), tmp_path) == [passport.identifier]
    assert segno_calls == [passport.identifier]


def test_stored_symbol_renders_the_same_bytes_as_a_new_one(tenant: Any, segno_calls: list[str]) -> None:
    passport = make_published_passport(tenant.org)
    facts = report_facts(version_for_report(passport_for_report(org=tenant.org, pk=passport.pk)))
    assert facts.qr_png == bytes(PassportQrCode.objects.get(passport=passport).png)
    stored = render_report(build_report(facts, tier="public", lang="ko"))
    assert segno_calls == []
    made = render_report(build_report(replace(facts, qr_png=None), tier="public", lang="ko"))
    assert segno_calls == [passport.identifier]
    # Same modules to the last one: the stored code is exactly the symbol of the Digital Link URI.
    assert stored == made


def test_one_report_reads_the_stored_qr_code_in_one_query(tenant: Any) -> None:
    passports = [
        make_published_passport(tenant.org),
        make_published_passport(tenant.org, granularity="item", serial="SN-0001"),
        make_passport(tenant.org),  # a draft: nothing stored, still one look
    ]
    counts = []
    for passport in passports:
        for _ in range(2):  # a second render of the same report costs the same
            version = version_for_report(passport_for_report(org=tenant.org, pk=passport.pk))
            with CaptureQueriesContext(connection) as queries:
                render_version_report(version, tier="public", lang="en")
            qr_sql = [query["sql"] for query in queries if QR_TABLE in query["sql"]]
            assert len(qr_sql) == 1, qr_sql  # the stored QR code is read once per report, never more
            counts.append(len(queries))
    # The same number of queries for every published report, and for every render of the draft's.
    assert len(set(counts[:4])) == 1, counts
    assert counts[4] == counts[5], counts


def test_pack_reads_stored_qr_codes_with_its_versions(tenant: Any, media: Path, segno_calls: list[str]) -> None:
    qr_queries = {}
    for size in (1, 4):
        passports = [make_published_passport(tenant.org) for _ in range(size)]
        pack = packs.pack_create(org=tenant.org, passports=passports, lang="en", tier="public", source="qr")
        with CaptureQueriesContext(connection) as queries:
            assert packs.pack_build(pack.pk).status == "done"
        qr_queries[size] = [query["sql"] for query in queries if QR_TABLE in query["sql"]]
    # The codes come joined to the versions a pack loads, never one query per report.
    assert len(qr_queries[4]) == len(qr_queries[1])
    assert all("JOIN" in sql for sql in qr_queries[4])
    assert segno_calls == []  # every report of both packs drew its stored symbol


def test_cbam_report_draws_the_stored_qr_code(tenant: Any, tmp_path: Path, segno_calls: list[str]) -> None:
    product = ProductFactory(organization=tenant.org, category="cbam-installation")
    data = example_data("cbam-installation", which=1)
    passport = make_published_passport(tenant.org, category="cbam-installation", data=data, product=product)
    version = version_for_report(passport_for_report(org=tenant.org, pk=passport.pk))
    pdf = render_cbam_pdf(version, tier="legitimate_interest", lang="en")
    assert segno_calls == []
    assert _cover_qr_texts(pdf, tmp_path) == [passport.identifier]

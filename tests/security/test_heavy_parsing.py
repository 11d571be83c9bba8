"""Heavy parsing of uploads runs outside the web process, under time and memory limits (issue 21, item 7).

The report verification's PDF is read in a bounded child process (``core.bounded``): a 22 KB PDF whose one page
holds 200,000 text operators costs pypdf about 17 s of CPU before it gives up; sent to the API it now answers
``too_costly`` at the limit, and the web process spends none of that CPU.
"""

from __future__ import annotations

import io
import resource
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

pytestmark = pytest.mark.django_db


def _costly_pdf() -> bytes:
    """A small PDF whose text extraction is slow: one page, a compressed stream of 200,000 text operators, and
    the metadata hash that makes verification read every page's footer."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 1 Tf 1 0 0 1 1 1 Tm (a) Tj ET\n" * 200_000)
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    writer.add_metadata({"/Keywords": "sha256:" + "a" * 64})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def test_a_pdf_that_costs_seconds_to_read_is_stopped_at_the_limit_outside_the_web_process(
    tenant: Any, login_api: Any, settings: Any
) -> None:
    settings.REPORT_VERIFY_SECONDS = 2
    pdf = _costly_pdf()
    assert len(pdf) < 40_000
    client = login_api(tenant.viewer)
    warm = SimpleUploadedFile("note.pdf", b"not a pdf", content_type="application/pdf")
    assert client.post("/api/v1/reports/verify", {"file": warm}, format="multipart").json()["outcome"] == "not_pdf"
    cpu, started = _own_cpu(), time.monotonic()
    upload = SimpleUploadedFile("report.pdf", pdf, content_type="application/pdf")
    response = client.post("/api/v1/reports/verify", {"file": upload}, format="multipart")
    elapsed, spent = time.monotonic() - started, _own_cpu() - cpu
    assert response.status_code == 200, response.content
    assert (response.json()["outcome"], response.json()["match"]) == ("too_costly", False)
    assert elapsed < 10, elapsed
    assert spent < 1.5, spent  # the parsing CPU was the child's, not this (web) process's


def _workbook_with_a_wide_first_row(cells: int) -> bytes:
    """A 1 MB workbook whose first row holds ``cells`` numbers: openpyxl reads the whole row before it can
    hand over the header (400,000 cells: 3.4 s of CPU), however few rows the inspection asks for."""
    import zipfile

    from openpyxl import Workbook

    plain = io.BytesIO()
    Workbook().save(plain)
    source = zipfile.ZipFile(plain)
    row = "".join(f'<c t="n"><v>{n}</v></c>' for n in range(cells))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{row}</row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as workbook:
        for item in source.infolist():
            is_sheet = item.filename == "xl/worksheets/sheet1.xml"
            workbook.writestr(item.filename, sheet if is_sheet else source.read(item.filename))
    return out.getvalue()


def test_an_xlsx_upload_is_read_outside_the_web_process_and_stopped_at_its_limit(
    tenant: Any, login_api: Any, settings: Any
) -> None:
    settings.IMPORT_XLSX_INSPECT_SECONDS = 0.5
    data = _workbook_with_a_wide_first_row(300_000)
    client = login_api(tenant.editor)
    warm = {"file": SimpleUploadedFile("a.csv", b"gtin,name,category,cn_code\r\n"), "kind": "products"}
    client.post("/api/v1/imports/", warm, format="multipart")
    cpu, started = _own_cpu(), time.monotonic()
    files = {"file": SimpleUploadedFile("modules.xlsx", data), "kind": "products"}
    refused = client.post("/api/v1/imports/", files, format="multipart")
    spent, elapsed = _own_cpu() - cpu, time.monotonic() - started
    assert refused.status_code == 400, refused.content
    assert refused.json()["error"]["code"] == "xlsx_too_costly"
    assert elapsed < 5, elapsed
    assert spent < 1.0, spent  # openpyxl's seconds were the child's

"""Refusals before any real work: oversized bodies, ZIP bombs dressed as workbooks, non-workbook ZIPs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from passports.imports.formats import FormatError
from passports.imports.limits import (
    MIB,
    Limits,
    SizeLimitUploadHandler,
    UploadTooLargeError,
    check_content_length,
    check_xlsx_container,
    limits_from,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def test_a_real_workbook_passes() -> None:
    with (DATA / "products.xlsx").open("rb") as handle:
        check_xlsx_container(handle, Limits())


def test_a_fake_workbook_that_inflates_a_thousand_times_is_refused_unopened() -> None:
    """200 MB of zeros deflate to ~200 KB: a sheet no data needs. The directory gives it away."""
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\0" * (200 * MIB),
        }
    )
    assert len(bomb.getvalue()) < 1 * MIB
    with pytest.raises(FormatError) as caught:
        check_xlsx_container(bomb, Limits())
    assert caught.value.code == "xlsx_too_large"
    assert "sheet1.xml" in caught.value.message_en
    assert "압축" in caught.value.message_ko


def test_many_modest_members_that_add_up_are_refused() -> None:
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    members.update({f"xl/worksheets/sheet{n}.xml": bytes(range(256)) * 4096 for n in range(6)})  # 6 x 1 MiB
    with pytest.raises(FormatError) as caught:
        check_xlsx_container(_zip(members), Limits(max_xlsx_uncompressed=4 * MIB))
    assert caught.value.code == "xlsx_too_large"
    with pytest.raises(FormatError):
        check_xlsx_container(_zip(members), Limits(max_xlsx_members=5))


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}, "not_xlsx"),
        ({"photo.jpg": b"\xff\xd8\xff"}, "not_xlsx"),
    ],
)
def test_other_zip_files_are_not_workbooks(members: dict[str, bytes], code: str) -> None:
    with pytest.raises(FormatError) as caught:
        check_xlsx_container(_zip(members), Limits())
    assert caught.value.code == code


def test_a_truncated_zip_is_a_damaged_workbook() -> None:
    data = (DATA / "products.xlsx").read_bytes()
    with pytest.raises(FormatError) as caught:
        check_xlsx_container(io.BytesIO(data[: len(data) // 2]), Limits())
    assert caught.value.code == "bad_xlsx"


def test_declared_length_over_the_limit_is_refused_without_the_body() -> None:
    limits = Limits(max_upload_bytes=1000)
    check_content_length({"CONTENT_LENGTH": "1000"}, limits)
    check_content_length({}, limits)
    with pytest.raises(UploadTooLargeError):
        check_content_length({"CONTENT_LENGTH": "1001"}, limits)


def test_the_upload_handler_stops_a_body_that_runs_past_the_limit() -> None:
    handler = SizeLimitUploadHandler(limit=10)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(UploadTooLargeError):
        handler.receive_data_chunk(b"123456", 5)


def test_limits_follow_import_settings() -> None:
    class Settings:
        IMPORT_MAX_UPLOAD_BYTES = 5
        IMPORT_MAX_COLUMNS = 7

    limits = limits_from(Settings())
    assert limits.max_upload_bytes == 5
    assert limits.max_columns == 7
    assert limits.max_xlsx_ratio == Limits().max_xlsx_ratio

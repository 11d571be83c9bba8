"""What an import refuses before it spends memory or time: oversized bodies, ZIP bombs, too many columns.

An upload over the size limit is refused from its ``Content-Length`` header, before a byte of the body is
read; a body that turns out longer than it claimed is cut off by ``SizeLimitUploadHandler`` as it streams.
An XLSX file is a ZIP container whose members openpyxl inflates: its central directory is checked first
(member count, declared sizes, compression ratio). Python's ``zipfile`` never inflates a member beyond its
declared size (it stops there and the CRC check fails), so the declared sizes bound the real cost.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.uploadhandler import FileUploadHandler

from passports.imports.formats import FormatError

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The ceilings of one import. The defaults fit a million-row CSV (~100 MB) with room to spare."""

    max_upload_bytes: int = 256 * MIB
    max_xlsx_uncompressed: int = 1024 * MIB
    max_xlsx_ratio: float = 200.0
    max_xlsx_members: int = 2_000
    max_columns: int = 2_000
    max_rows: int = 5_000_000


def limits_from(settings: Any) -> Limits:
    """The limits, each overridable by an ``IMPORT_*`` setting of the same name in upper case."""
    defaults = Limits()
    return Limits(
        **{
            name: getattr(settings, f"IMPORT_{name.upper()}", getattr(defaults, name))
            for name in Limits.__dataclass_fields__
        }
    )


class UploadTooLargeError(Exception):
    """The request body is larger than the import limit (answered with 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the upload exceeds {limit} bytes")
        self.limit = limit


def too_large_messages(limit: int) -> tuple[str, str]:
    size = f"{limit / MIB:,.0f} MB"
    return (
        f"The file is larger than the import limit of {size}. Split it into smaller files.",
        f"파일이 가져오기 한도({size})보다 큽니다. 더 작은 파일로 나누어 올리십시오.",
    )


def check_content_length(meta: dict[str, Any], limits: Limits) -> None:
    """Refuse a request whose declared body length is over the limit, without reading the body."""
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limits.max_upload_bytes:
        raise UploadTooLargeError(limits.max_upload_bytes)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops a multipart upload as soon as its files pass the limit, whatever ``Content-Length`` said."""

    def __init__(self, limit: int, request: Any = None) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLargeError(self.limit)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def check_xlsx_container(handle: IO[bytes], limits: Limits) -> None:
    """Refuse a ZIP that is not a plain XLSX workbook or would inflate beyond the limits (a ZIP bomb)."""
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile as exc:
        raise FormatError(
            "bad_xlsx",
            "The workbook is damaged: its ZIP container cannot be read. Save it again from Excel.",
            "통합 문서가 손상되어 ZIP 컨테이너를 읽을 수 없습니다. 엑셀에서 다시 저장하십시오.",
        ) from exc
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
            raise FormatError(
                "not_xlsx",
                "The ZIP file is not an Excel workbook (.xlsx); upload the workbook or a CSV file.",
                "ZIP 파일이 엑셀 통합 문서(.xlsx)가 아닙니다. 통합 문서나 CSV 파일을 올리십시오.",
            )
        if len(members) > limits.max_xlsx_members:
            raise _bomb(f"it holds {len(members):,} parts", f"구성 요소가 {len(members):,}개입니다")
        total = 0
        for member in members:
            if member.flag_bits & 0x1:
                raise FormatError(
                    "encrypted_xlsx",
                    "The workbook is password-protected; remove the password and upload it again.",
                    "통합 문서에 암호가 걸려 있습니다. 암호를 해제한 뒤 다시 올리십시오.",
                )
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MIB and ratio > limits.max_xlsx_ratio:
                raise _bomb(
                    f"{member.filename} would inflate {ratio:,.0f} times",
                    f"{member.filename}의 압축 비율이 {ratio:,.0f}배입니다",
                )
        if total > limits.max_xlsx_uncompressed:
            raise _bomb(f"it would inflate to {total / MIB:,.0f} MB", f"압축을 풀면 {total / MIB:,.0f} MB가 됩니다")


def _bomb(reason_en: str, reason_ko: str) -> FormatError:
    return FormatError(
        "xlsx_too_large",
        f"The workbook is refused: {reason_en}, beyond what a data sheet needs. Save the data as CSV instead.",
        f"통합 문서를 받을 수 없습니다. {reason_ko}. 데이터 시트에 필요한 수준을 넘습니다. CSV로 저장하여 올리십시오.",
    )

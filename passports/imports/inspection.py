"""Looking at an uploaded file before accepting it: what it is, and whether its header fits the kind.

Everything here reads only the first bytes (a sample of 256 KB, or the first rows of a workbook), so an
upload is judged in milliseconds, and a wrong file is refused at once with a message that says what it is
("a PNG image", "a products file, not battery passports") rather than failing later as a job.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from core.bounded import LimitExceededError, run_bounded
from passports.imports.columns import HeaderMap, resolve_headers
from passports.imports.formats import (
    SAMPLE_BYTES,
    Encoding,
    FormatError,
    NumberFormat,
    check_text,
    detect_encoding,
    detect_numbers,
    file_type,
    is_blank,
    is_comment,
    sniff_delimiter,
)
from passports.imports.kinds import Kind, kinds
from passports.imports.limits import Limits, check_xlsx_container

SAMPLE_ROWS = 500


@dataclass
class Inspection:
    """What the first bytes of a file told: its format, encoding, delimiter, numbers and header."""

    file_format: str
    encoding: Encoding | None
    delimiter: str
    numbers: NumberFormat
    header: list[Any]
    header_map: HeaderMap


def inspect_upload(handle: IO[bytes], name: str, kind: Kind, mapping: Mapping[str, str], limits: Limits) -> Inspection:
    """Sniff and check an upload against ``kind``; ``FormatError`` (code + English + Korean) if refused."""
    handle.seek(0)
    head = handle.read(SAMPLE_BYTES + 1)
    handle.seek(0)
    file_format = file_type(head[:64], name)
    if file_format == "xlsx":
        check_xlsx_container(handle, limits)
        handle.seek(0)
        rows = _xlsx_rows(handle)
        encoding, delimiter = None, ""
    else:
        complete = len(head) <= SAMPLE_BYTES
        sample = head[:SAMPLE_BYTES]
        encoding = detect_encoding(sample, complete=complete)
        text = codecs.getincrementaldecoder(encoding.name)(errors="replace").decode(
            sample[encoding.bom :], final=complete
        )
        check_text(text)
        delimiter = sniff_delimiter(text, complete=complete)
        rows = _csv_rows(text, delimiter, complete=complete)
    header, samples = _header_and_samples(rows)
    header_map = check_header(header, kind, mapping, limits)
    numbers = _numbers(header_map, samples, delimiter)
    return Inspection(file_format, encoding, delimiter, numbers, header, header_map)


def _csv_rows(text: str, delimiter: str, *, complete: bool) -> Iterator[list[Any]]:
    records = list(_parsed(text, delimiter))
    if not complete and len(records) > 1:
        records.pop()  # cut short by the end of the sample
    yield from records


def _parsed(text: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise FormatError(
            "csv_syntax",
            f"The start of the file cannot be read as CSV ({exc}).",
            f"파일의 앞부분을 CSV로 읽을 수 없습니다({exc}).",
        ) from exc


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    yield from xlsx_sample_rows(handle, SAMPLE_ROWS + 1)


def xlsx_sample_rows(handle: IO[bytes], max_rows: int) -> list[list[Any]]:
    """The first ``max_rows`` rows of a workbook's first sheet, read in a child process under a time and a
    memory limit (``IMPORT_XLSX_INSPECT_SECONDS``, ``IMPORT_XLSX_INSPECT_MEMORY_BYTES``).

    openpyxl reads a workbook's whole shared-strings part before its first row, however few rows are asked
    for: an 8.4 MB workbook kept a web worker busy for 55 s (issue 21, item 7). The web process only waits
    for the rows, or for ``FormatError`` ``xlsx_too_costly`` at the limit; the import itself reads the file
    in a Celery worker.
    """
    handle.seek(0)
    try:
        outcome = run_bounded(
            _xlsx_sample,
            handle,
            max_rows,
            wall_seconds=float(getattr(settings, "IMPORT_XLSX_INSPECT_SECONDS", 20)),
            memory_bytes=int(getattr(settings, "IMPORT_XLSX_INSPECT_MEMORY_BYTES", 1024 * 1024 * 1024)),
        )
    except LimitExceededError as exc:
        raise FormatError(
            "xlsx_too_costly",
            f"The workbook could not be opened within the {exc.what} an upload may take. Save it as CSV, or "
            "split it into smaller workbooks.",
            "업로드에 허용된 한도 안에서 통합 문서를 열 수 없습니다. CSV로 저장하거나 더 작은 통합 문서로 나누십시오.",
        ) from exc
    finally:
        handle.seek(0)
    if isinstance(outcome, tuple):  # a FormatError's code and messages (sent as plain data across the pipe)
        raise FormatError(*outcome)
    return outcome


def _xlsx_sample(handle: IO[bytes], max_rows: int) -> list[list[Any]] | tuple[str, str, str]:
    """Runs in the bounded child: the rows, or a refusal as (code, English, Korean)."""
    from openpyxl import load_workbook  # noqa: PLC0415  # 0.2 s to load, XLSX only

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook; all mean the same here
        return (
            "bad_xlsx",
            f"The workbook cannot be opened ({type(exc).__name__}). Save it again from Excel, or as CSV.",
            f"통합 문서를 열 수 없습니다({type(exc).__name__}). 엑셀에서 다시 저장하거나 CSV로 저장하십시오.",
        )
    rows: list[list[Any]] = []
    try:
        if not workbook.worksheets:
            return rows
        values = workbook.worksheets[0].iter_rows(values_only=True)
        for _index in range(max_rows):
            try:
                row = next(values, None)
            except Exception as exc:  # a damaged sheet fails while read, not at opening (issue 21: it was a 500)
                refusal = bad_sheet(exc)
                return (refusal.code, refusal.message_en, refusal.message_ko)
            if row is None:
                break
            rows.append(list(row))
    finally:
        workbook.close()
    return rows


def bad_sheet(exc: Exception) -> FormatError:
    """The error for a worksheet openpyxl opened but cannot read (malformed XML, a cell of an unknown type)."""
    return FormatError(
        "bad_xlsx",
        f"The first worksheet cannot be read ({type(exc).__name__}). Save it again from Excel, or as CSV.",
        f"첫 번째 워크시트를 읽을 수 없습니다({type(exc).__name__}). 엑셀에서 다시 저장하거나 CSV로 저장하십시오.",
    )


def _header_and_samples(rows: Iterator[list[Any]]) -> tuple[list[Any], list[list[Any]]]:
    header: list[Any] | None = None
    samples: list[list[Any]] = []
    for cells in rows:
        if is_blank(cells) or is_comment(cells):
            continue
        if header is None:
            header = cells
        else:
            samples.append(cells)
        if len(samples) >= SAMPLE_ROWS:
            break
    if header is None:
        raise FormatError(
            "no_header",
            "The file has no header row: the first row must name the columns (download a template).",
            "파일에 머리글 행이 없습니다. 첫 행에 열 이름이 있어야 합니다(양식을 내려받으십시오).",
        )
    return header, samples


def check_header(header: list[Any], kind: Kind, mapping: Mapping[str, str], limits: Limits) -> HeaderMap:
    """Resolve the header row; refuse unknown, doubled or missing key columns, naming them."""
    if len(header) > limits.max_columns:
        raise FormatError(
            "too_many_columns",
            f"The file has {len(header):,} columns; at most {limits.max_columns:,} are accepted.",
            f"파일의 열이 {len(header):,}개입니다. 최대 {limits.max_columns:,}개까지 받을 수 있습니다.",
        )
    header_map = resolve_headers(header, kind.tree, mapping)
    if header_map.unknown:
        raise _unknown_columns(header, header_map, kind, mapping)
    if header_map.duplicates:
        doubled = "; ".join(header_map.duplicates)
        raise FormatError(
            "duplicate_columns",
            f"Several columns give the same field: {doubled}. Keep one of each.",
            f"여러 열이 같은 항목을 가리킵니다: {doubled}. 하나만 남기십시오.",
        )
    missing = [name for name in kind.key_columns[:1] if name not in header_map.column_keys()]
    if missing:
        node = kind.tree.root.children[missing[0]]
        raise FormatError(
            "missing_key_column",
            f"The file has no '{node.title_en}' column ({missing[0]}); every row needs it to be matched.",
            f"파일에 '{node.title_ko}' 열({missing[0]})이 없습니다. 모든 행을 식별하는 데 필요합니다.",
        )
    return header_map


def _unknown_columns(header: list[Any], header_map: HeaderMap, kind: Kind, mapping: Mapping[str, str]) -> FormatError:
    named = [str(cell).strip() for cell in header if cell is not None and str(cell).strip()]
    fits = len(header_map.columns)
    best: Kind | None = None
    for other in kinds().values():
        if other.name == kind.name:
            continue
        resolved = resolve_headers(header, other.tree, mapping)
        if not resolved.unknown and len(resolved.columns) > fits:
            best, fits = other, len(resolved.columns)
    if best is not None:
        return FormatError(
            "wrong_kind",
            f"These columns are those of a {best.title_en} file (kind '{best.name}'), not of {kind.title_en}. "
            f"Choose the kind '{best.name}', or upload the right file.",
            f"이 열들은 {kind.title_ko}이 아니라 {best.title_ko} 파일(종류 '{best.name}')의 열입니다. "
            f"종류를 '{best.name}'(으)로 선택하거나 올바른 파일을 올리십시오.",
        )
    shown = ", ".join(header_map.unknown[:10]) + (" ..." if len(header_map.unknown) > 10 else "")
    return FormatError(
        "unknown_columns",
        f"{len(header_map.unknown)} of {len(named)} columns are not {kind.title_en} fields: {shown}. Rename them "
        "as in the template (dotted keys or titles), remove them, or save a column mapping for this layout.",
        f"열 {len(named)}개 중 {len(header_map.unknown)}개가 {kind.title_ko} 항목이 아닙니다: {shown}. "
        "양식과 같은 이름(점 표기 키 또는 제목)으로 바꾸거나, 삭제하거나, 이 형식의 열 매핑을 저장하십시오.",
    )


def _numbers(header_map: HeaderMap, samples: list[list[Any]], delimiter: str) -> NumberFormat:
    numeric = [index for index, _, resolved in header_map.columns if resolved.leaf.type in ("number", "integer")]
    cells = (
        row[index]
        for row in samples
        for index in numeric
        if index < len(row) and isinstance(row[index], str) and row[index].strip()
    )
    return detect_numbers(cells, delimiter)

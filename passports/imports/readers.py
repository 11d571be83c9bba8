"""Streaming the rows of a CSV file or an XLSX workbook, each with the position to resume after it.

A CSV row's position is the byte offset where the next record starts. The file is split into lines as
bytes (safe for every ASCII-compatible encoding: in UTF-8 and CP949 a newline or quote byte is never part
of a multi-byte character) and each line is decoded and handed to the ``csv`` module one at a time. The
module asks for lines only until a record is complete, so after each record the bytes consumed so far are
exactly the end of that record, quoted newlines included, and a restart can seek straight there.

An XLSX row's position is its row number: openpyxl's read-only mode streams the sheet XML and cannot seek,
so a restart skips the rows already done.

Plain Python, no Django.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from passports.imports.formats import Encoding, FormatError, is_blank, is_comment


@dataclass(frozen=True)
class SourceRow:
    """One record of the file.

    ``number`` is the row number a spreadsheet shows (1 for the first record; a record with quoted
    newlines is one row). ``end`` is where reading resumes after this row. ``problem`` says why the row's
    bytes could not be decoded, if they could not; its cells then hold replacement characters.
    """

    number: int
    cells: list[Any]
    end: int
    problem: str | None = None


@dataclass(frozen=True)
class Position:
    """Where to (re)start reading: after row ``row``, at ``offset`` (bytes for CSV, rows for XLSX)."""

    offset: int = 0
    row: int = 0


class CsvSource:
    """A CSV file in an ASCII-compatible encoding (UTF-16 files are rewritten as UTF-8 first)."""

    def __init__(self, path: Path, encoding: Encoding, delimiter: str) -> None:
        if not encoding.ascii_safe:
            raise ValueError(f"{encoding.name} must be rewritten as UTF-8 before reading by lines")
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter

    def rows(self, start: Position | None = None) -> Iterator[SourceRow]:
        start = start or Position()
        with self.path.open("rb") as handle:
            offset = max(start.offset, self.encoding.bom)
            handle.seek(offset)
            lines = _DecodedLines(handle, self.encoding.name, offset)
            reader = csv.reader(lines, delimiter=self.delimiter)
            number = start.row
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise FormatError(
                        "csv_syntax",
                        f"Row {number + 1} cannot be read as CSV ({exc}); a quoted field probably never closes.",
                        f"{number + 1}행을 CSV로 읽을 수 없습니다({exc}). "
                        "따옴표로 시작한 값이 닫히지 않은 것 같습니다.",
                    ) from exc
                number += 1
                problem, lines.problem = lines.problem, None
                yield SourceRow(number, cells, lines.offset, problem)


class _DecodedLines:
    """Lines of a binary file, decoded one by one, counting the bytes handed out so far."""

    def __init__(self, handle: IO[bytes], encoding: str, offset: int) -> None:
        self.handle = handle
        self.encoding = encoding
        self.offset = offset
        self.problem: str | None = None

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline()
        if not raw:
            raise StopIteration
        line_start = self.offset
        self.offset += len(raw)
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            self.problem = (
                f"byte {line_start + exc.start} (0x{raw[exc.start]:02X}) is not valid {self.encoding.upper()} text"
            )
            return raw.decode(self.encoding, errors="replace")


def count_csv_rows(source: CsvSource) -> int:
    """The number of data rows: records that are neither blank nor comments, less the header.

    Files without a quote character have one record per line and are counted line by line, several times
    faster than parsing them.
    """
    with source.path.open("rb") as handle:
        quoted = any(b'"' in block for block in iter(lambda: handle.read(1 << 20), b""))
    count = 0
    if quoted:
        for row in source.rows():
            if not (is_blank(row.cells) or is_comment(row.cells)):
                count += 1
    else:
        ignorable = b" \t\r\n" + source.delimiter.encode()
        with source.path.open("rb") as handle:
            handle.seek(source.encoding.bom)
            for raw in handle:
                stripped = raw.strip(ignorable)
                if stripped and not stripped.startswith(b"#"):
                    count += 1
    return max(count - 1, 0)


class XlsxSource:
    """The first worksheet of an XLSX workbook, read in openpyxl's streaming (read-only) mode.

    Cells come typed: numbers, booleans, ``datetime``. A formula gives its last computed value, what the
    person saw; a formula the workbook holds no value for (written by a program, never opened in Excel)
    gives its text, ``=...``, so nothing typed is lost, and nothing is ever evaluated.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, start: Position | None = None) -> Iterator[SourceRow]:
        from openpyxl import load_workbook

        start = start or Position()
        with contextlib.ExitStack() as stack:
            values = load_workbook(self.path, read_only=True, data_only=True)
            stack.callback(values.close)
            lines: Iterator[tuple[Any, ...]] = values.worksheets[0].iter_rows(values_only=True)
            if _has_formulas(self.path):
                formulas = load_workbook(self.path, read_only=True, data_only=False)
                stack.callback(formulas.close)
                lines = map(_with_formula_text, lines, formulas.worksheets[0].iter_rows(values_only=True))
            for number, cells in enumerate(lines, start=1):
                if number <= start.offset:
                    continue
                yield SourceRow(number, [_cell(value) for value in cells], number)

    def estimated_rows(self) -> int | None:
        """The sheet's declared size less the header, when the workbook declares it (else ``None``)."""
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True)
        try:
            sheet = workbook.worksheets[0]
            return None if sheet.max_row is None else max(sheet.max_row - 1, 0)
        finally:
            workbook.close()


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula (an ``<f>`` element): only then is the second pass needed."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as sheet:
                    for block in iter(lambda: sheet.read(1 << 20), b""):
                        if b"<f>" in block or b"<f " in block:
                            return True
    return False


def _with_formula_text(values: tuple[Any, ...], formulas: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        formula if value is None and isinstance(formula, str) and formula.startswith("=") else value
        for value, formula in itertools.zip_longest(values, formulas)
    )


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date()
    return value

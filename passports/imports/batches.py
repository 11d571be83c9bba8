"""Reading an uploaded file as batches of text columns, each record with its row number and a place to resume.

Every upload, CSV or XLSX, small or large, becomes the same thing: ``Batch`` objects holding a run of
consecutive records as pyarrow string columns (cell ``i`` of every record in ``columns[i]``), the row number a
spreadsheet shows for each record, and where reading resumes after it.

CSV. The bytes are cut into blocks of whole records by a numpy scan: a newline ends a record unless it sits
inside quotes (an odd number of quote bytes before it). That keeps the exact byte end of every record, so a
restarted job seeks straight to its checkpoint, and the row numbers count records as a spreadsheet does (a
record with quoted newlines is one row, an empty line is a row). A block is decoded with the file's encoding
(a block that does not decode is decoded record by record, and a record with undecodable bytes is kept with
replacement characters and its problem named, as a line-by-line reader would) and parsed by Arrow's CSV reader
into string columns. Arrow and Python's ``csv`` module agree on well-formed CSV; where a file is not (a quote
inside an unquoted field, text after a closing quote, a bare carriage return, a NUL byte) or a record has
another number of cells than the header, those records are read with the ``csv`` module instead, so every
record means what it always meant. The scan needs encodings in which these structural bytes can only be
themselves: UTF-8, CP949/EUC-KR and the single-byte ones. Others (Shift_JIS, Big5...) are read with the
``csv`` module throughout.

XLSX. The first worksheet is read by ``python-calamine`` (Rust) and each typed cell is turned into the text that
the column's reader converts back to the same value (a number in the file's decimal convention, a date as ISO
8601), so workbooks take the same path from there on. A formula gives its cached value; a workbook written by a
program that holds formulas without values gives their text (``=...``), read from the sheet by openpyxl only
in that case. The position of an XLSX record is its row number.

Plain Python, no Django.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook

from passports.imports.formats import Encoding, FormatError, NumberFormat

BLOCK_BYTES = 1 << 20  # 4 MB blocks cost 35 MB more peak memory for no speed
XLSX_BATCH_ROWS = 20_000
# What Python's str.strip() removes: the cells of a file are compared as a person reads them.
WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
_NEWLINE, _RETURN, _QUOTE, _NUL = 0x0A, 0x0D, 0x22, 0x00


@dataclass(frozen=True)
class Position:
    """Where to (re)start reading: after row ``row``, at ``offset`` (bytes for CSV, rows for XLSX)."""

    offset: int = 0
    row: int = 0


@dataclass
class Batch:
    """Consecutive records of a file as text columns.

    ``columns[i]`` holds cell ``i`` of every record (``""`` where a record is shorter; cells past the header's
    width are not kept). ``numbers`` is the row number a spreadsheet shows for each record, ``ends`` where
    reading resumes after it. ``problems`` maps a record's index to why its bytes could not be decoded (its
    cells then hold replacement characters).
    """

    columns: list[pa.Array]
    numbers: np.ndarray
    ends: np.ndarray
    problems: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.numbers)

    def cells(self, index: int) -> list[str]:
        """The cells of one record, as text."""
        return [column[index].as_py() for column in self.columns]

    def take(self, indexes: np.ndarray) -> Batch:
        """The records at ``indexes`` (in that order), as a batch of their own."""
        where = pa.array(indexes, pa.int64())
        remap = {int(old): new for new, old in enumerate(indexes) if int(old) in self.problems}
        return Batch(
            [column.take(where) for column in self.columns],
            self.numbers[indexes],
            self.ends[indexes],
            {new: self.problems[old] for old, new in remap.items()},
        )

    def data_mask(self) -> np.ndarray:
        """True for the records that are data: neither blank (no cell with anything but spaces) nor a comment
        (a first cell starting with ``#``: our templates' example row, or a note)."""
        if not self.columns:
            return np.zeros(len(self), dtype=bool)
        first = pc.utf8_trim(self.columns[0], characters=WHITESPACE)
        filled = np.asarray(pc.not_equal(pc.utf8_length(first), 0), dtype=bool)
        data = filled & ~np.asarray(pc.starts_with(first, "#"), dtype=bool)
        undecided = np.flatnonzero(~filled)  # an empty first cell: data if any other cell holds something
        if len(undecided) and len(self.columns) > 1:
            where = pa.array(undecided, pa.int64())
            found = np.zeros(len(undecided), dtype=bool)
            for column in self.columns[1:]:
                trimmed = pc.utf8_trim(column.take(where), characters=WHITESPACE)
                found |= np.asarray(pc.not_equal(pc.utf8_length(trimmed), 0), dtype=bool)
            data[undecided] = found
        return data


def concat_batches(batches: Sequence[Batch]) -> Batch:
    """One batch of several consecutive ones."""
    if len(batches) == 1:
        return batches[0]
    width = max(len(batch.columns) for batch in batches)
    columns = []
    for index in range(width):
        parts = [
            batch.columns[index] if index < len(batch.columns) else pa.array([""] * len(batch), pa.string())
            for batch in batches
        ]
        columns.append(pa.concat_arrays(parts))
    problems: dict[int, str] = {}
    start = 0
    for batch in batches:
        problems.update({start + index: text for index, text in batch.problems.items()})
        start += len(batch)
    return Batch(
        columns,
        np.concatenate([batch.numbers for batch in batches]),
        np.concatenate([batch.ends for batch in batches]),
        problems,
    )


# --------------------------------------------------------------------------------------------------
# CSV


def _structural_bytes_safe(encoding: str) -> bool:
    """Whether newline, quote, NUL and delimiter bytes can only ever be those characters in ``encoding``."""
    name = codecs.lookup(encoding).name
    if name in ("utf-8", "cp949", "euc_kr", "ascii"):
        return True
    try:
        decoded = bytes(range(256)).decode(name)
    except UnicodeDecodeError:
        decoded = ""
    return len(decoded) == 256  # a single-byte encoding


class CsvFile:
    """A CSV file in an ASCII-compatible encoding (UTF-16 files are rewritten as UTF-8 first)."""

    def __init__(self, path: Path, encoding: Encoding, delimiter: str) -> None:
        if not encoding.ascii_safe:
            raise ValueError(f"{encoding.name} must be rewritten as UTF-8 before reading")
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        self.scan = _structural_bytes_safe(encoding.name)

    def header(self) -> tuple[list[str], Position]:
        """The first record that is neither blank nor a comment, and the position after it."""
        for number, cells, end, _problem in _python_records(self, Position()):
            if cells and not _blank(cells) and not cells[0].lstrip().startswith("#"):
                return cells, Position(end, number)
        raise FormatError("no_header", "The file has no header row.", "파일에 머리글 행이 없습니다.")

    def batches(self, start: Position, width: int, block_bytes: int = BLOCK_BYTES) -> Iterator[Batch]:
        """The records after ``start``, ``width`` cells each, in batches of about ``block_bytes``."""
        offset = max(start.offset, self.encoding.bom)
        number = start.row
        if not self.scan:
            yield from _python_batches(self, Position(offset, number), width)
            return
        delimiter = ord(self.delimiter)
        with self.path.open("rb") as handle:
            handle.seek(offset)
            pending = b""
            while True:
                data = handle.read(block_bytes)
                final = not data
                block = pending + data
                if not block:
                    return
                ends, trouble = _record_ends(block, delimiter, final=final)
                if trouble is not None:
                    block_end = offset + len(block)
                    # Records up to the one where the trouble starts are read here, the rest by the csv module
                    # up to at least the end of this block; reading goes on after the last record it read.
                    good = ends[ends <= trouble]
                    if len(good):
                        yield self._batch(
                            block[: int(good[-1])], good, offset=offset, number=number, width=width, delimiter=delimiter
                        )
                        number += len(good)
                        offset += int(good[-1])
                    python = list(_python_records(self, Position(offset, number), until=block_end))
                    if python:
                        yield _rows_batch([(n, cells, e, p) for n, cells, e, p in python], width)
                        number, offset = python[-1][0], python[-1][2]
                    handle.seek(offset)
                    pending = b""
                    if final and not python:
                        return
                    continue
                if not len(ends):
                    if final:
                        return
                    pending = block  # a record longer than the block: read on
                    continue
                cut = int(ends[-1])
                yield self._batch(block[:cut], ends, offset=offset, number=number, width=width, delimiter=delimiter)
                number += len(ends)
                offset += cut
                pending = block[cut:]
                if final and not pending:
                    return

    def _batch(self, block: bytes, ends: np.ndarray, *, offset: int, number: int, width: int, delimiter: int) -> Batch:
        """Parse whole records ``block`` (their ends relative to it in ``ends``) into a batch."""
        starts = np.concatenate(([0], ends[:-1]))
        text, problems = _decoded(block, starts, ends, self.encoding.name, offset)
        counts = _field_counts(block, starts, ends, delimiter)
        lengths = ends - starts
        content = lengths - _terminator_lengths(block, ends)
        empty = content == 0
        regular = (counts == width) & ~empty
        numbers = np.arange(number + 1, number + 1 + len(ends), dtype=np.int64)
        absolute_ends = ends.astype(np.int64) + offset
        if regular.all():
            columns = _arrow_columns(text, width, self.delimiter)
        else:
            columns = self._mixed(block, text, starts=starts, ends=ends, regular=regular, empty=empty, width=width)
        return Batch(columns, numbers, absolute_ends, problems)

    def _mixed(
        self,
        block: bytes,
        text: bytes,
        *,
        starts: np.ndarray,
        ends: np.ndarray,
        regular: np.ndarray,
        empty: np.ndarray,
        width: int,
    ) -> list[pa.Array]:
        """Columns of a block where some records are not of the header's width: those are read by the csv
        module one by one, the others by Arrow, and the two put back in order."""
        if len(text) != len(block):  # re-encoded text: record boundaries found again in it
            text_ends = _record_ends(text, ord(self.delimiter), final=True)[0]
            text_starts = np.concatenate(([0], text_ends[:-1]))
        else:
            text_starts, text_ends = starts, ends
        kept = np.flatnonzero(regular)
        odd = np.flatnonzero(~regular)
        parsed = b"".join(text[int(text_starts[i]) : int(text_ends[i])] for i in kept) if len(kept) else b""
        arrow = _arrow_columns(parsed, width, self.delimiter) if len(kept) else [pa.array([], pa.string())] * width
        rows: list[list[str]] = []
        for index in odd:
            cells = [] if empty[index] else _csv_cells(text[int(text_starts[index]) : int(text_ends[index])], self)
            rows.append((cells + [""] * width)[:width])
        order = np.argsort(np.concatenate((kept, odd)), kind="stable")
        where = pa.array(order, pa.int64())
        return [
            pa.concat_arrays([arrow[column], pa.array([row[column] for row in rows], pa.string())]).take(where)
            for column in range(width)
        ]


def _record_ends(block: bytes, delimiter: int, *, final: bool) -> tuple[np.ndarray, int | None]:
    """The end (exclusive) of every complete record in ``block``, and where trouble starts, if anywhere.

    Trouble is what Arrow would read differently from the csv module: a quote that opens a quoted value
    anywhere but at the start of a cell, a closing quote followed by more text, a bare carriage return outside
    quotes, a NUL byte.
    """
    raw = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _NEWLINE)
    quotes = np.flatnonzero(raw == _QUOTE)
    trouble: list[int] = []
    if len(quotes):
        inside = (np.searchsorted(quotes, newlines) & 1).astype(bool)
        newlines = newlines[~inside]
        trouble += _quote_trouble(raw, quotes, delimiter)
    if block.find(b"\x00") >= 0:
        trouble.append(block.find(b"\x00"))
    returns = np.flatnonzero(raw == _RETURN)
    if len(returns):
        following = np.minimum(returns + 1, len(raw) - 1)
        bare = (raw[following] != _NEWLINE) | (returns + 1 >= len(raw))
        if not final:
            bare &= returns + 1 < len(raw)  # its line feed may start the next block
        loose = returns[bare]
        if len(loose) and len(quotes):
            loose = loose[~(np.searchsorted(quotes, loose) & 1).astype(bool)]
        if len(loose):
            trouble.append(int(loose[0]))
    ends = newlines + 1
    if final and len(raw) and (not len(ends) or ends[-1] != len(raw)):
        ends = np.append(ends, len(raw))
    first = min(trouble) if trouble else None
    return ends.astype(np.int64), first


def _quote_trouble(raw: np.ndarray, quotes: np.ndarray, delimiter: int) -> list[int]:
    """Quotes out of place, by position: an opening quote not at a cell's start, text after a closing one."""
    count = len(quotes)
    opening = quotes[0::2]
    closing = quotes[1::2]
    before = np.where(opening > 0, raw[np.maximum(opening - 1, 0)], _NEWLINE)
    escaped_open = np.zeros(len(opening), dtype=bool)
    if count > 1:
        # The quote after a closing quote (an escaped "" inside a quoted value) opens again where it stands.
        previous_closing = np.concatenate(([-10], closing))[: len(opening)]
        escaped_open = previous_closing == opening - 1
    bad_open = ~((before == delimiter) | (before == _NEWLINE) | escaped_open)
    bad_open[0] = bad_open[0] and opening[0] != 0
    after_index = closing + 1
    after = np.where(after_index < len(raw), raw[np.minimum(after_index, len(raw) - 1)], _NEWLINE)
    next_opening = np.concatenate((opening[1:], [-10]))[: len(closing)]
    bad_close = ~((after == delimiter) | (after == _NEWLINE) | (after == _RETURN) | (next_opening == after_index))
    found = [int(opening[bad_open][0])] if bad_open.any() else []
    if bad_close.any():
        found.append(int(closing[bad_close][0]))
    if count % 2 == 1:
        found.append(int(quotes[-1]))  # a quote that never closes in this block: the csv module says where
    return found


def _field_counts(block: bytes, starts: np.ndarray, ends: np.ndarray, delimiter: int) -> np.ndarray:
    """The number of cells of each record: delimiters outside quotes, plus one."""
    raw = np.frombuffer(block, dtype=np.uint8)
    delimiters = np.flatnonzero(raw == delimiter)
    quotes = np.flatnonzero(raw == _QUOTE)
    if len(quotes) and len(delimiters):
        delimiters = delimiters[~(np.searchsorted(quotes, delimiters) & 1).astype(bool)]
    owner = np.searchsorted(ends, delimiters, side="right")
    return np.bincount(owner, minlength=len(ends))[: len(ends)] + 1


def _terminator_lengths(block: bytes, ends: np.ndarray) -> np.ndarray:
    raw = np.frombuffer(block, dtype=np.uint8)
    last = raw[ends - 1] == _NEWLINE
    second = np.zeros(len(ends), dtype=bool)
    room = ends >= 2
    second[room] = raw[ends[room] - 2] == _RETURN
    return last.astype(np.int64) + (last & second).astype(np.int64)


def _decoded(
    block: bytes, starts: np.ndarray, ends: np.ndarray, encoding: str, offset: int
) -> tuple[bytes, dict[int, str]]:
    """The block as UTF-8, and the records whose bytes are not valid ``encoding`` with the reason why."""
    utf8 = codecs.lookup(encoding).name == "utf-8"
    try:
        text = block.decode(encoding)
    except UnicodeDecodeError:
        pass
    else:
        return (block if utf8 else text.encode()), {}
    parts: list[bytes] = []
    problems: dict[int, str] = {}
    for index, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        record = block[start:end]
        try:
            text = record.decode(encoding)
        except UnicodeDecodeError:
            pass
        else:
            parts.append(record if utf8 else text.encode())
            continue
        decoded: list[str] = []
        line_start = offset + start
        for line in record.splitlines(keepends=True):
            try:
                decoded.append(line.decode(encoding))
            except UnicodeDecodeError as exc:
                # As a line-by-line reader says it: the last undecodable line of the record is named.
                problems[index] = (
                    f"byte {line_start + exc.start} (0x{line[exc.start]:02X}) is not valid {encoding.upper()} text"
                )
                decoded.append(line.decode(encoding, errors="replace"))
            line_start += len(line)
        parts.append("".join(decoded).encode())
    return b"".join(parts), problems


def _arrow_columns(text: bytes, width: int, delimiter: str) -> list[pa.Array]:
    names = [f"c{index}" for index in range(width)]
    if text.startswith(codecs.BOM_UTF8):
        text = b"\n" + text  # Arrow drops a byte order mark at the start; here it is a cell's character
    table = pacsv.read_csv(
        io.BytesIO(text),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=max(len(text), 1 << 20)),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    return [table.column(index).combine_chunks() for index in range(width)]


def _csv_cells(text: bytes, source: CsvFile) -> list[str]:
    rows = list(csv.reader(io.StringIO(text.decode(), newline=""), delimiter=source.delimiter))
    return rows[0] if rows else []


def _blank(cells: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _python_records(
    source: CsvFile, start: Position, until: int | None = None
) -> Iterator[tuple[int, list[str], int, str | None]]:
    """Records read line by line with the csv module: (row number, cells, end offset, decoding problem).

    The path for what the byte scan leaves alone: a header, files that are not well-formed CSV, encodings whose
    multi-byte characters may hold delimiter bytes. Stops after the record that reaches ``until``.
    """
    with source.path.open("rb") as handle:
        offset = max(start.offset, source.encoding.bom)
        handle.seek(offset)
        lines = _DecodedLines(handle, source.encoding.name, offset)
        reader = csv.reader(lines, delimiter=source.delimiter)
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
                    f"{number + 1}행을 CSV로 읽을 수 없습니다({exc}). 따옴표로 시작한 값이 닫히지 않은 것 같습니다.",
                ) from exc
            number += 1
            problem, lines.problem = lines.problem, None
            yield number, cells, lines.offset, problem
            if until is not None and lines.offset >= until:
                return


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


def _python_batches(source: CsvFile, start: Position, width: int) -> Iterator[Batch]:
    rows = _python_records(source, start)
    while True:
        some = list(itertools.islice(rows, 20_000))
        if not some:
            return
        yield _rows_batch(some, width)


def _rows_batch(rows: Sequence[tuple[int, Sequence[Any], int, str | None]], width: int) -> Batch:
    padded = [(list(cells) + [""] * width)[:width] for _, cells, _, _ in rows]
    columns = [pa.array([row[index] for row in padded], pa.string()) for index in range(width)]
    return Batch(
        columns,
        np.array([number for number, _, _, _ in rows], dtype=np.int64),
        np.array([end for _, _, end, _ in rows], dtype=np.int64),
        {index: problem for index, (_, _, _, problem) in enumerate(rows) if problem},
    )


def count_data_rows(source: CsvFile, width: int) -> int:
    """The number of data rows after the header: records that are neither blank nor comments.

    Records whose first byte is an ordinary character are data; only the few others (starting with a space,
    a delimiter, ``#`` or a line end) are looked at closely. Files with quotes are parsed, since a quoted
    newline does not end a record.
    """
    _header, after = source.header()
    with source.path.open("rb") as handle:
        quoted = any(b'"' in block for block in iter(lambda: handle.read(1 << 20), b""))
    if quoted or not source.scan:
        return sum(int(batch.data_mask().sum()) for batch in source.batches(after, width))
    ignorable = set(b" \t\r\n#" + source.delimiter.encode())
    count = 0
    with source.path.open("rb") as handle:
        handle.seek(after.offset)
        pending = b""
        for data in itertools.chain(iter(lambda: handle.read(BLOCK_BYTES), b""), [b""]):
            block = pending + data
            if not block:
                break
            cut = block.rfind(b"\n") + 1 if data else len(block)
            whole, pending = block[:cut], block[cut:]
            if not whole:
                continue
            raw = np.frombuffer(whole, dtype=np.uint8)
            starts = np.concatenate(([0], np.flatnonzero(raw == _NEWLINE) + 1))
            starts = starts[starts < len(raw)]
            first = raw[starts]
            plain = ~np.isin(first, np.array(sorted(ignorable), dtype=np.uint8))
            count += int(plain.sum())
            stripping = b" \t\r\n" + source.delimiter.encode()
            for start in starts[~plain].tolist():
                end = whole.find(b"\n", start)
                line = whole[start : end if end >= 0 else len(whole)].strip(stripping)
                if line and not line.startswith(b"#"):
                    count += 1
    return count


# --------------------------------------------------------------------------------------------------
# XLSX


CellText = Callable[[Any], str]


class XlsxFile:
    """The first worksheet of an XLSX workbook, read with python-calamine."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, typed cells) of every row of the sheet, empty ones included."""
        workbook = CalamineWorkbook.from_path(str(self.path))
        try:
            sheet = workbook.get_sheet_by_index(0)
            first_row, first_column = sheet.start or (0, 0)
            formulas = _formula_texts(self.path) if _has_formulas_without_values(self.path) else None
            for index, cells in enumerate(sheet.iter_rows()):
                number = first_row + index + 1
                row = [""] * first_column + [_typed(cell) for cell in cells]
                if formulas is not None and number in formulas:
                    for column, text in formulas[number].items():
                        if column < len(row) and row[column] == "":
                            row[column] = text
                yield number, row
        finally:
            workbook.close()

    def header(self) -> tuple[list[Any], Position]:
        for number, cells in self._rows():
            if not _blank_typed(cells) and not (isinstance(cells[0], str) and cells[0].lstrip().startswith("#")):
                return cells, Position(number, number)
        raise FormatError("no_header", "The file has no header row.", "파일에 머리글 행이 없습니다.")

    def batches(
        self, start: Position, width: int, texts: Sequence[CellText] | None = None, rows: int = XLSX_BATCH_ROWS
    ) -> Iterator[Batch]:
        """The rows after ``start`` in batches, each cell turned into text by ``texts[column]``."""
        readers = list(texts or []) + [cell_text] * max(width - len(texts or []), 0)
        pending: list[tuple[int, list[Any], int, str | None]] = []
        for number, cells in self._rows():
            if number <= start.offset:
                continue
            converted = [readers[index](cell) if index < len(cells) else "" for index, cell in enumerate(cells[:width])]
            pending.append((number, converted, number, None))
            if len(pending) >= rows:
                yield _rows_batch(pending, width)
                pending = []
        if pending:
            yield _rows_batch(pending, width)

    def estimated_rows(self) -> int | None:
        """The sheet's size less the header row."""
        workbook = CalamineWorkbook.from_path(str(self.path))
        try:
            metadata = workbook.get_sheet_by_index(0)
            return max(metadata.height - 1, 0)
        finally:
            workbook.close()


def _typed(cell: Any) -> Any:
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 2**53:
        return int(cell)  # Excel stores every number as a double; a whole one reads as the integer it shows
    return cell


def _blank_typed(cells: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def cell_text(value: Any) -> str:
    """A typed cell as text (a text column's reading of it): the digits of a number, a date in ISO 8601."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return "" if value is None else str(value)


def number_text(numbers: NumberFormat) -> CellText:
    """A typed cell as the text a number column reads back to the same number, in the file's convention."""

    def text(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "" if value is None else str(value)
        written = str(value) if isinstance(value, int) else repr(value)
        return written.replace(".", numbers.decimal) if numbers.decimal != "." else written

    return text


def boolean_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return cell_text(value)


def plain_text(value: Any) -> str:
    """A typed cell as ``str`` gives it (for a column that takes JSON, such as a whole list)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    return cell_text(value)


# A formula element closing its cell with no value, or with an empty one (openpyxl writes ``<v></v>``).
_FORMULA_WITHOUT_VALUE = re.compile(rb"(?:</f>|<f\b[^>]*/>)\s*(?:<v>\s*</v>|<v/>)?\s*</c>")


def _sheet_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def _has_formulas_without_values(path: Path) -> bool:
    """Whether a worksheet holds a formula with no cached value (a workbook a program wrote, never opened)."""
    with zipfile.ZipFile(path) as archive:
        for name in _sheet_parts(path):
            with archive.open(name) as sheet:
                tail = b""
                for block in iter(lambda: sheet.read(1 << 20), b""):
                    if _FORMULA_WITHOUT_VALUE.search(tail + block):
                        return True
                    tail = block[-200:]
    return False


def _formula_texts(path: Path) -> dict[int, dict[int, str]]:
    """The text of every formula of the first sheet, by row number and column index (openpyxl reads them)."""
    from openpyxl import load_workbook  # noqa: PLC0415  # 0.2 s to load, XLSX only

    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        found: dict[int, dict[int, str]] = {}
        for number, cells in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            texts = {i: c for i, c in enumerate(cells) if isinstance(c, str) and c.startswith("=")}
            if texts:
                found[number] = texts
        return found
    finally:
        workbook.close()

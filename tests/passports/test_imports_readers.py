"""Reading a file in batches with a resume position: quoted newlines, undecodable bytes, counts, XLSX."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from passports.imports.batches import Batch, CsvFile, Position, XlsxFile, count_data_rows
from passports.imports.formats import Encoding, FormatError


class Row(NamedTuple):
    number: int
    cells: list[str]
    end: int
    problem: str | None


def _rows(batches: Iterator[Batch]) -> list[Row]:
    return [
        Row(int(batch.numbers[i]), batch.cells(i), int(batch.ends[i]), batch.problems.get(i))
        for batch in batches
        for i in range(len(batch))
    ]


def csv_rows(source: CsvFile, start: Position | None = None, *, block_bytes: int = 64) -> list[Row]:
    """Every record from ``start`` (the first record, header included, when none), in small blocks so that
    block boundaries fall everywhere."""
    width = len(source.header()[0])
    return _rows(source.batches(start or Position(), width, block_bytes=block_bytes))


DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def test_every_row_end_is_a_place_to_resume_from() -> None:
    """Quoted newlines included: reading again from any row's end gives exactly the rows after it."""
    source = CsvFile(DATA / "products-quoted-newlines.csv", Encoding("utf-8"), ",")
    rows = csv_rows(source)
    assert len(rows) == 7
    assert rows[1].cells[-1] == 'Line one of 1\nline two, with a comma\nand "quotes"'
    for index, row in enumerate(rows):
        again = csv_rows(source, Position(row.end, row.number))
        assert [(r.number, r.cells) for r in again] == [(r.number, r.cells) for r in rows[index + 1 :]]


def test_bom_is_skipped_and_cp949_lines_decode() -> None:
    source = CsvFile(DATA / "products-utf8-bom-semicolon.csv", Encoding("utf-8", 3), ";")
    first = csv_rows(source)[0]
    assert first.cells[0] == "gtin"  # not "\ufeffgtin"
    korean = csv_rows(CsvFile(DATA / "products-cp949.csv", Encoding("cp949"), ","))
    assert korean[1].cells[2] == "면 티셔츠 1"


def test_utf16_must_be_rewritten_before_reading_by_lines() -> None:
    with pytest.raises(ValueError, match="utf-16-le"):
        CsvFile(DATA / "products-utf16le-tab.txt", Encoding("utf-16-le", 2), "\t")


def test_a_row_with_bytes_of_another_encoding_is_read_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("gtin,name\r\n1,배터리\r\n".encode() + "2,전지\r\n".encode("cp949") + b"3,ok\r\n")
    rows = csv_rows(CsvFile(path, Encoding("utf-8"), ","))
    assert [r.problem is None for r in rows] == [True, True, False, True]
    assert rows[2].problem is not None
    assert "not valid UTF-8" in rows[2].problem
    assert rows[3].cells == ["3", "ok"]


def test_a_quote_that_never_closes_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "open-quote.csv"
    path.write_text('gtin,name\r\n1,"never closed\r\n' + "x" * 140_000 + "\r\n", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        csv_rows(CsvFile(path, Encoding("utf-8"), ","), block_bytes=1 << 20)
    assert caught.value.code == "csv_syntax"
    assert "Row 2" in caught.value.message_en


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "rows"),
    [
        ("products-utf8.csv", Encoding("utf-8"), ",", 20),
        ("products-quoted-newlines.csv", Encoding("utf-8"), ",", 6),
        ("products-trailing-blank.csv", Encoding("utf-8"), ",", 5),
        ("products-utf8-bom-semicolon.csv", Encoding("utf-8", 3), ";", 20),
    ],
)
def test_rows_are_counted_without_header_blank_or_comment_rows(
    name: str, encoding: Encoding, delimiter: str, rows: int
) -> None:
    source = CsvFile(DATA / name, encoding, delimiter)
    assert count_data_rows(source, len(source.header()[0])) == rows


CHARACTERS = st.characters(codec="utf-8", exclude_characters="\x00")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=CHARACTERS, max_size=12), min_size=2, max_size=2),
        min_size=1,
        max_size=12,
    )
)
def test_any_csv_written_by_the_csv_module_reads_back_and_resumes_exactly(
    tmp_path_factory: pytest.TempPathFactory, table: list[list[str]]
) -> None:
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([["a", "b"], *table])
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(buffer.getvalue().encode())
    source = CsvFile(path, Encoding("utf-8"), ",")
    rows = csv_rows(source)
    assert [r.cells for r in rows[1:]] == table
    half = len(rows) // 2
    resumed = csv_rows(source, Position(rows[half].end, rows[half].number))
    assert [r.cells for r in resumed] == [r.cells for r in rows[half + 1 :]]


def test_xlsx_rows_come_typed_and_resume_by_row_number(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["gtin", "name", "date", "mass"])
    sheet.append([8801234567893, "배터리", dt.datetime(2026, 5, 4), 12.5])
    sheet.append([None, None, None, None])
    sheet.append(["08801234567893", "=1+2", dt.datetime(2026, 5, 4, 9, 30), 3])
    path = tmp_path / "t.xlsx"
    workbook.save(path)
    source = XlsxFile(path)
    rows = _rows(source.batches(Position(), 4))
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[1].cells == ["8801234567893", "배터리", "2026-05-04", "12.5"]  # typed cells as text
    assert rows[3].cells[1] == "=1+2"  # a formula written without a cached value: kept as its text
    assert rows[3].cells[2] == "2026-05-04T09:30:00"
    assert [r.number for r in _rows(source.batches(Position(2, 2), 4))] == [3, 4]
    assert source.estimated_rows() == 3

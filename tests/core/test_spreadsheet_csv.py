"""The one CSV writer for people (core/spreadsheet_csv.py): what a spreadsheet would run comes out as text."""

from __future__ import annotations

import csv
import io

from core.spreadsheet_csv import csv_lines, csv_text


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_formula_starts_and_control_characters_get_an_apostrophe_numbers_do_not() -> None:
    row = ["=1+1", "+1", "@SUM(A1)", "%x", "\tcmd", "\rcmd", "-5", "3.5", "plain", None, 7]
    assert _read(csv_text([row])) == [
        ["'=1+1", "'+1", "'@SUM(A1)", "'%x", "'\tcmd", "'\rcmd", "-5", "3.5", "plain", "", "7"]
    ]


def test_rows_end_with_crlf_and_streaming_gives_the_same_text_line_by_line() -> None:
    rows = [["a", "b"], ["1", "=2"], ["x,y", 'q"q']]
    lines = list(csv_lines(rows))
    assert len(lines) == 3
    assert all(line.endswith("\r\n") for line in lines)
    assert "".join(lines) == csv_text(rows)

"""The one CSV writer for files that people open in a spreadsheet program.

Cells come from what users and partners entered, so a value like ``=HYPERLINK(...)`` is text we stored as
entered; written to CSV, a spreadsheet would run it as a formula (CSV injection, OWASP). Every CSV we emit
for people (exports, registry records, the audit trail, access logs, import templates and error reports)
goes through this writer: ``defusedcsv`` puts ``'`` before cells starting with ``= + - @ | %`` (numbers
such as ``-5`` stay numbers, and a ``|`` in such a cell is escaped), and this module adds the leading tab
and carriage return that OWASP lists too. Rows end with CRLF (RFC 4180), as spreadsheet programs expect.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from defusedcsv import csv as safe_csv

#: Put first in a file so that Excel reads it as UTF-8 (Korean text otherwise turns to mojibake).
BYTE_ORDER_MARK = "\ufeff"


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("\t", "\r"):
        return "'" + value
    return value


class SpreadsheetCsvWriter:
    """``csv.writer``'s ``writerow``/``writerows`` over a text buffer, every cell neutralised."""

    def __init__(self, buffer: io.StringIO) -> None:
        self._writer = safe_csv.writer(buffer, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([_neutral(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The whole CSV of ``rows`` (header included by the caller) as one string."""
    buffer = io.StringIO(newline="")
    SpreadsheetCsvWriter(buffer).writerows(rows)
    return buffer.getvalue()


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV of ``rows`` line by line, for a streaming response that never holds the whole file."""
    buffer = io.StringIO(newline="")
    writer = SpreadsheetCsvWriter(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()

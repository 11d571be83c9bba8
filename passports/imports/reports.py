"""The error report of an import as CSV, safe to open in a spreadsheet.

Cells come from uploaded files, so a value like ``=HYPERLINK(...)`` or ``@SUM(...)`` is text we stored as
entered; written back to CSV, a spreadsheet would run it as a formula (CSV injection, OWASP). Every cell
goes through the one spreadsheet CSV writer (``core.spreadsheet_csv``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from core.spreadsheet_csv import SpreadsheetCsvWriter

HEADERS = {
    "en": ["row", "column", "value", "message", "pointer", "rule"],
    "ko": ["행", "열", "값", "오류 내용", "JSON 포인터", "규칙"],
}


def error_report_lines(errors: Iterable[Any], language: str) -> Iterator[str]:
    """The report line by line (for a streaming response): header, then one line per row error."""
    korean = language == "ko"
    buffer = io.StringIO(newline="")
    writer = SpreadsheetCsvWriter(buffer)
    writer.writerow(HEADERS["ko" if korean else "en"])
    yield "\ufeff" + _drain(buffer)
    for error in errors:
        message = error.message_ko if korean else error.message_en
        writer.writerow([error.row, error.column, error.value, message, error.pointer, error.rule])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

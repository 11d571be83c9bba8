"""The error workbook of a finished import: the uploaded rows with an error column and the bad cells marked,
to fix in Excel and upload again.

The CSV report (``reports``) lists problems; this workbook gives the file back. Its first sheet is the
uploaded sheet as the import read it (same header, same cells, every cell stored as text so a GTIN keeps
its digits and a formula-like value stays text), with one more column naming each row's problems; a bad
cell is filled red and carries its message as a note. Its second sheet lists the problems as the CSV does.
The extra column's header is one the import ignores (``columns.REPORT_HEADERS``), so the corrected workbook
uploads as it is; rows that were fine are there too and import again as updates (natural keys), so nothing
is duplicated.

A large file gives back only its rejected rows (the import of the others stands); a job whose file is no
longer kept gives the list of problems alone, and says so.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from passports.imports.columns import REPORT_HEADERS
from passports.imports.reports import HEADERS as LIST_HEADERS
from passports.imports.services import _local_source
from passports.models import ImportJob, ImportRowError

ALL_ROWS_UP_TO = 20_000  # above this, the workbook holds the rejected rows only
NOTES_UP_TO = 5_000  # a note per bad cell costs a drawing part each; past this the fill and the column say it
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "Bad" cell style
BAD_FONT = Font(color="9C0006")
HEAD_FONT = Font(bold=True)
ERROR_FONT = Font(color="9C0006", bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

_SHEETS = {"en": ("Data", "Problems"), "ko": ("데이터", "오류 목록")}
_AUTHOR = "DPP import"


def error_workbook(job: ImportJob, *, language: str, rows: str | None = None) -> bytes:
    """The workbook of ``job`` in ``language`` (``en`` or ``ko``); ``rows`` is ``all`` or ``rejected``
    (by default all rows of a file up to ``ALL_ROWS_UP_TO`` rows, else the rejected ones)."""
    korean = language == "ko"
    errors = list(job.row_errors.order_by("row", "pk"))
    by_row: dict[int, list[ImportRowError]] = defaultdict(list)
    for error in errors:
        by_row[error.row].append(error)
    only_rejected = rows == "rejected" or (rows is None and (job.rows_total or 0) > ALL_ROWS_UP_TO)
    workbook = Workbook(write_only=True)
    data_title, list_title = _SHEETS["ko" if korean else "en"]
    data = workbook.create_sheet(data_title)
    if not _write_rows(data, job, by_row, korean=korean, only_rejected=only_rejected):
        data.append(
            [
                "올린 파일이 더 이상 보관되어 있지 않아 오류 목록만 제공합니다."
                if korean
                else "The uploaded file is no longer kept; the problems are listed on the next sheet."
            ]
        )
    _write_list(workbook.create_sheet(list_title), errors, korean=korean)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_rows(
    sheet: WriteOnlyWorksheet,
    job: ImportJob,
    by_row: dict[int, list[ImportRowError]],
    *,
    korean: bool,
    only_rejected: bool,
) -> bool:
    """The uploaded rows with the error column; False when the job's file cannot be read any more."""
    if not job.file or not job.file.storage.exists(job.file.name):
        return False
    with _local_source(job) as source:
        header, start = source.header()
        width = len(header)
        titles = ["" if cell is None else str(cell) for cell in header]
        error_title = REPORT_HEADERS["ko" if korean else "en"]
        _widths(sheet, [min(max(len(title), 10) + 2, 50) for title in titles] + [80])
        sheet.freeze_panes = "A2"
        sheet.append(
            [_cell(sheet, title, font=HEAD_FONT) for title in titles] + [_cell(sheet, error_title, font=ERROR_FONT)]
        )
        column_of = {title: index for index, title in reversed(list(enumerate(titles)))}
        notes = 0
        for batch in source.batches(start, width):
            for position in range(len(batch)):
                number = int(batch.numbers[position])
                problems = by_row.get(number, [])
                if only_rejected and not problems:
                    continue
                bad = {column_of[e.column]: e for e in problems if e.column in column_of}
                cells = []
                for index, value in enumerate(batch.cells(position)):
                    problem = bad.get(index)
                    if problem is None:
                        cells.append(_cell(sheet, value))
                        continue
                    message = problem.message_ko if korean else problem.message_en
                    note = Comment(message, _AUTHOR) if notes < NOTES_UP_TO else None
                    notes += note is not None
                    cells.append(_cell(sheet, value, fill=BAD_FILL, font=BAD_FONT, note=note))
                cells.append(_cell(sheet, _summary(problems, korean=korean), font=BAD_FONT, wrap=True))
                sheet.append(cells)
    return True


def _summary(problems: Iterable[ImportRowError], *, korean: bool) -> str:
    lines = []
    for problem in problems:
        message = problem.message_ko if korean else problem.message_en
        lines.append(f"{problem.column}: {message}" if problem.column else message)
    return "\n".join(lines)


def _write_list(sheet: WriteOnlyWorksheet, errors: list[ImportRowError], *, korean: bool) -> None:
    sheet.freeze_panes = "A2"
    _widths(sheet, [8, 30, 30, 80])
    titles = LIST_HEADERS["ko" if korean else "en"][:4]
    sheet.append([_cell(sheet, title, font=HEAD_FONT) for title in titles])
    for error in errors:
        message = error.message_ko if korean else error.message_en
        sheet.append(
            [error.row, _cell(sheet, error.column), _cell(sheet, error.value), _cell(sheet, message, wrap=True)]
        )


def _widths(sheet: WriteOnlyWorksheet, widths: list[int]) -> None:
    # A write-only sheet has column dimensions at run time; openpyxl's type stubs leave them out.
    dimensions = cast(Any, sheet).column_dimensions
    for index, width in enumerate(widths, start=1):
        dimensions[get_column_letter(index)].width = width


def _cell(
    sheet: WriteOnlyWorksheet,
    value: Any,
    *,
    fill: PatternFill | None = None,
    font: Font | None = None,
    note: Comment | None = None,
    wrap: bool = False,
) -> Cell:
    """A text cell: stored as a string whatever it holds (``=SUM(...)`` is text, never a formula) and
    formatted as Text, so Excel keeps a GTIN's digits when the person edits it."""
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"
    cell.number_format = "@"
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    if note is not None:
        cell.comment = note
    if wrap:
        cell.alignment = WRAP
    return cell

"""A job's file as chunks of data rows, the plan a kind makes for a chunk, and the error rows of a plan.

``Reading`` ties a job's file to its kind: it reads batches from a position, drops blank and comment rows,
gathers consecutive rows of one natural key into one record where the file has one row per item, and cuts
chunks of about ``chunk_rows`` rows at record boundaries. A ``Plan`` says, record by record, what becomes of
a chunk (create, update, reject with issues) as arrays, so that a million accepted rows cost no Python object
each; only rejected records carry issues, and only they are ever looked at one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow.compute as pc

from passports.imports.batches import (
    WHITESPACE,
    Batch,
    CsvFile,
    Position,
    XlsxFile,
    boolean_text,
    cell_text,
    concat_batches,
    count_data_rows,
    number_text,
    plain_text,
)
from passports.imports.columns import Built, ColumnTree, HeaderMap, build_flat, build_record, pointer_to_key
from passports.imports.formats import NumberFormat
from passports.models import ImportJob, ImportRowError
from passports.validation import Issue

REJECT, CREATE, UPDATE = 0, 1, 2
ACTIONS = {REJECT: "reject", CREATE: "create", UPDATE: "update"}


@dataclass
class Chunk:
    """Data rows of the file (blank and comment rows left out) and where each record starts among them."""

    batch: Batch
    starts: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.batch)

    @property
    def records(self) -> int:
        return len(self.starts)

    @property
    def end(self) -> Position:
        return Position(int(self.batch.ends[-1]), int(self.batch.numbers[-1]))

    def record_rows(self, record: int) -> range:
        stop = int(self.starts[record + 1]) if record + 1 < len(self.starts) else len(self.batch)
        return range(int(self.starts[record]), stop)

    def first_row(self, record: int) -> int:
        return int(self.batch.numbers[int(self.starts[record])])


@dataclass
class Plan:
    """What becomes of each record of a chunk: ``actions`` (REJECT, CREATE, UPDATE), the issues of rejected
    records, the records built to report them (``records``; a flat record is reported from its cells), the
    key a preview shows (``key``), and what the kind writes (``payload``)."""

    actions: np.ndarray
    issues: dict[int, list[Issue]]
    payload: Any = None
    records: dict[int, Built] = field(default_factory=dict)
    key: Callable[[int], str] | None = None

    def count(self, action: int) -> int:
        return int(np.count_nonzero(self.actions == action))


class Reading:
    """A job's file read for its kind: header, column readers, chunks of records."""

    def __init__(
        self,
        source: CsvFile | XlsxFile,
        header_map: HeaderMap,
        tree: ColumnTree,
        numbers: NumberFormat,
        *,
        key_columns: tuple[str, ...],
        width: int,
    ) -> None:
        self.source = source
        self.header_map = header_map
        self.tree = tree
        self.numbers = numbers
        self.width = width
        self.per_row = header_map.per_row
        self.flat = tree.is_flat and not self.per_row
        self.key_indexes = [index for index, _, resolved in header_map.columns if resolved.key in key_columns]
        self.column_of = {resolved.key: (index, header) for index, header, resolved in header_map.columns}

    def count(self) -> int | None:
        if isinstance(self.source, CsvFile):
            return count_data_rows(self.source, self.width)
        return self.source.estimated_rows()

    def batches(self, start: Position) -> Iterator[Batch]:
        if isinstance(self.source, CsvFile):
            yield from self.source.batches(start, self.width)
            return
        texts: list[Callable[[Any], str]] = [cell_text] * self.width
        for index, _header, resolved in self.header_map.columns:
            kind = resolved.leaf.type
            if kind in ("number", "integer", "decimal"):
                texts[index] = number_text(self.numbers)
            elif kind == "boolean":
                texts[index] = boolean_text
            elif kind == "array":
                texts[index] = plain_text
        yield from self.source.batches(start, self.width, texts)

    def chunks(self, start: Position, chunk_rows: int) -> Iterator[Chunk]:
        """Chunks of at least ``chunk_rows`` data rows (the last may have fewer), cut between records."""
        pending: list[Batch] = []
        held = 0
        for read in self.batches(start):
            data = read.data_mask()
            batch = read if data.all() else read.take(np.flatnonzero(data))
            if not len(batch):
                continue
            pending.append(batch)
            held += len(batch)
            while held >= chunk_rows:
                buffer = concat_batches(pending)
                starts = self.record_starts(buffer)
                after = starts[starts >= chunk_rows]
                if not len(after):
                    pending = [buffer]
                    break
                cut = int(after[0])
                yield Chunk(buffer.take(np.arange(cut)), starts[starts < cut])
                rest = buffer.take(np.arange(cut, len(buffer)))
                pending, held = [rest], len(rest)
        if held:
            buffer = concat_batches(pending)
            yield Chunk(buffer, self.record_starts(buffer))

    def record_starts(self, batch: Batch) -> np.ndarray:
        """Where each record starts: every row, or where the natural key changes (one row per item)."""
        if not self.per_row or not self.key_indexes:
            return np.arange(len(batch))
        keys = [pc.utf8_trim(batch.columns[index], characters=WHITESPACE) for index in self.key_indexes]
        empty = np.ones(len(batch), dtype=bool)
        differs = np.zeros(len(batch), dtype=bool)
        for key in keys:
            values = np.asarray(key.to_numpy(zero_copy_only=False), dtype=object)
            empty &= values == ""
            differs[1:] |= values[1:] != values[:-1]
        new = empty | differs
        new[1:] |= empty[:-1]
        new[0] = True
        return np.flatnonzero(new)

    def built(self, chunk: Chunk, record: int) -> Built:
        """The record as the row-by-row builders make it (for kinds that build documents, and for reports)."""
        rows = chunk.record_rows(record)
        batch = chunk.batch
        if self.flat:
            built = build_flat(int(batch.numbers[rows[0]]), batch.cells(rows[0]), self.header_map, self.numbers)
        else:
            cells = [(int(batch.numbers[row]), batch.cells(row)) for row in rows]
            built = build_record(cells, self.header_map, self.tree, self.numbers)
        for row in rows:
            problem = batch.problems.get(row)
            if problem:
                built.issues.append(
                    Issue(
                        "",
                        "encoding",
                        f"The row cannot be read: {problem}.",
                        f"행을 읽을 수 없습니다: {problem}.",
                        None,
                    )
                )
        return built

    def records(self, chunk: Chunk) -> list[Built]:
        return [self.built(chunk, record) for record in range(chunk.records)]

    # ----------------------------------------------------------------------------------------------
    # Reports

    def error_rows(self, job: ImportJob, chunk: Chunk, plan: Plan) -> list[ImportRowError]:
        """The rejected records' issues as error rows: row, column as the file names it, value as given."""
        header_of_key = self.header_map.header_of_key()
        found = []
        for record, issues in plan.issues.items():
            built = plan.records.get(record)
            first = chunk.record_rows(record)[0]
            for issue in issues:
                key = pointer_to_key(issue.pointer, built.numbers_of if built is not None else None)
                cell = built.cell(issue.pointer) if built is not None else self._cell(chunk, first, key)
                if cell is not None:
                    row, column, value = cell
                else:
                    row = _row_of(built, issue.pointer) if built is not None else int(chunk.batch.numbers[first])
                    column, value = header_of_key.get(key, key), ""
                found.append(
                    ImportRowError(
                        job=job,
                        row=row,
                        column=column[:300],
                        column_key=key[:300],
                        value=_shown(value),
                        pointer=issue.pointer[:300],
                        rule=issue.rule[:60],
                        message_en=issue.message_en,
                        message_ko=issue.message_ko,
                    )
                )
        return found

    def _cell(self, chunk: Chunk, row: int, key: str) -> tuple[int, str, Any] | None:
        found = self.column_of.get(key)
        if found is None:
            return None
        index, header = found
        value = chunk.batch.columns[index][row].as_py()
        if value is None or not value.strip():
            return None
        return int(chunk.batch.numbers[row]), header, value

    def preview_key(self, chunk: Chunk, plan: Plan, record: int) -> str:
        if plan.key is not None:
            found = plan.key(record)
            if found:
                return found
        built = plan.records.get(record)
        if built is not None:
            return "/".join(str(value) for value in list(built.data.values())[:3])
        row = chunk.record_rows(record)[0]
        values = []
        for index, _header, _resolved in self.header_map.columns:
            value = chunk.batch.columns[index][row].as_py().strip()
            if value:
                values.append(value)
            if len(values) == 3:
                break
        return "/".join(values)


def encoding_issue(problem: str) -> Issue:
    """A row whose bytes are not text in the file's encoding."""
    return Issue("", "encoding", f"The row cannot be read: {problem}.", f"행을 읽을 수 없습니다: {problem}.", None)


def plan_from_outcomes(outcomes: list[Any], payload: Any) -> Plan:
    """A plan from a row handler's outcomes (one per record, in order)."""
    codes = {"reject": REJECT, "create": CREATE, "update": UPDATE}
    actions = np.array([codes.get(outcome.action, outcome.action) for outcome in outcomes], dtype=np.int8)
    issues = {index: outcome.issues for index, outcome in enumerate(outcomes) if actions[index] == REJECT}
    records = {index: outcome.record for index, outcome in enumerate(outcomes) if isinstance(outcome.record, Built)}
    keys = [outcome.key for outcome in outcomes]
    return Plan(actions, issues, payload, records, lambda index: keys[index])


def _row_of(record: Built, pointer: str) -> int:
    prefix = pointer
    while prefix:
        if prefix in record.row_of:
            return record.row_of[prefix]
        prefix = prefix.rsplit("/", 1)[0]
    return record.first_row


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return str(value)[:1000]

"""Emission factors as the engine reads them: the row type, the lookup the graph resolves factor ids through,
and the CSV reader.

The reader serves the shipped starter dataset (``lca.data``) and ``manage.py load_emission_factors
FILE.csv`` alike: it checks every row and reports every problem with its CSV line number and column, so an
upload is fixed in one pass.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, Protocol, runtime_checkable

from lca.engine.gwp import GwpSet
from lca.engine.units import UnitError, parse_unit

__all__ = [
    "FactorCsvError",
    "FactorLookup",
    "FactorRow",
    "RowError",
    "read_factor_csv",
]

REQUIRED_COLUMNS: Final = (
    "id",
    "dataset",
    "name",
    "activity",
    "unit",
    "region",
    "year",
    "co2_fossil",
    "ch4_fossil",
    "ch4_biogenic",
    "n2o",
    "co2e_other",
    "source",
    "source_url",
    "licence",
)
OPTIONAL_COLUMNS: Final = ("co2_biogenic", "co2_luc", "notes")
_ID_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")
_GAS_COLUMNS: Final = ("co2_fossil", "co2_biogenic", "co2_luc", "ch4_fossil", "ch4_biogenic", "n2o", "co2e_other")
# Biogenic CO2 may be negative (uptake in biomass); every other column is an emission and cannot be.
_MAY_BE_NEGATIVE: Final = frozenset({"co2_biogenic"})


@dataclass(frozen=True, slots=True)
class FactorRow:
    """One emission factor: kg of each gas emitted per one ``unit`` of the activity.

    ``co2e_other`` holds an amount that the source gives only as kg CO2e (already characterised by the
    source); it is added unchanged whatever GWP set a calculation declares.
    """

    id: str
    unit: str
    co2_fossil: float = 0.0
    co2_biogenic: float = 0.0
    co2_luc: float = 0.0
    ch4_fossil: float = 0.0
    ch4_biogenic: float = 0.0
    n2o: float = 0.0
    co2e_other: float = 0.0
    dataset: str = ""
    name: str = ""
    activity: str = ""
    region: str = ""
    year: int | None = None
    source: str = ""
    source_url: str = ""
    licence: str = ""
    notes: str = ""

    def gas_amounts(self) -> tuple[float, ...]:
        """kg of each gas per unit, in the order of ``lca.engine.gwp.GASES``."""
        return (
            self.co2_fossil,
            self.co2_biogenic,
            self.co2_luc,
            self.ch4_fossil,
            self.ch4_biogenic,
            self.n2o,
            self.co2e_other,
        )

    def kg_co2e(self, gwp: GwpSet, *, including_biogenic: bool = False) -> float:
        """kg CO2e per unit under ``gwp``; biogenic CO2 only when asked."""
        total = sum(amount * factor for amount, factor in zip(self.gas_amounts(), gwp.factors(), strict=True))
        return total if including_biogenic else total - self.co2_biogenic


@runtime_checkable
class FactorLookup(Protocol):
    """Resolves factor ids in one batch, so a database-backed table answers with a single query."""

    def factors_for(self, ids: Iterable[str]) -> Mapping[str, FactorRow]:
        """The rows for those ids that exist; missing ids are simply absent."""


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in one CSV row: 1-based line number (the header is line 1), column, message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.message}"


class FactorCsvError(ValueError):
    """Raised by ``read_factor_csv`` with every row error found, not only the first."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "; ".join(str(error) for error in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in emission factor CSV: {shown}{more}")


def _float_cell(raw: str, column: str, line: int, errors: list[RowError]) -> float:
    text = (raw or "").strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        errors.append(RowError(line, column, f"{text!r} is not a number"))
        return 0.0
    if not math.isfinite(value):
        errors.append(RowError(line, column, f"{text!r} is not a finite number"))
    elif value < 0 and column not in _MAY_BE_NEGATIVE:
        errors.append(RowError(line, column, f"{text!r} is negative; only co2_biogenic may be (uptake)"))
    return value


def _year_cell(raw: str, line: int, errors: list[RowError]) -> int | None:
    text = (raw or "").strip()
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        errors.append(RowError(line, "year", f"{text!r} is not a year between 1900 and 2100"))
        return None
    return int(text)


def _text_checks(cells: Mapping[str, str], line: int, errors: list[RowError]) -> None:
    factor_id = cells["id"]
    if not _ID_PATTERN.match(factor_id):
        errors.append(RowError(line, "id", f"{factor_id!r} is not a slug (lower-case letters, digits, '.', '_', '-')"))
    for column in ("name", "region", "source", "licence"):
        if not cells[column]:
            errors.append(RowError(line, column, "is empty; every factor names its source and licence"))
    url = cells["source_url"]
    if url and not url.startswith(("https://", "http://")):
        errors.append(RowError(line, "source_url", f"{url!r} is not an http(s) address"))
    try:
        parse_unit(cells["unit"])
    except UnitError as exc:
        errors.append(RowError(line, "unit", str(exc)))


def _row_from_cells(raw: Mapping[str, str | None], line: int, errors: list[RowError]) -> FactorRow:
    cells = {key: (value or "").strip() for key, value in raw.items() if key is not None}
    for column in OPTIONAL_COLUMNS:
        cells.setdefault(column, "")
    _text_checks(cells, line, errors)
    amounts = {column: _float_cell(cells.get(column, ""), column, line, errors) for column in _GAS_COLUMNS}
    return FactorRow(
        id=cells["id"],
        unit=cells["unit"],
        dataset=cells["dataset"],
        name=cells["name"],
        activity=cells["activity"],
        region=cells["region"],
        year=_year_cell(cells["year"], line, errors),
        source=cells["source"],
        source_url=cells["source_url"],
        licence=cells["licence"],
        notes=cells["notes"],
        **amounts,
    )


def read_factor_csv(path_or_file: str | Path | IO[str]) -> list[FactorRow]:
    """Read and check an emission-factor CSV; raise FactorCsvError listing every row error.

    Columns: see ``REQUIRED_COLUMNS`` (``co2_biogenic``, ``co2_luc`` and ``notes`` are optional). Gas
    columns are kg of that gas per one ``unit``; an empty cell means 0.
    """
    if isinstance(path_or_file, str | Path):
        with Path(path_or_file).open(encoding="utf-8-sig", newline="") as handle:
            return read_factor_csv(handle)
    text = path_or_file.read()
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise FactorCsvError([RowError(1, column, "required column is missing") for column in missing])
    reader.fieldnames = header
    errors: list[RowError] = []
    rows: list[FactorRow] = []
    first_line: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = _row_from_cells(raw, line, errors)
        if row.id in first_line:
            errors.append(RowError(line, "id", f"{row.id!r} repeats the id of row {first_line[row.id]}"))
        first_line.setdefault(row.id, line)
        rows.append(row)
    if errors:
        raise FactorCsvError(errors)
    return rows

"""Loading emission-factor datasets: the shipped open dataset (shared by every organization) and an
organization's own licensed dataset from a CSV file, all rows or none, every problem named by row and column.

Factors are matched by key within their dataset's owner; a factor whose unit or values change schedules
the recalculation of the footprints that use it. Callers use the names re-exported by ``lca.services``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from lca.data import STARTER_CSV
from lca.engine.factors import FactorCsvError, FactorRow, RowError, read_factor_csv
from lca.models import EmissionFactor, RecalculationJob
from lca.recalculation import recalculation_schedule
from passports.models import Organization


def factor_values(factor: EmissionFactor) -> tuple[Any, ...]:
    """What a footprint reads from a factor (unit and gas amounts): a change here makes footprints stale."""
    return (factor.unit, *(getattr(factor, name) for name in EmissionFactor.GAS_FIELDS))


@dataclass
class FactorLoadReport:
    """What loading a factor dataset did; ``rejected`` lists rows left out (with ``valid_rows``)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    jobs: list[RecalculationJob] = field(default_factory=list)


def _factor_fields(row: FactorRow, dataset: str | None) -> dict[str, Any]:
    return {
        "dataset": dataset or row.dataset or "unnamed dataset",
        "name": row.name,
        "activity": row.activity,
        "unit": row.unit,
        "region": row.region,
        "year": row.year,
        "source": row.source,
        "source_url": row.source_url,
        "licence": row.licence,
        "notes": row.notes,
        **{name: _decimal(value) for name, value in zip(EmissionFactor.GAS_FIELDS, _gas_values(row), strict=True)},
    }


def _gas_values(row: FactorRow) -> tuple[float, ...]:
    return (row.co2_fossil, row.co2_biogenic, row.co2_luc, row.ch4_fossil, row.ch4_biogenic, row.n2o, row.co2e_other)


def _decimal(value: float) -> Decimal:
    """The decimal a CSV cell meant: ``repr`` of the parsed float is the shortest text that reads back to it."""
    return Decimal(repr(value)).quantize(Decimal("1e-12")).normalize() if value else Decimal(0)


@transaction.atomic
def factors_load(
    *,
    rows: Sequence[FactorRow],
    org: Organization | None,
    dataset: str | None = None,
    schedule: bool = True,
    lines: Mapping[str, int] | None = None,
    skip_invalid: bool = False,
) -> FactorLoadReport:
    """Insert or update factors by key, in bulk (a few queries for a whole dataset).

    ``org`` None loads the shared open dataset. Each row also passes the model's checks (lengths, address
    format); a row that fails them refuses the whole load with ``FactorCsvError`` naming its row (from
    ``lines``) and column, or is left out with ``skip_invalid``. A factor whose unit or values change
    schedules the recalculation of the footprints that use it (unless ``schedule`` is False).
    """
    report = FactorLoadReport()
    existing = {
        factor.key: factor
        for factor in EmissionFactor.objects.filter(organization=org, key__in=[row.id for row in rows])
    }
    to_create: list[EmissionFactor] = []
    to_update: list[EmissionFactor] = []
    changed: list[int] = []
    problems: list[RowError] = []
    for row in rows:
        values = _factor_fields(row, dataset)
        factor = existing.get(row.id) or EmissionFactor(organization=org, key=row.id)
        before = factor_values(factor) if factor.pk else None
        if factor.pk and all(getattr(factor, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        for name, value in values.items():
            setattr(factor, name, value)
        try:
            factor.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            line = (lines or {}).get(row.id, 0)
            problems += [RowError(line, column, " ".join(messages)) for column, messages in exc.message_dict.items()]
            continue
        if factor.pk is None:
            to_create.append(factor)
        else:
            to_update.append(factor)
            if factor_values(factor) != before:
                changed.append(factor.pk)
    if problems and not skip_invalid:
        raise FactorCsvError(problems)
    EmissionFactor.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        EmissionFactor.objects.bulk_update(to_update, [*_factor_fields(rows[0], dataset)], batch_size=500)
    report.created, report.updated, report.rejected = len(to_create), len(to_update), problems
    if changed and schedule:
        report.jobs = recalculation_schedule(factor_ids=changed, reason=f"{len(changed)} emission factor(s) changed")
    return report


def _read_rows(
    source: str | Path | IO[str], *, valid_rows: bool
) -> tuple[list[FactorRow], list[RowError], dict[str, int]]:
    """Rows of a factor CSV, the rows set aside (with ``valid_rows``) and the row number of every id."""
    if isinstance(source, str | Path):
        with Path(source).open(encoding="utf-8-sig", newline="") as handle:
            return _read_rows(handle, valid_rows=valid_rows)
    text = source.read().removeprefix("\ufeff")
    lines = _row_numbers(text)
    try:
        return read_factor_csv(io.StringIO(text)), [], lines
    except FactorCsvError as exc:
        if not valid_rows or any(error.row == 1 for error in exc.errors):
            raise
        bad = {error.row for error in exc.errors}
        kept = read_factor_csv(io.StringIO(_without_records(text, bad)))
        return kept, exc.errors, {key: line for key, line in lines.items() if line not in bad}


def _row_numbers(text: str) -> dict[str, int]:
    """Row number of each id as ``read_factor_csv`` counts (header 1, first record 2); first occurrence wins."""
    numbers: dict[str, int] = {}
    for number, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        key = (record.get("id") or "").strip()
        numbers.setdefault(key, number)
    return numbers


def _without_records(text: str, lines: set[int]) -> str:
    """The CSV without the records numbered ``lines`` (1 is the header row), records kept whole."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # Blank lines are skipped and not counted, as csv.DictReader (and so read_factor_csv) does.
    records = (record for record in csv.reader(io.StringIO(text)) if record)
    for number, record in enumerate(records, start=1):
        if number not in lines:
            writer.writerow(record)
    return out.getvalue()


def factor_load_csv(
    *,
    source: str | Path | IO[str],
    org: Organization | None = None,
    dataset: str | None = None,
    valid_rows: bool = False,
) -> FactorLoadReport:
    """Load an emission-factor CSV (format of ``lca.engine.factors.read_factor_csv``) as one dataset.

    Every row is checked first; a single bad row stores nothing and ``FactorCsvError`` lists every error
    with its row and column, unless ``valid_rows`` asks to store the good rows and report the others.
    """
    rows, rejected, lines = _read_rows(source, valid_rows=valid_rows)
    report = factors_load(rows=rows, org=org, dataset=dataset, lines=lines, skip_invalid=valid_rows)
    report.rejected = sorted([*rejected, *report.rejected], key=lambda error: (error.row, error.column))
    return report


def shared_factors_sync() -> FactorLoadReport:
    """Load the shipped open dataset as the shared factors (idempotent: unchanged rows are left alone)."""
    return factors_load(rows=read_factor_csv(STARTER_CSV), org=None)

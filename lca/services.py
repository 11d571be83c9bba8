"""Writing carbon footprint rows: emission factors (one by one or a whole CSV dataset), activity data,
bills of materials, supplier footprints and footprint profiles; computing footprints; recalculating the
stored footprints that a changed factor or supplier footprint makes stale.

Each function is one transaction. A change to a factor's values or to a supplier footprint schedules a
``RecalculationJob`` per organization concerned, enqueued after commit (``lca.tasks``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from lca.computation import FootprintError, RecomputeOutcome, footprint_compute, footprints_recompute
from lca.data import STARTER_CSV, FactorCsvError, FactorRow, RowError, read_factor_csv
from lca.models import (
    ActivityData,
    BomLine,
    EmissionFactor,
    FootprintProfile,
    RecalculationJob,
    SupplierFootprint,
)
from lca.selectors import organizations_using_factors, products_affected_by
from lca.units import UnitError, conversion_factor
from passports.models import Organization, Product

__all__ = [
    "FactorInUseError",
    "FactorLoadReport",
    "FootprintError",
    "RecomputeOutcome",
    "activity_create",
    "activity_delete",
    "activity_update",
    "bom_line_create",
    "bom_line_delete",
    "bom_line_update",
    "factor_create",
    "factor_delete",
    "factor_load_csv",
    "factor_update",
    "factors_load",
    "footprint_compute",
    "footprints_recompute",
    "profile_create",
    "profile_update",
    "recalculation_batch_size",
    "recalculation_job_create",
    "recalculation_job_fail",
    "recalculation_job_run",
    "recalculation_jobs_resume_orphaned",
    "recalculation_schedule",
    "shared_factors_sync",
    "supplier_footprint_create",
    "supplier_footprint_delete",
    "supplier_footprint_update",
]

SHARED_DATASET_NOTE = "Shipped open dataset (lca/data/emission_factors.csv); see lca/data/SOURCES.md."
_ERROR_LIMIT = 1000


class FactorInUseError(Exception):
    """An emission factor that activity data still use cannot be deleted."""


def _user(by: Any) -> Any:
    from django.contrib.auth import get_user_model

    return by if isinstance(by, get_user_model()) else None


def _check_same_org(org: Organization, **products: Product | None) -> None:
    errors = {
        name: "Not a product of your organization."
        for name, product in products.items()
        if product is not None and product.organization_id != org.pk
    }
    if errors:
        raise ValidationError(errors)


def _check_unit(unit: str, expected: str, *, field: str, what: str) -> None:
    try:
        conversion_factor(unit, expected)
    except UnitError as exc:
        raise ValidationError({field: f"{what}: {exc}"}) from exc


def _save(instance: models.Model) -> Any:
    instance.full_clean()
    try:
        instance.save()
    except IntegrityError as exc:  # a constraint full_clean could not see (a race); same answer
        raise ValidationError(str(exc)) from exc
    return instance


# -- emission factors -----------------------------------------------------------------------------------------


def _values_of(factor: EmissionFactor) -> tuple[Any, ...]:
    return (factor.unit, *(getattr(factor, name) for name in EmissionFactor.GAS_FIELDS))


@transaction.atomic
def factor_create(*, org: Organization, **fields: Any) -> EmissionFactor:
    """A factor of the organization's own (licensed) dataset, visible to it alone."""
    fields.pop("organization", None)
    return _save(EmissionFactor(organization=org, **fields))


@transaction.atomic
def factor_update(*, factor: EmissionFactor, by: Any = None, **fields: Any) -> EmissionFactor:
    """Change a factor; when its unit or values change, the footprints that use it are recalculated."""
    fields.pop("organization", None)
    before = _values_of(factor)
    for name, value in fields.items():
        setattr(factor, name, value)
    _save(factor)
    factor.refresh_from_db()
    if _values_of(factor) != before:
        recalculation_schedule(factor_ids=[factor.pk], reason=f"emission factor {factor.key} changed", by=by)
    return factor


@transaction.atomic
def factor_delete(*, factor: EmissionFactor) -> None:
    if factor.activity_data.exists():
        raise FactorInUseError(f"Emission factor {factor.key!r} is used by activity data; change those rows first.")
    factor.delete()


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


def _decimal(value: float) -> Any:
    """The decimal a CSV cell meant: ``repr`` of the parsed float is the shortest text that reads back to it."""
    from decimal import Decimal

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
        before = _values_of(factor) if factor.pk else None
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
            if _values_of(factor) != before:
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
    """Load an emission-factor CSV (format of ``lca.data.read_factor_csv``) as one dataset.

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


# -- activity data, bills of materials, supplier footprints, profiles --------------------------------------------


def _check_activity(activity: ActivityData) -> None:
    _check_same_org(activity.organization, product=activity.product, upstream_product=activity.upstream_product)
    factor = activity.factor
    if factor is not None and factor.organization_id not in (None, activity.organization_id):
        raise ValidationError({"factor": "Not a factor your organization can use."})
    sources = [name for name in ("factor", "upstream_product", "gas") if getattr(activity, name)]
    if len(sources) != 1:
        raise ValidationError({"factor": "Give exactly one of factor, upstream_product or gas."})
    if factor is not None:
        _check_unit(activity.unit, factor.unit, field="unit", what=f"factor {factor.key} is per {factor.unit}")
    elif activity.gas:
        _check_unit(activity.unit, "kg", field="unit", what="a direct emission is a mass")
    ratings = (activity.dq_technology, activity.dq_geography, activity.dq_time)
    if any(r is not None for r in ratings) and any(r is None for r in ratings):
        raise ValidationError({"dq_technology": "Rate all three of technology, geography and time, or none."})


@transaction.atomic
def activity_create(*, org: Organization, **fields: Any) -> ActivityData:
    fields.pop("organization", None)
    activity = ActivityData(organization=org, **fields)
    _check_activity(activity)
    return _save(activity)


@transaction.atomic
def activity_update(*, activity: ActivityData, **fields: Any) -> ActivityData:
    fields.pop("organization", None)
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_activity(activity)
    return _save(activity)


@transaction.atomic
def activity_delete(*, activity: ActivityData) -> None:
    activity.delete()


def _check_bom_line(line: BomLine) -> None:
    _check_same_org(line.organization, product=line.product, component=line.component)
    if line.product_id == line.component_id:
        raise ValidationError({"component": "A product cannot be its own component."})


@transaction.atomic
def bom_line_create(*, org: Organization, **fields: Any) -> BomLine:
    fields.pop("organization", None)
    line = BomLine(organization=org, **fields)
    _check_bom_line(line)
    return _save(line)


@transaction.atomic
def bom_line_update(*, line: BomLine, **fields: Any) -> BomLine:
    fields.pop("organization", None)
    for name, value in fields.items():
        setattr(line, name, value)
    _check_bom_line(line)
    return _save(line)


@transaction.atomic
def bom_line_delete(*, line: BomLine) -> None:
    line.delete()


@transaction.atomic
def supplier_footprint_create(
    *, org: Organization, by: Any = None, schedule: bool = True, **fields: Any
) -> SupplierFootprint:
    """Record a supplier's declared footprint; the footprints that use the component are recalculated."""
    fields.pop("organization", None)
    declaration = SupplierFootprint(organization=org, **fields)
    _check_same_org(org, component=declaration.component)
    _save(declaration)
    if schedule:
        _schedule_component(declaration, by=by)
    return declaration


@transaction.atomic
def supplier_footprint_update(
    *, declaration: SupplierFootprint, by: Any = None, schedule: bool = True, **fields: Any
) -> SupplierFootprint:
    fields.pop("organization", None)
    previous_component = declaration.component_id
    for name, value in fields.items():
        setattr(declaration, name, value)
    _check_same_org(declaration.organization, component=declaration.component)
    _save(declaration)
    if schedule:
        _schedule_component(declaration, by=by, also=[previous_component])
    return declaration


@transaction.atomic
def supplier_footprint_delete(*, declaration: SupplierFootprint, by: Any = None) -> None:
    component = declaration.component_id
    org = declaration.organization
    declaration.delete()
    recalculation_schedule(
        component_ids=[component], org=org, by=by, reason=f"supplier footprint of product {component} deleted"
    )


def _schedule_component(declaration: SupplierFootprint, *, by: Any, also: Iterable[int] = ()) -> None:
    components = sorted({declaration.component_id, *also})
    recalculation_schedule(
        component_ids=components,
        org=declaration.organization,
        by=by,
        reason=f"supplier footprint {declaration.pk} ({declaration.source}) changed",
    )


def _check_profile(profile: FootprintProfile) -> None:
    _check_same_org(profile.organization, product=profile.product)


@transaction.atomic
def profile_create(*, org: Organization, **fields: Any) -> FootprintProfile:
    fields.pop("organization", None)
    profile = FootprintProfile(organization=org, **fields)
    _check_profile(profile)
    return _save(profile)


@transaction.atomic
def profile_update(*, profile: FootprintProfile, **fields: Any) -> FootprintProfile:
    fields.pop("organization", None)
    for name, value in fields.items():
        setattr(profile, name, value)
    _check_profile(profile)
    return _save(profile)


# -- recalculation ------------------------------------------------------------------------------------------------


def recalculation_schedule(
    *,
    factor_ids: Sequence[int] = (),
    component_ids: Sequence[int] = (),
    org: Organization | None = None,
    reason: str = "",
    by: Any = None,
) -> list[RecalculationJob]:
    """One job per organization concerned, each enqueued once the current transaction commits.

    Changed factors concern every organization with activity data on them (a shared factor, many);
    changed supplier footprints concern ``org``. The job finds the affected products when it starts.
    """
    from lca.tasks import recalculation_job_task
    from passports.jobs import enqueue_after_commit

    orgs: set[int] = set()
    if factor_ids:
        orgs.update(organizations_using_factors(factor_ids=factor_ids))
        if org is not None:
            orgs &= {org.pk}
    if component_ids and org is not None:
        orgs.add(org.pk)
    jobs = []
    cause = RecalculationJob.Cause.FACTOR if factor_ids else RecalculationJob.Cause.SUPPLIER_FOOTPRINT
    for org_id in sorted(orgs):
        job = RecalculationJob.objects.create(
            organization_id=org_id,
            cause=cause,
            reason=reason[:300],
            factor_ids=sorted(map(int, factor_ids)),
            component_ids=sorted(map(int, component_ids)) if org_id == getattr(org, "pk", None) else [],
            created_by=_user(by),
        )
        enqueue_after_commit(recalculation_job_task, job.pk)
        jobs.append(job)
    return jobs


@transaction.atomic
def recalculation_job_create(
    *, org: Organization, product_ids: Sequence[int] | None = None, by: Any = None
) -> RecalculationJob:
    """A requested recalculation: the given products, or every product of the organization with LCA data."""
    from lca.tasks import recalculation_job_task
    from passports.jobs import enqueue_after_commit

    if product_ids is not None:
        _check_same_org(
            org, **{f"product {pk}": product for pk, product in Product.objects.in_bulk(list(product_ids)).items()}
        )
    job = RecalculationJob.objects.create(
        organization=org,
        cause=RecalculationJob.Cause.MANUAL,
        reason="requested",
        requested_product_ids=sorted(set(map(int, product_ids))) if product_ids is not None else None,
        created_by=_user(by),
    )
    enqueue_after_commit(recalculation_job_task, job.pk)
    return job


def _plan(job: RecalculationJob) -> list[int]:
    org = job.organization
    if job.cause == RecalculationJob.Cause.MANUAL:
        if job.requested_product_ids is not None:
            return sorted(
                set(
                    Product.objects.filter(organization=org, pk__in=job.requested_product_ids).values_list(
                        "pk", flat=True
                    )
                )
            )
        with_data = (
            models.Q(footprints__isnull=False)
            | models.Q(activity_data__isnull=False)
            | models.Q(bom_lines__isnull=False)
            | models.Q(supplier_footprints__isnull=False)
        )
        return sorted(set(Product.objects.filter(organization=org).filter(with_data).values_list("pk", flat=True)))
    return products_affected_by(org=org, factor_ids=job.factor_ids, component_ids=job.component_ids)


def recalculation_batch_size() -> int:
    """Products per committed batch: each batch reads the organization's rows once and factorises once, so
    larger batches are faster, smaller ones commit progress more often. The setting
    ``LCA_RECALCULATION_BATCH`` wins; without it the environment variable of that name, else 5,000."""
    import os

    from django.conf import settings

    configured = getattr(settings, "LCA_RECALCULATION_BATCH", None) or os.environ.get("LCA_RECALCULATION_BATCH")
    return max(1, int(configured or 5000))


def recalculation_job_run(*, job_id: int, runner: str = "") -> RecalculationJob | None:
    """Run (or resume) a recalculation job: plan once, then commit batch after batch with the progress.

    Each batch stores its footprints and advances ``products_done`` in one transaction, under a lock on
    the job row, so a redelivered task continues after the last committed batch and two runs of the
    same job never store a batch twice.
    """
    with transaction.atomic():
        job = RecalculationJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (RecalculationJob.Status.DONE, RecalculationJob.Status.FAILED):
            return job
        if job.product_ids is None:
            job.product_ids = _plan(job)
            job.products_total = len(job.product_ids)
            job.started_at = timezone.now()
        job.status = RecalculationJob.Status.RUNNING
        job.runner = runner[:200]
        job.save()
    size = recalculation_batch_size()
    while True:
        with transaction.atomic():
            job = RecalculationJob.objects.select_for_update().select_related("organization").get(pk=job_id)
            ids = job.product_ids or []
            if job.status != RecalculationJob.Status.RUNNING or job.products_done >= len(ids):
                break
            batch = ids[job.products_done : job.products_done + size]
            outcome = footprints_recompute(org=job.organization, product_ids=batch, job=job)
            job.products_changed += len(outcome.stored)
            job.products_unchanged += len(outcome.unchanged)
            job.products_failed += len(outcome.failed)
            room = max(_ERROR_LIMIT - len(job.errors), 0)
            job.errors = job.errors + [error.as_detail() for error in outcome.failed.values()][:room]
            job.products_done += len(batch)
            job.save()
    RecalculationJob.objects.filter(pk=job_id, status=RecalculationJob.Status.RUNNING).update(
        status=RecalculationJob.Status.DONE, finished_at=timezone.now()
    )
    return RecalculationJob.objects.get(pk=job_id)


def recalculation_jobs_resume_orphaned(*, alive: set[str], stale_after_seconds: int = 300) -> list[int]:
    """Queue again the jobs a dead worker left: running under a worker that does not answer, or queued
    long ago and never started (a lost message). A job run twice is safe: batches commit under a lock."""
    from datetime import timedelta

    from lca.tasks import recalculation_job_task

    stale = timezone.now() - timedelta(seconds=stale_after_seconds)
    running = RecalculationJob.objects.filter(status=RecalculationJob.Status.RUNNING).exclude(runner__in=alive)
    queued = RecalculationJob.objects.filter(status=RecalculationJob.Status.QUEUED, created_at__lt=stale)
    resumed = sorted({*running.values_list("pk", flat=True), *queued.values_list("pk", flat=True)})
    for job_id in resumed:
        recalculation_job_task.apply_async(args=[job_id])
    return resumed


def recalculation_job_fail(*, job_id: int, error: str) -> None:
    """Mark a job failed after an error a retry would not cure; its committed batches stay stored."""
    with transaction.atomic():
        job = RecalculationJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == RecalculationJob.Status.DONE:
            return
        job.status = RecalculationJob.Status.FAILED
        job.finished_at = timezone.now()
        job.errors = [*job.errors, {"code": "failed", "message": error[:2000]}]
        job.save(update_fields=["status", "finished_at", "errors", "updated_at"])

"""Writing carbon footprint rows: emission factors, activity data, bills of materials, supplier footprints
and footprint profiles. The one place callers write through: it also re-exports computing footprints
(``lca.computation``), loading factor datasets (``lca.factor_datasets``) and recalculation jobs
(``lca.recalculation``).

Each function is one transaction. A change to a factor's values or to a supplier footprint schedules a
``RecalculationJob`` per organization concerned, enqueued after commit (``lca.tasks``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from lca.computation import FootprintError, RecomputeOutcome, footprint_compute, footprints_recompute
from lca.engine.units import UnitError, conversion_factor
from lca.factor_datasets import FactorLoadReport, factor_load_csv, factor_values, factors_load, shared_factors_sync
from lca.models import ActivityData, BomLine, EmissionFactor, FootprintProfile, SupplierFootprint
from lca.recalculation import (
    recalculation_batch_size,
    recalculation_job_create,
    recalculation_job_fail,
    recalculation_job_run,
    recalculation_jobs_resume_orphaned,
    recalculation_schedule,
)
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


class FactorInUseError(Exception):
    """An emission factor that activity data still use cannot be deleted."""


def _user(by: Any) -> Any:
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


@transaction.atomic
def factor_create(*, org: Organization, **fields: Any) -> EmissionFactor:
    """A factor of the organization's own (licensed) dataset, visible to it alone."""
    fields.pop("organization", None)
    return _save(EmissionFactor(organization=org, **fields))


@transaction.atomic
def factor_update(*, factor: EmissionFactor, by: Any = None, **fields: Any) -> EmissionFactor:
    """Change a factor; when its unit or values change, the footprints that use it are recalculated."""
    fields.pop("organization", None)
    before = factor_values(factor)
    for name, value in fields.items():
        setattr(factor, name, value)
    _save(factor)
    factor.refresh_from_db()
    if factor_values(factor) != before:
        recalculation_schedule(factor_ids=[factor.pk], reason=f"emission factor {factor.key} changed", by=by)
    return factor


@transaction.atomic
def factor_delete(*, factor: EmissionFactor) -> None:
    if factor.activity_data.exists():
        raise FactorInUseError(f"Emission factor {factor.key!r} is used by activity data; change those rows first.")
    factor.delete()


# -- activity data, bills of materials, supplier footprints, profiles --------------------------------------------


def activity_check(activity: ActivityData) -> None:
    """Raise ``ValidationError`` unless the activity keeps the cross-field rules (one source of emissions, a unit
    the factor converts, all three ratings or none, rows of one organization); public because the activity
    import (``lca.imports``) applies the same rules to rows it writes in bulk."""
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
    activity_check(activity)
    return _save(activity)


@transaction.atomic
def activity_update(*, activity: ActivityData, **fields: Any) -> ActivityData:
    fields.pop("organization", None)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity_check(activity)
    return _save(activity)


@transaction.atomic
def activity_delete(*, activity: ActivityData) -> None:
    activity.delete()


def bom_line_check(line: BomLine) -> None:
    """Raise ``ValidationError`` unless the line joins two products of its organization and is not its own
    component; public for the bill-of-materials import (``lca.imports``)."""
    _check_same_org(line.organization, product=line.product, component=line.component)
    if line.product_id == line.component_id:
        raise ValidationError({"component": "A product cannot be its own component."})


@transaction.atomic
def bom_line_create(*, org: Organization, **fields: Any) -> BomLine:
    fields.pop("organization", None)
    line = BomLine(organization=org, **fields)
    bom_line_check(line)
    return _save(line)


@transaction.atomic
def bom_line_update(*, line: BomLine, **fields: Any) -> BomLine:
    fields.pop("organization", None)
    for name, value in fields.items():
        setattr(line, name, value)
    bom_line_check(line)
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

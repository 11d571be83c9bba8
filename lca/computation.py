"""Computing and storing product footprints from recorded rows, one product or thousands at once.

``footprint_compute`` solves one product's supply chain with ``lca.engine.footprint.calculate``;
``footprints_recompute`` puts a whole batch of products in one graph, factorises it once and reads every
product's full result from a few transposed solves (``lca.engine.catalogue``). Both store the same ``Footprint``
rows (the tests hold them equal), named by the same input hash, so a recomputation skips a product whose
inputs did not change. Exposed through ``lca.services``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from lca.engine.catalogue import catalogue_results, check_non_negative
from lca.engine.footprint import FootprintResult, GraphError, calculate, factorise
from lca.engine.graph_builder import BuiltGraph, Catalogue, Origin, ProductNode, build_graph
from lca.engine.input_hashes import input_hashes
from lca.engine.regulatory import battery_carbon_footprint
from lca.models import Footprint, RecalculationJob
from lca.selectors import catalogue_load
from passports import audit
from passports.models import Organization, Product

# Stored and answered figures keep 9 significant digits: rounding error stays below 5e-9 relative, far
# inside the 1e-6 the hand-checked cases are held to, and far beyond what any factor is known to.
SIGNIFICANT_DIGITS: Final = 9
_ID_LIST_LIMIT: Final = 2000
# Below this many rows bulk_create is as quick as COPY and returns primary keys.
_COPY_FROM: Final = 200
_POINTER = re.compile(r"^/processes/(\d+)(?:/(inputs|emissions)/(\d+))?(/.*)?$")
_ROW_FIELDS: Final = {
    "activity": {
        "/amount": "amount",
        "/unit": "unit",
        "/factor": "factor",
        "/process": "upstream_product",
        "/gas": "gas",
        "/primary": "primary",
        "/dq": "dq_technology",
    },
    "bom_line": {"/amount": "quantity", "/unit": "unit", "/process": "component"},
    "supplier_footprint": {
        "/unit": "declared_unit",
        "/footprint/unit": "declared_unit",
        "/footprint/gwp": "gwp",
        "/footprint/kg_co2e_per_unit": "kg_co2e_per_unit",
        "/footprint/luc_kg_co2e_per_unit": "luc_kg_co2e_per_unit",
    },
}


class FootprintError(Exception):
    """A product's footprint cannot be computed from its rows; names the row (and field) at fault."""

    def __init__(
        self,
        message: str,
        *,
        product_id: int,
        pointer: str = "",
        process_id: str | None = None,
        row: Origin | None = None,
        field: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.product_id = product_id
        self.pointer = pointer
        self.process_id = process_id
        self.row = row
        self.field = field

    def as_detail(self) -> dict[str, Any]:
        """One ``details`` entry of the API error envelope."""
        detail: dict[str, Any] = {
            "pointer": self.pointer or "/",
            "code": "graph_error",
            "message": self.message,
            "process": self.process_id,
            "product": self.product_id,
        }
        if self.row is not None:
            detail["row"] = {"kind": self.row.kind, "id": self.row.pk, "product": self.row.product, "field": self.field}
        return detail


@dataclass
class RecomputeOutcome:
    """What a recomputation did: products whose new footprint was stored, products unchanged (same inputs),
    products that failed."""

    stored: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    failed: dict[int, FootprintError] = field(default_factory=dict)


def _error_from(exc: GraphError, built: BuiltGraph, product_id: int, catalogue: Catalogue) -> FootprintError:
    """The engine's error, told in terms of rows: which activity, line or supplier footprint, which field."""
    match = _POINTER.match(exc.pointer or "")
    row: Origin | None = None
    field_name = ""
    about = ""
    if match:
        position = int(match.group(1))
        if match.group(2):
            row = built.origin.get((position, match.group(2), int(match.group(3))))
        rest = match.group(4) or ""
        if row is not None:
            field_name = next((name for suffix, name in _ROW_FIELDS[row.kind].items() if rest.startswith(suffix)), "")
        if position < len(built.process_product):
            owner = catalogue.products.get(built.process_product[position])
            about = f"product {owner.name!r}" if owner else ""
    where = f"{row.kind.replace('_', ' ')} {row.pk}" if row else about
    message = f"{where}: {exc.message}" if where else exc.message
    return FootprintError(
        message, product_id=product_id, pointer=exc.pointer, process_id=exc.process_id, row=row, field=field_name
    )


def _rounded(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if value else 0.0


def result_json(result: FootprintResult) -> dict[str, Any]:
    """The result as stored and served: ``SIGNIFICANT_DIGITS`` significant digits, plain floats."""
    return result.as_dict(SIGNIFICANT_DIGITS, as_float=True)


def battery_figures(
    by_stage: dict[str, float], *, rated_energy_kwh: float, full_equivalent_cycles: float, usable_fraction: float = 1.0
) -> dict[str, Any]:
    """Battery Regulation (EU) 2023/1542 Art. 7 and Annex II: footprint per kWh of service-life energy and
    its performance class, JSON-ready. ValueError when the figures or stages do not allow it."""
    battery = battery_carbon_footprint(
        by_stage,
        rated_energy_kwh=rated_energy_kwh,
        full_equivalent_cycles=full_equivalent_cycles,
        usable_fraction=usable_fraction,
    )
    return {
        "kg_co2e_per_kwh": _rounded(battery.kg_co2e_per_kwh),
        "by_stage_kg_co2e_per_kwh": {
            stage: _rounded(value) for stage, value in battery.by_stage_kg_co2e_per_kwh.items()
        },
        "total_energy_kwh": _rounded(battery.total_energy_kwh),
        "rated_energy_kwh": rated_energy_kwh,
        "full_equivalent_cycles": full_equivalent_cycles,
        "usable_fraction": usable_fraction,
        "excluded_use_stage_kg_co2e": _rounded(battery.excluded_use_stage_kg_co2e),
        "performance_class": battery.performance_class,
        "class_boundaries_illustrative": battery.class_boundaries_illustrative,
        "formula": battery.formula,
    }


def _battery(node: ProductNode, result: FootprintResult) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The battery figures when the product's profile gives its service-life energy; a gap when they fail."""
    if node.battery is None:
        return None, []
    energy, cycles, usable = node.battery
    try:
        return battery_figures(
            result.by_stage, rated_energy_kwh=energy, full_equivalent_cycles=cycles, usable_fraction=usable
        ), []
    except ValueError as exc:
        return None, [{"code": "battery", "product": node.pk, "message": str(exc)}]


def _battery_input(node: ProductNode) -> str:
    return json.dumps(node.battery) if node.battery else ""


def _provenance(entries: list[dict[str, Any]], catalogue: Catalogue, built: BuiltGraph) -> list[dict[str, Any]]:
    """``factors_used`` with the database row of each entry; entries contributing nothing left out."""
    used = []
    for entry in entries:
        if not entry["kg_co2e"] and not entry["kg_co2e_including_biogenic"]:
            continue
        if entry["kind"] == "factor":
            used.append({**entry, "factor": catalogue.factor_pks.get(entry["id"])})
        else:
            used.append({**entry, "supplier_footprint": built.declared_sources.get(entry["id"])})
    return used


def _footprint(
    *,
    org: Organization,
    node: ProductNode,
    result: FootprintResult,
    catalogue: Catalogue,
    built: BuiltGraph,
    input_hash: str,
    trigger: str,
    job: RecalculationJob | None,
    by: Any,
    now: Any,
) -> dict[str, Any]:
    """The column values (by attribute name) of the ``Footprint`` row that stores ``result``."""
    data = result_json(result)
    factors_used = _provenance(data.pop("factors_used"), catalogue, built)
    data["functional_unit"] = {"product": node.pk, "amount": 1, "unit": node.declared_unit}
    battery, battery_gaps = _battery(node, result)
    return {
        "organization_id": org.pk,
        "product_id": node.pk,
        "computed_at": now,
        "computed_by_id": by.pk if isinstance(by, get_user_model()) else None,
        "trigger": trigger,
        "job_id": job.pk if job is not None else None,
        "is_current": True,
        "gwp": data["gwp"],
        "declared_unit": node.declared_unit,
        "total_kg_co2e": data["total_kg_co2e"],
        "total_including_biogenic": data["total_including_biogenic_kg_co2e"],
        "biogenic_co2_kg": data["biogenic_co2_kg"],
        "by_stage": data["by_stage"],
        "by_gas": data["by_gas"],
        "primary_data_share": data["primary_data_share"],
        "data_quality": data["data_quality"],
        "factors_used": factors_used,
        "result": data,
        "battery_kg_co2e_per_kwh": battery["kg_co2e_per_kwh"] if battery else None,
        "battery_performance_class": battery["performance_class"] if battery else "",
        "battery": battery,
        "gaps": built.gaps.get(node.pk, []) + battery_gaps,
        "input_hash": input_hash,
    }


def _store(rows: list[dict[str, Any]]) -> list[Footprint]:
    """Make the new footprints current; the previous ones stay as history. Two statements for the batch.

    On PostgreSQL a large batch goes in with COPY, straight from the column values: ``bulk_create`` sends
    its rows as arrays, whose escaping of kilobytes of JSON per row cost minutes for ten thousand
    footprints. COPY returns no rows, so neither does this then (an empty list).
    """
    if not rows:
        return []
    _audit_computed(rows)
    Footprint.objects.filter(product_id__in=[row["product_id"] for row in rows], is_current=True).update(
        is_current=False
    )
    if connection.vendor == "postgresql" and len(rows) >= _COPY_FROM:
        _copy(rows)
        return []
    return Footprint.objects.bulk_create([Footprint(**row) for row in rows])


def _audit_computed(rows: list[dict[str, Any]]) -> None:
    """One audit event per new footprint, written in bulk per organization (issue 21, item 4: none were)."""
    by_org: dict[int, list[audit.Entry]] = defaultdict(list)
    for row in rows:
        by_org[row["organization_id"]].append(
            audit.Entry(
                "footprint.computed",
                "footprint",
                str(row["product_id"]),
                f"product {row['product_id']}: {row['total_kg_co2e']:g} kg CO2e/{row['declared_unit']}",
                details={
                    "trigger": row["trigger"],
                    "total_kg_co2e": repr(row["total_kg_co2e"]),  # audit details hold text, not floats
                    "input_hash": row["input_hash"],
                    "job": row["job_id"],
                    "computed_by": row["computed_by_id"],
                },
            )
        )
    for org_id, entries in by_org.items():
        audit.record_entries(org_id, entries)


def _copy(rows: list[dict[str, Any]]) -> None:
    fields = [field for field in Footprint._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    statement = f"COPY {quote(Footprint._meta.db_table)} ({columns}) FROM STDIN"
    names = [field.attname for field in fields]
    json_names = {field.attname for field in fields if isinstance(field, models.JSONField)}
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    (None if row[name] is None else json.dumps(row[name])) if name in json_names else row[name]
                    for name in names
                ]
            )


def footprint_compute(*, product: Product, by: Any = None) -> Footprint:
    """Compute and store ``product``'s footprint from its recorded rows; raise FootprintError naming the row."""
    org = product.organization
    catalogue = catalogue_load(org=org, product_ids=[product.pk])
    node = catalogue.products[product.pk]
    built = build_graph(catalogue, [product.pk], gwp=node.gwp)
    try:
        result = calculate(built.graph, catalogue.factors)
    except GraphError as exc:
        raise _error_from(exc, built, product.pk, catalogue) from exc
    input_hash = input_hashes(built, catalogue.factors, {product.pk: _battery_input(node)})[product.pk]
    row = _footprint(
        org=org,
        node=node,
        result=result,
        catalogue=catalogue,
        built=built,
        input_hash=input_hash,
        trigger=Footprint.Trigger.REQUEST,
        job=None,
        by=by,
        now=timezone.now(),
    )
    with transaction.atomic():
        return _store([row])[0]


def footprints_recompute(
    *,
    org: Organization,
    product_ids: Iterable[int],
    job: RecalculationJob | None = None,
    by: Any = None,
    skip_unchanged: bool = True,
    trigger: str = Footprint.Trigger.RECALCULATION,
) -> RecomputeOutcome:
    """Recompute and store the footprints of many products of ``org`` at once.

    The organization's rows are read in a constant number of queries, all products of one GWP set go
    into one graph that is factorised once, and every product's full result comes from a few transposed
    solves. With ``skip_unchanged`` a product whose input hash equals its current footprint's keeps it.
    The caller owns the transaction (a recalculation job commits each batch with its progress).
    """
    ids = sorted({int(pk) for pk in product_ids})
    outcome = RecomputeOutcome()
    catalogue = catalogue_load(org=org, product_ids=ids)
    ids = [pk for pk in ids if pk in catalogue.products]
    current: dict[int, str] = {}
    if skip_unchanged and ids:
        rows = Footprint.objects.filter(organization=org, is_current=True)
        # A long id list costs more than reading the organization's current hashes (two columns) whole.
        rows = rows.filter(product_id__in=ids) if len(ids) <= _ID_LIST_LIMIT else rows
        current = dict(rows.values_list("product_id", "input_hash"))
    groups: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        groups[catalogue.products[pk].gwp].append(pk)
    now = timezone.now()
    footprints = []
    for gwp, group in groups.items():
        for pk, (result, built, input_hash) in _solve_changed(catalogue, group, gwp, outcome, current).items():
            footprints.append(
                _footprint(
                    org=org,
                    node=catalogue.products[pk],
                    result=result,
                    catalogue=catalogue,
                    built=built,
                    input_hash=input_hash,
                    trigger=trigger,
                    job=job,
                    by=by,
                    now=now,
                )
            )
    _store(footprints)
    outcome.stored = [row["product_id"] for row in footprints]
    return outcome


def _solve_changed(
    catalogue: Catalogue, group: list[int], gwp: str, outcome: RecomputeOutcome, current: dict[int, str]
) -> dict[int, tuple[FootprintResult, BuiltGraph, str]]:
    """Results of the products of one GWP group whose inputs changed (one graph, one factorisation).

    When the shared factorisation fails (a singular loop, a unit of the wrong dimension somewhere), each
    product is solved alone, so one faulty product does not stop the others and its error names its row.
    """
    built = build_graph(catalogue, group, gwp=gwp)
    hashes = input_hashes(built, catalogue.factors, {pk: _battery_input(catalogue.products[pk]) for pk in group})
    todo = []
    for pk in group:
        if current.get(pk) == hashes[pk]:
            outcome.unchanged.append(pk)
        else:
            todo.append(pk)
    results: dict[int, tuple[FootprintResult, BuiltGraph, str]] = {}
    if not todo:
        return results
    try:
        system = factorise(built.graph, catalogue.factors)
        check_non_negative(system)
        solved = catalogue_results(
            system, [(built.roots[pk], 1.0) for pk in todo], {built.roots[pk]: built.root_stages[pk] for pk in todo}
        )
    except GraphError:
        for pk in todo:
            one = build_graph(catalogue, [pk], gwp=gwp)
            try:
                results[pk] = (calculate(one.graph, catalogue.factors), one, hashes[pk])
            except GraphError as exc:
                outcome.failed[pk] = _error_from(exc, one, pk, catalogue)
        return results
    for pk, result in zip(todo, solved, strict=True):
        results[pk] = (result, built, hashes[pk])
    return results

"""Reading carbon footprint rows, scoped to one organization; shared emission factors are visible to all.

Besides the querysets the API lists, two reads serve the footprint calculation: ``catalogue_load`` (every
row a set of products' footprints depends on, in a constant number of queries) and
``products_affected_by`` (every product whose footprint depends on changed factors or supplier
footprints, through bills of materials and upstream products, in one recursive SQL query).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from lca.engine.factors import FactorRow
from lca.engine.graph_builder import ActivityInput, BomInput, Catalogue, ProductNode, SupplierDeclaration
from lca.models import (
    ActivityData,
    BomLine,
    EmissionFactor,
    Footprint,
    FootprintProfile,
    RecalculationJob,
    SupplierFootprint,
)
from passports.models import Organization, Product
from passports.scoping import get_scoped_or_404, scoped

# Above this many products a closure is read with the organization's whole catalogue (a few large
# queries) rather than by id lists, which also keeps SQLite under its bound-parameter limit.
_ID_LIST_LIMIT = 2000
_SEED_LIMIT = 200


# -- listings -----------------------------------------------------------------------------------------------


def factor_list(*, org: Organization | None) -> QuerySet[EmissionFactor]:
    """The shared datasets and the organization's own factors."""
    return EmissionFactor.objects.visible_to(org)


def factor_get(*, org: Organization | None, pk: int | str) -> EmissionFactor:
    """A factor the organization may see (shared or its own); 404 for another organization's."""
    try:
        return factor_list(org=org).get(pk=pk)
    except (EmissionFactor.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such emission factor.") from exc


def factors_by_key(*, org: Organization | None, keys: Iterable[str]) -> dict[str, EmissionFactor]:
    """Factors by graph id: the organization's own factor wins over a shared one with the same key."""
    found: dict[str, EmissionFactor] = {}
    for factor in factor_list(org=org).filter(key__in=set(keys)).order_by("organization_id"):
        if factor.key not in found or factor.organization_id is not None:
            found[factor.key] = factor
    return found


def activity_list(*, org: Organization | None) -> QuerySet[ActivityData]:
    return scoped(ActivityData.objects.select_related("factor"), org)


def bom_line_list(*, org: Organization | None) -> QuerySet[BomLine]:
    return scoped(BomLine, org)


def supplier_footprint_list(*, org: Organization | None) -> QuerySet[SupplierFootprint]:
    return scoped(SupplierFootprint, org)


def profile_list(*, org: Organization | None) -> QuerySet[FootprintProfile]:
    return scoped(FootprintProfile, org)


def footprint_list(*, org: Organization | None) -> QuerySet[Footprint]:
    return scoped(Footprint, org)


def footprint_current(*, product: Product) -> Footprint | None:
    return Footprint.objects.filter(product=product, is_current=True).first()


def footprint_history(*, product: Product, limit: int = 100) -> list[Footprint]:
    """The newest ``limit`` footprints of a product, newest first, without their bulky JSON."""
    return list(
        Footprint.objects.filter(product=product)
        .defer("result", "factors_used", "by_gas", "data_quality", "battery", "gaps")
        .order_by("-computed_at", "-pk")[:limit]
    )


def footprint_count(*, product: Product) -> int:
    return Footprint.objects.filter(product=product).count()


def recalculation_job_list(*, org: Organization | None) -> QuerySet[RecalculationJob]:
    return scoped(RecalculationJob, org)


def product_get(*, org: Organization | None, pk: object) -> Product:
    return get_scoped_or_404(Product, org, pk=pk)


# -- the rows a calculation reads -----------------------------------------------------------------------------


def factor_row(factor: EmissionFactor, *, graph_id: str | None = None) -> FactorRow:
    """The engine's view of a factor, under the id the graph uses for it."""
    return FactorRow(
        id=graph_id or factor.key,
        unit=factor.unit,
        dataset=factor.dataset,
        name=factor.name,
        activity=factor.activity,
        region=factor.region,
        year=factor.year,
        source=factor.source,
        source_url=factor.source_url,
        licence=factor.licence,
        notes=factor.notes,
        **{name: float(getattr(factor, name)) for name in EmissionFactor.GAS_FIELDS},
    )


def graph_factor_id(factor: EmissionFactor, org_slug: str) -> str:
    """Id of a factor inside graphs built from rows: the key for shared factors, ``org/key`` for own ones."""
    return factor.key if factor.organization_id is None else f"{org_slug}/{factor.key}"


class OrganizationFactorLookup:
    """``lca.engine.factors.FactorLookup`` for posted graphs: shared factors plus the caller's own, in one query."""

    def __init__(self, org: Organization | None) -> None:
        self.org = org
        self.used: dict[str, EmissionFactor] = {}

    def factors_for(self, ids: Iterable[str]) -> dict[str, FactorRow]:
        self.used = factors_by_key(org=self.org, keys=ids)
        return {key: factor_row(factor, graph_id=key) for key, factor in self.used.items()}


def _edges_sql() -> str:
    bom, activity = BomLine._meta.db_table, ActivityData._meta.db_table
    # Table names come from model metadata, never from input; every value is a bound parameter.
    return (
        f"edges(parent, child) AS ("  # noqa: S608
        f"SELECT product_id, component_id FROM {bom} WHERE organization_id = %s "
        f"UNION ALL SELECT product_id, upstream_product_id FROM {activity} "
        f"WHERE organization_id = %s AND upstream_product_id IS NOT NULL)"
    )


def product_closure_ids(*, org: Organization, product_ids: Sequence[int]) -> list[int]:
    """The products and every product they consume, transitively (one recursive query)."""
    product = Product._meta.db_table
    marks = ", ".join(["%s"] * len(product_ids))
    sql = (
        f"WITH RECURSIVE {_edges_sql()}, "  # noqa: S608  # table names from model metadata, values bound
        f"reach(id) AS (SELECT id FROM {product} WHERE organization_id = %s AND id IN ({marks}) UNION "
        "SELECT edges.child FROM edges JOIN reach ON edges.parent = reach.id) "
        "SELECT id FROM reach"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, org.pk, org.pk, *map(int, product_ids)])
        return sorted(row[0] for row in cursor.fetchall())


def products_affected_by(
    *, org: Organization, factor_ids: Sequence[int] = (), component_ids: Sequence[int] = (), with_footprint: bool = True
) -> list[int]:
    """Products of ``org`` whose footprint depends on the factors or on the components' supplier footprints.

    Seeds are the products with activity data on a factor and the components themselves; the recursion
    climbs bills of materials and upstream-product activities to every product that consumes a seed,
    however deep (loops end because UNION drops rows already found). With ``with_footprint`` only
    products that have a current footprint are returned: they are the stored figures that went stale.
    """
    if not factor_ids and not component_ids:
        return []
    activity, product, footprint = ActivityData._meta.db_table, Product._meta.db_table, Footprint._meta.db_table
    seeds, params = [], []
    if factor_ids:
        marks = ", ".join(["%s"] * len(factor_ids))
        seeds.append(
            f"id IN (SELECT product_id FROM {activity} "  # noqa: S608  # table name from model metadata
            f"WHERE organization_id = %s AND factor_id IN ({marks}))"
        )
        params += [org.pk, *map(int, factor_ids)]
    if component_ids:
        seeds.append(f"id IN ({', '.join(['%s'] * len(component_ids))})")
        params += list(map(int, component_ids))
    sql = (
        f"WITH RECURSIVE {_edges_sql()}, "  # noqa: S608  # table names from model metadata, values bound
        f"affected(id) AS (SELECT id FROM {product} WHERE organization_id = %s AND ({' OR '.join(seeds)}) "
        "UNION SELECT edges.parent FROM edges JOIN affected ON edges.child = affected.id) "
        + (
            f"SELECT a.id FROM affected a JOIN {footprint} f ON f.product_id = a.id AND f.is_current = %s"  # noqa: S608
            if with_footprint
            else "SELECT id FROM affected"
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, org.pk, org.pk, *params, *([True] if with_footprint else [])])
        return sorted({row[0] for row in cursor.fetchall()})


def organizations_using_factors(*, factor_ids: Sequence[int]) -> list[int]:
    """Organizations with activity data on any of the factors (a shared factor may concern many)."""
    return sorted(
        set(ActivityData.objects.filter(factor_id__in=factor_ids).values_list("organization_id", flat=True).distinct())
    )


def valid_supplier_footprint(candidates: Iterable[SupplierFootprint], day: date) -> SupplierFootprint | None:
    """The declaration that counts on ``day``: valid then, with the latest ``valid_from`` (undated last)."""
    valid = [candidate for candidate in candidates if candidate.is_valid_on(day)]
    if not valid:
        return None
    return max(valid, key=lambda sf: (sf.valid_from or date.min, sf.pk))


def _declaration(candidates: Iterable[SupplierFootprint], day: date, name: str) -> SupplierDeclaration | None:
    chosen = valid_supplier_footprint(candidates, day)
    if chosen is None:
        return None
    return SupplierDeclaration(
        pk=chosen.pk,
        kg_co2e_per_unit=float(chosen.kg_co2e_per_unit),
        unit=chosen.declared_unit,
        biogenic_co2_kg_per_unit=float(chosen.biogenic_co2_kg_per_unit),
        luc_kg_co2e_per_unit=float(chosen.luc_kg_co2e_per_unit),
        gwp=chosen.gwp,
        primary=chosen.primary,
        source=chosen.source,
        name=f"{name}: {chosen.partner}" if chosen.partner else name,
    )


def _closure_ids(org: Organization, product_ids: Iterable[int] | None) -> list[int] | None:
    """Ids to read rows for, or None to read the organization's whole catalogue."""
    if product_ids is None:
        return None
    wanted = list(dict.fromkeys(int(pk) for pk in product_ids))
    if not wanted:
        return []
    if len(wanted) > _SEED_LIMIT:
        return None
    ids = product_closure_ids(org=org, product_ids=wanted)
    return ids if len(ids) <= _ID_LIST_LIMIT else None


def catalogue_load(
    *, org: Organization, product_ids: Iterable[int] | None = None, day: date | None = None
) -> Catalogue:
    """Every row the footprints of ``product_ids`` depend on (all the organization's products when None).

    Six queries whatever the number of products: the closure of a few products (a recursive query;
    many products read the whole organization instead), supplier footprints, products with their
    profiles, activity data, the factors they use, bills of materials. Rows are read as tuples: building
    model instances for tens of thousands of rows would cost more than the calculation.
    """
    day = day or timezone.localdate()
    ids = _closure_ids(org, product_ids)
    if ids == []:
        return Catalogue(products={}, factors={})

    def narrow(queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        return queryset.filter(**{f"{field}__in": ids}) if ids is not None else queryset

    suppliers: dict[int, list[SupplierFootprint]] = {}
    for sf in narrow(SupplierFootprint.objects.filter(organization=org), "component_id"):
        suppliers.setdefault(sf.component_id, []).append(sf)
    products: dict[int, ProductNode] = {}
    product_rows = narrow(Product.objects.filter(organization=org), "pk").values_list(
        "pk",
        "name",
        "footprint_profile__declared_unit",
        "footprint_profile__gwp",
        "footprint_profile__rated_energy_kwh",
        "footprint_profile__full_equivalent_cycles",
        "footprint_profile__usable_fraction",
    )
    for pk, name, unit, gwp, energy, cycles, usable in product_rows:
        declared = _declaration(suppliers.get(pk, ()), day, name)
        products[pk] = ProductNode(
            pk=pk,
            name=name,
            declared_unit=unit or (declared.unit if declared else "piece"),
            gwp=gwp or "AR6",
            supplier=declared,
            battery=(float(energy), float(cycles), float(usable)) if energy and cycles and usable else None,
        )
    activity_rows = list(
        narrow(ActivityData.objects.filter(organization=org), "product_id")
        .order_by("product_id", "pk")
        .values_list(
            "pk",
            "product_id",
            "stage",
            "process",
            "amount",
            "unit",
            "factor_id",
            "upstream_product_id",
            "gas",
            "primary",
            "dq_technology",
            "dq_geography",
            "dq_time",
        )
    )
    catalogue = Catalogue(products=products, factors={}, factor_pks={})
    graph_ids = _factors_of(catalogue, org, {row[6] for row in activity_rows if row[6] is not None})
    for pk, product_id, stage, process, amount, unit, factor, upstream, gas, primary, tech, geo, time in activity_rows:
        node = products.get(product_id)
        if node is not None:
            node.activities.append(
                ActivityInput(
                    pk=pk,
                    stage=stage,
                    process=process,
                    amount=float(amount),
                    unit=unit,
                    factor=graph_ids[factor] if factor is not None else None,
                    upstream=upstream,
                    gas=gas or None,
                    primary=primary,
                    dq=(tech, geo, time) if tech is not None else None,
                )
            )
    lines = narrow(BomLine.objects.filter(organization=org), "product_id").order_by("product_id", "pk")
    for pk, product_id, component_id, quantity, unit, stage in lines.values_list(
        "pk", "product_id", "component_id", "quantity", "unit", "stage"
    ):
        if product_id in products:
            products[product_id].bom.append(
                BomInput(pk=pk, component=component_id, quantity=float(quantity), unit=unit, stage=stage)
            )
    return catalogue


def _factors_of(catalogue: Catalogue, org: Organization, pks: set[int]) -> dict[int, str]:
    """Load the factors the activities reference into the catalogue (one query); graph id by primary key."""
    graph_ids: dict[int, str] = {}
    for factor in EmissionFactor.objects.filter(pk__in=pks):
        graph_id = graph_factor_id(factor, org.slug)
        catalogue.factors[graph_id] = factor_row(factor, graph_id=graph_id)
        catalogue.factor_pks[graph_id] = factor.pk
        graph_ids[factor.pk] = graph_id
    return graph_ids

"""From recorded rows (activity data, bills of materials, supplier footprints) to an engine process graph.

Plain Python, no Django: ``lca.selectors.catalogue_load`` reads the rows into the dataclasses below, and
``build_graph`` turns them into the graph format of ``lca.engine.graph`` for one product or for thousands at once.

Each product appears in up to two forms, because a component's emissions are attributed to lifecycle
stages in one of two ways:

* ``p<id>`` (*whole*, no stage): everything the product needs per declared unit. A bill-of-materials line
  with a stage, or an activity that consumes an upstream product, takes this form, so the component's
  whole footprint counts in the consuming stage (a bought cathode is raw material of a cell).
* ``p<id>#fu`` with one staged process ``p<id>@<stage>`` per stage (*staged*): the product's own
  split by stage. The product being computed takes this form, and so does a component on a
  bill-of-materials line left without a stage (a cell keeps its raw-material and production parts inside
  a battery pack).

A product without activity data or bill of materials but with a supplier footprint valid today is the
supplier's declaration (a PACT footprint) as one footprint input; a product with neither has no emissions
and is reported as a gap. Loops (a product that consumes, through others, some of itself) are kept: the
engine solves them exactly.

Every exchange is traced back to its row (``BuiltGraph.origin``) so an engine error pointing at
``/processes/3/inputs/1`` can name the activity or line at fault; ``lca.engine.input_hashes`` fingerprints
each product's supply chain in the built graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lca.engine.factors import FactorRow
from lca.engine.graph import STAGES

__all__ = [
    "ActivityInput",
    "BomInput",
    "BuiltGraph",
    "Catalogue",
    "Origin",
    "ProductNode",
    "SupplierDeclaration",
    "build_graph",
    "closure",
    "root_id",
]


@dataclass(frozen=True, slots=True)
class ActivityInput:
    """One activity row: exactly one of ``factor`` (graph id), ``upstream`` (product id), ``gas``."""

    pk: int
    stage: str
    process: str
    amount: float
    unit: str
    factor: str | None = None
    upstream: int | None = None
    gas: str | None = None
    primary: bool = False
    dq: tuple[int, int, int] | None = None


@dataclass(frozen=True, slots=True)
class BomInput:
    """One bill-of-materials line; ``stage`` "" carries the component's own split by stage over."""

    pk: int
    component: int
    quantity: float
    unit: str
    stage: str


@dataclass(frozen=True, slots=True)
class SupplierDeclaration:
    """The supplier footprint that counts for a component today."""

    pk: int
    kg_co2e_per_unit: float
    unit: str
    biogenic_co2_kg_per_unit: float
    luc_kg_co2e_per_unit: float
    gwp: str
    primary: bool
    source: str
    name: str


@dataclass(slots=True)
class ProductNode:
    """What is recorded for one product."""

    pk: int
    name: str
    declared_unit: str
    gwp: str = "AR6"
    activities: list[ActivityInput] = field(default_factory=list)
    bom: list[BomInput] = field(default_factory=list)
    supplier: SupplierDeclaration | None = None
    battery: tuple[float, float, float] | None = None  # rated kWh, full equivalent cycles, usable fraction

    @property
    def has_own_data(self) -> bool:
        return bool(self.activities or self.bom)

    def children(self) -> Iterable[int]:
        """Products this one consumes, through either form."""
        for activity in self.activities:
            if activity.upstream is not None:
                yield activity.upstream
        for line in self.bom:
            yield line.component


@dataclass(slots=True)
class Catalogue:
    """Rows of many products, with the emission factors they reference (graph id -> row, id -> pk)."""

    products: dict[int, ProductNode]
    factors: dict[str, FactorRow]
    factor_pks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Origin:
    """The row behind one exchange of the graph: ``kind`` activity / bom_line / supplier_footprint."""

    kind: str
    pk: int
    product: int


@dataclass(slots=True)
class BuiltGraph:
    """An engine graph and what is needed to read its results and errors back into rows."""

    graph: dict[str, Any]
    roots: dict[int, str]  # product pk -> process id of its functional unit
    root_stages: dict[int, tuple[str, ...]]  # stages each root has its own staged processes for
    origin: dict[tuple[int, str, int], Origin]  # (process position, "inputs"/"emissions", index) -> row
    process_product: list[int]  # product pk of each process position
    gaps: dict[int, list[dict[str, Any]]]  # root pk -> components without data in its supply chain
    declared_sources: dict[str, int] = field(default_factory=dict)  # footprint source id -> supplier fp pk


def root_id(pk: int) -> str:
    return f"p{pk}#fu"


def _whole_id(pk: int) -> str:
    return f"p{pk}"


def _stage_id(pk: int, stage: str) -> str:
    return f"p{pk}@{stage}"


def declared_source_id(pk: int) -> str:
    return f"supplier-footprint:{pk}"


def closure(products: Mapping[int, ProductNode], roots: Iterable[int]) -> set[int]:
    """Every product reachable from ``roots`` through activity inputs and bill-of-materials lines."""
    seen: set[int] = set()
    stack = [pk for pk in roots if pk in products]
    while stack:
        pk = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        stack.extend(child for child in products[pk].children() if child in products and child not in seen)
    return seen


def _staged_reach(products: Mapping[int, ProductNode], root: int) -> set[int]:
    """Products whose staged form a root's graph holds: the root and components on lines without a stage."""
    seen = {root}
    stack = [root]
    while stack:
        node = products[stack.pop()]
        for line in node.bom:
            if not line.stage and line.component not in seen:
                seen.add(line.component)
                stack.append(line.component)
    return seen


class _Writer:
    """Appends processes, recording where each exchange came from."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.processes: list[dict[str, Any]] = []
        self.origin: dict[tuple[int, str, int], Origin] = {}
        self.process_product: list[int] = []
        self.declared_sources: dict[str, int] = {}
        self.wanted: list[tuple[int, str]] = []
        self.made: set[tuple[int, str]] = set()

    def need(self, pk: int, form: str) -> None:
        if (pk, form) not in self.made:
            self.made.add((pk, form))
            self.wanted.append((pk, form))

    def add(self, process: dict[str, Any], product: int, origins: Sequence[tuple[str, Origin]]) -> None:
        position = len(self.processes)
        counters = {"inputs": 0, "emissions": 0}
        for key, origin in origins:
            self.origin[(position, key, counters[key])] = origin
            counters[key] += 1
        self.processes.append(process)
        self.process_product.append(product)

    def exchanges(
        self, node: ProductNode, activities: Iterable[ActivityInput], lines: Iterable[BomInput], *, staged_lines: bool
    ) -> tuple[list[Any], list[Any], list[tuple[str, Origin]]]:
        """Inputs and emissions of the given rows, in order, with their origins (inputs first)."""
        inputs: list[dict[str, Any]] = []
        emissions: list[dict[str, Any]] = []
        input_origins: list[tuple[str, Origin]] = []
        emission_origins: list[tuple[str, Origin]] = []
        for activity in activities:
            origin = Origin("activity", activity.pk, node.pk)
            flags: dict[str, Any] = {}
            if activity.primary:
                flags["primary"] = True
            if activity.dq is not None:
                flags["dq"] = dict(zip(("technology", "geography", "time"), activity.dq, strict=True))
            if activity.gas:
                emissions.append({"gas": activity.gas, "amount": activity.amount, "unit": activity.unit, **flags})
                emission_origins.append(("emissions", origin))
            elif activity.factor is not None:
                inputs.append({"factor": activity.factor, "amount": activity.amount, "unit": activity.unit, **flags})
                input_origins.append(("inputs", origin))
            elif activity.upstream is not None:
                self.need(activity.upstream, "whole")
                inputs.append(
                    {"process": _whole_id(activity.upstream), "amount": activity.amount, "unit": activity.unit}
                )
                input_origins.append(("inputs", origin))
        for line in lines:
            form = "staged" if staged_lines and not line.stage else "whole"
            self.need(line.component, form)
            target = root_id(line.component) if form == "staged" else _whole_id(line.component)
            inputs.append({"process": target, "amount": line.quantity, "unit": line.unit})
            input_origins.append(("inputs", Origin("bom_line", line.pk, node.pk)))
        return inputs, emissions, input_origins + emission_origins

    def whole(self, node: ProductNode) -> None:
        process: dict[str, Any] = {"id": _whole_id(node.pk), "output": {"amount": 1, "unit": node.declared_unit}}
        if node.has_own_data:
            inputs, emissions, origins = self.exchanges(node, node.activities, node.bom, staged_lines=False)
            process["inputs"], process["emissions"] = inputs, emissions
        elif node.supplier is not None:
            supplier = node.supplier
            source = declared_source_id(supplier.pk)
            self.declared_sources[source] = supplier.pk
            footprint = {
                "kg_co2e_per_unit": supplier.kg_co2e_per_unit,
                "unit": supplier.unit,
                "biogenic_co2_kg_per_unit": supplier.biogenic_co2_kg_per_unit,
                "luc_kg_co2e_per_unit": supplier.luc_kg_co2e_per_unit,
                "gwp": supplier.gwp,
                "id": source,
                "name": supplier.name,
                "source": supplier.source,
            }
            process["inputs"] = [
                {
                    "footprint": footprint,
                    "amount": 1,
                    "unit": node.declared_unit,
                    **({"primary": True} if supplier.primary else {}),
                }
            ]
            origins = [("inputs", Origin("supplier_footprint", supplier.pk, node.pk))]
        else:
            origins = []
        self.add(process, node.pk, origins)

    def staged(self, node: ProductNode) -> tuple[str, ...]:
        """The staged form; returns the stages the product has its own processes for."""
        unit = node.declared_unit
        activities: dict[str, list[ActivityInput]] = {}
        for activity in node.activities:
            activities.setdefault(activity.stage, []).append(activity)
        lines: dict[str, list[BomInput]] = {}
        for line in node.bom:
            lines.setdefault(line.stage, []).append(line)
        stages = [stage for stage in STAGES if stage in activities or stage in lines]
        top_inputs: list[dict[str, Any]] = [
            {"process": _stage_id(node.pk, stage), "amount": 1, "unit": unit} for stage in stages
        ]
        top_origins: list[tuple[str, Origin]] = []
        carried = lines.get("", [])
        if carried:
            inputs, _, origins = self.exchanges(node, (), carried, staged_lines=True)
            top_inputs += inputs
            top_origins = origins
        if not node.has_own_data:
            # Only a supplier's declaration (or nothing): its stages are unknown, so it stays unassigned.
            self.need(node.pk, "whole")
            top_inputs.append({"process": _whole_id(node.pk), "amount": 1, "unit": unit})
        # The functional-unit process's stage inputs carry no row; its bill-of-materials lines come after them.
        offset = len(stages)
        position = len(self.processes)
        self.processes.append({"id": root_id(node.pk), "output": {"amount": 1, "unit": unit}, "inputs": top_inputs})
        self.process_product.append(node.pk)
        for k, (key, origin) in enumerate(top_origins):
            self.origin[(position, key, offset + k)] = origin
        for stage in stages:
            inputs, emissions, origins = self.exchanges(
                node, activities.get(stage, ()), lines.get(stage, ()), staged_lines=False
            )
            self.add(
                {
                    "id": _stage_id(node.pk, stage),
                    "stage": stage,
                    "output": {"amount": 1, "unit": unit},
                    "inputs": inputs,
                    "emissions": emissions,
                },
                node.pk,
                origins,
            )
        return tuple(stages)


def build_graph(catalogue: Catalogue, roots: Iterable[int], *, gwp: str = "AR6") -> BuiltGraph:
    """One graph holding the functional unit of every root product and their supply chains.

    The graph's own ``functional_unit`` is the first root's; a catalogue of roots is solved with
    ``FactorisedSystem`` against ``BuiltGraph.roots``. Products referenced but absent from the catalogue
    (another organization's, deleted) cannot occur: the catalogue is loaded by closure.
    """
    writer = _Writer(catalogue)
    products = catalogue.products
    root_list = list(dict.fromkeys(roots))
    for pk in root_list:
        writer.need(pk, "staged")
    own_stages: dict[int, tuple[str, ...]] = {}
    no_data: set[int] = set()
    k = 0
    while k < len(writer.wanted):
        pk, form = writer.wanted[k]
        k += 1
        node = products[pk]
        if form == "staged":
            own_stages[pk] = writer.staged(node)
        else:
            writer.whole(node)
            if not node.has_own_data and node.supplier is None:
                no_data.add(pk)
    graph = {
        "gwp": gwp,
        "functional_unit": {"process": root_id(root_list[0]), "amount": 1} if root_list else {},
        "processes": writer.processes,
    }
    root_stages = {
        pk: tuple(stage for stage in STAGES if any(stage in own_stages[other] for other in _staged_reach(products, pk)))
        for pk in root_list
    }
    built = BuiltGraph(
        graph=graph,
        roots={pk: root_id(pk) for pk in root_list},
        root_stages=root_stages,
        origin=writer.origin,
        process_product=writer.process_product,
        gaps={},
        declared_sources=writer.declared_sources,
    )
    for pk in root_list:
        gaps: list[dict[str, Any]] = []
        if not products[pk].has_own_data and products[pk].supplier is None:
            gaps.append(
                {
                    "code": "no_data",
                    "product": pk,
                    "message": "The product has no activity data, bill of materials or supplier footprint.",
                }
            )
        if no_data:
            for component in sorted(closure(products, [pk]) & no_data - {pk}):
                gaps.append(
                    {
                        "code": "component_without_data",
                        "product": component,
                        "message": f"Component {products[component].name!r} has no activity data, bill of "
                        "materials or supplier footprint; it counts as zero.",
                    }
                )
        built.gaps[pk] = gaps
    return built

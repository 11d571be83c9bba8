"""Reading and checking the process-graph JSON into arrays the footprint engine can assemble into matrices.

Graph format (JSON object)::

    {"gwp": "AR6",
     "functional_unit": {"process": "cell", "amount": 1, "unit": "piece"},
     "processes": [
       {"id": "cell", "stage": "production",
        "output": {"amount": 1, "unit": "piece"},
        "inputs": [{"process": "cathode", "amount": 250, "unit": "g"},
                   {"factor": "electricity-grid-kr-2021", "amount": 0.4, "unit": "kWh",
                    "primary": true, "dq": {"technology": 1, "geography": 1, "time": 2}},
                   {"footprint": {"kg_co2e_per_unit": 2.1, "unit": "kg", "id": "pact:urn:...",
                                  "biogenic_co2_kg_per_unit": -0.1, "luc_kg_co2e_per_unit": 0.05,
                                  "gwp": "AR6", "source": "supplier PCF"},
                    "amount": 0.1, "unit": "kg"}],
        "emissions": [{"gas": "CO2_fossil", "amount": 0.01, "unit": "kg"}]},
       {"id": "cathode", "stage": "raw_material", "output": {"amount": 1, "unit": "kg"},
        "inputs": [], "emissions": [{"gas": "CH4_fossil", "amount": 0.002, "unit": "kg"}],
        "coproducts": [{"id": "slag", "amount": 0.3, "unit": "kg", "allocation": 0.1}]},
       {"id": "separator", "output": {"amount": 1, "unit": "m**2"},
        "declared": {"kg_co2e_per_unit": 0.8, "unit": "m**2", "source": "supplier PCF"}}]}

Rules (each broken rule raises ``GraphError`` with the process id and a JSON Pointer to the exchange):

* Every amount and emission is per the process's declared ``output.amount``. Outputs must be positive.
* A multi-output process is split into one allocated process per product. Each coproduct declares its
  ``allocation`` share; the main output takes ``output.allocation`` when declared, otherwise
  ``1 - sum(coproduct shares)``. Shares lie in [0, 1] and add up to 1. Coproduct ids are product ids
  that other processes may consume (a recycled material fed back, for example).
* ``stage`` is optional; a process without one is *background* and its emissions are attributed to the
  stages of the processes that consume it (see ``lca.footprint``).
* ``primary`` (default false) and ``dq`` ratings (1 best to 3 worst, all three criteria) belong on the
  exchanges that carry emissions: factor inputs, footprint inputs and emissions. A process input carries
  none: its upstream exchanges carry their own.
* A ``declared`` process takes its footprint from a supplier's declared value (PACT) and has no inputs,
  emissions or coproducts of its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from lca.data import FactorLookup, FactorRow
from lca.gwp import GASES, GwpSet, gwp_set
from lca.units import UnitError, conversion_factor

__all__ = [
    "QUANTITIES",
    "STAGES",
    "UNASSIGNED_STAGE",
    "GraphError",
    "ParsedGraph",
    "Source",
    "demand_vector",
    "parse_graph",
]

STAGES: Final = ("raw_material", "production", "distribution", "use", "end_of_life")
# Emissions that reach the functional unit through background processes only (no staged process on the way).
UNASSIGNED_STAGE: Final = "unassigned"
# Result quantities, all in kg CO2e: the gases of lca.gwp.GASES plus supplier-declared CO2e that comes
# already characterised and cannot be split into gases.
QUANTITIES: Final = (*GASES, "CO2e_declared")
_Q = len(QUANTITIES)
_BIOGENIC: Final = QUANTITIES.index("CO2_biogenic")
_LUC: Final = QUANTITIES.index("CO2_luc")
_DECLARED: Final = QUANTITIES.index("CO2e_declared")
_DQ_KEYS: Final = ("technology", "geography", "time")
_EXCHANGE_FLAGS: Final = ("primary", "dq")


class GraphError(ValueError):
    """A graph that cannot be solved, with the process and the JSON Pointer of the exchange at fault."""

    def __init__(self, message: str, *, process_id: str | None = None, pointer: str = "") -> None:
        self.message = message
        self.process_id = process_id
        self.pointer = pointer
        where = pointer or "/"
        who = f" (process {process_id!r})" if process_id is not None else ""
        super().__init__(f"{where}{who}: {message}")


@dataclass(frozen=True, slots=True)
class Source:
    """Provenance of a background value: an emission factor or a supplier-declared footprint."""

    kind: str  # "factor" or "declared"
    id: str
    name: str = ""
    dataset: str = ""
    source: str = ""
    source_url: str = ""
    licence: str = ""
    year: int | None = None


@dataclass(slots=True)
class ParsedGraph:
    """Engine input: products (matrix columns), technosphere triplets and emission-carrying exchanges.

    ``a_rows/a_cols/a_vals`` are COO triplets of the technosphere matrix: positive output amounts on
    the diagonal, negative input amounts elsewhere, each in the unit of the product of its row.
    Each exchange row of ``ex_q`` holds kg CO2e per ``QUANTITIES`` entry for one run of column ``ex_col``.
    """

    gwp: GwpSet
    product_ids: list[str]
    product_units: list[str]
    product_stage: np.ndarray
    product_owner: list[int]
    process_ids: list[str]
    stages: tuple[str, ...]
    a_rows: np.ndarray
    a_cols: np.ndarray
    a_vals: np.ndarray
    ex_col: np.ndarray
    ex_q: np.ndarray
    ex_primary: np.ndarray
    ex_dq: np.ndarray
    ex_source: np.ndarray
    sources: list[Source]
    functional_unit: tuple[int, float]
    functional_unit_spec: dict[str, Any]
    index: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.product_ids)


def _number(value: Any, *, what: str, process_id: str | None, pointer: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GraphError(f"{what} must be a number, got {value!r}", process_id=process_id, pointer=pointer)
    number = float(value)
    if not math.isfinite(number):
        raise GraphError(f"{what} must be finite, got {value!r}", process_id=process_id, pointer=pointer)
    return number


def _convert(from_unit: Any, to_unit: str, *, process_id: str | None, pointer: str, expected: str) -> float:
    if not isinstance(from_unit, str):
        raise GraphError(f"unit must be a string, got {from_unit!r}", process_id=process_id, pointer=pointer)
    try:
        return conversion_factor(from_unit, to_unit)
    except UnitError as exc:
        raise GraphError(f"{expected}: {exc}", process_id=process_id, pointer=pointer) from exc


def _dq(value: Any, *, process_id: str, pointer: str) -> tuple[int, int, int]:
    if not isinstance(value, Mapping) or set(value) != set(_DQ_KEYS):
        raise GraphError(
            "dq must rate exactly technology, geography and time (1 best to 3 worst)",
            process_id=process_id,
            pointer=f"{pointer}/dq",
        )
    ratings = tuple(value[key] for key in _DQ_KEYS)
    if not all(isinstance(r, int) and not isinstance(r, bool) and 1 <= r <= 3 for r in ratings):
        raise GraphError(f"dq ratings must be integers 1 to 3, got {dict(value)}", process_id=process_id,
                         pointer=f"{pointer}/dq")
    return ratings  # type: ignore[return-value]


@dataclass(slots=True)
class _Columns:
    """The allocated products of one process: matrix column indices and allocation shares."""

    indices: list[int]
    shares: list[float]


class _Builder:
    """Accumulates matrix triplets and exchanges while walking the graph once."""

    def __init__(self, gwp: GwpSet) -> None:
        self.gwp = gwp
        self.gwp_factors = gwp.factors()
        self.index: dict[str, int] = {}
        self.product_ids: list[str] = []
        self.product_units: list[str] = []
        self.product_stage: list[int] = []
        self.product_owner: list[int] = []
        self.process_ids: list[str] = []
        self.columns: list[_Columns] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.ex_col: list[int] = []
        self.ex_q: list[tuple[float, ...]] = []
        self.ex_primary: list[bool] = []
        self.ex_dq: list[tuple[int, int, int]] = []
        self.ex_source: list[int] = []
        self.sources: list[Source] = []
        self.pending_factors: list[tuple[str, float, str, int, str, str, bool, tuple[int, int, int]]] = []

    # -- products -------------------------------------------------------------------------------
    def add_product(self, product_id: Any, unit: Any, stage: int, owner: int, *, pointer: str) -> int:
        process_id = self.process_ids[owner]
        if not isinstance(product_id, str) or not product_id:
            raise GraphError("product id must be a non-empty string", process_id=process_id, pointer=pointer)
        if product_id in self.index:
            raise GraphError(f"id {product_id!r} is used twice", process_id=process_id, pointer=pointer)
        _convert(unit, unit if isinstance(unit, str) else "", process_id=process_id, pointer=pointer,
                 expected="output unit")
        self.index[product_id] = len(self.product_ids)
        self.product_ids.append(product_id)
        self.product_units.append(unit)
        self.product_stage.append(stage)
        self.product_owner.append(owner)
        return self.index[product_id]

    # -- exchanges ------------------------------------------------------------------------------
    def add_exchange(self, columns: _Columns, per_run: Sequence[float], flags: tuple[bool, tuple[int, int, int]],
                     source: int) -> None:
        primary, dq = flags
        for col, share in zip(columns.indices, columns.shares, strict=True):
            self.ex_col.append(col)
            self.ex_q.append(tuple(share * value for value in per_run))
            self.ex_primary.append(primary)
            self.ex_dq.append(dq)
            self.ex_source.append(source)

    def add_input(self, columns: _Columns, product: int, amount: float) -> None:
        for col, share in zip(columns.indices, columns.shares, strict=True):
            self.rows.append(product)
            self.cols.append(col)
            self.vals.append(-share * amount)

    def add_source(self, source: Source) -> int:
        self.sources.append(source)
        return len(self.sources) - 1


def _flags(exchange: Mapping[str, Any], *, process_id: str, pointer: str) -> tuple[bool, tuple[int, int, int]]:
    primary = exchange.get("primary", False)
    if not isinstance(primary, bool):
        raise GraphError(f"primary must be true or false, got {primary!r}", process_id=process_id,
                         pointer=f"{pointer}/primary")
    dq = exchange.get("dq")
    return primary, ((0, 0, 0) if dq is None else _dq(dq, process_id=process_id, pointer=pointer))


def _declared_quantities(declared: Any, builder: _Builder, *, process_id: str, pointer: str) -> tuple[
        str, list[float], int]:
    """Unit and kg CO2e per unit of a supplier-declared footprint, with its provenance index."""
    if not isinstance(declared, Mapping):
        raise GraphError("a declared footprint must be an object", process_id=process_id, pointer=pointer)
    unit = declared.get("unit")
    _convert(unit, unit if isinstance(unit, str) else "", process_id=process_id, pointer=f"{pointer}/unit",
             expected="declared footprint unit")
    total = _number(declared.get("kg_co2e_per_unit"), what="kg_co2e_per_unit", process_id=process_id,
                    pointer=f"{pointer}/kg_co2e_per_unit")
    luc = _number(declared.get("luc_kg_co2e_per_unit", 0.0), what="luc_kg_co2e_per_unit",
                  process_id=process_id, pointer=f"{pointer}/luc_kg_co2e_per_unit")
    biogenic = _number(declared.get("biogenic_co2_kg_per_unit", 0.0), what="biogenic_co2_kg_per_unit",
                       process_id=process_id, pointer=f"{pointer}/biogenic_co2_kg_per_unit")
    if total < 0 or not 0 <= luc <= total:
        raise GraphError("kg_co2e_per_unit must be >= 0 and include luc_kg_co2e_per_unit (0 <= luc <= total)",
                         process_id=process_id, pointer=pointer)
    declared_gwp = declared.get("gwp")
    if declared_gwp is not None and str(declared_gwp).strip().upper() != builder.gwp.name:
        raise GraphError(
            f"declared footprint is characterised with {declared_gwp!r} but the graph declares "
            f"{builder.gwp.name!r}; ask the supplier for {builder.gwp.name} values or calculate with {declared_gwp}",
            process_id=process_id, pointer=f"{pointer}/gwp")
    quantities = [0.0] * _Q
    quantities[_BIOGENIC] = biogenic
    quantities[_LUC] = luc
    quantities[_DECLARED] = total - luc
    source = builder.add_source(Source(
        kind="declared", id=str(declared.get("id", f"{process_id}{pointer}")), name=str(declared.get("name", "")),
        source=str(declared.get("source", "")), licence=str(declared.get("licence", ""))))
    return unit, quantities, source


def _parse_output(process: Mapping[str, Any], process_id: str, pointer: str) -> tuple[float, Any, Any]:
    output = process.get("output")
    if not isinstance(output, Mapping):
        raise GraphError("output {amount, unit} is required", process_id=process_id, pointer=f"{pointer}/output")
    amount = _number(output.get("amount"), what="output amount", process_id=process_id,
                     pointer=f"{pointer}/output/amount")
    if amount <= 0:
        raise GraphError(f"output amount must be positive, got {amount!r}", process_id=process_id,
                         pointer=f"{pointer}/output/amount")
    return amount, output.get("unit"), output.get("allocation")


def _stage_index(process: Mapping[str, Any], process_id: str, pointer: str) -> int:
    stage = process.get("stage")
    if stage is None:
        return -1
    if stage not in STAGES:
        raise GraphError(f"stage {stage!r} is not one of {', '.join(STAGES)}", process_id=process_id,
                         pointer=f"{pointer}/stage")
    return STAGES.index(stage)


def _register_process(builder: _Builder, process: Any, position: int) -> tuple[_Columns, list[float]]:
    """Add the products of one process; return its columns and the output amount of each."""
    pointer = f"/processes/{position}"
    if not isinstance(process, Mapping):
        raise GraphError("each process must be an object", pointer=pointer)
    process_id = process.get("id")
    builder.process_ids.append(process_id if isinstance(process_id, str) else repr(process_id))
    stage = _stage_index(process, builder.process_ids[-1], pointer)
    amount, unit, main_share = _parse_output(process, builder.process_ids[-1], pointer)
    columns = _Columns([builder.add_product(process_id, unit, stage, position, pointer=f"{pointer}/id")], [1.0])
    amounts = [amount]
    coproducts = process.get("coproducts") or []
    if not isinstance(coproducts, list):
        raise GraphError("coproducts must be a list", process_id=process_id, pointer=f"{pointer}/coproducts")
    shares: list[float] = []
    for k, coproduct in enumerate(coproducts):
        at = f"{pointer}/coproducts/{k}"
        if not isinstance(coproduct, Mapping):
            raise GraphError("each coproduct must be an object", process_id=process_id, pointer=at)
        co_amount = _number(coproduct.get("amount"), what="coproduct amount", process_id=process_id,
                            pointer=f"{at}/amount")
        if co_amount <= 0:
            raise GraphError("coproduct amount must be positive", process_id=process_id, pointer=f"{at}/amount")
        share = _number(coproduct.get("allocation"), what="coproduct allocation share", process_id=process_id,
                        pointer=f"{at}/allocation")
        if not 0 <= share <= 1:
            raise GraphError("allocation share must lie in [0, 1]", process_id=process_id, pointer=f"{at}/allocation")
        columns.indices.append(builder.add_product(coproduct.get("id"), coproduct.get("unit"), stage, position,
                                                   pointer=f"{at}/id"))
        amounts.append(co_amount)
        shares.append(share)
    main = 1.0 - sum(shares) if main_share is None else _number(
        main_share, what="output allocation share", process_id=process_id, pointer=f"{pointer}/output/allocation")
    if main < -1e-9 or main > 1 + 1e-9 or abs(main + sum(shares) - 1.0) > 1e-9:
        raise GraphError(f"allocation shares add up to {main + sum(shares):g} (main output {main:g}); they must be "
                         "in [0, 1] and add up to 1", process_id=process_id, pointer=f"{pointer}/coproducts")
    columns.shares[:] = [max(main, 0.0), *shares]
    return columns, amounts


def _parse_inputs(builder: _Builder, process: Mapping[str, Any], position: int, columns: _Columns) -> None:
    process_id = builder.process_ids[position]
    inputs = process.get("inputs") or []
    if not isinstance(inputs, list):
        raise GraphError("inputs must be a list", process_id=process_id, pointer=f"/processes/{position}/inputs")
    index, units, convert = builder.index, builder.product_units, conversion_factor
    for k, exchange in enumerate(inputs):
        pointer = f"/processes/{position}/inputs/{k}"
        if not isinstance(exchange, Mapping):
            raise GraphError("each input must be an object", process_id=process_id, pointer=pointer)
        amount = exchange.get("amount")
        if not isinstance(amount, int | float) or isinstance(amount, bool) or not 0 <= amount < math.inf:
            raise GraphError(f"input amount must be a finite number >= 0, got {amount!r}", process_id=process_id,
                             pointer=f"{pointer}/amount")
        target = exchange.get("process")
        if target is not None:
            product = index.get(target) if isinstance(target, str) else None
            if product is None:
                raise GraphError(f"input refers to unknown process or product {target!r}", process_id=process_id,
                                 pointer=f"{pointer}/process")
            if any(flag in exchange for flag in _EXCHANGE_FLAGS):
                raise GraphError("primary/dq belong on the exchanges that carry emissions (factor, footprint, "
                                 "emissions), not on a process input", process_id=process_id, pointer=pointer)
            unit = exchange.get("unit")
            try:
                factor = convert(unit, units[product])
            except (UnitError, TypeError) as exc:
                raise GraphError(f"input unit does not fit {target!r} (measured in {units[product]!r}): {exc}",
                                 process_id=process_id, pointer=f"{pointer}/unit") from exc
            builder.add_input(columns, product, amount * factor)
        elif "factor" in exchange:
            factor_id = exchange["factor"]
            if not isinstance(factor_id, str):
                raise GraphError("factor must be a factor id string", process_id=process_id,
                                 pointer=f"{pointer}/factor")
            flags = _flags(exchange, process_id=process_id, pointer=pointer)
            builder.pending_factors.append(
                (factor_id, float(amount), exchange.get("unit"), position, pointer, process_id, *flags))
        elif "footprint" in exchange:
            unit, quantities, source = _declared_quantities(exchange["footprint"], builder, process_id=process_id,
                                                            pointer=f"{pointer}/footprint")
            scale = amount * _convert(exchange.get("unit"), unit, process_id=process_id, pointer=f"{pointer}/unit",
                                      expected="input unit does not fit the declared footprint unit")
            builder.add_exchange(columns, [scale * q for q in quantities],
                                 _flags(exchange, process_id=process_id, pointer=pointer), source)
        else:
            raise GraphError("an input needs one of: process, factor, footprint", process_id=process_id,
                             pointer=pointer)


def _parse_emissions(builder: _Builder, process: Mapping[str, Any], position: int, columns: _Columns) -> None:
    process_id = builder.process_ids[position]
    emissions = process.get("emissions") or []
    if not isinstance(emissions, list):
        raise GraphError("emissions must be a list", process_id=process_id,
                         pointer=f"/processes/{position}/emissions")
    for k, exchange in enumerate(emissions):
        pointer = f"/processes/{position}/emissions/{k}"
        if not isinstance(exchange, Mapping):
            raise GraphError("each emission must be an object", process_id=process_id, pointer=pointer)
        gas = exchange.get("gas")
        if gas not in GASES:
            raise GraphError(f"gas {gas!r} is not one of {', '.join(GASES)}", process_id=process_id,
                             pointer=f"{pointer}/gas")
        amount = _number(exchange.get("amount"), what="emission amount", process_id=process_id,
                         pointer=f"{pointer}/amount")
        if amount < 0 and gas != "CO2_biogenic":
            raise GraphError("only CO2_biogenic may be negative (uptake)", process_id=process_id,
                             pointer=f"{pointer}/amount")
        kg = amount * _convert(exchange.get("unit"), "kg", process_id=process_id, pointer=f"{pointer}/unit",
                               expected="emission unit must be a mass")
        quantities = [0.0] * _Q
        slot = GASES.index(gas)
        quantities[slot] = kg * builder.gwp_factors[slot]
        builder.add_exchange(columns, quantities, _flags(exchange, process_id=process_id, pointer=pointer), -1)


def _parse_declared_process(builder: _Builder, process: Mapping[str, Any], position: int, columns: _Columns,
                            output_amount: float) -> None:
    process_id = builder.process_ids[position]
    pointer = f"/processes/{position}"
    if process.get("inputs") or process.get("emissions") or process.get("coproducts"):
        raise GraphError("a declared process takes its whole footprint from the declaration and has no inputs, "
                         "emissions or coproducts", process_id=process_id, pointer=pointer)
    unit, quantities, source = _declared_quantities(process["declared"], builder, process_id=process_id,
                                                    pointer=f"{pointer}/declared")
    output_unit = builder.product_units[columns.indices[0]]
    scale = output_amount * _convert(output_unit, unit, process_id=process_id, pointer=f"{pointer}/declared/unit",
                                     expected="declared unit does not fit the output unit")
    builder.add_exchange(columns, [scale * q for q in quantities], (False, (0, 0, 0)), source)


def _resolve_factors(builder: _Builder, factors: Mapping[str, FactorRow] | FactorLookup) -> None:
    """Look every referenced factor up in one batch and turn factor inputs into exchanges."""
    wanted = {pending[0] for pending in builder.pending_factors}
    table: Mapping[str, FactorRow] = (
        factors.factors_for(wanted) if isinstance(factors, FactorLookup) else factors)
    source_index: dict[str, int] = {}
    per_unit: dict[str, list[float]] = {}
    gwp_factors = builder.gwp_factors
    for factor_id, amount, unit, position, pointer, process_id, primary, dq in builder.pending_factors:
        row = table.get(factor_id)
        if row is None:
            raise GraphError(f"unknown emission factor {factor_id!r}", process_id=process_id,
                             pointer=f"{pointer}/factor")
        if factor_id not in source_index:
            source_index[factor_id] = builder.add_source(Source(
                kind="factor", id=row.id, name=row.name, dataset=row.dataset, source=row.source,
                source_url=row.source_url, licence=row.licence, year=row.year))
            per_unit[factor_id] = [a * g for a, g in zip(row.gas_amounts(), gwp_factors, strict=True)] + [0.0]
        scale = amount * _convert(unit, row.unit, process_id=process_id, pointer=f"{pointer}/unit",
                                  expected=f"input unit does not fit factor {factor_id!r} (per {row.unit})")
        builder.add_exchange(builder.columns[position], [scale * q for q in per_unit[factor_id]], (primary, dq),
                             source_index[factor_id])


def _functional_unit(graph: Mapping[str, Any], builder: _Builder) -> tuple[tuple[int, float], dict[str, Any]]:
    spec = graph.get("functional_unit")
    if not isinstance(spec, Mapping):
        raise GraphError("functional_unit {process, amount} is required", pointer="/functional_unit")
    target = spec.get("process")
    product = builder.index.get(target) if isinstance(target, str) else None
    if product is None:
        raise GraphError(f"functional unit refers to unknown process or product {target!r}",
                         pointer="/functional_unit/process")
    amount = _number(spec.get("amount", 1), what="functional unit amount", process_id=target,
                     pointer="/functional_unit/amount")
    if amount <= 0:
        raise GraphError("functional unit amount must be positive", process_id=target,
                         pointer="/functional_unit/amount")
    unit = spec.get("unit", builder.product_units[product])
    amount *= _convert(unit, builder.product_units[product], process_id=target, pointer="/functional_unit/unit",
                       expected="functional unit does not fit the product's unit")
    return (product, amount), {"process": target, "amount": spec.get("amount", 1), "unit": unit}


def parse_graph(graph: Mapping[str, Any], factors: Mapping[str, FactorRow] | FactorLookup) -> ParsedGraph:
    """Check ``graph`` and turn it into engine arrays; factors are resolved through ``factors`` in one batch."""
    if not isinstance(graph, Mapping):
        raise GraphError("the graph must be a JSON object")
    try:
        gwp = gwp_set(graph.get("gwp"))
    except KeyError as exc:
        raise GraphError(str(exc.args[0]), pointer="/gwp") from exc
    processes = graph.get("processes")
    if not isinstance(processes, list) or not processes:
        raise GraphError("processes must be a non-empty list", pointer="/processes")
    builder = _Builder(gwp)
    outputs: list[list[float]] = []
    for position, process in enumerate(processes):
        columns, amounts = _register_process(builder, process, position)
        builder.columns.append(columns)
        outputs.append(amounts)
        for col, output_amount in zip(columns.indices, amounts, strict=True):
            builder.rows.append(col)
            builder.cols.append(col)
            builder.vals.append(output_amount)
    for position, process in enumerate(processes):
        columns = builder.columns[position]
        if "declared" in process:
            _parse_declared_process(builder, process, position, columns, outputs[position][0])
        else:
            _parse_inputs(builder, process, position, columns)
            _parse_emissions(builder, process, position, columns)
    _resolve_factors(builder, factors)
    functional_unit, spec = _functional_unit(graph, builder)
    return _freeze(builder, functional_unit, spec)


def _freeze(builder: _Builder, functional_unit: tuple[int, float], spec: dict[str, Any]) -> ParsedGraph:
    n_ex = len(builder.ex_col)
    return ParsedGraph(
        gwp=builder.gwp,
        product_ids=builder.product_ids,
        product_units=builder.product_units,
        product_stage=np.asarray(builder.product_stage, dtype=np.int64),
        product_owner=builder.product_owner,
        process_ids=builder.process_ids,
        stages=STAGES,
        a_rows=np.asarray(builder.rows, dtype=np.int64),
        a_cols=np.asarray(builder.cols, dtype=np.int64),
        a_vals=np.asarray(builder.vals, dtype=np.float64),
        ex_col=np.asarray(builder.ex_col, dtype=np.int64),
        ex_q=np.asarray(builder.ex_q, dtype=np.float64).reshape(n_ex, _Q),
        ex_primary=np.asarray(builder.ex_primary, dtype=bool),
        ex_dq=np.asarray(builder.ex_dq, dtype=np.int8).reshape(n_ex, 3),
        ex_source=np.asarray(builder.ex_source, dtype=np.int64),
        sources=builder.sources,
        functional_unit=functional_unit,
        functional_unit_spec=spec,
        index=builder.index,
    )


def demand_vector(parsed: ParsedGraph, demand: Mapping[str, float] | Iterable[tuple[str, float]]) -> np.ndarray:
    """Final-demand vector from {product id: amount in the product's own unit}."""
    vector = np.zeros(parsed.size)
    items = demand.items() if isinstance(demand, Mapping) else demand
    for product_id, amount in items:
        position = parsed.index.get(product_id)
        if position is None:
            raise GraphError(f"demand refers to unknown process or product {product_id!r}", pointer="/functional_unit")
        vector[position] += float(amount)
    return vector

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
  stages of the processes that consume it (see ``lca.engine.footprint``).
* ``primary`` (default false) and ``dq`` ratings (1 best to 3 worst, all three criteria) belong on the
  exchanges that carry emissions: factor inputs, footprint inputs and emissions. A process input carries
  none: its upstream exchanges carry their own.
* A ``declared`` process takes its footprint from a supplier's declared value (PACT) and has no inputs,
  emissions or coproducts of its own.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn

import numpy as np

from lca.engine.factors import FactorLookup, FactorRow
from lca.engine.gwp import GASES, GwpSet, gwp_set
from lca.engine.units import UnitError, conversion_factor

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
# Result quantities, all in kg CO2e: the gases of lca.engine.gwp.GASES plus supplier-declared CO2e that comes
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


_NUMBER = (int, float)
_RATING = (1, 2, 3)
_STAGE_INDEX: Final = {stage: position for position, stage in enumerate(STAGES)}
_GAS_INDEX: Final = {gas: position for position, gas in enumerate(GASES)}


def _number(value: Any, *, what: str, process_id: str | None, pointer: str) -> float:
    if type(value) not in _NUMBER or not math.isfinite(value):
        raise GraphError(f"{what} must be a finite number, got {value!r}", process_id=process_id, pointer=pointer)
    return float(value)


def _convert(from_unit: Any, to_unit: str, *, process_id: str | None, pointer: str, expected: str) -> float:
    try:
        return conversion_factor(from_unit, to_unit)
    except (UnitError, TypeError) as exc:
        raise GraphError(f"{expected}: {exc}", process_id=process_id, pointer=pointer) from exc


_NO_FLAGS: Final = (False, (0, 0, 0))


def _flags(exchange: Mapping[str, Any], process_id: str, where: Callable[[], str]) -> tuple[bool, tuple[int, int, int]]:
    """The ``primary`` flag and ``dq`` ratings of an emission-carrying exchange, checked.

    ``where`` gives the exchange's JSON Pointer; it is only called to report an error.
    """
    primary = exchange.get("primary", False)
    dq = exchange.get("dq")
    if dq is None:
        ratings: tuple[Any, ...] = (0, 0, 0)
    elif (type(dq) is dict or isinstance(dq, Mapping)) and len(dq) == 3:
        ratings = (dq.get("technology"), dq.get("geography"), dq.get("time"))
        if not (
            type(ratings[0]) is int
            and type(ratings[1]) is int
            and type(ratings[2]) is int
            and ratings[0] in _RATING
            and ratings[1] in _RATING
            and ratings[2] in _RATING
        ):
            ratings = ()
    else:
        ratings = ()
    if primary is not True and primary is not False:
        raise GraphError(
            f"primary must be true or false, got {primary!r}", process_id=process_id, pointer=f"{where()}/primary"
        )
    if not ratings:
        raise GraphError(
            "dq must rate exactly technology, geography and time with integers 1 (best) to 3 (worst)",
            process_id=process_id,
            pointer=f"{where()}/dq",
        )
    return primary, (int(ratings[0]), int(ratings[1]), int(ratings[2]))


class _Builder:
    """Accumulates products and exchanges in flat lists while walking the graph; arrays are made at the end.

    Exchanges are recorded per *process*; a process with coproducts is expanded into its allocated
    columns (one copy per product, scaled by the allocation share) when the arrays are frozen.
    """

    def __init__(self, gwp: GwpSet) -> None:
        self.gwp = gwp
        self.index: dict[str, int] = {}
        self.product_ids: list[str] = []
        self.product_units: list[str] = []
        self.product_stage: list[int] = []
        self.product_owner: list[int] = []
        self.product_amount: list[float] = []
        self.process_ids: list[str] = []
        self.column_share: list[float] = []
        self.column_count: list[int] = []
        self.first_column: list[int] = []
        self.processes: list[Any] = []
        # process inputs as written: consuming process, supplying product id, amount, unit
        self.in_proc: list[int] = []
        self.in_target: list[Any] = []
        self.in_amount: list[Any] = []
        self.in_unit: list[Any] = []
        # emission-carrying exchanges
        self.em_proc: list[int] = []
        self.em_gas: list[Any] = []
        self.em_amount: list[Any] = []
        self.em_unit: list[Any] = []
        self.em_flags: list[tuple[bool, tuple[int, int, int]]] = []
        self.fx_proc: list[int] = []
        self.fx_id: list[str] = []
        self.fx_amount: list[float] = []
        self.fx_unit: list[Any] = []
        self.fx_exchange: list[Any] = []
        self.fx_flags: list[tuple[bool, tuple[int, int, int]]] = []
        self.dc_proc: list[int] = []
        self.dc_q: list[list[float]] = []
        self.dc_source: list[int] = []
        self.dc_flags: list[tuple[bool, tuple[int, int, int]]] = []
        self.sources: list[Source] = []

    def add_product(self, product_id: Any, unit: Any, stage: int, amount: float, *, pointer: str) -> None:
        owner = len(self.process_ids) - 1
        if not isinstance(product_id, str) or not product_id:
            raise GraphError(
                "product id must be a non-empty string", process_id=self.process_ids[owner], pointer=pointer
            )
        if product_id in self.index:
            raise GraphError(f"id {product_id!r} is used twice", process_id=self.process_ids[owner], pointer=pointer)
        self.index[product_id] = len(self.product_ids)
        self.product_ids.append(product_id)
        self.product_units.append(unit)
        self.product_stage.append(stage)
        self.product_owner.append(owner)
        self.product_amount.append(amount)

    def add_source(self, source: Source) -> int:
        self.sources.append(source)
        return len(self.sources) - 1


def _declared(declared: Any, builder: _Builder, process_id: str, pointer: str) -> tuple[Any, list[float], int]:
    """Unit, kg CO2e per unit by quantity, and provenance index of a supplier-declared footprint (PACT)."""
    if not isinstance(declared, Mapping):
        raise GraphError("a declared footprint must be an object", process_id=process_id, pointer=pointer)
    unit: Any = declared.get("unit")
    _convert(unit, unit, process_id=process_id, pointer=f"{pointer}/unit", expected="declared footprint unit")
    total, luc, biogenic = (
        _number(declared.get(key, default), what=key, process_id=process_id, pointer=f"{pointer}/{key}")
        for key, default in (
            ("kg_co2e_per_unit", None),
            ("luc_kg_co2e_per_unit", 0.0),
            ("biogenic_co2_kg_per_unit", 0.0),
        )
    )
    if total < 0 or not 0 <= luc <= total:
        raise GraphError(
            "kg_co2e_per_unit must be >= 0 and include luc_kg_co2e_per_unit (0 <= luc <= total)",
            process_id=process_id,
            pointer=pointer,
        )
    declared_gwp = declared.get("gwp")
    if declared_gwp is not None and str(declared_gwp).strip().upper() != builder.gwp.name:
        raise GraphError(
            f"declared footprint is characterised with {declared_gwp!r} but the graph declares "
            f"{builder.gwp.name!r}; ask the supplier for {builder.gwp.name} values or calculate with {declared_gwp}",
            process_id=process_id,
            pointer=f"{pointer}/gwp",
        )
    quantities = [0.0] * _Q
    quantities[_BIOGENIC], quantities[_LUC], quantities[_DECLARED] = biogenic, luc, total - luc
    source = builder.add_source(
        Source(
            kind="declared",
            id=str(declared.get("id", f"{process_id}{pointer}")),
            name=str(declared.get("name", "")),
            source=str(declared.get("source", "")),
            licence=str(declared.get("licence", "")),
        )
    )
    return unit, quantities, source


def _register_process(builder: _Builder, process: Any, position: int) -> None:
    """Add the products (main output and coproducts) of one process and its allocation shares."""
    if type(process) is not dict and not isinstance(process, Mapping):
        raise GraphError("each process must be an object", pointer=f"/processes/{position}")
    process_id = process.get("id")
    name = process_id if isinstance(process_id, str) else repr(process_id)
    builder.process_ids.append(name)
    stage = process.get("stage")
    stage_index = -1 if stage is None else _STAGE_INDEX.get(stage, -2) if isinstance(stage, str) else -2
    if stage_index == -2:
        raise GraphError(
            f"stage {stage!r} is not one of {', '.join(STAGES)}",
            process_id=name,
            pointer=f"/processes/{position}/stage",
        )
    output: Any = process.get("output")
    amount: Any = output.get("amount") if type(output) is dict or isinstance(output, Mapping) else None
    if type(amount) not in _NUMBER or not 0 < amount < math.inf:
        raise GraphError(
            f"output {{amount, unit}} with a positive amount is required, got {output!r}",
            process_id=name,
            pointer=f"/processes/{position}/output",
        )
    builder.first_column.append(len(builder.product_ids))
    if type(process_id) is str and process_id and process_id not in builder.index:
        builder.index[process_id] = len(builder.product_ids)
        builder.product_ids.append(process_id)
        builder.product_units.append(output.get("unit"))
        builder.product_stage.append(stage_index)
        builder.product_owner.append(position)
        builder.product_amount.append(float(amount))
    else:
        builder.add_product(
            process_id, output.get("unit"), stage_index, float(amount), pointer=f"/processes/{position}/id"
        )
    if not process.get("coproducts") and output.get("allocation") is None:
        builder.column_share.append(1.0)
        builder.column_count.append(1)
        return
    _register_coproducts(builder, process, position, stage_index)


def _register_coproducts(builder: _Builder, process: Mapping[str, Any], position: int, stage: int) -> None:
    pointer, name = f"/processes/{position}", builder.process_ids[position]
    coproducts = process.get("coproducts") or []
    if not isinstance(coproducts, list):
        raise GraphError("coproducts must be a list", process_id=name, pointer=f"{pointer}/coproducts")
    shares: list[float] = []
    for k, coproduct in enumerate(coproducts):
        at = f"{pointer}/coproducts/{k}"
        if not isinstance(coproduct, Mapping):
            raise GraphError("each coproduct must be an object", process_id=name, pointer=at)
        amount = _number(coproduct.get("amount"), what="coproduct amount", process_id=name, pointer=f"{at}/amount")
        share = _number(
            coproduct.get("allocation"), what="coproduct allocation share", process_id=name, pointer=f"{at}/allocation"
        )
        if amount <= 0 or not 0 <= share <= 1:
            raise GraphError(
                "coproduct amount must be positive and its allocation share in [0, 1]", process_id=name, pointer=at
            )
        builder.add_product(coproduct.get("id"), coproduct.get("unit"), stage, amount, pointer=f"{at}/id")
        shares.append(share)
    declared_main = process["output"].get("allocation")
    main = (
        1.0 - sum(shares)
        if declared_main is None
        else _number(
            declared_main, what="output allocation share", process_id=name, pointer=f"{pointer}/output/allocation"
        )
    )
    if not -1e-9 <= main <= 1 + 1e-9 or abs(main + sum(shares) - 1.0) > 1e-9:
        raise GraphError(
            f"allocation shares add up to {main + sum(shares):g} (main output {main:g}); each must be "
            "in [0, 1] and together they must make 1",
            process_id=name,
            pointer=f"{pointer}/coproducts",
        )
    builder.column_share.extend([min(max(main, 0.0), 1.0), *shares])
    builder.column_count.append(1 + len(shares))


def _check_product_units(builder: _Builder) -> None:
    """Every output unit must be a unit; each distinct spelling is parsed once."""
    checked: set[str] = set()
    for product, unit in enumerate(builder.product_units):
        if isinstance(unit, str) and unit in checked:
            continue
        owner = builder.product_owner[product]
        _convert(
            unit,
            unit,
            process_id=builder.process_ids[owner],
            pointer=f"/processes/{owner}/output/unit",
            expected=f"unit of product {builder.product_ids[product]!r}",
        )
        checked.add(unit)


def _parse_inputs(builder: _Builder, inputs: Any, position: int) -> None:
    """Collect the inputs of one process; process inputs are checked in bulk by ``_finish_inputs``.

    This is the hot loop of the parser (hundreds of thousands of exchanges), so it only records what it
    sees; anything odd sends the process through ``_explain_inputs``, which checks every exchange one by
    one and raises the precise error.
    """
    if type(inputs) is not list:
        raise GraphError(
            "inputs must be a list", process_id=builder.process_ids[position], pointer=f"/processes/{position}/inputs"
        )
    in_proc, in_target, in_amount, in_unit = builder.in_proc, builder.in_target, builder.in_amount, builder.in_unit
    for exchange in inputs:
        try:
            target = exchange.get("process")
        except AttributeError:
            _explain_inputs(builder, position)
        if target is None:
            _parse_background_input(builder, exchange, position)
            continue
        if "primary" in exchange or "dq" in exchange:
            _explain_inputs(builder, position)
        in_proc.append(position)
        in_target.append(target)
        in_amount.append(exchange.get("amount"))
        in_unit.append(exchange.get("unit"))


def _finish_inputs(builder: _Builder) -> tuple[list[Any], np.ndarray]:
    """Resolve, check and convert all process inputs at once: supplying product and amount in its unit."""
    products: list[Any]
    try:
        products = list(map(builder.index.get, builder.in_target))
    except TypeError:  # an unhashable reference
        products = [builder.index.get(t) if isinstance(t, str) else None for t in builder.in_target]
    if None in products:
        _explain_inputs(builder, builder.in_proc[products.index(None)])
    raw = builder.in_amount
    if not set(map(type, raw)) <= {int, float}:
        _explain_inputs(builder, builder.in_proc[next(i for i, a in enumerate(raw) if type(a) not in _NUMBER)])
    amounts = np.asarray(raw, dtype=np.float64)
    bad = ~(np.isfinite(amounts) & (amounts >= 0))
    if bad.any():
        _explain_inputs(builder, builder.in_proc[int(np.argmax(bad))])
    units = builder.product_units
    target_units = [units[p] for p in products]
    try:
        pairs = set(zip(builder.in_unit, target_units, strict=True))
    except TypeError:  # an unhashable unit
        _explain_inputs(
            builder, builder.in_proc[next(i for i, u in enumerate(builder.in_unit) if not isinstance(u, str))]
        )
    factors: dict[tuple[Any, str], float] = {}
    for pair in pairs:
        try:
            factors[pair] = conversion_factor(*pair)
        except (UnitError, TypeError):
            first = next(
                i for i, candidate in enumerate(zip(builder.in_unit, target_units, strict=True)) if candidate == pair
            )
            _explain_inputs(builder, builder.in_proc[first])
    scale = np.fromiter(
        map(factors.__getitem__, zip(builder.in_unit, target_units, strict=True)), dtype=np.float64, count=len(products)
    )
    return products, amounts * scale


def _explain_inputs(builder: _Builder, position: int) -> NoReturn:
    """Check the inputs of one process one by one and raise the error found, with its JSON Pointer."""
    name = builder.process_ids[position]
    for k, exchange in enumerate(builder.processes[position].get("inputs") or []):
        pointer = f"/processes/{position}/inputs/{k}"
        if not isinstance(exchange, Mapping):
            raise GraphError("each input must be an object", process_id=name, pointer=pointer)
        amount: Any = exchange.get("amount")
        if type(amount) not in _NUMBER or not 0 <= amount < math.inf:
            raise GraphError(
                f"input amount must be a finite number >= 0, got {amount!r}",
                process_id=name,
                pointer=f"{pointer}/amount",
            )
        target = exchange.get("process")
        if target is None:
            continue
        product = builder.index.get(target) if isinstance(target, str) else None
        if product is None:
            raise GraphError(
                f"input refers to unknown process or product {target!r}", process_id=name, pointer=f"{pointer}/process"
            )
        if "primary" in exchange or "dq" in exchange:
            raise GraphError(
                "primary/dq belong on the exchanges that carry emissions (factor, footprint, "
                "emissions), not on a process input: its upstream exchanges carry their own",
                process_id=name,
                pointer=pointer,
            )
        target_unit = builder.product_units[product]
        _convert(
            exchange.get("unit"),
            target_unit,
            process_id=name,
            pointer=f"{pointer}/unit",
            expected=f"input unit does not fit {target!r} (measured in {target_unit!r})",
        )
    raise GraphError(
        "an input of this process cannot be read", process_id=name, pointer=f"/processes/{position}/inputs"
    )


def _pointer_of(builder: _Builder, position: int, exchange: Any, key: str = "inputs") -> str:
    """JSON Pointer of ``exchange`` (found by identity) in the ``key`` list of process ``position``."""
    items = builder.processes[position].get(key) or []
    k = next((i for i, item in enumerate(items) if item is exchange), 0)
    return f"/processes/{position}/{key}/{k}"


def _parse_background_input(builder: _Builder, exchange: Mapping[str, Any], position: int) -> None:
    name = builder.process_ids[position]
    amount: Any = exchange.get("amount")
    if type(amount) not in _NUMBER or not 0 <= amount < math.inf:
        _explain_inputs(builder, position)
    if "factor" in exchange:
        factor_id = exchange["factor"]
        if type(factor_id) is not str:
            raise GraphError(
                "factor must be a factor id string",
                process_id=name,
                pointer=f"{_pointer_of(builder, position, exchange)}/factor",
            )
        builder.fx_proc.append(position)
        builder.fx_id.append(factor_id)
        builder.fx_amount.append(amount)
        builder.fx_unit.append(exchange.get("unit"))
        builder.fx_exchange.append(exchange)
        builder.fx_flags.append(
            _NO_FLAGS
            if "primary" not in exchange and "dq" not in exchange
            else _flags(exchange, name, lambda: _pointer_of(builder, position, exchange))
        )
    elif "footprint" in exchange:
        pointer = _pointer_of(builder, position, exchange)
        unit, quantities, source = _declared(exchange["footprint"], builder, name, f"{pointer}/footprint")
        scale = amount * _convert(
            exchange.get("unit"),
            unit,
            process_id=name,
            pointer=f"{pointer}/unit",
            expected="input unit does not fit the declared footprint unit",
        )
        builder.dc_proc.append(position)
        builder.dc_q.append([scale * q for q in quantities])
        builder.dc_source.append(source)
        builder.dc_flags.append(_flags(exchange, name, lambda: pointer))
    else:
        raise GraphError(
            "an input needs one of: process, factor, footprint",
            process_id=name,
            pointer=_pointer_of(builder, position, exchange),
        )


def _parse_emissions(builder: _Builder, emissions: Any, position: int) -> None:
    """Collect the direct emissions of one process; ``_finish_emissions`` checks and converts them in bulk."""
    if type(emissions) is not list:
        raise GraphError(
            "emissions must be a list",
            process_id=builder.process_ids[position],
            pointer=f"/processes/{position}/emissions",
        )
    for k, exchange in enumerate(emissions):
        try:
            gas = exchange.get("gas")
        except AttributeError:
            _explain_emissions(builder, position)
        builder.em_proc.append(position)
        builder.em_gas.append(gas)
        builder.em_amount.append(exchange.get("amount"))
        builder.em_unit.append(exchange.get("unit"))
        builder.em_flags.append(
            _NO_FLAGS
            if "primary" not in exchange and "dq" not in exchange
            else _flags(exchange, builder.process_ids[position], _emission_pointer(position, k))
        )


def _emission_pointer(position: int, k: int) -> Callable[[], str]:
    return lambda: f"/processes/{position}/emissions/{k}"


def _finish_emissions(builder: _Builder) -> tuple[np.ndarray, np.ndarray]:
    """Gas slot and kg of every direct emission, checked in bulk (``_explain_emissions`` locates errors)."""
    try:
        slots = list(map(_GAS_INDEX.get, builder.em_gas))
    except TypeError:  # an unhashable gas
        slots = [_GAS_INDEX.get(gas) if isinstance(gas, str) else None for gas in builder.em_gas]
    if None in slots:
        _explain_emissions(builder, builder.em_proc[slots.index(None)])
    raw = builder.em_amount
    if not set(map(type, raw)) <= {int, float}:
        _explain_emissions(builder, builder.em_proc[next(i for i, a in enumerate(raw) if type(a) not in _NUMBER)])
    amounts = np.asarray(raw, dtype=np.float64)
    slot_array = np.asarray(slots, dtype=np.int64)
    bad = ~np.isfinite(amounts) | ((amounts < 0) & (slot_array != _BIOGENIC))
    if bad.any():
        _explain_emissions(builder, builder.em_proc[int(np.argmax(bad))])
    try:
        to_kg = {unit: conversion_factor(unit, "kg") for unit in set(builder.em_unit)}
    except (UnitError, TypeError):
        first = next(i for i, unit in enumerate(builder.em_unit) if not _is_mass(unit))
        _explain_emissions(builder, builder.em_proc[first])
    scale = np.fromiter(map(to_kg.__getitem__, builder.em_unit), dtype=np.float64, count=len(raw))
    return slot_array, amounts * scale


def _is_mass(unit: Any) -> bool:
    try:
        conversion_factor(unit, "kg")
    except (UnitError, TypeError):
        return False
    return True


def _explain_emissions(builder: _Builder, position: int) -> NoReturn:
    """Check the emissions of one process one by one and raise the error found, with its JSON Pointer."""
    name = builder.process_ids[position]
    for k, exchange in enumerate(builder.processes[position].get("emissions") or []):
        pointer = f"/processes/{position}/emissions/{k}"
        if not isinstance(exchange, Mapping):
            raise GraphError("each emission must be an object", process_id=name, pointer=pointer)
        gas = exchange.get("gas")
        if gas not in GASES:
            raise GraphError(f"gas {gas!r} is not one of {', '.join(GASES)}", process_id=name, pointer=f"{pointer}/gas")
        amount = _number(exchange.get("amount"), what="emission amount", process_id=name, pointer=f"{pointer}/amount")
        if amount < 0 and gas != "CO2_biogenic":
            raise GraphError(
                f"only CO2_biogenic may be negative (uptake), got {amount!r}",
                process_id=name,
                pointer=f"{pointer}/amount",
            )
        _convert(
            exchange.get("unit"),
            "kg",
            process_id=name,
            pointer=f"{pointer}/unit",
            expected="emission unit must be a mass",
        )
    raise GraphError(
        "an emission of this process cannot be read", process_id=name, pointer=f"/processes/{position}/emissions"
    )


def _parse_declared_process(builder: _Builder, process: Mapping[str, Any], position: int) -> None:
    name, pointer = builder.process_ids[position], f"/processes/{position}"
    if process.get("inputs") or process.get("emissions") or process.get("coproducts"):
        raise GraphError(
            "a declared process takes its whole footprint from the declaration and has no inputs, "
            "emissions or coproducts",
            process_id=name,
            pointer=pointer,
        )
    unit, quantities, source = _declared(process["declared"], builder, name, f"{pointer}/declared")
    product = builder.first_column[position]
    scale = builder.product_amount[product] * _convert(
        builder.product_units[product],
        unit,
        process_id=name,
        pointer=f"{pointer}/declared/unit",
        expected="declared unit does not fit the output unit",
    )
    builder.dc_proc.append(position)
    builder.dc_q.append([scale * q for q in quantities])
    builder.dc_source.append(source)
    builder.dc_flags.append((False, (0, 0, 0)))


def _resolve_factors(
    builder: _Builder, factors: Mapping[str, FactorRow] | FactorLookup
) -> tuple[np.ndarray, np.ndarray]:
    """Look every referenced factor up in one batch; kg CO2e per quantity for each factor exchange."""
    wanted = set(builder.fx_id)
    table: Mapping[str, FactorRow] = factors.factors_for(wanted) if isinstance(factors, FactorLookup) else factors
    gwp_factors = np.asarray(builder.gwp.factors())
    slot_of: dict[str, int] = {}
    per_unit: list[np.ndarray] = []
    source_of: list[int] = []
    for factor_id in sorted(wanted):
        row = table.get(factor_id)
        if row is None:
            e = builder.fx_id.index(factor_id)
            owner = builder.fx_proc[e]
            raise GraphError(
                f"unknown emission factor {factor_id!r}",
                process_id=builder.process_ids[owner],
                pointer=f"{_pointer_of(builder, owner, builder.fx_exchange[e])}/factor",
            )
        slot_of[factor_id] = len(per_unit)
        per_unit.append(np.append(np.asarray(row.gas_amounts()) * gwp_factors, 0.0))
        source_of.append(
            builder.add_source(
                Source(
                    kind="factor",
                    id=row.id,
                    name=row.name,
                    dataset=row.dataset,
                    source=row.source,
                    source_url=row.source_url,
                    licence=row.licence,
                    year=row.year,
                )
            )
        )
    conversions: dict[tuple[str, Any], float] = {}
    for pair in set(zip(builder.fx_id, builder.fx_unit, strict=True)) if builder.fx_id else ():
        factor_id, unit = pair
        try:
            conversions[pair] = conversion_factor(unit, table[factor_id].unit)
        except (UnitError, TypeError) as exc:
            e = next(
                i for i, candidate in enumerate(zip(builder.fx_id, builder.fx_unit, strict=True)) if candidate == pair
            )
            owner = builder.fx_proc[e]
            raise GraphError(
                f"input unit does not fit factor {factor_id!r} (per {table[factor_id].unit}): {exc}",
                process_id=builder.process_ids[owner],
                pointer=f"{_pointer_of(builder, owner, builder.fx_exchange[e])}/unit",
            ) from exc
    count = len(builder.fx_id)
    rows = np.fromiter(map(slot_of.__getitem__, builder.fx_id), dtype=np.int64, count=count)
    scales = np.asarray(builder.fx_amount, dtype=np.float64) * np.fromiter(
        map(conversions.__getitem__, zip(builder.fx_id, builder.fx_unit, strict=True)), dtype=np.float64, count=count
    )
    matrix = np.vstack(per_unit) if per_unit else np.zeros((0, _Q))
    return matrix[rows] * scales[:, None], np.asarray(source_of, dtype=np.int64)[rows]


def _functional_unit(graph: Mapping[str, Any], builder: _Builder) -> tuple[tuple[int, float], dict[str, Any]]:
    spec = graph.get("functional_unit")
    if not isinstance(spec, Mapping):
        raise GraphError("functional_unit {process, amount} is required", pointer="/functional_unit")
    target = spec.get("process")
    product = builder.index.get(target) if isinstance(target, str) else None
    if product is None:
        raise GraphError(
            f"functional unit refers to unknown process or product {target!r}", pointer="/functional_unit/process"
        )
    amount = _number(
        spec.get("amount", 1), what="functional unit amount", process_id=target, pointer="/functional_unit/amount"
    )
    if amount <= 0:
        raise GraphError(
            "functional unit amount must be positive", process_id=target, pointer="/functional_unit/amount"
        )
    unit = spec.get("unit", builder.product_units[product])
    amount *= _convert(
        unit,
        builder.product_units[product],
        process_id=target,
        pointer="/functional_unit/unit",
        expected="functional unit does not fit the product's unit",
    )
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
    # The parser allocates millions of small objects and frees none of them until it returns; the cyclic
    # garbage collector would walk the whole graph again and again meanwhile (~20% of parse time at
    # 100,000 processes). Pause it, and restore the caller's setting whatever happens.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(graph, processes, gwp, factors)
    finally:
        if collecting:
            gc.enable()


def _parse(
    graph: Mapping[str, Any], processes: list[Any], gwp: GwpSet, factors: Mapping[str, FactorRow] | FactorLookup
) -> ParsedGraph:
    builder = _Builder(gwp)
    builder.processes = processes
    for position, process in enumerate(processes):
        _register_process(builder, process, position)
    _check_product_units(builder)
    for position, process in enumerate(processes):
        if "declared" in process:
            _parse_declared_process(builder, process, position)
            continue
        _parse_inputs(builder, process.get("inputs") or [], position)
        if process.get("emissions"):
            _parse_emissions(builder, process["emissions"], position)
    inputs = _finish_inputs(builder)
    emissions = _finish_emissions(builder)
    factor_exchanges = _resolve_factors(builder, factors)
    functional_unit, spec = _functional_unit(graph, builder)
    return _freeze(
        builder,
        inputs=inputs,
        emissions=emissions,
        factor_exchanges=factor_exchanges,
        functional_unit=functional_unit,
        spec=spec,
    )


def _expand(builder: _Builder, processes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For exchanges recorded per process: which exchange each allocated copy is, its column and its share."""
    counts = np.asarray(builder.column_count, dtype=np.int64)
    first = np.asarray(builder.first_column, dtype=np.int64)
    shares = np.asarray(builder.column_share)
    if np.all(counts == 1):
        return np.arange(processes.size), first[processes], shares[first[processes]]
    repeats = counts[processes]
    copy_of = np.repeat(np.arange(processes.size), repeats)
    offset = np.arange(copy_of.size) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    columns = first[processes][copy_of] + offset
    return copy_of, columns, shares[columns]


def _flags_arrays(flags: list[tuple[bool, tuple[int, int, int]]]) -> tuple[np.ndarray, np.ndarray]:
    """``primary`` and ``dq`` arrays; the few distinct flag tuples are coded once instead of per exchange."""
    table = list(set(flags))
    code_of = {flag: code for code, flag in enumerate(table)}
    codes = np.fromiter(map(code_of.__getitem__, flags), dtype=np.int64, count=len(flags))
    primary = np.asarray([flag[0] for flag in table], dtype=bool)
    dq = np.asarray([flag[1] for flag in table], dtype=np.int8).reshape(len(table), 3)
    return primary[codes], dq[codes]


def _freeze(
    builder: _Builder,
    *,
    inputs: tuple[list[Any], np.ndarray],
    emissions: tuple[np.ndarray, np.ndarray],
    factor_exchanges: tuple[np.ndarray, np.ndarray],
    functional_unit: tuple[int, float],
    spec: dict[str, Any],
) -> ParsedGraph:
    n = len(builder.product_ids)
    factor_q, factor_source = factor_exchanges
    in_proc = np.asarray(builder.in_proc, dtype=np.int64)
    copy_of, in_cols, in_shares = _expand(builder, in_proc)
    a_rows = np.concatenate([np.arange(n), np.asarray(inputs[0], dtype=np.int64)[copy_of]])
    a_cols = np.concatenate([np.arange(n), in_cols])
    a_vals = np.concatenate([np.asarray(builder.product_amount), -in_shares * inputs[1][copy_of]])
    em_q = np.zeros((len(builder.em_proc), _Q))
    em_slot, em_kg = emissions
    em_q[np.arange(len(builder.em_proc)), em_slot] = em_kg * np.asarray(builder.gwp.factors())[em_slot]
    em_flags, fx_flags, dc_flags = (_flags_arrays(f) for f in (builder.em_flags, builder.fx_flags, builder.dc_flags))
    ex_proc = np.concatenate(
        [np.asarray(p, dtype=np.int64) for p in (builder.em_proc, builder.fx_proc, builder.dc_proc)]
    )
    ex_q = np.vstack([em_q, factor_q, np.asarray(builder.dc_q, dtype=np.float64).reshape(-1, _Q)])
    ex_source = np.concatenate(
        [
            np.full(len(builder.em_proc), -1, dtype=np.int64),
            factor_source,
            np.asarray(builder.dc_source, dtype=np.int64),
        ]
    )
    ex_primary = np.concatenate([em_flags[0], fx_flags[0], dc_flags[0]])
    ex_dq = np.vstack([em_flags[1], fx_flags[1], dc_flags[1]])
    copy_of, ex_col, ex_share = _expand(builder, ex_proc)
    return ParsedGraph(
        gwp=builder.gwp,
        product_ids=builder.product_ids,
        product_units=builder.product_units,
        product_stage=np.asarray(builder.product_stage, dtype=np.int64),
        product_owner=builder.product_owner,
        process_ids=builder.process_ids,
        stages=STAGES,
        a_rows=a_rows,
        a_cols=a_cols,
        a_vals=a_vals,
        ex_col=ex_col,
        ex_q=ex_q[copy_of] * ex_share[:, None],
        ex_primary=ex_primary[copy_of],
        ex_dq=ex_dq[copy_of],
        ex_source=ex_source[copy_of],
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

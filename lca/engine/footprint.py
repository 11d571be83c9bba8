"""Product carbon footprint engine: one sparse linear system per graph, solved exactly.

The process graph (``lca.engine.graph``) becomes a square technosphere matrix ``A`` (products x products: each
allocated process's output on the diagonal, its inputs as negative entries) and a matrix of direct
emissions ``C`` (kg CO2e per run of each process, one column per gas). For a final demand ``f`` the
scaling vector ``s = A^-1 f`` says how often each process runs; the footprint is ``C^T s``. Loops
(electricity used to make electricity, scrap fed back to the furnace) are therefore solved exactly, never
by recursion or iteration. ``A`` is factorised once (SuperLU); a catalogue of functional units reuses it.

Lifecycle stages, with linear algebra too. Split the products into staged ``S`` and background ``U``
(no stage). Background production is driven by what staged processes and the final demand take from it:
``s_U = A_UU^-1 (f_U - A_US s_S)``, which is linear, so the emissions of all background processes split
exactly by driver. With ``Y = A_UU^-T C_U`` (background emissions per unit of each background product,
counting background loops), a staged product ``j`` carries the *stage load*
``L_j = C_j - A_US[:, j]^T Y`` and stage ``k`` totals ``sum(s_j L_j for j in stage k)``; background
emissions pulled directly by the final demand (``f_U^T Y``) are reported as ``unassigned``. A shared
background process (grid electricity) thus counts toward each consuming stage in proportion to what that
stage consumes, through any chain of background processes. Stages add up to the total exactly.

Numbers are floats (float64) throughout; ``FootprintResult.as_dict`` rounds them to a stated number of
significant digits (6 by default) and returns ``Decimal`` values, for JSON and PACT decimal strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

from lca.engine.factors import FactorLookup, FactorRow
from lca.engine.graph import (
    QUANTITIES,
    STAGES,
    UNASSIGNED_STAGE,
    GraphError,
    ParsedGraph,
    demand_vector,
    parse_graph,
)

__all__ = [
    "CatalogueResult",
    "FactorisedSystem",
    "FootprintResult",
    "GraphError",
    "calculate",
    "factorise",
]

_BIO = QUANTITIES.index("CO2_biogenic")
_LUC = QUANTITIES.index("CO2_luc")
_NEGATIVE_TOLERANCE = 1e-9


def _significant(value: float, digits: int) -> Decimal:
    """``value`` rounded to ``digits`` significant digits, as a Decimal (0 stays 0)."""
    return Decimal(f"{value:.{digits}g}") if value else Decimal(0)


def _excluding_biogenic(quantities: np.ndarray) -> np.ndarray:
    """Sum over the last axis of kg CO2e quantities, leaving biogenic CO2 out."""
    return quantities.sum(axis=-1) - quantities[..., _BIO]


def _loop_order(graph: sp.csr_matrix, labels: np.ndarray, looped: np.ndarray) -> np.ndarray:
    """Rank of each node in a depth-first reverse postorder inside its loop, starting from the hubs.

    In reverse postorder only the edges that close a loop point backwards; starting from the busiest
    nodes (grid electricity, typically) keeps those edges few, so the LU factors stay sparse.
    """
    n = graph.shape[0]
    indptr, indices = graph.indptr, graph.indices
    degree = np.diff(indptr) + np.bincount(indices, minlength=n)
    seen = ~np.isin(np.arange(n), looped)
    finished: list[int] = []
    for root in looped[np.argsort(-degree[looped], kind="stable")].tolist():
        if seen[root]:
            continue
        seen[root] = True
        stack = [(root, int(indptr[root]))]
        while stack:
            node, pointer = stack[-1]
            end, label = int(indptr[node + 1]), labels[node]
            while pointer < end:
                successor = int(indices[pointer])
                pointer += 1
                if not seen[successor] and labels[successor] == label:
                    stack[-1] = (node, pointer)
                    seen[successor] = True
                    stack.append((successor, int(indptr[successor])))
                    break
            else:
                stack.pop()
                finished.append(node)
    rank = np.arange(n, dtype=np.float64)
    rank[np.asarray(finished, dtype=np.int64)] = -np.arange(len(finished), dtype=np.float64)
    return rank


def _supply_order(matrix: sp.csc_matrix) -> np.ndarray:
    """A permutation that puts every supplier before its consumers, so the matrix is nearly upper-triangular.

    Strongly connected components (loops) come out of SciPy in reverse topological order of the
    supplier-to-consumer graph; inside a loop the given order is kept when it already leaves few
    backward edges (either way round), otherwise a depth-first order is computed. With this order SuperLU
    needs no fill-reducing column permutation and factorises a supply chain almost without fill-in.
    """
    n = matrix.shape[0]
    coo = matrix.tocoo()
    off = coo.row != coo.col
    supplier, consumer = coo.row[off], coo.col[off]
    graph = sp.csr_matrix((np.ones(supplier.size, dtype=np.int8), (supplier, consumer)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    looped = np.flatnonzero(np.bincount(labels)[labels] > 1)
    rank = np.arange(n, dtype=np.float64)
    if looped.size:
        inside = labels[supplier] == labels[consumer]
        forward = int(np.count_nonzero(supplier[inside] < consumer[inside]))
        backward = int(np.count_nonzero(inside)) - forward
        if min(forward, backward) > max(10, looped.size // 100):
            rank = _loop_order(graph, labels, looped)
        elif backward > forward:
            rank = -rank
    return np.lexsort((rank, -labels))


class _OrderedLU:
    """SuperLU factors of ``A[order][:, order]``, solving in the caller's original product order."""

    def __init__(self, matrix: sp.csc_matrix, order: np.ndarray | None = None) -> None:
        self.order = _supply_order(matrix) if order is None else order
        self.lu = splu(matrix[self.order][:, self.order].tocsc(), permc_spec="NATURAL")

    def solve(self, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
        out = np.empty_like(rhs, dtype=np.float64)
        out[self.order] = self.lu.solve(np.ascontiguousarray(rhs[self.order], dtype=np.float64), trans=trans)
        return out


@dataclass(frozen=True, slots=True)
class FactorContribution:
    """A factor or declared footprint used, and how much it contributes to the result."""

    kind: str
    id: str
    name: str
    dataset: str
    source: str
    source_url: str
    licence: str
    year: int | None
    kg_co2e: float
    kg_co2e_including_biogenic: float
    share: float | None


@dataclass(frozen=True, slots=True)
class FootprintResult:
    """The footprint of one functional unit. All amounts in kg CO2e (biogenic CO2 in kg CO2)."""

    gwp: str
    gwp_citation: str
    functional_unit: dict[str, Any]
    total_kg_co2e: float
    total_including_biogenic_kg_co2e: float
    biogenic_co2_kg: float
    luc_kg_co2e: float
    by_gas: dict[str, float]
    by_stage: dict[str, float]
    by_stage_biogenic: dict[str, float]
    primary_data_share: float | None
    data_quality: dict[str, float | None]
    factors_used: list[FactorContribution] = field(default_factory=list)

    def as_dict(self, significant_digits: int = 6, *, as_float: bool = False) -> dict[str, Any]:
        """Plain dict for serialisation; every number rounded to ``significant_digits``, as a Decimal or, with
        ``as_float``, as a plain float (what JSON storage wants: a recalculation serialises ten thousand
        results, and going through Decimals and back cost more than solving them)."""

        def rounded(value: float | None) -> Decimal | float | None:
            if value is None:
                return None
            if as_float:
                return float(f"{value:.{significant_digits}g}") if value else 0.0
            return _significant(value, significant_digits)

        return {
            "gwp": self.gwp,
            "gwp_citation": self.gwp_citation,
            "functional_unit": dict(self.functional_unit),
            "significant_digits": significant_digits,
            "total_kg_co2e": rounded(self.total_kg_co2e),
            "total_including_biogenic_kg_co2e": rounded(self.total_including_biogenic_kg_co2e),
            "biogenic_co2_kg": rounded(self.biogenic_co2_kg),
            "luc_kg_co2e": rounded(self.luc_kg_co2e),
            "by_gas": {gas: rounded(value) for gas, value in self.by_gas.items()},
            "by_stage": {stage: rounded(value) for stage, value in self.by_stage.items()},
            "by_stage_biogenic": {stage: rounded(value) for stage, value in self.by_stage_biogenic.items()},
            "primary_data_share": rounded(self.primary_data_share),
            "data_quality": {key: rounded(value) for key, value in self.data_quality.items()},
            "factors_used": [
                {
                    "kind": used.kind,
                    "id": used.id,
                    "name": used.name,
                    "dataset": used.dataset,
                    "source": used.source,
                    "source_url": used.source_url,
                    "licence": used.licence,
                    "year": used.year,
                    "kg_co2e": rounded(used.kg_co2e),
                    "kg_co2e_including_biogenic": rounded(used.kg_co2e_including_biogenic),
                    "share": rounded(used.share),
                }
                for used in self.factors_used
            ],
        }


@dataclass(frozen=True, slots=True)
class CatalogueResult:
    """Footprints of many functional units solved against one factorised system (one row each)."""

    product_ids: list[str]
    amounts: np.ndarray
    total_kg_co2e: np.ndarray
    total_including_biogenic_kg_co2e: np.ndarray
    by_gas: np.ndarray  # (m, len(QUANTITIES))
    by_stage: np.ndarray  # (m, len(STAGES) + 1), the last column "unassigned"
    gases: tuple[str, ...] = QUANTITIES
    stages: tuple[str, ...] = (*STAGES, UNASSIGNED_STAGE)


class FactorisedSystem:
    """A parsed graph with its technosphere matrix factorised once, ready for many functional units."""

    def __init__(self, parsed: ParsedGraph) -> None:
        self.parsed = parsed
        n = parsed.size
        self.matrix = sp.csc_matrix((parsed.a_vals, (parsed.a_rows, parsed.a_cols)), shape=(n, n))
        self._check_diagonal()
        self.lu = self._factorise(self.matrix, what="technosphere matrix")
        # Direct emissions per run of each product's process, kg CO2e per quantity: (n, Q).
        self.direct = np.column_stack(
            [np.bincount(parsed.ex_col, weights=parsed.ex_q[:, q], minlength=n) for q in range(len(QUANTITIES))]
        )
        self._stage_terms: tuple[np.ndarray, np.ndarray] | None = None
        self._catalogue_operator: np.ndarray | None = None

    # -- factorisation ----------------------------------------------------------------------------
    def _check_diagonal(self) -> None:
        net_output = self.matrix.diagonal()
        bad = np.flatnonzero(net_output <= 0)
        if bad.size:
            product = int(bad[0])
            raise self._error_at(
                product, "consumes at least as much of its own product as it makes; the net output must be positive"
            )

    def _error_at(self, product: int, message: str) -> GraphError:
        parsed = self.parsed
        owner = parsed.product_owner[product]
        return GraphError(
            f"product {parsed.product_ids[product]!r} {message}",
            process_id=parsed.process_ids[owner],
            pointer=f"/processes/{owner}",
        )

    def _factorise(self, matrix: sp.csc_matrix, *, what: str, order: np.ndarray | None = None) -> _OrderedLU:
        try:
            return _OrderedLU(matrix, order)
        except RuntimeError as exc:
            fu = self.parsed.functional_unit_spec.get("process")
            raise GraphError(
                f"the {what} is singular: a loop of processes consumes everything it produces, so no "
                f"amount of production meets the demand ({exc})",
                process_id=fu,
                pointer="/processes",
            ) from exc

    # -- solving ----------------------------------------------------------------------------------
    def scaling(self, demand: np.ndarray) -> np.ndarray:
        """How many times each (allocated) process runs to deliver ``demand``; checked finite and >= 0."""
        scaling = self.lu.solve(np.asarray(demand, dtype=np.float64))
        if not np.all(np.isfinite(scaling)):
            raise GraphError(
                "the technosphere matrix is numerically singular; check loops whose inputs nearly equal their outputs",
                pointer="/processes",
            )
        floor = -_NEGATIVE_TOLERANCE * max(1.0, float(np.abs(scaling).max(initial=0.0)))
        negative = np.flatnonzero(scaling < floor)
        if negative.size:
            product = int(negative[np.argmin(scaling[negative])])
            raise self._error_at(
                product,
                "would have to run a negative number of times: a loop consumes more of a "
                "product than the loop produces",
            )
        return scaling

    def intensities(self) -> np.ndarray:
        """Cumulative kg CO2e per unit of every product and quantity: ``A^-T C`` (n, Q)."""
        return self.lu.solve(self.direct, trans="T")

    def stage_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Stage load ``L`` of staged products and background intensity ``Y`` of background ones, both (n, Q)."""
        if self._stage_terms is None:
            stage = self.parsed.product_stage
            background = np.flatnonzero(stage < 0)
            staged = np.flatnonzero(stage >= 0)
            loads = np.zeros_like(self.direct)
            background_intensity = np.zeros_like(self.direct)
            if background.size:
                rows = self.matrix[background, :]
                block = rows[:, background].tocsc()
                # The suppliers-first order of the whole matrix, restricted to background products, suits
                # the block as well, so it is not computed again.
                main_order = self.lu.order
                block_order = np.searchsorted(background, main_order[stage[main_order] < 0])
                lu = self._factorise(block, what="background (unstaged) part of the matrix", order=block_order)
                background_intensity[background] = lu.solve(self.direct[background], trans="T")
                loads[staged] = self.direct[staged] - rows[:, staged].T @ background_intensity[background]
            else:
                loads[staged] = self.direct[staged]
            self._stage_terms = (loads, background_intensity)
        return self._stage_terms

    def calculate(self, demand: Mapping[str, float] | None = None) -> FootprintResult:
        """Full result for ``demand`` ({product id: amount in its unit}); the graph's functional unit if None."""
        parsed = self.parsed
        if demand is None:
            product, amount = parsed.functional_unit
            final = np.zeros(parsed.size)
            final[product] = amount
            spec = dict(parsed.functional_unit_spec)
        else:
            final = demand_vector(parsed, demand)
            spec = {"demand": dict(demand)}
        scaling = self.scaling(final)
        by_q = self.direct.T @ scaling
        by_stage_q = self._by_stage(scaling, final)
        return _assemble(parsed, spec, scaling, by_q, by_stage_q)

    def _by_stage(self, scaling: np.ndarray, final: np.ndarray) -> np.ndarray:
        loads, background_intensity = self.stage_terms()
        stage = self.parsed.product_stage
        staged = stage >= 0
        out = np.zeros((len(STAGES) + 1, len(QUANTITIES)))
        weighted = loads[staged] * scaling[staged, None]
        for q in range(len(QUANTITIES)):
            out[: len(STAGES), q] = np.bincount(stage[staged], weights=weighted[:, q], minlength=len(STAGES))
        out[-1] = final @ background_intensity
        return out

    def scaling_many(self, demands: np.ndarray, *, batch: int = 256) -> np.ndarray:
        """Scaling vectors for many demand columns (n, m), solved in batches against the one factorisation."""
        demands = np.asarray(demands, dtype=np.float64)
        out = np.empty_like(demands)
        for start in range(0, demands.shape[1], batch):
            out[:, start : start + batch] = self.lu.solve(demands[:, start : start + batch])
        return out

    def solve_many(self, demands: Sequence[tuple[str, float]]) -> CatalogueResult:
        """Totals, gases and stages for many functional units (product id, amount) at once.

        Every result is linear in the demand, so the transposed system is solved once for all quantities
        and stage loads (``A^-T [C | L_k]``); each functional unit then costs one sparse dot product. This
        equals solving ``A s = f`` for every unit (the tests check it) at a fraction of the cost.
        """
        parsed = self.parsed
        if self._catalogue_operator is None:
            loads, background_intensity = self.stage_terms()
            stage = parsed.product_stage
            load_total = _excluding_biogenic(loads)
            per_stage = np.column_stack([np.where(stage == k, load_total, 0.0) for k in range(len(STAGES))])
            solved = self.lu.solve(np.hstack([self.direct, per_stage]), trans="T")
            self._catalogue_operator = np.hstack([solved, _excluding_biogenic(background_intensity)[:, None]])
        columns, amounts = [], []
        for product_id, amount in demands:
            position = parsed.index.get(product_id)
            if position is None:
                raise GraphError(f"demand refers to unknown process or product {product_id!r}")
            columns.append(position)
            amounts.append(float(amount))
        amounts_array = np.asarray(amounts)
        rows = self._catalogue_operator[np.asarray(columns, dtype=np.int64)] * amounts_array[:, None]
        q = len(QUANTITIES)
        by_gas = rows[:, :q]
        return CatalogueResult(
            product_ids=[parsed.product_ids[c] for c in columns],
            amounts=amounts_array,
            total_kg_co2e=_excluding_biogenic(by_gas),
            total_including_biogenic_kg_co2e=by_gas.sum(axis=1),
            by_gas=by_gas,
            by_stage=rows[:, q:],
        )


def _data_quality(weights: np.ndarray, ratings: np.ndarray) -> dict[str, float | None]:
    """Emission-weighted mean ratings over exchanges that carry ratings, and the share of emissions rated."""
    rated = ratings[:, 0] > 0
    total, rated_total = weights.sum(), weights[rated].sum()
    quality: dict[str, float | None] = {"coverage": float(rated_total / total) if total > 0 else None}
    for position, key in enumerate(("technology", "geography", "time")):
        quality[key] = float(weights[rated] @ ratings[rated, position] / rated_total) if rated_total > 0 else None
    return quality


def _factors_used(
    parsed: ParsedGraph, contribution: np.ndarray, including: np.ndarray, total: float
) -> list[FactorContribution]:
    has_source = parsed.ex_source >= 0
    count = len(parsed.sources)
    kg = np.bincount(parsed.ex_source[has_source], weights=contribution[has_source], minlength=count)
    kg_all = np.bincount(parsed.ex_source[has_source], weights=including[has_source], minlength=count)
    used = [
        FactorContribution(
            kind=source.kind,
            id=source.id,
            name=source.name,
            dataset=source.dataset,
            source=source.source,
            source_url=source.source_url,
            licence=source.licence,
            year=source.year,
            kg_co2e=float(kg[i]),
            kg_co2e_including_biogenic=float(kg_all[i]),
            share=float(kg[i] / total) if total else None,
        )
        for i, source in enumerate(parsed.sources)
    ]
    return sorted(used, key=lambda item: -abs(item.kg_co2e))


def _assemble(
    parsed: ParsedGraph, spec: dict[str, Any], scaling: np.ndarray, by_q: np.ndarray, by_stage_q: np.ndarray
) -> FootprintResult:
    per_exchange = parsed.ex_q * scaling[parsed.ex_col, None]
    contribution = _excluding_biogenic(per_exchange)
    including = per_exchange.sum(axis=1)
    total = float(by_q.sum() - by_q[_BIO])
    stage_names = (*STAGES, UNASSIGNED_STAGE)
    present = set(np.unique(parsed.product_stage[parsed.product_stage >= 0]).tolist())
    stage_totals = _excluding_biogenic(by_stage_q)
    keep = [
        k
        for k, name in enumerate(stage_names)
        if k in present or (name == UNASSIGNED_STAGE and np.any(by_stage_q[k] != 0))
    ]
    return FootprintResult(
        gwp=parsed.gwp.name,
        gwp_citation=parsed.gwp.citation,
        functional_unit=spec,
        total_kg_co2e=total,
        total_including_biogenic_kg_co2e=float(by_q.sum()),
        biogenic_co2_kg=float(by_q[_BIO]),
        luc_kg_co2e=float(by_q[_LUC]),
        by_gas={gas: float(value) for gas, value in zip(QUANTITIES, by_q, strict=True)},
        by_stage={stage_names[k]: float(stage_totals[k]) for k in keep},
        by_stage_biogenic={stage_names[k]: float(by_stage_q[k, _BIO]) for k in keep},
        primary_data_share=float(contribution[parsed.ex_primary].sum() / total) if total else None,
        data_quality=_data_quality(np.abs(contribution), parsed.ex_dq),
        factors_used=_factors_used(parsed, contribution, including, total),
    )


def factorise(graph: Mapping[str, Any], factors: Mapping[str, FactorRow] | FactorLookup) -> FactorisedSystem:
    """Parse ``graph`` and factorise its technosphere matrix once, for one or many functional units."""
    return FactorisedSystem(parse_graph(graph, factors))


def calculate(graph: Mapping[str, Any], factors: Mapping[str, FactorRow] | FactorLookup) -> FootprintResult:
    """Footprint of the graph's functional unit. Raises GraphError for a graph that cannot be solved."""
    return factorise(graph, factors).calculate()

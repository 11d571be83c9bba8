"""Full footprint results for many functional units from one factorised system.

``FactorisedSystem.solve_many`` gives totals, gases and stages of a catalogue; a stored footprint also
needs what ``FactorisedSystem.calculate`` gives for one unit: biogenic CO2 per stage, primary data share,
data quality and the contribution of every factor and supplier declaration (provenance). Each of these is
a sum over exchanges of (amount per run) x (how often the process runs), i.e. linear in the scaling vector
``s = A^-1 f``; for the unit demand of product ``p`` it is ``(A^-T R)[p]`` for a right-hand side ``R``
with one column per figure. So the transposed system is solved once for all figures and every product
reads its row: thousands of full results cost a few solves, not one each.

Plain Python (numpy/scipy), no Django; ``tests/lca/test_services*.py`` check every figure against
``FactorisedSystem.calculate`` on the same graph.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from lca.engine.footprint import FactorContribution, FactorisedSystem, FootprintResult
from lca.engine.graph import QUANTITIES, STAGES, UNASSIGNED_STAGE, GraphError

__all__ = ["catalogue_results", "check_non_negative"]

_BIO = QUANTITIES.index("CO2_biogenic")
_LUC = QUANTITIES.index("CO2_luc")
_SOURCE_CHUNK = 256
_NEGLIGIBLE = 1e-13


def check_non_negative(system: FactorisedSystem) -> None:
    """Refuse a graph in which some demand would make a process run a negative number of times.

    The technosphere matrix has a positive diagonal and non-positive off-diagonal entries, so every
    demand gives non-negative scalings exactly when ``A`` is a nonsingular M-matrix, which holds exactly
    when ``x = A^-1 1`` is positive (then ``x_i >= 1 / a_ii``). One solve checks every product at once,
    where ``calculate`` checks the one demand it solves.
    """
    x = system.lu.solve(np.ones(system.parsed.size))
    floor = 0.5 / system.matrix.diagonal()
    bad = np.flatnonzero(~np.isfinite(x) | (x < floor))
    if bad.size:
        product = int(bad[np.argmin(x[bad])]) if np.all(np.isfinite(x[bad])) else int(bad[0])
        parsed = system.parsed
        owner = parsed.product_owner[product]
        raise GraphError(
            f"product {parsed.product_ids[product]!r} would have to run a negative number of times: a "
            "loop consumes more of a product than the loop produces",
            process_id=parsed.process_ids[owner],
            pointer=f"/processes/{owner}",
        )


def _per_column(system: FactorisedSystem, selected: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of exchange ``weights`` over the exchanges ``selected``, per matrix column (process run)."""
    parsed = system.parsed
    return np.bincount(parsed.ex_col[selected], weights=weights[selected], minlength=parsed.size)


def catalogue_results(
    system: FactorisedSystem, demands: Sequence[tuple[str, float]], stages_of: Mapping[str, Collection[str]]
) -> list[FootprintResult]:
    """The result ``system.calculate({product: amount})`` gives, for every (product id, amount) in ``demands``.

    ``stages_of`` names, per product id, the stages listed in its result (those its own staged processes
    have), as ``calculate`` on a graph holding that product alone would list them. Factors and
    declarations that contribute nothing are left out of ``factors_used``. Call ``check_non_negative``
    first: like ``solve_many`` this reads rows of ``A^-T``, which never sees a negative scaling.
    """
    parsed = system.parsed
    q = len(QUANTITIES)
    rows = np.empty(len(demands), dtype=np.int64)
    amounts = np.empty(len(demands))
    for k, (product_id, amount) in enumerate(demands):
        position = parsed.index.get(product_id)
        if position is None:
            raise GraphError(f"demand refers to unknown process or product {product_id!r}")
        rows[k], amounts[k] = position, float(amount)

    loads, background = system.stage_terms()
    contribution = parsed.ex_q.sum(axis=1) - parsed.ex_q[:, _BIO]
    everything = np.ones(contribution.size, dtype=bool)
    rated = parsed.ex_dq[:, 0] > 0
    magnitude = np.abs(contribution)
    stage = parsed.product_stage
    load_total = loads.sum(axis=1) - loads[:, _BIO]
    columns = [system.direct]
    columns += [np.where(stage == k, load_total, 0.0)[:, None] for k in range(len(STAGES))]
    columns += [np.where(stage == k, loads[:, _BIO], 0.0)[:, None] for k in range(len(STAGES))]
    columns += [
        _per_column(system, parsed.ex_primary, contribution)[:, None],
        _per_column(system, everything, magnitude)[:, None],
        _per_column(system, rated, magnitude)[:, None],
        *(_per_column(system, rated, magnitude * parsed.ex_dq[:, t])[:, None] for t in range(3)),
    ]
    figures = system.lu.solve(np.hstack(columns), trans="T")[rows] * amounts[:, None]
    kg, kg_all = _source_contributions(system, rows, amounts, contribution)
    unassigned_q = background[rows] * amounts[:, None]
    unassigned = (unassigned_q.sum(axis=1) - unassigned_q[:, _BIO]).tolist()
    unassigned_bio = unassigned_q[:, _BIO].tolist()
    has_unassigned = np.any(unassigned_q != 0, axis=1).tolist()
    contributions = _Contributions(system, kg, kg_all)
    s = len(STAGES)
    results = []
    # Plain Python lists from here: ten thousand rows of small dicts are built faster from lists than from
    # numpy scalars.
    for k, row in enumerate(figures.tolist()):
        product_id, amount = demands[k]
        by_q = row[:q]
        total = sum(by_q) - by_q[_BIO]
        stage_totals, stage_bio = row[q : q + s], row[q + s : q + 2 * s]
        wanted = stages_of.get(product_id, ())
        by_stage = {name: stage_totals[i] for i, name in enumerate(STAGES) if name in wanted}
        by_stage_bio = {name: stage_bio[i] for i, name in enumerate(STAGES) if name in wanted}
        if has_unassigned[k]:
            by_stage[UNASSIGNED_STAGE] = unassigned[k]
            by_stage_bio[UNASSIGNED_STAGE] = unassigned_bio[k]
        primary, weight, rated_weight, *dq = row[q + 2 * s :]
        quality: dict[str, float | None] = {"coverage": rated_weight / weight if weight > 0 else None}
        for name, value in zip(("technology", "geography", "time"), dq, strict=True):
            quality[name] = value / rated_weight if rated_weight > 0 else None
        results.append(
            FootprintResult(
                gwp=parsed.gwp.name,
                gwp_citation=parsed.gwp.citation,
                functional_unit={"process": product_id, "amount": amount, "unit": parsed.product_units[rows[k]]},
                total_kg_co2e=total,
                total_including_biogenic_kg_co2e=sum(by_q),
                biogenic_co2_kg=by_q[_BIO],
                luc_kg_co2e=by_q[_LUC],
                by_gas=dict(zip(QUANTITIES, by_q, strict=True)),
                by_stage=by_stage,
                by_stage_biogenic=by_stage_bio,
                primary_data_share=primary / total if total else None,
                data_quality=quality,
                factors_used=contributions.of(k, total),
            )
        )
    return results


def _source_contributions(
    system: FactorisedSystem, rows: np.ndarray, amounts: np.ndarray, contribution: np.ndarray
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """kg CO2e (excluding and including biogenic CO2) of every source for every demanded product, sparse.

    Sources are solved a chunk at a time and only the demanded rows kept, so a catalogue with thousands
    of supplier declarations stays within memory.
    """
    parsed = system.parsed
    count = len(parsed.sources)
    including = parsed.ex_q.sum(axis=1)
    has_source = parsed.ex_source >= 0
    blocks_kg, blocks_all = [], []
    for start in range(0, max(count, 1), _SOURCE_CHUNK):
        stop = min(start + _SOURCE_CHUNK, count)
        if stop <= start:
            break
        chosen = has_source & (parsed.ex_source >= start) & (parsed.ex_source < stop)
        where = (parsed.ex_col[chosen], parsed.ex_source[chosen] - start)
        rhs_kg = sp.coo_matrix((contribution[chosen], where), shape=(parsed.size, stop - start)).toarray()
        rhs_all = sp.coo_matrix((including[chosen], where), shape=(parsed.size, stop - start)).toarray()
        solved = system.lu.solve(np.hstack([rhs_kg, rhs_all]), trans="T")[rows] * amounts[:, None]
        width = stop - start
        part_kg, part_all = solved[:, :width], solved[:, width:]
        blocks_kg.append(sp.csr_matrix(_without_noise(part_kg)))
        blocks_all.append(sp.csr_matrix(_without_noise(part_all)))
    if not blocks_kg:
        empty = sp.csr_matrix((len(rows), 0))
        return empty, empty
    return sp.hstack(blocks_kg, format="csr"), sp.hstack(blocks_all, format="csr")


def _without_noise(block: np.ndarray) -> np.ndarray:
    """Zero the round-off left where a source cannot reach a product (relative to that product's largest)."""
    scale = np.abs(block).max(axis=1, keepdims=True) if block.size else block
    block[np.abs(block) <= _NEGLIGIBLE * scale] = 0.0
    return block


class _Contributions:
    """Per-product rows of the sparse source contributions, read as plain lists (no sparse row objects)."""

    def __init__(self, system: FactorisedSystem, kg: sp.csr_matrix, kg_all: sp.csr_matrix) -> None:
        self.sources = system.parsed.sources
        self.kg = (kg.indptr.tolist(), kg.indices.tolist(), kg.data.tolist())
        self.kg_all = (kg_all.indptr.tolist(), kg_all.indices.tolist(), kg_all.data.tolist())

    def of(self, k: int, total: float) -> list[FactorContribution]:
        values: dict[int, list[float]] = {}
        for slot, (indptr, indices, data) in enumerate((self.kg, self.kg_all)):
            for at in range(indptr[k], indptr[k + 1]):
                values.setdefault(indices[at], [0.0, 0.0])[slot] = data[at]
        sources = self.sources
        used = [
            FactorContribution(
                kind=sources[i].kind,
                id=sources[i].id,
                name=sources[i].name,
                dataset=sources[i].dataset,
                source=sources[i].source,
                source_url=sources[i].source_url,
                licence=sources[i].licence,
                year=sources[i].year,
                kg_co2e=kg_value,
                kg_co2e_including_biogenic=all_value,
                share=kg_value / total if total else None,
            )
            for i, (kg_value, all_value) in sorted(values.items())
        ]
        return sorted(used, key=lambda item: -abs(item.kg_co2e))

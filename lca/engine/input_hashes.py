"""Input hashes: a fingerprint per product of everything its footprint depends on, to tell an unchanged
footprint without solving anything.

Each process of a built graph (``lca.engine.graph_builder``) is hashed by content, with the values of the factors
it references; hashes are then combined over the supply chain, a loop hashed as one unit (a Merkle hash
over the strongly connected components, suppliers first). The same supply chain gives the same hash
whichever other products share the graph, and a change anywhere upstream changes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

from lca.engine.factors import FactorRow
from lca.engine.graph_builder import BuiltGraph

__all__ = ["METHOD_VERSION", "input_hashes"]

# Changes whenever the way rows become a graph changes, so stored hashes of older footprints stop matching.
METHOD_VERSION: Final = "lca-graph-1"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _factor_fingerprint(row: FactorRow) -> str:
    return json.dumps([row.unit, *row.gas_amounts()], separators=(",", ":"))


def _strong_components(edges: list[list[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, iteratively; emitted sinks first (suppliers before consumers)."""
    n = len(edges)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    for start in range(n):
        if index[start] != -1:
            continue
        work = [(start, 0)]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack[start] = True
        while work:
            node, pointer = work[-1]
            targets = edges[node]
            if pointer < len(targets):
                work[-1] = (node, pointer + 1)
                target = targets[pointer]
                if index[target] == -1:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack[target] = True
                    work.append((target, 0))
                elif on_stack[target]:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def input_hashes(
    built: BuiltGraph, factors: Mapping[str, FactorRow], extra: Mapping[int, str] | None = None
) -> dict[int, str]:
    """A fingerprint per root of everything its footprint depends on.

    Each process is hashed by content (with the values of the factors it references), then hashes are
    combined over the supply chain, loops hashed as one unit: the same supply chain gives the same hash
    whichever other products share the graph, and any change anywhere upstream changes it.
    ``extra`` adds root-specific inputs that are not in the graph (battery energy, for one).
    """
    processes = built.graph["processes"]
    position_of = {process["id"]: position for position, process in enumerate(processes)}
    fingerprints = {key: _factor_fingerprint(row) for key, row in factors.items()}
    local: list[str] = []
    edges: list[list[int]] = []
    for process in processes:
        used = sorted({exchange["factor"] for exchange in process.get("inputs", ()) if "factor" in exchange})
        # repr of the process dict: the builder writes keys in a fixed order and floats repr exactly, so
        # equal processes give equal text; it is several times faster than a sorted json.dumps.
        body = repr(process)
        local.append(_digest(body, *(f"{key}={fingerprints.get(key, '?')}" for key in used)))
        edges.append(
            [position_of[exchange["process"]] for exchange in process.get("inputs", ()) if "process" in exchange]
        )
    merkle = [""] * len(processes)
    for component in _strong_components(edges):
        members = set(component)
        below = sorted({merkle[target] for member in component for target in edges[member] if target not in members})
        digest = _digest(*sorted(local[member] for member in component), "|", *below)
        for member in component:
            merkle[member] = digest
    gwp = str(built.graph.get("gwp"))
    extra = extra or {}
    return {
        pk: _digest(METHOD_VERSION, gwp, process_id, merkle[position_of[process_id]], extra.get(pk, ""))
        for pk, process_id in built.roots.items()
    }

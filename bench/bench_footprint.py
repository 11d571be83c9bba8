"""Benchmark of the footprint engine: a 100,000-process, 500,000-exchange graph, and a 10,000-unit catalogue.

Run: ``python bench/bench_footprint.py``. The synthetic graph is a supply chain (each process takes three
inputs from processes further upstream, one factor input and one direct emission) with loops: a grid
electricity process that uses its own output and takes a little from a mid-chain process that itself uses
electricity, like a real background database. 40% of processes carry no stage, so stage attribution
through background chains is exercised. Targets: build + solve under 2 s; the catalogue under 1 s.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lca.engine.factors import FactorRow
from lca.engine.footprint import FactorisedSystem
from lca.engine.graph import STAGES, parse_graph

PROCESSES = 100_000
CATALOGUE = 10_000
RUNS = 3
TARGET_SECONDS = 2.0
CATALOGUE_TARGET_SECONDS = 1.0


def synthetic_graph(count: int, seed: int = 7) -> tuple[dict, dict[str, FactorRow]]:
    rng = random.Random(seed)
    factors = {
        f"f{k}": FactorRow(
            id=f"f{k}",
            unit="kWh" if k % 2 else "kg",
            co2_fossil=0.1 + k / 100,
            ch4_fossil=1e-4,
            n2o=1e-5,
            name=f"factor {k}",
            source="synthetic",
            licence="CC0-1.0",
        )
        for k in range(50)
    }
    electricity = count - 1
    processes = []
    for i in range(count):
        inputs = []
        for _ in range(3):
            upstream = min(count - 2, i + 1 + int(rng.expovariate(1 / 300)))
            if upstream > i:
                grams = rng.random() < 0.5
                amount = rng.uniform(0.05, 0.3)
                inputs.append(
                    {
                        "process": f"p{upstream}",
                        "amount": amount * 1000 if grams else amount,
                        "unit": "g" if grams else "kg",
                    }
                )
            else:
                inputs.append({"process": f"p{electricity}", "amount": 0.01, "unit": "kWh"})
        factor = rng.randrange(50)
        inputs.append(
            {
                "factor": f"f{factor}",
                "amount": rng.uniform(0.1, 2.0),
                "unit": "kWh" if factor % 2 else "kg",
                "primary": rng.random() < 0.3,
                "dq": {"technology": 1, "geography": 2, "time": 2},
            }
        )
        process = {
            "id": f"p{i}",
            "output": {"amount": 1, "unit": "kg"},
            "inputs": inputs,
            "emissions": [{"gas": "CO2_fossil", "amount": rng.uniform(0.01, 0.5), "unit": "kg"}],
        }
        if rng.random() < 0.6:
            process["stage"] = STAGES[rng.randrange(len(STAGES))]
        processes.append(process)
    # The grid: electricity uses electricity (losses) and a mid-chain product, which itself uses electricity.
    processes[electricity] = {
        "id": f"p{electricity}",
        "output": {"amount": 1, "unit": "kWh"},
        "inputs": [
            {"process": f"p{electricity}", "amount": 0.08, "unit": "kWh"},
            {"process": f"p{count // 2}", "amount": 0.001, "unit": "kg"},
            {"factor": "f1", "amount": 1.0, "unit": "kWh"},
        ],
        "emissions": [{"gas": "CH4_fossil", "amount": 0.001, "unit": "kg"}],
    }
    processes[count // 2]["inputs"].append({"process": f"p{electricity}", "amount": 0.5, "unit": "kWh"})
    return {"gwp": "AR6", "functional_unit": {"process": "p0", "amount": 1}, "processes": processes}, factors


def main() -> None:
    graph, factors = synthetic_graph(PROCESSES)
    exchanges = sum(len(p["inputs"]) + len(p.get("emissions", [])) for p in graph["processes"])
    print(
        f"graph: {PROCESSES:,} processes, {exchanges:,} exchanges; load average {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} cores (wall time exceeds cpu time when other work shares the cores)"
    )

    # Three runs on the same graph: the first pays one-off costs (memory growth, unit-parser caches); a
    # worker that recalculates footprints all day sees the later ones. Times are CPU seconds of this
    # process (the cores are shared with other jobs, which stretches wall time); the verdict uses the median.
    cpu_totals, wall_totals = [], []
    for run in range(1, RUNS + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        parsed = parse_graph(graph, factors)
        cpu_built = time.process_time()
        system = FactorisedSystem(parsed)
        result = system.calculate()
        cpu_solved, wall = time.process_time(), time.perf_counter() - started
        cpu_totals.append(cpu_solved - cpu_started)
        wall_totals.append(wall)
        build, solve = cpu_built - cpu_started, cpu_solved - cpu_built
        print(
            f"run {run}: build (parse, check, units, triplets) {build:.3f} s + solve (order, factorise, scale, "
            f"stages, provenance) {solve:.3f} s = {build + solve:.3f} s cpu (wall {wall:.3f} s)"
        )
    median = statistics.median(cpu_totals)
    verdict = "OK" if median < TARGET_SECONDS else "OVER"
    print(
        f"build + solve, median of {RUNS}: {median:.3f} s cpu (target {TARGET_SECONDS:.1f} s) {verdict}; "
        f"wall median {statistics.median(wall_totals):.3f} s"
    )
    print(
        f"  footprint of p0: {result.total_kg_co2e:,.3f} kg CO2e; stages sum "
        f"{sum(result.by_stage.values()):,.3f}; primary share {result.primary_data_share:.3f}"
    )

    rng = random.Random(11)
    demands = [(f"p{rng.randrange(PROCESSES)}", rng.uniform(0.5, 5.0)) for _ in range(CATALOGUE)]
    started = time.process_time()
    catalogue = system.solve_many(demands)
    elapsed = time.process_time() - started
    verdict = "OK" if elapsed < CATALOGUE_TARGET_SECONDS else "OVER"
    print(
        f"catalogue: {CATALOGUE:,} functional units in {elapsed:.3f} s cpu "
        f"({CATALOGUE / elapsed:,.0f}/s; target {CATALOGUE_TARGET_SECONDS:.1f} s) {verdict}"
    )
    check = system.calculate({demands[0][0]: demands[0][1]}).total_kg_co2e
    print(f"  unit 0: catalogue {catalogue.total_kg_co2e[0]:,.6f} vs full solve {check:,.6f} kg CO2e")


if __name__ == "__main__":
    main()

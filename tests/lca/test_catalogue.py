"""Many full results from one factorisation equal ``calculate`` on each product's own graph (no database).

Random catalogues with factors, direct emissions, supplier declarations, bills of materials with and
without stages, and upstream-product loops are built with ``lca.engine.graph_builder``; every figure of every
product solved together (``lca.engine.catalogue``) must equal the engine's result on a graph of that product alone.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lca.engine.catalogue import catalogue_results, check_non_negative
from lca.engine.factors import FactorRow
from lca.engine.footprint import GraphError, calculate, factorise
from lca.engine.graph_builder import (
    ActivityInput,
    BomInput,
    Catalogue,
    ProductNode,
    SupplierDeclaration,
    build_graph,
)
from lca.engine.input_hashes import input_hashes

FACTORS = {
    "grid": FactorRow(id="grid", unit="kWh", co2e_other=0.5, name="grid", source="test", licence="CC0-1.0"),
    "gas": FactorRow(
        id="gas",
        unit="kg",
        co2_fossil=2.0,
        ch4_fossil=0.01,
        n2o=0.0001,
        co2_biogenic=-0.1,
        name="gas",
        source="test",
        licence="CC0-1.0",
    ),
}
STAGES = ("raw_material", "production", "distribution")


def random_catalogue(seed: int, count: int) -> Catalogue:
    """Products whose loops stay productive: upstream amounts <= 0.3, BOM quantities < 1 to lower ids."""
    rng = random.Random(seed)
    products: dict[int, ProductNode] = {}
    for pk in range(1, count + 1):
        activities = []
        for k in range(rng.randint(0, 3)):
            stage, roll = rng.choice(STAGES), rng.random()
            dq = (rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)) if rng.random() < 0.5 else None
            if roll < 0.35:
                activities.append(
                    ActivityInput(
                        pk * 100 + k,
                        stage,
                        "x",
                        rng.uniform(0, 3),
                        "kWh",
                        factor="grid",
                        primary=rng.random() < 0.5,
                        dq=dq,
                    )
                )
            elif roll < 0.6:
                activities.append(ActivityInput(pk * 100 + k, stage, "x", rng.uniform(0, 3000), "g", factor="gas"))
            elif roll < 0.8:
                activities.append(
                    ActivityInput(
                        pk * 100 + k, stage, "x", rng.uniform(0, 1), "kg", gas="CH4_biogenic", primary=True, dq=dq
                    )
                )
            else:
                activities.append(
                    ActivityInput(
                        pk * 100 + k, stage, "x", rng.uniform(0, 0.3), "piece", upstream=rng.randint(1, count)
                    )
                )
        lines = []
        if pk > 3:
            for component in rng.sample(range(1, pk), min(2, pk - 1)):
                lines.append(
                    BomInput(
                        pk * 1000 + component,
                        component,
                        rng.uniform(0.1, 0.9),
                        "piece",
                        rng.choice(["", "raw_material", "production"]),
                    )
                )
        supplier = None
        if rng.random() < 0.5:
            supplier = SupplierDeclaration(
                pk, rng.uniform(1, 5), "piece", -0.2, 0.1, "AR6", rng.random() < 0.5, "PACT", f"supplier of {pk}"
            )
        products[pk] = ProductNode(pk, f"product {pk}", "piece", activities=activities, bom=lines, supplier=supplier)
    return Catalogue(products, dict(FACTORS))


def flat(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a result dict by path; factors_used keyed by id (order of ties may differ)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "factors_used":
                for entry in item:
                    out.update(flat(entry, f"{path}/factors_used/{entry['id']}"))
            else:
                out.update(flat(item, f"{path}/{key}"))
        return out
    return {path: value}


def used_only(result: dict[str, Any]) -> dict[str, Any]:
    """Factors that contribute nothing are left out of stored results (both ways of computing)."""
    kept = [e for e in result["factors_used"] if e["kg_co2e"] or e["kg_co2e_including_biogenic"]]
    return {**result, "factors_used": kept}


@given(seed=st.integers(min_value=0, max_value=10_000), count=st.integers(min_value=1, max_value=25))
@settings(max_examples=25, deadline=None)
def test_catalogue_results_equal_one_graph_per_product(seed: int, count: int) -> None:
    catalogue = random_catalogue(seed, count)
    roots = list(catalogue.products)
    built = build_graph(catalogue, roots)
    system = factorise(built.graph, catalogue.factors)
    check_non_negative(system)
    together = catalogue_results(
        system, [(built.roots[pk], 1.0) for pk in roots], {built.roots[pk]: built.root_stages[pk] for pk in roots}
    )
    hashes = input_hashes(built, catalogue.factors)
    for pk, result in zip(roots, together, strict=True):
        alone = build_graph(catalogue, [pk])
        expected = flat(used_only(calculate(alone.graph, catalogue.factors).as_dict(12)))
        got = flat(used_only(result.as_dict(12)))
        assert set(got) == set(expected), pk
        for path, value in expected.items():
            if isinstance(value, str | type(None)) or path.endswith("/year"):
                assert got[path] == value, (pk, path)
            else:
                assert float(got[path]) == pytest.approx(float(value), rel=1e-9, abs=1e-12), (pk, path)
        assert input_hashes(alone, catalogue.factors)[pk] == hashes[pk]


def test_an_unproductive_loop_is_found_by_one_solve() -> None:
    # P1 takes 2 of P2 and P2 takes 0.6 of P1: the loop needs 1.2 of P1 per P1, so x = A^-1 1 goes negative.
    products = {
        1: ProductNode(1, "P1", "kg", bom=[BomInput(1, 2, 2.0, "kg", "raw_material")]),
        2: ProductNode(
            2,
            "P2",
            "kg",
            bom=[BomInput(2, 1, 0.6, "kg", "raw_material")],
            activities=[ActivityInput(3, "production", "x", 1.0, "kg", gas="CO2_fossil")],
        ),
    }
    built = build_graph(Catalogue(products, {}), [1, 2])
    system = factorise(built.graph, {})
    with pytest.raises(GraphError, match="negative"):
        check_non_negative(system)
    with pytest.raises(GraphError):
        calculate(build_graph(Catalogue(products, {}), [1]).graph, {})


def test_every_exchange_is_traced_to_its_row() -> None:
    products = {
        1: ProductNode(
            1,
            "cell",
            "piece",
            activities=[
                ActivityInput(11, "production", "x", 1.0, "kWh", factor="grid"),
                ActivityInput(12, "production", "x", 0.1, "kg", gas="CO2_fossil"),
            ],
            bom=[BomInput(13, 2, 0.5, "kg", "raw_material"), BomInput(14, 3, 1.0, "piece", "")],
        ),
        2: ProductNode(2, "cathode", "kg", supplier=SupplierDeclaration(15, 9.0, "kg", 0, 0, "AR6", True, "PACT", "c")),
        3: ProductNode(3, "tab", "piece"),
    }
    built = build_graph(Catalogue(products, dict(FACTORS)), [1])
    traced = {(origin.kind, origin.pk) for origin in built.origin.values()}
    assert traced == {
        ("activity", 11),
        ("activity", 12),
        ("bom_line", 13),
        ("bom_line", 14),
        ("supplier_footprint", 15),
    }
    processes = built.graph["processes"]
    for (position, key, index), origin in built.origin.items():
        exchange = processes[position][key][index]
        if origin.kind == "bom_line":
            assert exchange["process"] in ("p2", "p3#fu")
        elif origin.kind == "supplier_footprint":
            assert exchange["footprint"]["id"] == "supplier-footprint:15"
    assert [gap["product"] for gap in built.gaps[1]] == [3]

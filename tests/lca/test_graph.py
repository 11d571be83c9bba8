"""Parsing the process graph into engine arrays."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

from lca.engine.factors import FactorRow
from lca.engine.graph import QUANTITIES, GraphError, demand_vector, parse_graph

FACTORS = {"elec": FactorRow(id="elec", unit="kWh", co2_fossil=0.5, ch4_fossil=0.001, source="s", licence="l")}


def spec(processes: list[dict[str, Any]], fu: str = "A") -> dict[str, Any]:
    return {"gwp": "AR6", "functional_unit": {"process": fu, "amount": 1}, "processes": processes}


def test_coproducts_become_allocated_columns() -> None:
    parsed = parse_graph(
        spec(
            [
                {
                    "id": "A",
                    "output": {"amount": 2, "unit": "kg"},
                    "stage": "production",
                    "inputs": [{"factor": "elec", "amount": 4, "unit": "kWh"}],
                    "coproducts": [{"id": "B", "amount": 1, "unit": "kg", "allocation": 0.25}],
                },
            ]
        ),
        FACTORS,
    )
    assert parsed.product_ids == ["A", "B"]
    assert parsed.product_stage.tolist() == [1, 1]  # coproducts share the stage of their process
    # Diagonal: output amounts; each copy of the factor exchange carries its share of 4 kWh x 0.5 kg CO2.
    assert sorted(zip(parsed.a_rows.tolist(), parsed.a_cols.tolist(), parsed.a_vals.tolist(), strict=True)) == [
        (0, 0, 2.0),
        (1, 1, 1.0),
    ]
    co2 = parsed.ex_q[:, QUANTITIES.index("CO2_fossil")]
    expected = [(0, pytest.approx(1.5)), (1, pytest.approx(0.5))]
    assert sorted(zip(parsed.ex_col.tolist(), co2.tolist(), strict=True)) == expected


def test_process_input_amounts_are_in_the_supplier_unit() -> None:
    parsed = parse_graph(
        spec(
            [
                {
                    "id": "A",
                    "output": {"amount": 1, "unit": "piece"},
                    "inputs": [{"process": "B", "amount": 250, "unit": "g"}],
                },
                {"id": "B", "output": {"amount": 1, "unit": "kg"}},
            ]
        ),
        FACTORS,
    )
    off_diagonal = [(r, c, v) for r, c, v in zip(parsed.a_rows, parsed.a_cols, parsed.a_vals, strict=True) if r != c]
    assert off_diagonal == [(1, 0, pytest.approx(-0.25))]


def test_characterisation_happens_with_the_declared_gwp() -> None:
    parsed = parse_graph(
        {
            **spec(
                [
                    {
                        "id": "A",
                        "output": {"amount": 1, "unit": "kg"},
                        "inputs": [{"factor": "elec", "amount": 1, "unit": "kWh"}],
                    }
                ]
            ),
            "gwp": "AR5",
        },
        FACTORS,
    )
    # 0.001 kg CH4 x 28 (AR5) = 0.028 kg CO2e.
    assert parsed.ex_q[0, QUANTITIES.index("CH4_fossil")] == pytest.approx(0.028)
    assert parsed.sources[0].id == "elec"


def test_functional_unit_may_name_a_unit() -> None:
    parsed = parse_graph(
        {
            "functional_unit": {"process": "A", "amount": 500, "unit": "g"},
            "processes": [{"id": "A", "output": {"amount": 1, "unit": "kg"}}],
        },
        FACTORS,
    )
    assert parsed.functional_unit == (0, pytest.approx(0.5))


def test_demand_vector() -> None:
    parsed = parse_graph(
        spec([{"id": "A", "output": {"amount": 1, "unit": "kg"}}, {"id": "B", "output": {"amount": 1, "unit": "kg"}}]),
        FACTORS,
    )
    assert demand_vector(parsed, {"B": 2.0}).tolist() == [0.0, 2.0]
    assert np.array_equal(demand_vector(parsed, [("A", 1.0), ("A", 1.0)]), [2.0, 0.0])
    with pytest.raises(GraphError):
        demand_vector(parsed, {"Z": 1.0})


@pytest.mark.parametrize(
    ("inputs", "pointer"),
    [
        (["not an object"], "/processes/0/inputs/0"),
        ([{"process": "B", "amount": "3", "unit": "kg"}], "/processes/0/inputs/0/amount"),
        ([{"process": "B", "amount": float("nan"), "unit": "kg"}], "/processes/0/inputs/0/amount"),
        ([{"process": "B", "amount": True, "unit": "kg"}], "/processes/0/inputs/0/amount"),
        ([{"process": "B", "amount": 1, "unit": ["kg"]}], "/processes/0/inputs/0/unit"),
        ([{"process": "B", "amount": 1, "unit": "kg"}, {"amount": 1, "unit": "kg"}], "/processes/0/inputs/1"),
        ([{"process": "B", "amount": 1, "unit": "kg"}, {"factor": 7, "amount": 1}], "/processes/0/inputs/1/factor"),
        ([{"factor": "elec", "amount": 1, "unit": "kWh", "primary": "yes"}], "/processes/0/inputs/0/primary"),
    ],
)
def test_bad_inputs_are_located_exactly(inputs: list[Any], pointer: str) -> None:
    with pytest.raises(GraphError) as error:
        parse_graph(
            spec(
                [
                    {"id": "A", "output": {"amount": 1, "unit": "kg"}, "inputs": inputs},
                    {"id": "B", "output": {"amount": 1, "unit": "kg"}},
                ]
            ),
            FACTORS,
        )
    assert error.value.pointer == pointer
    assert error.value.process_id == "A"


def test_declared_process_may_not_have_its_own_exchanges() -> None:
    with pytest.raises(GraphError) as error:
        parse_graph(
            spec(
                [
                    {
                        "id": "A",
                        "output": {"amount": 1, "unit": "kg"},
                        "declared": {"kg_co2e_per_unit": 1, "unit": "kg"},
                        "emissions": [{"gas": "CO2_fossil", "amount": 1, "unit": "kg"}],
                    }
                ]
            ),
            FACTORS,
        )
    assert error.value.pointer == "/processes/0"


def test_mappings_that_are_not_dicts_are_read_like_dicts() -> None:
    # JSON gives dicts; other Mapping types (read-only views, ORM adapters) take the careful path.
    plain = spec(
        [
            {
                "id": "A",
                "output": {"amount": 1, "unit": "kg"},
                "stage": "production",
                "inputs": [{"process": "B", "amount": 2, "unit": "kg"}, {"factor": "elec", "amount": 1, "unit": "kWh"}],
                "emissions": [{"gas": "N2O", "amount": 1, "unit": "g", "primary": True}],
            },
            {"id": "B", "output": {"amount": 1, "unit": "kg"}},
        ]
    )
    frozen = {
        **plain,
        "processes": [
            MappingProxyType(
                {
                    **p,
                    "inputs": [MappingProxyType(e) for e in p.get("inputs", [])],
                    "emissions": [MappingProxyType(e) for e in p.get("emissions", [])],
                }
            )
            for p in plain["processes"]
        ],
    }
    first, second = parse_graph(plain, FACTORS), parse_graph(frozen, FACTORS)
    assert np.array_equal(first.a_vals, second.a_vals)
    assert np.array_equal(first.ex_q, second.ex_q)
    assert second.ex_primary.tolist() == first.ex_primary.tolist() == [True, False]


def test_emission_errors_are_located_exactly() -> None:
    with pytest.raises(GraphError) as error:
        parse_graph(
            spec(
                [
                    {
                        "id": "A",
                        "output": {"amount": 1, "unit": "kg"},
                        "emissions": [
                            {"gas": "N2O", "amount": 1, "unit": "kg"},
                            {"gas": "CO2_fossil", "amount": 1, "unit": "kWh"},
                        ],
                    }
                ]
            ),
            FACTORS,
        )
    assert error.value.pointer == "/processes/0/emissions/1/unit"
    with pytest.raises(GraphError) as error:
        parse_graph(
            spec(
                [
                    {
                        "id": "A",
                        "output": {"amount": 1, "unit": "kg"},
                        "emissions": [{"gas": "N2O", "amount": 1, "unit": "kg", "dq": {"technology": 1}}],
                    }
                ]
            ),
            FACTORS,
        )
    assert error.value.pointer == "/processes/0/emissions/0/dq"

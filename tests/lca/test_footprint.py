"""Hand-checked footprints (every expected number is worked out in the comments) and general properties."""

from __future__ import annotations

import copy
import json
import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lca.data import load_starter_factors
from lca.engine.factors import FactorRow
from lca.engine.footprint import FactorisedSystem, GraphError, calculate, factorise
from lca.engine.graph import parse_graph

REL = 1e-6

FACTORS = {
    "elec": FactorRow(id="elec", unit="kWh", co2_fossil=0.5, name="test grid", source="test source", licence="CC0-1.0"),
    "truck": FactorRow(
        id="truck",
        unit="t.km",
        co2_fossil=0.1,
        co2e_other=0.002,
        name="test truck",
        source="test freight",
        licence="OGL-UK-3.0",
    ),
}


def graph(processes: list[dict[str, Any]], fu: str, amount: float = 1.0, gwp: str = "AR6") -> dict[str, Any]:
    return {"gwp": gwp, "functional_unit": {"process": fu, "amount": amount}, "processes": processes}


def proc(
    pid: str,
    *,
    unit: str = "kg",
    stage: str | None = None,
    inputs: list | None = None,
    emissions: list | None = None,
    amount: float = 1.0,
    **extra: Any,
) -> dict[str, Any]:
    process: dict[str, Any] = {
        "id": pid,
        "output": {"amount": amount, "unit": unit},
        "inputs": inputs or [],
        "emissions": emissions or [],
    }
    if stage:
        process["stage"] = stage
    process.update(extra)
    return process


def co2(kg: float, gas: str = "CO2_fossil", unit: str = "kg", **flags: Any) -> dict[str, Any]:
    return {"gas": gas, "amount": kg, "unit": unit, **flags}


# -- chain -----------------------------------------------------------------------------------------------


def test_chain_of_two_processes_and_a_factor() -> None:
    # B: 3 kWh x 0.5 + 0.1 direct = 1.6 kg CO2e per kg B. A uses 2 kg B and emits 0.2: 2 x 1.6 + 0.2 = 3.4.
    result = calculate(
        graph(
            [
                proc(
                    "A", stage="production", inputs=[{"process": "B", "amount": 2, "unit": "kg"}], emissions=[co2(0.2)]
                ),
                proc(
                    "B",
                    stage="raw_material",
                    inputs=[{"factor": "elec", "amount": 3, "unit": "kWh"}],
                    emissions=[co2(0.1)],
                ),
            ],
            "A",
        ),
        FACTORS,
    )
    assert result.total_kg_co2e == pytest.approx(3.4, rel=REL)
    assert result.by_stage == pytest.approx({"production": 0.2, "raw_material": 3.2}, rel=REL)
    assert result.by_gas["CO2_fossil"] == pytest.approx(3.4, rel=REL)


def test_output_amount_other_than_one_scales_per_unit() -> None:
    # B makes 4 kg per run with 8 kg CO2 -> 2 kg CO2 per kg; A takes 3 kg -> 6.
    result = calculate(
        graph(
            [
                proc("A", inputs=[{"process": "B", "amount": 3, "unit": "kg"}]),
                proc("B", amount=4, emissions=[co2(8)]),
            ],
            "A",
        ),
        FACTORS,
    )
    assert result.total_kg_co2e == pytest.approx(6.0, rel=REL)


# -- loops -----------------------------------------------------------------------------------------------


def test_electricity_used_to_make_electricity_is_solved_exactly() -> None:
    # The grid loses 0.1 kWh of its own output per kWh delivered: it runs 10 / 0.9 times for 10 kWh,
    # each run emitting 0.5 kg: 5 / 0.9 = 5.5555... (a recursive walk would only approach this).
    result = calculate(
        graph(
            [
                proc("X", unit="piece", stage="production", inputs=[{"process": "grid", "amount": 10, "unit": "kWh"}]),
                proc(
                    "grid", unit="kWh", inputs=[{"process": "grid", "amount": 0.1, "unit": "kWh"}], emissions=[co2(0.5)]
                ),
            ],
            "X",
        ),
        FACTORS,
    )
    assert result.total_kg_co2e == pytest.approx(5 / 0.9, rel=REL)


def test_two_process_loop_recycled_material_fed_back() -> None:
    # s1 = 1 + 0.5 s2 and s2 = 0.2 s1, so s1 = 1/0.9 and s2 = 0.2/0.9.
    # Total = s1 x 1 + s2 x 2 = (1 + 0.4) / 0.9 = 1.5555...
    result = calculate(
        graph(
            [
                proc("P1", inputs=[{"process": "P2", "amount": 0.2, "unit": "kg"}], emissions=[co2(1)]),
                proc("P2", inputs=[{"process": "P1", "amount": 0.5, "unit": "kg"}], emissions=[co2(2)]),
            ],
            "P1",
        ),
        FACTORS,
    )
    assert result.total_kg_co2e == pytest.approx(1.4 / 0.9, rel=REL)


# -- multi-output ------------------------------------------------------------------------------------------


def test_coproduct_allocation_with_implicit_main_share() -> None:
    # M emits 10 kg per run and makes 1 kg main + 0.3 kg slag (slag share 0.1, main 0.9).
    # Main: 9 kg per kg. Slag: 1 kg CO2 per 0.3 kg = 3.333... per kg; C takes 0.6 kg slag = 2.0 kg.
    processes = [
        proc(
            "M",
            stage="production",
            emissions=[co2(10)],
            coproducts=[{"id": "slag", "amount": 0.3, "unit": "kg", "allocation": 0.1}],
        ),
        proc("C", stage="production", inputs=[{"process": "slag", "amount": 0.6, "unit": "kg"}]),
    ]
    assert calculate(graph(processes, "M"), FACTORS).total_kg_co2e == pytest.approx(9.0, rel=REL)
    assert calculate(graph(processes, "slag"), FACTORS).total_kg_co2e == pytest.approx(10 / 3, rel=REL)
    assert calculate(graph(processes, "C"), FACTORS).total_kg_co2e == pytest.approx(2.0, rel=REL)


def test_declared_main_share_and_inputs_are_allocated_too() -> None:
    # Inputs are split like emissions: M uses 4 kWh (2 kg CO2) and emits 2 kg: 4 kg per run.
    # Main share 0.75 over 2 kg output: 1.5 per kg. Coproduct share 0.25 over 1 kg: 1.0 per kg.
    processes = [
        proc(
            "M",
            amount=2,
            inputs=[{"factor": "elec", "amount": 4, "unit": "kWh"}],
            emissions=[co2(2)],
            coproducts=[{"id": "co", "amount": 1, "unit": "kg", "allocation": 0.25}],
        ),
    ]
    processes[0]["output"]["allocation"] = 0.75
    assert calculate(graph(processes, "M"), FACTORS).total_kg_co2e == pytest.approx(1.5, rel=REL)
    assert calculate(graph(processes, "co"), FACTORS).total_kg_co2e == pytest.approx(1.0, rel=REL)


def test_allocation_shares_must_add_up_to_one() -> None:
    processes = [proc("M", coproducts=[{"id": "co", "amount": 1, "unit": "kg", "allocation": 0.4}])]
    processes[0]["output"]["allocation"] = 0.5
    with pytest.raises(GraphError) as error:
        calculate(graph(processes, "M"), FACTORS)
    assert error.value.process_id == "M"
    assert error.value.pointer == "/processes/0/coproducts"


# -- units -----------------------------------------------------------------------------------------------


def test_grams_and_kilograms_give_the_same_answer() -> None:
    def with_input(amount: float, unit: str) -> float:
        return calculate(
            graph(
                [
                    proc("A", inputs=[{"process": "B", "amount": amount, "unit": unit}]),
                    proc("B", emissions=[co2(1.5)]),
                ],
                "A",
            ),
            FACTORS,
        ).total_kg_co2e

    # 2,000 g = 2 kg of B at 1.5 kg CO2 per kg = 3.0.
    assert with_input(2000, "g") == pytest.approx(3.0, rel=REL)
    assert with_input(2, "kg") == pytest.approx(3.0, rel=REL)
    assert with_input(0.002, "t") == pytest.approx(3.0, rel=REL)


def test_emissions_and_factor_inputs_convert_units() -> None:
    # 500 g CO2 = 0.5 kg; 2 MWh at 0.5 kg/kWh = 1000 kg; 1 t CH4 AR6 fossil = 29,800 kg CO2e.
    result = calculate(
        graph(
            [
                proc(
                    "A",
                    inputs=[{"factor": "elec", "amount": 2, "unit": "MWh"}],
                    emissions=[co2(500, unit="g"), co2(1, gas="CH4_fossil", unit="t")],
                )
            ],
            "A",
        ),
        FACTORS,
    )
    assert result.total_kg_co2e == pytest.approx(0.5 + 1000 + 29_800, rel=REL)


def test_freight_factor_in_tonne_kilometres() -> None:
    # 500 kg over 400 km = 200 t.km at 0.1 kg CO2 + 0.002 kg CO2e = 20.4 kg CO2e.
    result = calculate(
        graph([proc("A", inputs=[{"factor": "truck", "amount": 200_000, "unit": "kg*km"}])], "A"), FACTORS
    )
    assert result.total_kg_co2e == pytest.approx(20.4, rel=REL)
    assert result.by_gas["CO2e_other"] == pytest.approx(0.4, rel=REL)


def test_wrong_dimension_names_the_exchange() -> None:
    with pytest.raises(GraphError) as error:
        calculate(
            graph(
                [
                    proc(
                        "A",
                        inputs=[
                            {"process": "B", "amount": 1, "unit": "kg"},
                            {"factor": "elec", "amount": 1, "unit": "kg"},
                        ],
                    ),
                    proc("B"),
                ],
                "A",
            ),
            FACTORS,
        )
    assert error.value.process_id == "A"
    assert error.value.pointer == "/processes/0/inputs/1/unit"
    assert "elec" in str(error.value) and "[mass]" in str(error.value)


def test_process_input_in_wrong_unit_names_the_exchange() -> None:
    with pytest.raises(GraphError) as error:
        calculate(
            graph([proc("A", inputs=[{"process": "grid", "amount": 1, "unit": "kg"}]), proc("grid", unit="kWh")], "A"),
            FACTORS,
        )
    assert error.value.pointer == "/processes/0/inputs/0/unit"
    assert "grid" in error.value.message


# -- GWP sets -----------------------------------------------------------------------------------------------


def test_ar5_and_ar6_characterise_methane_and_nitrous_oxide_differently() -> None:
    emissions = [co2(1, gas="CH4_fossil"), co2(1, gas="CH4_biogenic"), co2(1, gas="N2O"), co2(1)]
    ar6 = calculate(graph([proc("A", emissions=emissions)], "A", gwp="AR6"), FACTORS)
    ar5 = calculate(graph([proc("A", emissions=emissions)], "A", gwp="AR5"), FACTORS)
    # AR6: 29.8 + 27.0 + 273 + 1 = 330.8. AR5: 28 + 28 + 265 + 1 = 322.
    assert ar6.total_kg_co2e == pytest.approx(330.8, rel=REL)
    assert ar5.total_kg_co2e == pytest.approx(322.0, rel=REL)
    assert ar6.gwp == "AR6" and "Table 7.15" in ar6.gwp_citation
    assert ar5.gwp == "AR5" and "Table 8.7" in ar5.gwp_citation


def test_default_gwp_set_is_ar6() -> None:
    spec = graph([proc("A", emissions=[co2(1, gas="N2O")])], "A")
    del spec["gwp"]
    assert calculate(spec, FACTORS).total_kg_co2e == pytest.approx(273.0, rel=REL)


# -- biogenic and land-use change ----------------------------------------------------------------------------


def test_biogenic_co2_and_luc_are_kept_apart() -> None:
    # Uptake -1.0 and release 0.4 of biogenic CO2 (net -0.6); 2 kg fossil; 0.3 kg LUC CO2; 0.01 kg biogenic CH4.
    result = calculate(
        graph(
            [
                proc(
                    "A",
                    emissions=[
                        co2(-1.0, gas="CO2_biogenic"),
                        co2(0.4, gas="CO2_biogenic"),
                        co2(2.0),
                        co2(0.3, gas="CO2_luc"),
                        co2(0.01, gas="CH4_biogenic"),
                    ],
                )
            ],
            "A",
        ),
        FACTORS,
    )
    # Excluding biogenic CO2: 2 + 0.3 + 0.01 x 27.0 = 2.57. Including: 2.57 - 0.6 = 1.97.
    assert result.total_kg_co2e == pytest.approx(2.57, rel=REL)
    assert result.total_including_biogenic_kg_co2e == pytest.approx(1.97, rel=REL)
    assert result.biogenic_co2_kg == pytest.approx(-0.6, rel=REL)
    assert result.luc_kg_co2e == pytest.approx(0.3, rel=REL)


def test_only_biogenic_co2_may_be_negative() -> None:
    with pytest.raises(GraphError) as error:
        calculate(graph([proc("A", emissions=[co2(-1.0)])], "A"), FACTORS)
    assert error.value.pointer == "/processes/0/emissions/0/amount"


# -- stages --------------------------------------------------------------------------------------------------


def stage_graph() -> dict[str, Any]:
    # product (production) uses 1 kWh and one use phase; the use phase (use) uses 3 kWh. The grid has no
    # stage, loses 0.1 kWh per kWh, emits 0.5 kg and burns 0.01 kg coal (2 kg CO2/kg, no stage either).
    return graph(
        [
            proc(
                "product",
                unit="piece",
                stage="production",
                emissions=[co2(1.0)],
                inputs=[
                    {"process": "grid", "amount": 1, "unit": "kWh"},
                    {"process": "use phase", "amount": 1, "unit": "piece"},
                ],
            ),
            proc("use phase", unit="piece", stage="use", inputs=[{"process": "grid", "amount": 3, "unit": "kWh"}]),
            proc(
                "grid",
                unit="kWh",
                emissions=[co2(0.5)],
                inputs=[{"process": "grid", "amount": 0.1, "unit": "kWh"}, {"process": "coal", "amount": 0.01}],
            ),
            proc("coal", emissions=[co2(2.0)]),
        ],
        "product",
    )


def test_shared_background_process_counts_toward_each_consuming_stage() -> None:
    stage_graph_spec = stage_graph()
    stage_graph_spec["processes"][2]["inputs"][1]["unit"] = "kg"
    result = calculate(stage_graph_spec, FACTORS)
    # Grid runs (1 + 3) / 0.9 times; per run 0.5 + 0.01 x 2 = 0.52 kg. Production draws 1/0.9 runs:
    # 0.52 / 0.9 = 0.5777...; plus its own 1.0 = 1.5777... Use draws 3/0.9 runs: 1.56 / 0.9 = 1.7333...
    assert result.by_stage["production"] == pytest.approx(1.0 + 0.52 / 0.9, rel=REL)
    assert result.by_stage["use"] == pytest.approx(1.56 / 0.9, rel=REL)
    assert result.total_kg_co2e == pytest.approx(1.0 + 2.08 / 0.9, rel=REL)
    assert "unassigned" not in result.by_stage


def test_background_pulled_by_the_functional_unit_alone_is_unassigned() -> None:
    # The functional unit is the grid itself (no stage): all of it is "unassigned".
    spec = stage_graph()
    spec["processes"][2]["inputs"][1]["unit"] = "kg"
    spec["functional_unit"] = {"process": "grid", "amount": 9, "unit": "kWh"}
    result = calculate(spec, FACTORS)
    # 9 / 0.9 = 10 runs x 0.52 = 5.2 kg.
    assert result.total_kg_co2e == pytest.approx(5.2, rel=REL)
    assert result.by_stage["unassigned"] == pytest.approx(5.2, rel=REL)
    assert result.by_stage["production"] == pytest.approx(0.0, abs=1e-12)


# -- declared footprints (PACT) ---------------------------------------------------------------------------


def test_supplier_declared_footprints_as_input_and_as_process() -> None:
    # Input: 0.5 kg of a part declared at 4 kg CO2e/kg (0.4 of it LUC) and -0.2 kg biogenic CO2/kg:
    # 2.0 kg CO2e (0.2 LUC), -0.1 biogenic. Declared process "separator": 2 m2 at 0.8 per m2 = 1.6.
    result = calculate(
        graph(
            [
                proc(
                    "cell",
                    unit="piece",
                    stage="production",
                    inputs=[
                        {
                            "footprint": {
                                "kg_co2e_per_unit": 4.0,
                                "unit": "kg",
                                "luc_kg_co2e_per_unit": 0.4,
                                "biogenic_co2_kg_per_unit": -0.2,
                                "id": "urn:pact:part",
                                "gwp": "AR6",
                                "source": "supplier PCF",
                            },
                            "amount": 500,
                            "unit": "g",
                            "primary": True,
                        },
                        {"process": "separator", "amount": 2, "unit": "m**2"},
                    ],
                ),
                proc(
                    "separator",
                    unit="m**2",
                    stage="raw_material",
                    declared={"kg_co2e_per_unit": 0.8, "unit": "m**2", "id": "urn:pact:separator"},
                ),
            ],
            "cell",
        ),
        FACTORS,
    )
    assert result.total_kg_co2e == pytest.approx(3.6, rel=REL)
    assert result.luc_kg_co2e == pytest.approx(0.2, rel=REL)
    assert result.biogenic_co2_kg == pytest.approx(-0.1, rel=REL)
    assert result.by_gas["CO2e_declared"] == pytest.approx(3.4, rel=REL)
    assert result.primary_data_share == pytest.approx(2.0 / 3.6, rel=REL)
    declared = {used.id: used.kg_co2e for used in result.factors_used}
    assert declared == pytest.approx({"urn:pact:part": 2.0, "urn:pact:separator": 1.6}, rel=REL)


def test_declared_footprint_in_another_gwp_set_is_refused() -> None:
    with pytest.raises(GraphError) as error:
        calculate(
            graph(
                [
                    proc(
                        "A",
                        inputs=[
                            {
                                "footprint": {"kg_co2e_per_unit": 1, "unit": "kg", "gwp": "AR5"},
                                "amount": 1,
                                "unit": "kg",
                            }
                        ],
                    )
                ],
                "A",
            ),
            FACTORS,
        )
    assert error.value.pointer == "/processes/0/inputs/0/footprint/gwp"


# -- primary share, data quality, provenance ------------------------------------------------------------------


def test_primary_share_and_emission_weighted_data_quality() -> None:
    # Primary: 2 kWh x 0.5 = 1 kg rated (1,1,1). Secondary: 3 kg CO2 rated (3,3,2). Unrated: 1 kg.
    result = calculate(
        graph(
            [
                proc(
                    "A",
                    inputs=[
                        {
                            "factor": "elec",
                            "amount": 2,
                            "unit": "kWh",
                            "primary": True,
                            "dq": {"technology": 1, "geography": 1, "time": 1},
                        }
                    ],
                    emissions=[co2(3, dq={"technology": 3, "geography": 3, "time": 2}), co2(1)],
                )
            ],
            "A",
        ),
        FACTORS,
    )
    assert result.total_kg_co2e == pytest.approx(5.0, rel=REL)
    assert result.primary_data_share == pytest.approx(0.2, rel=REL)
    # Weighted over the 4 kg that carry ratings: technology (1x1 + 3x3)/4 = 2.5; time (1 + 6)/4 = 1.75.
    assert result.data_quality == pytest.approx(
        {"coverage": 0.8, "technology": 2.5, "geography": 2.5, "time": 1.75}, rel=REL
    )


def test_factors_used_carry_source_licence_and_contribution() -> None:
    factors = load_starter_factors()
    # 2 kWh of Korean grid electricity (Ember 2021: 458.081 g/kWh) = 0.916162 kg CO2e.
    result = calculate(
        graph([proc("A", inputs=[{"factor": "electricity-grid-kr-2021", "amount": 2, "unit": "kWh"}])], "A"), factors
    )
    (used,) = result.factors_used
    assert used.id == "electricity-grid-kr-2021"
    assert used.kg_co2e == pytest.approx(0.916162, rel=REL)
    assert used.licence == "CC-BY-4.0"
    assert "Ember" in used.source and used.source_url.startswith("https://")
    assert used.share == pytest.approx(1.0)


def test_factor_lookup_protocol_is_asked_once_for_all_ids() -> None:
    class Table:
        calls: list[set[str]] = []

        def factors_for(self, ids: Any) -> dict[str, FactorRow]:
            self.calls.append(set(ids))
            return {key: FACTORS[key] for key in ids if key in FACTORS}

    table = Table()
    result = calculate(
        graph(
            [
                proc(
                    "A",
                    inputs=[
                        {"factor": "elec", "amount": 1, "unit": "kWh"},
                        {"factor": "truck", "amount": 1, "unit": "t.km"},
                        {"factor": "elec", "amount": 1, "unit": "kWh"},
                    ],
                )
            ],
            "A",
        ),
        table,
    )
    assert table.calls == [{"elec", "truck"}]
    assert result.total_kg_co2e == pytest.approx(0.5 + 0.102 + 0.5, rel=REL)


def test_as_dict_rounds_to_significant_digits_as_decimals() -> None:
    result = calculate(graph([proc("A", emissions=[co2(1 / 3)])], "A"), FACTORS)
    data = result.as_dict(significant_digits=4)
    assert data["total_kg_co2e"] == Decimal("0.3333")
    assert data["significant_digits"] == 4
    assert json.loads(json.dumps(data, default=str))["by_gas"]["CO2_fossil"] == "0.3333"


# -- errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("processes", "fu", "pointer", "process_id", "words"),
    [
        (
            [proc("A", inputs=[{"process": "nowhere", "amount": 1, "unit": "kg"}])],
            "A",
            "/processes/0/inputs/0/process",
            "A",
            "unknown process",
        ),
        (
            [proc("A", inputs=[{"factor": "missing", "amount": 1, "unit": "kg"}])],
            "A",
            "/processes/0/inputs/0/factor",
            "A",
            "unknown emission factor",
        ),
        ([proc("A", amount=0)], "A", "/processes/0/output", "A", "positive"),
        ([proc("A", amount=-2)], "A", "/processes/0/output", "A", "positive"),
        ([proc("A", inputs=[{"process": "A", "amount": 1, "unit": "kg"}])], "A", "/processes/0", "A", "net output"),
        (
            [
                proc("A", inputs=[{"process": "B", "amount": 2, "unit": "kg"}]),
                proc("B", inputs=[{"process": "A", "amount": 1, "unit": "kg"}]),
            ],
            "A",
            "/processes/",
            None,
            "negative number of times",
        ),
        (
            [proc("A", emissions=[{"gas": "SF6", "amount": 1, "unit": "kg"}])],
            "A",
            "/processes/0/emissions/0/gas",
            "A",
            "not one of",
        ),
        (
            [proc("A", inputs=[{"factor": "elec", "amount": 1, "unit": "kWh", "dq": {"technology": 4}}])],
            "A",
            "/processes/0/inputs/0/dq",
            "A",
            "dq",
        ),
        (
            [proc("A", inputs=[{"process": "B", "amount": 1, "unit": "kg", "primary": True}]), proc("B")],
            "A",
            "/processes/0/inputs/0",
            "A",
            "primary/dq",
        ),
        (
            [proc("A", inputs=[{"process": "B", "amount": -1, "unit": "kg"}]), proc("B")],
            "A",
            "/processes/0/inputs/0/amount",
            "A",
            ">= 0",
        ),
        ([proc("A", stage="cradle")], "A", "/processes/0/stage", "A", "stage"),
        ([proc("A"), proc("A")], "A", "/processes/1/id", "A", "used twice"),
        ([proc("A")], "Z", "/functional_unit/process", None, "unknown"),
        ([proc("A", unit="kilo-parsecs-per-fortnight")], "A", "/processes/0/output/unit", "A", "unit"),
    ],
)
def test_unsolvable_graphs_raise_graph_error_with_pointer(
    processes: list, fu: str, pointer: str, process_id: str | None, words: str
) -> None:
    with pytest.raises(GraphError) as error:
        calculate(graph(processes, fu), FACTORS)
    assert error.value.pointer.startswith(pointer)
    if process_id is not None:
        assert error.value.process_id == process_id
    assert words in str(error.value)


def test_singular_loop_is_reported() -> None:
    # A and B each make exactly what the other consumes: no net output is possible (singular matrix).
    with pytest.raises(GraphError) as error:
        calculate(
            graph(
                [
                    proc("A", inputs=[{"process": "B", "amount": 1, "unit": "kg"}]),
                    proc("B", inputs=[{"process": "A", "amount": 1, "unit": "kg"}]),
                ],
                "A",
            ),
            FACTORS,
        )
    assert "singular" in str(error.value)


def test_graph_that_is_not_an_object_or_has_no_processes() -> None:
    with pytest.raises(GraphError):
        calculate([], FACTORS)  # type: ignore[arg-type]
    with pytest.raises(GraphError) as error:
        calculate({"processes": []}, FACTORS)
    assert error.value.pointer == "/processes"
    with pytest.raises(GraphError) as error:
        calculate({"gwp": "AR4", "processes": [proc("A")]}, FACTORS)
    assert error.value.pointer == "/gwp"


# -- many functional units against one factorisation --------------------------------------------------------


def test_solve_many_equals_one_full_calculation_per_unit() -> None:
    spec = stage_graph()
    spec["processes"][2]["inputs"][1]["unit"] = "kg"
    system = factorise(spec, FACTORS)
    demands = [("product", 2.0), ("use phase", 1.0), ("grid", 3.0), ("coal", 0.5)]
    many = system.solve_many(demands)
    for row, (product, amount) in enumerate(demands):
        single = system.calculate({product: amount})
        assert many.total_kg_co2e[row] == pytest.approx(single.total_kg_co2e, rel=1e-9)
        stages = dict(zip(many.stages, many.by_stage[row], strict=True))
        for stage, value in single.by_stage.items():
            assert stages[stage] == pytest.approx(value, rel=1e-9, abs=1e-12)


def test_scaling_many_matches_single_solves() -> None:
    spec = stage_graph()
    spec["processes"][2]["inputs"][1]["unit"] = "kg"
    system = factorise(spec, FACTORS)
    demands = np.eye(system.parsed.size)
    many = system.scaling_many(demands, batch=2)
    for column in range(system.parsed.size):
        assert np.allclose(many[:, column], system.scaling(demands[:, column]))


# -- properties ---------------------------------------------------------------------------------------------


@st.composite
def random_graphs(draw: st.DrawFn) -> dict[str, Any]:
    """Random supply chains: each process takes inputs from later ones, a few loops back, random stages."""
    count = draw(st.integers(min_value=1, max_value=12))
    seed = draw(st.integers(min_value=0, max_value=10_000))
    rng = random.Random(seed)
    stages = [None, "raw_material", "production", "distribution", "use", "end_of_life"]
    processes = []
    for i in range(count):
        inputs: list[dict[str, Any]] = []
        for j in range(i + 1, count):
            if rng.random() < 0.5:
                inputs.append({"process": f"p{j}", "amount": rng.uniform(0.01, 0.4), "unit": "kg"})
        if i > 0 and rng.random() < 0.3:  # a loop back to an earlier (consuming) process, kept productive
            inputs.append({"process": f"p{rng.randrange(i)}", "amount": rng.uniform(0.001, 0.05), "unit": "kg"})
        if rng.random() < 0.5:
            inputs.append({"factor": "elec", "amount": rng.uniform(0, 3), "unit": "kWh"})
        emissions = [
            co2(rng.uniform(0, 2)),
            co2(rng.uniform(0, 0.01), gas="CH4_fossil"),
            co2(rng.uniform(-0.5, 0.5), gas="CO2_biogenic"),
        ]
        processes.append(proc(f"p{i}", stage=rng.choice(stages), inputs=inputs, emissions=emissions))
    return graph(processes, "p0")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_graphs())
def test_stages_add_up_to_the_total(spec: dict[str, Any]) -> None:
    result = calculate(spec, FACTORS)
    assert sum(result.by_stage.values()) == pytest.approx(result.total_kg_co2e, rel=1e-9, abs=1e-12)
    including = sum(result.by_stage.values()) + sum(result.by_stage_biogenic.values())
    assert including == pytest.approx(result.total_including_biogenic_kg_co2e, rel=1e-9, abs=1e-12)
    assert sum(result.by_gas.values()) == pytest.approx(result.total_including_biogenic_kg_co2e, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(random_graphs(), st.floats(min_value=0.001, max_value=1000))
def test_scaling_the_functional_unit_scales_the_result(spec: dict[str, Any], factor: float) -> None:
    base = calculate(spec, FACTORS)
    scaled_spec = copy.deepcopy(spec)
    scaled_spec["functional_unit"]["amount"] = factor
    scaled = calculate(scaled_spec, FACTORS)
    assert scaled.total_kg_co2e == pytest.approx(factor * base.total_kg_co2e, rel=1e-9, abs=1e-12)
    for stage, value in base.by_stage.items():
        assert scaled.by_stage[stage] == pytest.approx(factor * value, rel=1e-9, abs=1e-12)
    assert scaled.primary_data_share == base.primary_data_share or scaled.primary_data_share == pytest.approx(
        base.primary_data_share
    )


@settings(max_examples=40, deadline=None)
@given(random_graphs(), st.randoms(use_true_random=False))
def test_order_of_processes_does_not_change_the_result(spec: dict[str, Any], rnd: random.Random) -> None:
    base = calculate(spec, FACTORS)
    shuffled = copy.deepcopy(spec)
    rnd.shuffle(shuffled["processes"])
    again = calculate(shuffled, FACTORS)
    assert again.total_kg_co2e == pytest.approx(base.total_kg_co2e, rel=1e-9, abs=1e-12)
    assert again.by_stage == pytest.approx(base.by_stage, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(random_graphs())
def test_grams_everywhere_equal_kilograms_everywhere(spec: dict[str, Any]) -> None:
    in_grams = copy.deepcopy(spec)
    for process in in_grams["processes"]:
        for exchange in process["inputs"]:
            if exchange.get("unit") == "kg":
                exchange["amount"] *= 1000
                exchange["unit"] = "g"
        for emission in process["emissions"]:
            emission["amount"] *= 1000
            emission["unit"] = "g"
    assert calculate(in_grams, FACTORS).total_kg_co2e == pytest.approx(
        calculate(spec, FACTORS).total_kg_co2e, rel=1e-9, abs=1e-12
    )


def test_large_loop_ordering_keeps_the_factorisation_exact() -> None:
    # 400 processes in one big loop, listed in a scrambled order: the result must match a dense solve.
    rng = random.Random(3)
    count = 400
    processes = [
        proc(
            f"p{i}",
            inputs=[
                {"process": f"p{(i + 1) % count}", "amount": 0.5, "unit": "kg"},
                {"process": f"p{rng.randrange(count)}", "amount": 0.2, "unit": "kg"},
            ],
            emissions=[co2(rng.uniform(0, 1))],
            stage=rng.choice([None, "production"]),
        )
        for i in range(count)
    ]
    rng.shuffle(processes)
    spec = graph(processes, "p0")
    system = FactorisedSystem(parse_graph(spec, FACTORS))
    dense = system.matrix.toarray()
    final = np.zeros(count)
    final[system.parsed.index["p0"]] = 1
    expected = system.direct.sum(axis=1) - system.direct[:, 1]
    assert system.calculate().total_kg_co2e == pytest.approx(float(expected @ np.linalg.solve(dense, final)), rel=1e-9)

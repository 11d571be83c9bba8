"""Battery footprint per kWh and class, CBAM specific embedded emissions: hand-checked."""

from __future__ import annotations

import math

import pytest

from lca.engine.regulatory import (
    ILLUSTRATIVE_CLASS_BOUNDARIES,
    CbamPrecursor,
    CbamProductionProcess,
    battery_carbon_footprint,
    performance_class,
    specific_embedded_emissions,
)

REL = 1e-6


def test_battery_footprint_per_kwh_over_service_life() -> None:
    # 75 kWh rated x 1,000 full equivalent cycles x 0.9 usable = 67,500 kWh over the service life.
    # Stages except use: 3,000 + 1,500 + 100 + 400 = 5,000 kg -> 0.074074 kg CO2e/kWh (class B: 0.05-0.075).
    footprint = battery_carbon_footprint(
        {"raw_material": 3000.0, "production": 1500.0, "distribution": 100.0, "end_of_life": 400.0, "use": 999.0},
        rated_energy_kwh=75,
        full_equivalent_cycles=1000,
        usable_fraction=0.9,
    )
    assert footprint.total_energy_kwh == pytest.approx(67_500, rel=REL)
    assert footprint.kg_co2e_per_kwh == pytest.approx(5000 / 67_500, rel=REL)
    assert footprint.by_stage_kg_co2e_per_kwh["raw_material"] == pytest.approx(3000 / 67_500, rel=REL)
    assert footprint.excluded_use_stage_kg_co2e == 999.0
    assert footprint.performance_class == "B"
    assert footprint.class_boundaries_illustrative


def test_class_boundaries_are_configurable() -> None:
    adopted = (("A", 0.07), ("B", 0.08), ("C", math.inf))
    footprint = battery_carbon_footprint(
        {"production": 5000.0}, rated_energy_kwh=75, full_equivalent_cycles=1000, boundaries=adopted
    )
    # 5,000 / 75,000 = 0.0667 <= 0.07 -> A under the given table.
    assert footprint.performance_class == "A"
    assert not footprint.class_boundaries_illustrative


def test_performance_class_edges() -> None:
    assert performance_class(0.05) == "A"  # upper bounds are inclusive
    assert performance_class(0.0500001) == "B"
    assert performance_class(10.0) == ILLUSTRATIVE_CLASS_BOUNDARIES[-1][0]
    with pytest.raises(ValueError, match="ascending"):
        performance_class(0.1, (("A", 0.2), ("B", 0.1)))
    with pytest.raises(ValueError, match="exceeds"):
        performance_class(0.3, (("A", 0.2),))


def test_battery_footprint_refuses_unassigned_emissions_and_bad_energy() -> None:
    with pytest.raises(ValueError, match="unassigned"):
        battery_carbon_footprint({"production": 1.0, "unassigned": 2.0}, rated_energy_kwh=1, full_equivalent_cycles=1)
    with pytest.raises(ValueError, match="rated_energy_kwh"):
        battery_carbon_footprint({"production": 1.0}, rated_energy_kwh=0, full_equivalent_cycles=1)
    with pytest.raises(ValueError, match="usable_fraction"):
        battery_carbon_footprint({"production": 1.0}, rated_energy_kwh=1, full_equivalent_cycles=1, usable_fraction=1.5)


def test_cbam_crude_steel_with_pig_iron_precursor() -> None:
    process = CbamProductionProcess(
        installation="KR-POHANG-01",
        reporting_period="2026-Q1",
        good="7206",
        activity_level_t=1000.0,
        direct_emissions_t=300.0,
        heat_imported_t=20.0,
        heat_exported_t=5.0,
        electricity_consumed_mwh=500.0,
        electricity_factor_t_per_mwh=0.4,
        precursors=(CbamPrecursor("pig iron", mass_t=800.0, see_direct=1.8, see_indirect=0.1),),
    )
    see = specific_embedded_emissions(process)
    # AttrEm_direct = 300 + 20 - 5 = 315; EE_InpMat_direct = 800 x 1.8 = 1,440 -> SEE_direct = 1,755 / 1,000.
    # AttrEm_indirect = 500 MWh x 0.4 = 200; EE_InpMat_indirect = 800 x 0.1 = 80 -> SEE_indirect = 0.28.
    assert see.attributed_direct_t == pytest.approx(315.0, rel=REL)
    assert see.precursors_direct_t == pytest.approx(1440.0, rel=REL)
    assert see.see_direct == pytest.approx(1.755, rel=REL)
    assert see.see_indirect == pytest.approx(0.28, rel=REL)
    assert see.see_total == pytest.approx(2.035, rel=REL)
    assert (see.installation, see.reporting_period, see.good) == ("KR-POHANG-01", "2026-Q1", "7206")


def test_cbam_waste_gas_and_exported_electricity_corrections() -> None:
    # 100 + 10 (waste gas in) - 4 (waste gas out) - 6 (electricity exported) = 100 over 50 t -> 2.0.
    see = specific_embedded_emissions(
        CbamProductionProcess(
            installation="i",
            reporting_period="2026",
            good="2523",
            activity_level_t=50.0,
            direct_emissions_t=100.0,
            waste_gas_imported_t=10.0,
            waste_gas_exported_t=4.0,
            electricity_exported_t=6.0,
        )
    )
    assert see.see_direct == pytest.approx(2.0, rel=REL)
    assert see.see_indirect == 0.0


def test_cbam_rejects_zero_activity_and_negative_precursors() -> None:
    with pytest.raises(ValueError, match="activity level"):
        specific_embedded_emissions(CbamProductionProcess("i", "p", "g", activity_level_t=0, direct_emissions_t=1))
    with pytest.raises(ValueError, match="precursor"):
        specific_embedded_emissions(
            CbamProductionProcess(
                "i",
                "p",
                "g",
                activity_level_t=1,
                direct_emissions_t=1,
                precursors=(CbamPrecursor("x", mass_t=-1, see_direct=1),),
            )
        )

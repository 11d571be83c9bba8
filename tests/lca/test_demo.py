"""The demo pack's footprint: computed from its supply chain, traceable to the factors it used, idempotent."""

from __future__ import annotations

import pytest

from lca.demo import seed_lca
from lca.models import ActivityData, Footprint, SupplierFootprint
from passports.demo import seed_tenants

pytestmark = pytest.mark.django_db

# kg CO2e of the shipped factors per unit (AR6; CH4 29.8, N2O 273), read from lca/data/emission_factors.csv.
GRID_KR = 0.458081  # per kWh
GAS = 53.06 + 0.001 * 29.8 + 0.0001 * 273  # per MMBtu: 53.1171
ALUMINIUM = 9115.90131 / 1000  # per kg (the row is per tonne)
STEEL = 3824.09335 / 1000
PP = 2577.57172 / 1000
SEA = 0.01592 + 0.0002  # per t.km
ROAD = 0.10012 + 0.00151


def test_demo_pack_footprint_by_hand() -> None:
    maker = seed_tenants().maker
    demo = seed_lca(maker)
    # Cathode, per kg: 1.02 kg pCAM x 9.8 + 0.45 kg LiOH x 8.5 + 6.5 kWh grid + 0.012 MMBtu gas.
    cathode = 1.02 * 9.8 + 0.45 * 8.5 + 6.5 * GRID_KR + 0.012 * GAS
    # Cell: materials (cathode, graphite, electrolyte, separator, copper, aluminium) + 11.8 kWh + 0.004 MMBtu.
    cell_raw = 0.55 * cathode + 0.36 * 4.9 + 0.16 * 6.2 + 0.95 * 0.9 + 0.09 * 5.6 + 0.075 * ALUMINIUM
    cell_production = 11.8 * GRID_KR + 0.004 * GAS
    # Pack: 288 cells keep their stages; housing, brackets and covers are raw material; assembly 180 kWh;
    # 12,400 t.km by sea and 341 t.km by road to the customer; 186 t.km by road to the recycler.
    raw = 288 * cell_raw + 38 * ALUMINIUM + 12 * STEEL + 6 * PP
    production = 288 * cell_production + 180 * GRID_KR
    distribution = 12_400 * SEA + 341 * ROAD
    end_of_life = 186 * ROAD
    total = raw + production + distribution + end_of_life

    footprint = demo.footprint
    assert footprint is not None
    assert footprint.total_kg_co2e == pytest.approx(total, rel=1e-6)
    assert footprint.by_stage == pytest.approx(
        {"raw_material": raw, "production": production, "distribution": distribution, "end_of_life": end_of_life},
        rel=1e-6,
    )
    # Per kWh of service-life energy: 96 kWh x 1,500 cycles = 144,000 kWh.
    assert footprint.battery_kg_co2e_per_kwh == pytest.approx(total / 144_000, rel=1e-6)
    assert footprint.battery_performance_class == ("A" if total / 144_000 <= 0.05 else "B")

    # The factors it used, each with its source and licence; the grid is the largest factor.
    used = {entry["id"]: entry for entry in footprint.factors_used}
    grid = used["electricity-grid-kr-2021"]
    assert grid["kg_co2e"] == pytest.approx((288 * (11.8 + 0.55 * 6.5) + 180) * GRID_KR, rel=1e-6)
    assert grid["licence"] == "CC-BY-4.0" and grid["source"] and grid["factor"]
    assert {
        "material-aluminium-cans-foil-primary",
        "fuel-natural-gas-hhv",
        "freight-sea-container-ship-average",
        "freight-road-hgv-diesel-average-laden",
    } <= set(used)
    declared = [entry for entry in footprint.factors_used if entry["kind"] == "declared"]
    assert len(declared) == 6 and all(entry["supplier_footprint"] for entry in declared)
    assert sum(entry["share"] for entry in footprint.factors_used) == pytest.approx(1.0, rel=1e-6)
    assert footprint.primary_data_share is not None and 0 < footprint.primary_data_share < 1
    assert footprint.gaps == []


def test_demo_runs_twice_without_changing_anything() -> None:
    maker = seed_tenants().maker
    seed_lca(maker)
    counts = (ActivityData.objects.count(), SupplierFootprint.objects.count(), Footprint.objects.count())
    seed_lca(maker)
    assert (ActivityData.objects.count(), SupplierFootprint.objects.count(), Footprint.objects.count()) == counts

"""Footprints computed from recorded rows, checked by hand (every expected number is worked out beside it)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from lca import services
from lca.computation import FootprintError
from lca.models import Footprint
from tests.lca.conftest import REL, make_activity, make_factor, make_line, make_product, make_supplier, profile_of

pytestmark = pytest.mark.django_db


def test_chain_with_a_factor_and_a_component(org: Any) -> None:
    # B (per kg): 3 kWh x 0.5 kg CO2/kWh + 0.1 kg CO2 direct = 1.6 kg CO2e per kg, all raw material.
    # A (per piece): 2 kg of B on a raw-material BOM line = 3.2, plus 0.2 kg CO2 in production: 3.4 in total.
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    b = make_product(org, "B", unit="kg")
    make_activity(b, "raw_material", 3, "kWh", factor=grid)
    make_activity(b, "production", 0.1, "kg", gas="CO2_fossil")
    a = make_product(org, "A")
    make_line(a, b, 2, "kg", stage="raw_material")
    make_activity(a, "production", 0.2, "kg", gas="CO2_fossil")

    footprint = services.footprint_compute(product=a)

    assert footprint.total_kg_co2e == pytest.approx(3.4, rel=REL)
    assert footprint.by_stage == pytest.approx({"raw_material": 3.2, "production": 0.2}, rel=REL)
    assert footprint.by_gas["CO2_fossil"] == pytest.approx(3.4, rel=REL)
    assert footprint.declared_unit == "piece" and footprint.gwp == "AR6"
    # The factor it used is named with its row, source and licence: 2 x 3 x 0.5 = 3.0 kg from the grid.
    [used] = footprint.factors_used
    assert used["factor"] == grid.pk and used["source"] == "hand-made for tests" and used["licence"] == "CC0-1.0"
    assert used["kg_co2e"] == pytest.approx(3.0, rel=REL)
    assert footprint.is_current and footprint.input_hash


def test_grams_on_the_bom_line_give_the_same_answer(org: Any) -> None:
    # 2,000 g of B at 1.5 kg CO2 per kg = 3.0.
    b = make_product(org, "B", unit="kg")
    make_activity(b, "raw_material", 1.5, "kg", gas="CO2_fossil")
    a = make_product(org, "A")
    make_line(a, b, 2000, "g")
    assert services.footprint_compute(product=a).total_kg_co2e == pytest.approx(3.0, rel=REL)


def test_a_component_keeps_its_own_stages_on_a_line_without_stage(org: Any) -> None:
    # Cell: 1 kg CO2 raw material + 2 kg production. Pack: 3 cells carried over (no stage) + 0.5 distribution.
    # Pack: raw material 3, production 6, distribution 0.5 -> 9.5. With the line on "production": 9 + 0.5.
    cell = make_product(org, "cell")
    make_activity(cell, "raw_material", 1, "kg", gas="CO2_fossil")
    make_activity(cell, "production", 2, "kg", gas="CO2_fossil")
    pack = make_product(org, "pack")
    line = make_line(pack, cell, 3, "piece", stage="")
    make_activity(pack, "distribution", 0.5, "kg", gas="CO2_fossil")
    footprint = services.footprint_compute(product=pack)
    assert footprint.by_stage == pytest.approx({"raw_material": 3.0, "production": 6.0, "distribution": 0.5}, rel=REL)
    services.bom_line_update(line=line, stage="production")
    footprint = services.footprint_compute(product=pack)
    assert footprint.by_stage == pytest.approx({"production": 9.0, "distribution": 0.5}, rel=REL)


def test_electricity_used_to_make_electricity_is_solved_exactly(org: Any) -> None:
    # The grid takes 0.1 kWh of itself per kWh delivered and emits 0.5 kg CO2: 0.5 / 0.9 per kWh.
    # X takes 10 kWh: 5 / 0.9 = 5.5555...
    grid = make_product(org, "grid", unit="kWh")
    make_activity(grid, "production", 0.1, "kWh", upstream_product=grid)
    make_activity(grid, "production", 0.5, "kg", gas="CO2_fossil")
    x = make_product(org, "X")
    make_activity(x, "production", 10, "kWh", upstream_product=grid)
    assert services.footprint_compute(product=x).total_kg_co2e == pytest.approx(5 / 0.9, rel=REL)


def test_two_product_loop(org: Any) -> None:
    # P1 = 1 + 0.2 P2 and P2 = 2 + 0.5 P1 (kg CO2 per kg), so P1 = (1 + 0.4) / 0.9 = 1.5555...
    p1 = make_product(org, "P1", unit="kg")
    p2 = make_product(org, "P2", unit="kg")
    make_activity(p1, "production", 1, "kg", gas="CO2_fossil")
    make_line(p1, p2, 0.2, "kg")
    make_activity(p2, "production", 2, "kg", gas="CO2_fossil")
    make_line(p2, p1, 0.5, "kg")
    assert services.footprint_compute(product=p1).total_kg_co2e == pytest.approx(1.4 / 0.9, rel=REL)
    # And P2 = 2 + 0.5 P1 = 2 + 0.7 / 0.9 = 2.7777...
    assert services.footprint_compute(product=p2).total_kg_co2e == pytest.approx(2 + 0.7 / 0.9, rel=REL)


def test_battery_per_kwh_and_performance_class(org: Any) -> None:
    # 75 kWh rated x 1,000 cycles x 0.9 usable = 67,500 kWh over the service life.
    # Stages except use: 3,000 + 1,500 + 100 + 400 = 5,000 kg -> 0.0740741 kg CO2e/kWh, illustrative class B.
    pack = make_product(org, "pack", rated_energy_kwh=75, full_equivalent_cycles=1000, usable_fraction="0.9")
    for stage, kg in (("raw_material", 3000), ("production", 1500), ("distribution", 100), ("end_of_life", 400)):
        make_activity(pack, stage, kg, "kg", gas="CO2_fossil")
    footprint = services.footprint_compute(product=pack)
    assert footprint.total_kg_co2e == pytest.approx(5000, rel=REL)
    assert footprint.battery_kg_co2e_per_kwh == pytest.approx(5000 / 67_500, rel=REL)
    assert footprint.battery_performance_class == "B"
    assert footprint.battery is not None
    assert footprint.battery["by_stage_kg_co2e_per_kwh"]["raw_material"] == pytest.approx(3000 / 67_500, rel=REL)
    assert footprint.battery["class_boundaries_illustrative"] is True


def test_ar5_and_ar6(org: Any) -> None:
    # 1 kg each of fossil CH4, biogenic CH4 and N2O. AR6: 29.8 + 27.0 + 273 = 329.8. AR5: 28 + 28 + 265 = 321.
    product = make_product(org, "gases", gwp="AR5")
    for gas in ("CH4_fossil", "CH4_biogenic", "N2O"):
        make_activity(product, "production", 1, "kg", gas=gas)
    assert services.footprint_compute(product=product).total_kg_co2e == pytest.approx(321.0, rel=REL)
    services.profile_update(profile=profile_of(product), gwp="AR6")
    footprint = services.footprint_compute(product=product)
    assert footprint.total_kg_co2e == pytest.approx(329.8, rel=REL)
    assert footprint.gwp == "AR6" and "Table 7.15" in footprint.result["gwp_citation"]


def test_biogenic_co2_is_reported_apart(org: Any) -> None:
    # 1 kg fossil CO2 and -0.4 kg biogenic CO2 (uptake): total 1.0, including biogenic 0.6.
    product = make_product(org, "wood part")
    make_activity(product, "raw_material", 1, "kg", gas="CO2_fossil")
    wood = make_factor(org, "wood", "kg", co2_biogenic=-0.4)
    make_activity(product, "raw_material", 1, "kg", factor=wood)
    footprint = services.footprint_compute(product=product)
    assert footprint.total_kg_co2e == pytest.approx(1.0, rel=REL)
    assert footprint.total_including_biogenic == pytest.approx(0.6, rel=REL)
    assert footprint.biogenic_co2_kg == pytest.approx(-0.4, rel=REL)


def test_primary_data_share_and_data_quality(org: Any) -> None:
    # 3 kg primary (dq 1/1/1) and 1 kg secondary (dq 3/3/3): primary share 0.75, ratings weighted by kg:
    # (3 x 1 + 1 x 3) / 4 = 1.5 for each criterion, coverage 1.
    product = make_product(org, "P")
    make_activity(
        product, "production", 3, "kg", gas="CO2_fossil", primary=True, dq_technology=1, dq_geography=1, dq_time=1
    )
    make_activity(product, "production", 1, "kg", gas="CO2_fossil", dq_technology=3, dq_geography=3, dq_time=3)
    footprint = services.footprint_compute(product=product)
    assert footprint.primary_data_share == pytest.approx(0.75, rel=REL)
    assert footprint.data_quality == pytest.approx(
        {"coverage": 1.0, "technology": 1.5, "geography": 1.5, "time": 1.5}, rel=REL
    )


# -- supplier footprints -------------------------------------------------------------------------------------


def test_supplier_footprint_counts_for_a_component_without_data(org: Any) -> None:
    # Separator declared at 0.8 kg CO2e per m2; a cell takes 0.5 m2 = 0.4 kg, on the raw-material line.
    separator = make_product(org, "separator")
    declaration = make_supplier(separator, 0.8, "m**2", partner="Film Co.", pact_id="urn:uuid:1")
    cell = make_product(org, "cell")
    make_line(cell, separator, 0.5, "m**2")
    footprint = services.footprint_compute(product=cell)
    assert footprint.total_kg_co2e == pytest.approx(0.4, rel=REL)
    [used] = footprint.factors_used
    assert used["kind"] == "declared" and used["supplier_footprint"] == declaration.pk
    assert used["source"] == "PACT footprint from a test supplier"
    assert footprint.primary_data_share == pytest.approx(1.0, rel=REL)


def test_only_the_declaration_valid_today_counts(org: Any) -> None:
    # Expired 5.0, current 2.0, future 1.0: the current one counts, 2.0 x 1 kg.
    part = make_product(org, "part")
    today = date.today()
    make_supplier(part, 5.0, valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=1))
    make_supplier(part, 2.0, valid_from=today - timedelta(days=10))
    make_supplier(part, 1.0, valid_from=today + timedelta(days=10))
    product = make_product(org, "product")
    make_line(product, part, 1, "kg")
    assert services.footprint_compute(product=product).total_kg_co2e == pytest.approx(2.0, rel=REL)


def test_own_data_wins_over_a_supplier_declaration(org: Any) -> None:
    # The component's own activity data (1.5) counts, not the declaration (9.0), so the product matches
    # the component's own footprint.
    part = make_product(org, "part", unit="kg")
    make_activity(part, "production", 1.5, "kg", gas="CO2_fossil")
    make_supplier(part, 9.0)
    product = make_product(org, "product")
    make_line(product, part, 1, "kg")
    assert services.footprint_compute(product=product).total_kg_co2e == pytest.approx(1.5, rel=REL)


def test_a_component_without_any_data_is_reported_as_a_gap(org: Any) -> None:
    part = make_product(org, "mystery part")
    product = make_product(org, "product")
    make_line(product, part, 1, "piece")
    make_activity(product, "production", 1, "kg", gas="CO2_fossil")
    footprint = services.footprint_compute(product=product)
    assert footprint.total_kg_co2e == pytest.approx(1.0, rel=REL)
    assert [gap["code"] for gap in footprint.gaps] == ["component_without_data"]
    assert "mystery part" in footprint.gaps[0]["message"]


# -- errors name the row ----------------------------------------------------------------------------------------


def test_a_bom_unit_of_the_wrong_dimension_names_the_line(org: Any) -> None:
    part = make_product(org, "part", unit="kg")
    product = make_product(org, "product")
    line = make_line(product, part, 1, "kWh")
    with pytest.raises(FootprintError) as error:
        services.footprint_compute(product=product)
    assert error.value.row is not None
    assert (error.value.row.kind, error.value.row.pk, error.value.field) == ("bom_line", line.pk, "unit")
    assert error.value.pointer.endswith("/unit") and "[mass]" in error.value.message


def test_a_supplier_declaration_in_another_gwp_set_is_refused_by_name(org: Any) -> None:
    part = make_product(org, "part")
    declaration = make_supplier(part, 1.0, "piece", gwp="AR5")
    product = make_product(org, "product")
    make_line(product, part, 1, "piece")
    with pytest.raises(FootprintError) as error:
        services.footprint_compute(product=product)
    assert error.value.row is not None
    assert (error.value.row.kind, error.value.row.pk, error.value.field) == (
        "supplier_footprint",
        declaration.pk,
        "gwp",
    )


def test_a_loop_that_consumes_all_it_makes_is_refused(org: Any) -> None:
    # P1 takes 2 kg of P2 per kg and P2 takes 0.5 kg of P1: the loop makes nothing net (singular).
    p1 = make_product(org, "P1", unit="kg")
    p2 = make_product(org, "P2", unit="kg")
    make_line(p1, p2, 2, "kg")
    make_line(p2, p1, 0.5, "kg")
    make_activity(p2, "production", 1, "kg", gas="CO2_fossil")
    with pytest.raises(FootprintError) as error:
        services.footprint_compute(product=p1)
    assert "singular" in error.value.message or "negative" in error.value.message
    assert not Footprint.objects.filter(product=p1).exists()


# -- history and hashes ------------------------------------------------------------------------------------------


def test_history_keeps_every_calculation_and_one_current(org: Any) -> None:
    product = make_product(org, "P")
    activity = make_activity(product, "production", 1, "kg", gas="CO2_fossil")
    first = services.footprint_compute(product=product)
    services.activity_update(activity=activity, amount=2)
    second = services.footprint_compute(product=product)
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    assert (first.total_kg_co2e, second.total_kg_co2e) == (1.0, 2.0)
    assert first.input_hash != second.input_hash
    assert Footprint.objects.filter(product=product).count() == 2


def test_input_hash_follows_the_supply_chain_only(org: Any) -> None:
    # Changing an unrelated product leaves the hash alone; changing a component two levels down changes it.
    grid = make_factor(org, "grid", "kWh", co2_fossil=0.5)
    c = make_product(org, "C", unit="kg")
    make_activity(c, "production", 1, "kWh", factor=grid)
    b = make_product(org, "B", unit="kg")
    make_line(b, c, 1, "kg")
    a = make_product(org, "A")
    make_line(a, b, 1, "kg")
    other = make_product(org, "unrelated")
    other_activity = make_activity(other, "production", 1, "kg", gas="CO2_fossil")
    before = services.footprint_compute(product=a).input_hash
    services.activity_update(activity=other_activity, amount=5)
    assert services.footprint_compute(product=a).input_hash == before
    services.factor_update(factor=grid, co2_fossil="0.6")
    assert services.footprint_compute(product=a).input_hash != before

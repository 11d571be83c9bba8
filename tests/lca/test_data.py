"""The starter emission-factor dataset and the CSV reader behind ``load_emission_factors``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lca.data import STARTER_CSV, load_starter_factors
from lca.engine.factors import FactorCsvError, FactorRow, read_factor_csv
from lca.engine.gwp import AR5, AR6
from lca.engine.units import parse_unit

HEADER = (
    "id,dataset,name,activity,unit,region,year,co2_fossil,ch4_fossil,ch4_biogenic,n2o,co2e_other,"
    "source,source_url,licence\n"
)
GOOD = "grid-x,DS,Grid X,electricity,kWh,KR,2021,0.4,0.00001,0,0.000002,0,Pub Table 1,https://example.org,CC-BY-4.0\n"


def test_starter_dataset_loads_and_every_factor_is_cited() -> None:
    factors = load_starter_factors()
    assert len(factors) >= 60
    for row in factors.values():
        assert row.source and row.licence and row.source_url.startswith("https://"), row.id
        assert row.year is not None
        parse_unit(row.unit)
        assert row.kg_co2e(AR6) > 0, row.id


def test_starter_dataset_covers_the_groups_it_claims() -> None:
    factors = load_starter_factors()
    eu27 = {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
    grid_regions = {row.region for row in factors.values() if row.activity == "electricity"}
    assert eu27 | {"KR", "CN", "JP", "US"} <= grid_regions
    freight = {row.id for row in factors.values() if row.activity == "freight"}
    assert {
        "freight-road-hgv-diesel-average-laden",
        "freight-rail-freight-train",
        "freight-sea-container-ship-average",
        "freight-air-international-without-rf",
    } <= freight
    assert {row.unit for row in factors.values() if row.activity == "fuel combustion"} == {"MMBtu"}


@pytest.mark.parametrize(
    ("factor_id", "expected_kg_co2e_ar6"),
    [
        # Ember/OWID 2021: South Korea 458.081 g CO2e/kWh.
        ("electricity-grid-kr-2021", 0.458081),
        # 40 CFR 98 Tables C-1/C-2: natural gas 53.06 kg CO2 + 0.001 kg CH4 x 29.8 + 0.0001 kg N2O x 273 per MMBtu.
        ("fuel-natural-gas-hhv", 53.06 + 0.001 * 29.8 + 0.0001 * 273),
        # UK conversion factors 2025: all HGVs average laden 0.10012 kg CO2 + (0.00002 + 0.00149) kg CO2e per t.km.
        ("freight-road-hgv-diesel-average-laden", 0.10163),
        # UK conversion factors 2025, material use: average plastics 3,172.49932 kg CO2e per tonne.
        ("material-plastics-average-primary", 3172.49932),
        # Nuss and Eckelman 2014, SI Table S38: copper, 2008 supply mix, 2.8 kg CO2-eq per kg (given only as CO2e).
        ("material-copper-supply-mix-glo-2008", 2.8),
    ],
)
def test_spot_values_match_their_sources(factor_id: str, expected_kg_co2e_ar6: float) -> None:
    assert load_starter_factors()[factor_id].kg_co2e(AR6) == pytest.approx(expected_kg_co2e_ar6, rel=1e-9)


def test_gwp_set_changes_only_the_gases_given_as_gases() -> None:
    gas = load_starter_factors()["fuel-coal-bituminous-hhv"]
    # 93.28 + 0.011 x CH4 + 0.0016 x N2O: AR6 - AR5 = 0.011 x 1.8 + 0.0016 x 8.
    assert gas.kg_co2e(AR6) - gas.kg_co2e(AR5) == pytest.approx(0.011 * 1.8 + 0.0016 * 8, rel=1e-9)


def test_sources_document_names_every_dataset_and_licence() -> None:
    text = (STARTER_CSV.parent / "SOURCES.md").read_text(encoding="utf-8")
    for row in load_starter_factors().values():
        assert row.dataset in text, row.dataset
        assert row.licence in text, row.licence
    assert "Gaps" in text


def test_sources_document_states_the_counts_the_file_holds() -> None:
    text = (STARTER_CSV.parent / "SOURCES.md").read_text(encoding="utf-8")
    factors = load_starter_factors().values()
    groups = {
        "electricity": "electricity grids",
        "freight": "freight",
        "material": "materials",
        "fuel combustion": "fuels",
    }
    counted = ", ".join(
        f"{sum(row.activity == activity for row in factors)} {label}" for activity, label in groups.items()
    )
    assert f"{len(factors)} factors: {counted}." in text


def test_reader_accepts_a_file_object_a_path_and_a_byte_order_mark(tmp_path: Path) -> None:
    rows = read_factor_csv(io.StringIO("\ufeff" + HEADER + GOOD))
    assert rows == [
        FactorRow(
            id="grid-x",
            unit="kWh",
            co2_fossil=0.4,
            ch4_fossil=0.00001,
            n2o=0.000002,
            dataset="DS",
            name="Grid X",
            activity="electricity",
            region="KR",
            year=2021,
            source="Pub Table 1",
            source_url="https://example.org",
            licence="CC-BY-4.0",
        )
    ]
    path = tmp_path / "factors.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    assert read_factor_csv(path) == rows
    assert read_factor_csv(str(path)) == rows


def test_reader_reports_every_row_error_with_row_and_column() -> None:
    bad = (
        HEADER
        + GOOD
        + "grid-x,DS,Dup,electricity,kWh,KR,2021,0.4,0,0,0,0,Pub,https://example.org,CC0\n"
        + "Bad Id,DS,N,electricity,kgs-of-stuff,KR,20x1,abc,-1,0,0,0,,ftp://x,\n"
    )
    with pytest.raises(FactorCsvError) as error:
        read_factor_csv(io.StringIO(bad))
    found = {(e.row, e.column) for e in error.value.errors}
    assert (3, "id") in found  # repeated id
    assert {
        (4, "id"),
        (4, "unit"),
        (4, "year"),
        (4, "co2_fossil"),
        (4, "ch4_fossil"),
        (4, "source"),
        (4, "source_url"),
        (4, "licence"),
    } <= found
    assert "row 3, column 'id'" in str(error.value)


def test_reader_requires_the_columns() -> None:
    with pytest.raises(FactorCsvError) as error:
        read_factor_csv(io.StringIO("id,name\nx,y\n"))
    assert {e.column for e in error.value.errors} >= {"unit", "source", "licence"}
    assert all(e.row == 1 for e in error.value.errors)


def test_negative_biogenic_uptake_is_allowed() -> None:
    header = HEADER.rstrip("\n") + ",co2_biogenic\n"
    (row,) = read_factor_csv(io.StringIO(header + GOOD.rstrip("\n") + ",-1.5\n"))
    assert row.co2_biogenic == -1.5
    assert row.kg_co2e(AR6, including_biogenic=True) == pytest.approx(row.kg_co2e(AR6) - 1.5)

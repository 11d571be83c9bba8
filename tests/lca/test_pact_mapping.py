"""lca/pact/mapping.py without a database: decimals, both versions' documents against the published
schemas, the specification's own examples read back, and round trips."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lca.pact.mapping import (
    PactFacts,
    PactMappingError,
    PactRecord,
    decimal_text,
    gtins_of,
    read_document,
    to_v2,
    to_v3,
    urn_match_key,
)
from tests.lca.pact_support import reference, validator

FACTS = PactFacts(
    company_name="Hanbit Cells",
    company_ids=("urn:pact:company:dpp:hanbit",),
    product_ids=("urn:gtin:08801234567893",),
    product_name="NMC cell",
    product_description="Pouch cell, 60 Ah",
    classifications=("urn:pact:productclassification:un-cpc:46410",),
    cpc_code="46410",
    declared_unit="kg",
    unit_amount=Decimal(1),
    mass_kg_per_declared_unit=Decimal(1),
    pcf_excluding_biogenic=Decimal("12.5"),
    pcf_including_biogenic=Decimal("12.4"),
    fossil_ghg=Decimal("12.25"),
    luc_ghg=Decimal("0.25"),
    biogenic_uptake=Decimal("-0.1"),
    fossil_carbon_content=Decimal(0),
    biogenic_carbon_content=Decimal(0),
    primary_data_share=Decimal("40"),
    gwp="AR6",
    geography_country="KR",
    reference_period_start=datetime(2024, 1, 1, tzinfo=UTC),
    reference_period_end=datetime(2025, 1, 1, tzinfo=UTC),
)


def record(**changes: object) -> PactRecord:
    return PactRecord(id=uuid4(), facts=replace(FACTS, **changes), created=datetime(2025, 2, 1, tzinfo=UTC))  # type: ignore[arg-type]  # dataclass replace takes any field


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("1.50"), "1.5"), (Decimal("1E-7"), "0.0000001"), (Decimal("12E+2"), "1200"), (0.1, "0.1"), (-0.0, "0")],
)
def test_decimal_text(value: Decimal | float, text: str) -> None:
    assert decimal_text(value) == text


@given(st.decimals(allow_nan=False, allow_infinity=False, places=9, min_value=-(10**12), max_value=10**12))
def test_decimal_text_round_trips_and_matches_the_v3_pattern(value: Decimal) -> None:
    import re

    text = decimal_text(value)
    assert re.fullmatch(r"[+-]?\d+(\.\d+)?", text)
    assert Decimal(text) == value


@pytest.mark.parametrize(("version", "render"), [("2", to_v2), ("3", to_v3)])
def test_documents_conform_to_the_published_schema(version: str, render: object) -> None:
    check = validator(version, "/components/schemas/ProductFootprint")
    doc = render(record())  # type: ignore[operator]  # one of the two renderers
    assert not [e.message for e in check.iter_errors(doc)]
    deprecated = PactRecord(
        id=uuid4(),
        facts=FACTS,
        created=datetime(2025, 2, 1, tzinfo=UTC),
        version=3,
        preceding_ids=(uuid4(),),
        status="Deprecated",
        updated=datetime(2025, 3, 1, tzinfo=UTC),
    )
    assert not [e.message for e in check.iter_errors(render(deprecated))]  # type: ignore[operator]  # as above


def test_v2_has_no_piece_unit_but_v3_does() -> None:
    with pytest.raises(PactMappingError, match="no declared unit"):
        to_v2(record(declared_unit="piece"))
    assert to_v3(record(declared_unit="piece"))["pcf"]["declaredUnitOfMeasurement"] == "piece"


@pytest.mark.parametrize(
    "bad",
    [
        {"declared_unit": "furlong"},
        {"product_ids": ("08801234567893",)},
        {"pcf_excluding_biogenic": Decimal(-1)},
        {"biogenic_uptake": Decimal(1)},
        {"geography_country": "Korea"},
    ],
)
def test_facts_that_pact_cannot_carry_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(PactMappingError):
        to_v3(record(**bad))


@pytest.mark.parametrize("version", ["2", "3"])
def test_the_specifications_examples_are_read(version: str) -> None:
    folder = reference(version)
    example = json.loads((folder / "get-footprint-response.json").read_text())["data"]
    got = read_document(example)
    # v2 example: pCfExcludingBiogenic "1.63" per liter; v3 example: pcfExcludingBiogenicUptake "1.85" per 1 liter.
    assert got.declared_unit == "L"
    assert got.kg_co2e_per_unit == (Decimal("1.63") if version == "2" else Decimal("1.85"))
    listing = json.loads((folder / "list-footprints-response.json").read_text())["data"]
    assert all(read_document(doc).pf_id == doc["id"] for doc in listing)


def test_v3_amounts_are_per_declared_unit_amount() -> None:
    doc = to_v3(record(unit_amount=Decimal("12.5"), pcf_excluding_biogenic=Decimal(25), luc_ghg=Decimal(5)))
    got = read_document(doc)
    # 25 kg CO2e per 12.5 kg = 2 per kg; LUC 5 / 12.5 = 0.4.
    assert (got.kg_co2e_per_unit, got.luc_kg_co2e_per_unit) == (Decimal(2), Decimal("0.4"))


@given(st.decimals(min_value=0, max_value=10**6, places=6), st.sampled_from(["kg", "L", "kWh", "MJ", "m**2"]))
def test_own_documents_read_back_per_unit(total: Decimal, unit: str) -> None:
    rec = record(pcf_excluding_biogenic=total, luc_ghg=Decimal(0), fossil_ghg=total, declared_unit=unit)
    for doc in (to_v2(rec), to_v3(rec)):
        got = read_document(doc)
        assert (got.kg_co2e_per_unit, got.declared_unit, got.pf_id) == (total, unit, str(rec.id))


def test_not_a_footprint_is_refused() -> None:
    with pytest.raises(PactMappingError):
        read_document({"specVersion": "3.0.0", "pcf": {}})
    with pytest.raises(PactMappingError):
        read_document({**to_v3(record()), "specVersion": "9.0.0"})


@pytest.mark.parametrize(
    ("urn", "key"),
    [
        ("urn:gtin:8801234000017", "urn:gtin:08801234000017"),  # GTIN-13 → 14 digits
        ("URN:GTIN:08801234000017", "urn:gtin:08801234000017"),
        ("urn:gtin:012345678905", "urn:gtin:00012345678905"),  # GTIN-12
        ("urn:gtin:96385074", "urn:gtin:00000096385074"),  # GTIN-8
        ("urn:gtin:123", "urn:gtin:123"),  # not a GTIN length: compared as written
        ("urn:gtin:88012340000x7", "urn:gtin:88012340000x7"),
        ("urn:pact:company:dpp:Acme", "urn:pact:company:dpp:acme"),
    ],
)
def test_urn_match_key_compares_gtins_as_14_digits(urn: str, key: str) -> None:
    assert urn_match_key(urn) == key


def test_gtins_of_gives_every_spelling_a_product_may_be_stored_under() -> None:
    assert gtins_of(("urn:gtin:08801234000017",)) == ["08801234000017", "8801234000017"]
    assert gtins_of(("urn:gtin:8801234000017", "urn:lei:529900T8BM49AURSDO55")) == ["08801234000017", "8801234000017"]
    assert gtins_of(("urn:gtin:00000096385074",)) == ["00000096385074", "0000096385074", "000096385074", "96385074"]
    assert gtins_of(("urn:gtin:18801234000014",)) == ["18801234000014"]  # a GTIN-14 with indicator 1 has one form
    assert gtins_of(("urn:gtin:not-digits",)) == []


@pytest.mark.parametrize(("version", "render"), [("2", to_v2), ("3", to_v3)])
def test_a_subdivision_footprint_names_only_its_subdivision(version: str, render: object) -> None:
    """PACT's geography properties are exclusive: a subdivision-specific footprint leaves the country out."""
    doc = render(record(geography_country="KR", geography_subdivision="KR-26"))  # type: ignore[operator]
    assert doc["pcf"]["geographyCountrySubdivision"] == "KR-26" and "geographyCountry" not in doc["pcf"]
    check = validator(version, "/components/schemas/ProductFootprint")
    assert not [e.message for e in check.iter_errors(doc)]


@pytest.mark.parametrize("code", ["JP-13", "KR", "KR-", "kr-26", "KR-2600"])
def test_a_subdivision_outside_the_country_or_malformed_is_refused(code: str) -> None:
    with pytest.raises(PactMappingError, match="ISO 3166-2 subdivision of KR"):
        to_v3(record(geography_country="KR", geography_subdivision=code))

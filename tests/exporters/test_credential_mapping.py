"""Passport data -> UNTP credential input, per shipped schema (no database: plain data in, plain data out)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from exporters.credentials.mapping import FacilityFacts, PassportFacts, credential_input
from exporters.credentials.vc import IssuerInfo, StatusEntry, build_credential, canonical_sha256
from passports.schema_files import example_files
from passports.tiers import render_for_tier

SCHEMAS = Path(__file__).resolve().parents[2] / "passports" / "schemas"
REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
DID = "did:web:dpp.example.com:orgs:hanbit-energy"
PUBLISHED = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def schema_of(category: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{category}-1.0.json").read_text(encoding="utf-8"))


def example(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / "examples" / name).read_text(encoding="utf-8"))


def facts(category: str, data: dict[str, Any], **changes: Any) -> PassportFacts:
    schema = schema_of(category)
    public = render_for_tier(schema, data, "public")
    # GTIN-13 8801234000017: 1*3+0+0+0+4*3... check digit 7 (the battery example's own GTIN).
    fields: dict[str, Any] = {
        "category": category,
        "identifier": "https://dpp.example.com/01/08801234000017",
        "granularity": "model",
        "gtin": "8801234000017",
        "product_name": "Demo product",
        "issuer": IssuerInfo(did=DID, name="Hanbit Energy Solutions Co., Ltd."),
        "issuer_country": "KR",
        "credential_id": "urn:uuid:3f2a9c1e-5b7d-4e21-9a4c-0d6e8f1b2c3a",
        "valid_from": PUBLISHED,
        "data_url": "https://dpp.example.com/orgs/hanbit-energy/credentials/x/data/public.json",
        "public_data": public,
        "schema": schema,
        "cn_code": "85076000",
        "status": [StatusEntry("https://dpp.example.com/orgs/hanbit-energy/status/revocation", 4711, "revocation")],
    }
    fields.update(changes)
    return PassportFacts(**fields)


def test_battery_carbon_footprint_becomes_the_emissions_scorecard_per_kwh() -> None:
    data = example("battery-1.0-ev-pack.json")
    subject = build_credential(credential_input(facts("battery", data)))["credentialSubject"]
    scorecard = subject["emissionsScorecard"]
    # The example's total per lifecycle stage is 0.0501 kg CO2e per kWh.
    assert scorecard == {
        "carbonFootprint": 0.0501,
        "declaredUnit": "KWH",
        "operationalScope": "CradleToGrave",
        "primarySourcedRatio": 0,
    }
    claims = {claim["id"].rsplit("#", 1)[1]: claim for claim in subject["conformityClaim"]}
    assert claims["claim-carbon-footprint"]["conformityEvidence"]["linkURL"].endswith("HBE-P96-2026-study.pdf")
    assert "performance class B" in claims["claim-carbon-footprint"]["description"]
    assert claims["claim-due-diligence"]["conformityTopic"] == "social.rights"
    assert claims["claim-declaration-of-conformity"]["referenceRegulation"]["id"].endswith("/2023/1542/oj")


def test_battery_recycled_shares_go_on_their_materials_not_on_the_whole_product() -> None:
    data = example("battery-1.0-ev-pack.json")
    subject = build_credential(credential_input(facts("battery", data)))["credentialSubject"]
    materials = {material["name"]: material for material in subject["materialsProvenance"]}
    # Cobalt: 6.0 % pre-consumer + 10.5 % post-consumer = 16.5 % -> 0.165; lithium 3.0 + 3.5 = 6.5 % -> 0.065.
    assert materials["Cobalt"]["recycledMassFraction"] == pytest.approx(0.165)
    assert materials["Lithium"]["recycledMassFraction"] == pytest.approx(0.065)
    # Nickel is listed as "Nickel (battery grade)" among critical raw materials and "nickel" among recycled ones.
    assert materials["Nickel"]["recycledMassFraction"] == pytest.approx(0.065)
    assert "recycledContent" not in subject["circularityScorecard"]
    # Hazardous substances (Annex VI Part A(8)): 33.5 % -> 0.335, with a safety link into the passport page.
    oxide = materials["Lithium nickel manganese cobalt oxide"]
    assert oxide["hazardous"] is True
    assert oxide["massFraction"] == pytest.approx(0.335)
    assert oxide["materialSafetyInformation"]["linkURL"].endswith("#material_composition")


def test_only_public_tier_data_reaches_the_credential() -> None:
    data = example("battery-1.0-ev-pack.json")
    credential = build_credential(credential_input(facts("battery", data)))
    text = json.dumps(credential)
    attached = credential["credentialSubject"]["product"]["characteristics"]
    # battery_materials and battery_condition are legitimate-interest data, the test report authority data.
    assert "battery_materials" not in attached["material_composition"]
    assert "battery_condition" not in attached["performance_and_durability"]
    assert "KTR-2026-01882" not in text
    assert "182.4" not in text  # the cathode material's mass (battery_materials)
    # The linked digest is the SHA-256 of the canonical public data, which is also what is attached.
    expected = base64.b64encode(bytes.fromhex(canonical_sha256(attached))).decode()
    assert credential["relatedResource"][0]["digestSRI"] == f"sha256-{expected}"


def test_steel_embedded_emissions_are_converted_to_kilograms_per_tonne() -> None:
    data = example("steel-1.0-hot-rolled-coil.json")
    subject = build_credential(credential_input(facts("steel", data, granularity="batch", lot="C26B11-4417")))[
        "credentialSubject"
    ]
    total = data["embedded_emissions"]["specific_embedded_emissions"]["total"]
    assert subject["emissionsScorecard"]["carbonFootprint"] == pytest.approx(total * 1000)
    assert subject["emissionsScorecard"]["declaredUnit"] == "TNE"
    assert subject["circularityScorecard"]["recycledContent"] == pytest.approx(
        data["production"]["scrap_share"]["total"] / 100
    )
    scrap = [m for m in subject["materialsProvenance"] if m["name"].endswith("scrap")]
    assert scrap
    assert all(m["recycledMassFraction"] == 1 for m in scrap)
    assert subject["product"]["batchNumber"] == "C26B11-4417"


def test_textile_fibres_and_recycled_share() -> None:
    data = example("textile-1.0-recycled-padded-jacket.json")
    subject = build_credential(credential_input(facts("textile", data)))["credentialSubject"]
    share = data["recycled_content"]["recycled_content_share"]
    assert subject["circularityScorecard"]["recycledContent"] == pytest.approx(share / 100)
    fibres = [m for m in subject["materialsProvenance"] if not m.get("hazardous")]
    fractions = [m["massFraction"] for m in fibres if "massFraction" in m]
    assert sum(fractions) == pytest.approx(1.0)  # one component's fibres add up to 100 %
    assert any(c["referenceRegulation"]["id"].endswith("/2011/1007/oj") for c in subject["conformityClaim"])


def test_cbam_installation_is_the_facility_and_its_figures_stay_out() -> None:
    data = example("cbam-installation-1.0-aluminium-extrusion.json")
    credential = build_credential(credential_input(facts("cbam-installation", data)))
    facility = credential["credentialSubject"]["product"]["producedAtFacility"]
    assert facility["name"] == data["installation"]["name"]
    assert facility["id"] == f"{DID}#installation-KR-YC-0007"
    assert "emissionsScorecard" not in credential["credentialSubject"]
    assert "goods" not in credential["credentialSubject"]["product"]["characteristics"]


def test_a_known_facility_with_a_gln_is_named_by_its_gln() -> None:
    data = example("espr-core-1.0-robot-vacuum.json")
    # GLN 8804567000105: check digit 5 (from the example's own facility list).
    known = FacilityFacts(name="Gwangju plant", country="KR", gln="8804567000105", key="7")
    facility = build_credential(credential_input(facts("espr-core", data, facility=known)))["credentialSubject"][
        "product"
    ]["producedAtFacility"]
    assert facility["id"] == "https://id.gs1.org/414/8804567000105"
    assert facility["registeredId"] == "8804567000105"


def test_manufacturer_with_a_gln_is_named_by_its_gs1_link() -> None:
    data = example("espr-core-1.0-robot-vacuum.json")
    party = build_credential(credential_input(facts("espr-core", data)))["credentialSubject"]["product"][
        "producedByParty"
    ]
    assert party == {
        "id": "https://id.gs1.org/417/8804567000006",
        "name": "Saebyeol Electronics Co., Ltd.",
        "registeredId": "8804567000006",
    }


@pytest.mark.parametrize("path", sorted(example_files()), ids=lambda p: p.name)
def test_every_shipped_example_maps_to_a_credential_that_validates_against_untp(path: Path) -> None:
    schema_file = REFERENCE / "untp" / "untp-dpp-schema.json"
    if not schema_file.is_file():
        pytest.skip(f"UNTP reference schema not found at {schema_file} (shared/ is a sibling of the repo)")
    from jsonschema import Draft202012Validator

    category = next(
        c for c in ("cbam-installation", "espr-core", "battery", "steel", "textile") if path.name.startswith(c)
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    credential = build_credential(credential_input(facts(category, data)))
    validator = Draft202012Validator(
        json.loads(schema_file.read_text(encoding="utf-8")), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [(list(error.absolute_path), error.message) for error in validator.iter_errors(credential)]
    assert errors == []

"""Battery Pass 1.2.0 export: each sub-model checked against the consortium's published JSON Schemas.

The reference schemas are draft-04 with ``$ref``s into ``components/schemas``; the validator class is picked
from their ``$schema``. Where our data cannot fill the model (its gaps are listed in ``not_mapped`` or are
members our schema does not record), the test names exactly which requirement is unmet, so a regression in
the mapping cannot hide behind an expected gap.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import FormatChecker
from jsonschema.validators import validator_for

from exporters.batterypass import SUBMODELS, passport_identifier_urn, to_battery_pass

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / ".." / "shared" / "reference" / "batterypass-1.2.0"
EXAMPLES = ROOT / "passports" / "schemas" / "examples"
SCHEMA_FILES = {name: f"{name}-schema.json" for name in SUBMODELS}
IDENTIFIER = "https://dpp.example.com/01/08801234000017/21/P96A2603120417"

# Members the Battery Pass model requires that our battery schema (Annex XIII) does not record.
CONDITION_NOT_RECORDED = {
    "capacityThroughput",
    "remainingEnergy",
    "temperatureInformation",
    "remainingPowerCapability",
    "powerFade",
    "roundTripEfficiencyFade",
    "evolutionOfSelfDischarge",
    "currentSelfDischargingRate",
    "internalResistanceIncrease",
    "remainingRoundTripEnergyEfficiency",
}


def validator(submodel: str) -> Any:
    path = REFERENCE / SCHEMA_FILES[submodel]
    if not path.is_file():
        pytest.skip(f"Battery Pass reference schema not found at {path} (shared/ is a sibling of the repo)")
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    assert cls.__name__ == "Draft4Validator"  # chosen from "$schema": ".../draft-04/schema"
    return cls(schema, format_checker=FormatChecker())


def errors_of(submodel: str, document: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        ("/".join(str(p) for p in error.absolute_path), error.message)
        for error in validator(submodel).iter_errors(document)
    )


def ev_pack() -> dict[str, Any]:
    return json.loads((EXAMPLES / "battery-1.0-ev-pack.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "submodel", ["CarbonFootprintForBatteries", "SupplyChainDueDiligence", "Circularity", "Labeling"]
)
def test_submodels_our_data_fills_validate_as_they_are(submodel: str) -> None:
    exported = to_battery_pass(ev_pack(), identifier=IDENTIFIER)
    assert errors_of(submodel, exported.submodels[submodel]) == []


def test_material_composition_validates_and_names_the_hazard_class_it_could_not_carry() -> None:
    exported = to_battery_pass(ev_pack(), identifier=IDENTIFIER)
    assert errors_of("MaterialComposition", exported.submodels["MaterialComposition"]) == []
    # The example's second substance is classed "carcinogenicity", outside the model's three classes.
    skipped = {item.pointer for item in exported.not_mapped}
    assert "/material_composition/hazardous_substances/1" in skipped
    names = [s["hazardousSubstanceName"] for s in exported.submodels["MaterialComposition"]["hazardousSubstances"]]
    assert names == ["Lithium hexafluorophosphate", "Ethylene carbonate"]


def test_general_information_lacks_only_the_warranty_the_model_cannot_express() -> None:
    exported = to_battery_pass(ev_pack(), identifier=IDENTIFIER)
    # 96 months does not fit the model's gMonth (--MM): the one unmet requirement.
    assert errors_of("GeneralProductInformation", exported.submodels["GeneralProductInformation"]) == [
        ("", "'warrentyPeriod' is a required property")
    ]
    assert any(item.pointer.endswith("/warranty_period") for item in exported.not_mapped)
    data = ev_pack()
    data["general_product_information"]["warranty_period"] = 12
    fitted = to_battery_pass(data, identifier=IDENTIFIER).submodels["GeneralProductInformation"]
    assert fitted["warrentyPeriod"] == "--12"
    assert errors_of("GeneralProductInformation", fitted) == []


def test_performance_lacks_only_what_our_schema_does_not_record() -> None:
    exported = to_battery_pass(ev_pack(), identifier=IDENTIFIER).submodels["PerformanceAndDurability"]
    errors = errors_of("PerformanceAndDurability", exported)
    missing = {message.split("'")[1] for _path, message in errors if "is a required property" in message}
    assert all("required property" in message for _path, message in errors)
    assert missing == CONDITION_NOT_RECORDED | {"powerCapabilityRatio", "temperatureRangeIdleState"}
    # Everything we do record is carried, with the model's names and spellings.
    technical = exported["batteryTechicalProperties"]
    assert technical["ratedCapacity"] == 240.0
    assert technical["initialInternalResistance"][0] == {"ohmicResistance": 62.0, "batteryComponent": "pack"}
    assert exported["batteryCondition"]["stateOfCharge"] == {
        "stateOfChargeValue": 30,
        "lastUpdate": "2026-05-04T09:00:00+02:00",
    }


def test_lifecycle_stages_and_identifiers_are_renamed_to_the_model() -> None:
    exported = to_battery_pass(ev_pack(), identifier=IDENTIFIER)
    stages = exported.submodels["CarbonFootprintForBatteries"]["carbonFootprintPerLifecycleStage"]
    assert stages == [
        {"lifecycleStage": "RawMaterialExtraction", "carbonFootprint": 0.0355},
        {"lifecycleStage": "MainProduction", "carbonFootprint": 0.0131},
        {"lifecycleStage": "Distribution", "carbonFootprint": 0.0009},
        {"lifecycleStage": "Recycling", "carbonFootprint": 0.0006},
    ]
    urn = exported.submodels["GeneralProductInformation"]["batteryPassportIdentifier"]
    assert urn == passport_identifier_urn(IDENTIFIER)
    assert urn != passport_identifier_urn(IDENTIFIER + "8")


def test_the_validator_is_not_vacuous() -> None:
    exported = to_battery_pass(ev_pack(), identifier=IDENTIFIER)
    broken = copy.deepcopy(exported.submodels["Circularity"])
    broken["recycledContent"][0]["recycledMaterial"] = "Copper"
    del broken["endOfLifeInformation"]
    assert len(errors_of("Circularity", broken)) == 2


def test_public_tier_export_reports_what_the_tier_hides_as_missing() -> None:
    from passports.tiers import render_for_tier

    schema = json.loads((ROOT / "passports" / "schemas" / "battery-1.0.json").read_text(encoding="utf-8"))
    public = render_for_tier(schema, ev_pack(), "public")
    labeling = to_battery_pass(public, identifier=IDENTIFIER).submodels["Labeling"]
    assert "resultOfTestReport" not in labeling  # authority-tier data
    assert errors_of("Labeling", labeling) == [("", "'resultOfTestReport' is a required property")]

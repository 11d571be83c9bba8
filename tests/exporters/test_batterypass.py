"""Battery Pass 1.2.0 export: each sub-model checked against the consortium's published JSON Schemas.

The reference schemas are draft-04 with ``$ref``s into ``components/schemas``; the validator class is picked
from their ``$schema``. Where our data cannot fill the model (its gaps are listed in ``not_mapped`` or are
members our schema does not record), the test names exactly which requirement is unmet, so a regression in
the mapping cannot hide behind an expected gap. Battery schema 1.0 stays exported as it was (published
passports keep their schema); 1.1 records what 1.0 lacked, and its tests show the two members left that the
published model types so that the regulation's value cannot be written (a warranty of more than 12 months
as an XML gMonth, the idle temperature range as one number).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import FormatChecker
from jsonschema.validators import validator_for

from exporters.formats.batterypass import SUBMODELS, passport_identifier_urn, to_battery_pass

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


def ev_pack(version: str = "1.0") -> dict[str, Any]:
    return json.loads((EXAMPLES / f"battery-{version}-ev-pack.json").read_text(encoding="utf-8"))


def reference_schema(submodel: str) -> dict[str, Any]:
    validator(submodel)  # skips when the reference is absent
    schema: dict[str, Any] = json.loads((REFERENCE / SCHEMA_FILES[submodel]).read_text(encoding="utf-8"))
    return schema


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``node`` with its ``$ref`` followed, and its members including those its ``allOf`` parts add."""
    while "$ref" in node:
        target = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    members = dict(node.get("properties", {}))
    for part in node.get("allOf", []):
        members.update(_resolved(schema, part)[1])
    return node, members


def leaf_attributes(schema: dict[str, Any], node: dict[str, Any] | None = None, path: str = "") -> list[str]:
    """Every leaf attribute of a sub-model as a path; ``*`` stands for the items of a list."""
    node, members = _resolved(schema, schema if node is None else node)
    if members:
        return [leaf for name, member in members.items() for leaf in leaf_attributes(schema, member, f"{path}/{name}")]
    if node.get("type") == "array" and "items" in node:
        return leaf_attributes(schema, node["items"], f"{path}/*")
    return [path]


def is_filled(document: Any, path: str) -> bool:
    """Whether the export holds a value at ``path`` (in at least one item of each list on the way)."""

    def walk(node: Any, tokens: list[str]) -> bool:
        if not tokens:
            return node is not None
        head, rest = tokens[0], tokens[1:]
        if head == "*":
            return isinstance(node, list) and any(walk(item, rest) for item in node)
        return isinstance(node, dict) and head in node and walk(node[head], rest)

    return walk(document, path.strip("/").split("/"))


def unfilled_in(submodels: dict[str, Any]) -> tuple[int, list[str]]:
    """The number of leaf attributes of all seven sub-models, and those ``submodels`` leave empty."""
    total, unfilled = 0, []
    for submodel in SUBMODELS:
        leaves = leaf_attributes(reference_schema(submodel))
        total += len(leaves)
        unfilled += [f"{submodel}{leaf}" for leaf in leaves if not is_filled(submodels[submodel], leaf)]
    return total, unfilled


def unfilled_attributes(data: dict[str, Any]) -> tuple[int, list[str]]:
    return unfilled_in(to_battery_pass(data, identifier=IDENTIFIER).submodels)


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


# Battery schema 1.1 -----------------------------------------------------------------------------------------

# What the model types so that our value cannot be written, per sub-model: the only requirement left unmet.
UNEXPRESSIBLE = {
    "GeneralProductInformation": [("", "'warrentyPeriod' is a required property")],
    "PerformanceAndDurability": [("batteryTechicalProperties", "'temperatureRangeIdleState' is a required property")],
}


@pytest.mark.parametrize("submodel", SUBMODELS)
def test_battery_1_1_against_each_published_sub_model(submodel: str) -> None:
    exported = to_battery_pass(ev_pack("1.1"), identifier=IDENTIFIER)
    assert errors_of(submodel, exported.submodels[submodel]) == UNEXPRESSIBLE.get(submodel, [])


def test_battery_1_1_leaves_out_only_what_the_model_types_wrongly_and_says_so() -> None:
    exported = to_battery_pass(ev_pack("1.1"), identifier=IDENTIFIER)
    reasons = {item.pointer: item.reason for item in exported.not_mapped}
    assert "gMonth" in reasons["/general_product_information/warranty_period"]
    assert (
        "one temperature"
        in reasons["/performance_and_durability/battery_technical_properties/temperature_range_idle_state"]
    )
    # Given a value of the model's type, each sub-model is complete: nothing else is missing.
    general = copy.deepcopy(exported.submodels["GeneralProductInformation"])
    general["warrentyPeriod"] = "--12"
    assert errors_of("GeneralProductInformation", general) == []
    performance = copy.deepcopy(exported.submodels["PerformanceAndDurability"])
    performance["batteryTechicalProperties"]["temperatureRangeIdleState"] = 25
    assert errors_of("PerformanceAndDurability", performance) == []


def test_battery_1_1_state_of_health_carries_the_model_names_and_spellings() -> None:
    performance = to_battery_pass(ev_pack("1.1"), identifier=IDENTIFIER).submodels["PerformanceAndDurability"]
    technical, condition = performance["batteryTechicalProperties"], performance["batteryCondition"]
    assert technical["powerCapabilityRatio"] == technical["cRate"] == 2.6
    assert condition["remainingEnergy"] == {"remainingEnergyalue": 96.0, "lastUpdate": "2026-05-04T09:00:00+02:00"}
    assert condition["currentSelfDischargingRate"]["currentSelfDischargingRateEntity"] == 2.0
    assert condition["evolutionOfSelfDischarge"] == {"evolutionOfSelfDischargeEntityValue": 0}
    assert condition["remainingPowerCapability"][1] == {
        "remainingPowerCapabilityValue": {
            "atSoC": 20,
            "powerCapabilityAt": 180000,
            "rPCLastUpdated": "2026-05-04T09:00:00+02:00",
        },
        "lastUpdate": "2026-05-04T09:00:00+02:00",
    }
    assert [item["batteryComponent"] for item in condition["internalResistanceIncrease"]] == ["pack", "cell"]
    assert set(condition["temperatureInformation"]) == {
        "timeExtremeHighTemp",
        "timeExtremeLowTemp",
        "timeExtremeHighTempCharging",
        "timeExtremeLowTempCharging",
        "lastUpdate",
    }


def test_attribute_coverage_of_the_demo_battery() -> None:
    """The share of the model's leaf attributes the export fills: 1.0 as published, 1.1 for the demo battery."""
    total, unfilled_1_0 = unfilled_attributes(ev_pack("1.0"))
    assert total == 131
    assert total - len(unfilled_1_0) == 100  # 76 %
    total, unfilled = unfilled_attributes(ev_pack("1.1"))
    assert sorted(unfilled) == [
        # The model's e-mail pattern ([w.-]+@...) refuses every real address.
        "GeneralProductInformation/manufacturerInformation/emailAddress",
        "GeneralProductInformation/operatorInformation/emailAddress",
        "GeneralProductInformation/warrentyPeriod",  # 96 months is no gMonth
        # The demo battery is new: it has had no negative events (an empty list, which the model accepts).
        "PerformanceAndDurability/batteryCondition/negativeEvents/*/lastUpdate",
        "PerformanceAndDurability/batteryCondition/negativeEvents/*/negativeEvent",
        "PerformanceAndDurability/batteryTechicalProperties/temperatureRangeIdleState",  # a range is no number
    ]
    assert (total - len(unfilled)) / total >= 0.90  # 125 of 131: 95 %


def test_the_coverage_count_is_not_vacuous() -> None:
    schema = reference_schema("PerformanceAndDurability")
    leaves = leaf_attributes(schema)
    # allOf parts inside allOf parts are followed: the remaining power capability's value has three members.
    assert {leaf for leaf in leaves if "remainingPowerCapabilityValue" in leaf} == {
        f"/batteryCondition/remainingPowerCapability/*/remainingPowerCapabilityValue/{name}"
        for name in ("atSoC", "powerCapabilityAt", "rPCLastUpdated")
    }
    assert is_filled({"a": [{"b": None}, {"b": 1}]}, "/a/*/b")
    assert not is_filled({"a": []}, "/a/*/b")

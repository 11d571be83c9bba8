"""Our battery passport data as the Battery Pass data model 1.2.0 (DIN DKE SPEC 99100), sub-model by sub-model.

The Battery Pass consortium's model is what many battery-passport systems exchange; ours follows the Battery
Regulation ((EU) 2023/1542, Annex XIII) with snake_case names, and this module renames, restructures and
converts. Where the published model cannot hold a value our data has, the value is left out and listed in
``not_mapped`` with the reason, never bent to fit:

- e-mail addresses of manufacturer and operator: the model's pattern ``^[w.-]+@[w.-]+.[A-Za-z]{2,}$`` (``w``
  where ``\\w`` was meant) refuses every real address;
- the warranty period: the model types it as an XML gMonth (``--MM``), so only 1 to 12 months fit;
- hazard classes and label subjects outside the model's enumerations;
- the idle temperature range, a lower and an upper limit, which the model holds as one number;
- the postal address lines the model lacks (locality, region).
Battery schema 1.0 does not record the power capability ratio and most of the state of health (power fade,
remaining energy, ...); from 1.1 on it does, and they are mapped. Required members the data does not hold
are simply absent, so such a sub-model is incomplete against the reference schema until the data exists. The
battery passport identifier must match ``^urn:[a-z0-9]+:[a-z0-9]+$``, which a GS1 Digital Link cannot; it is
the passport's Digital Link written as a URN (``DigitalLink.urn``: the path in lower-case base32, read back by
``DigitalLink.from_urn``), the same identifier the credential, the resolver and the QR code carry, not a new one.
Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from passports.identifiers import DigitalLink

SUBMODELS: tuple[str, ...] = (
    "GeneralProductInformation",
    "CarbonFootprintForBatteries",
    "SupplyChainDueDiligence",
    "MaterialComposition",
    "Circularity",
    "PerformanceAndDurability",
    "Labeling",
)
VERSION = "1.2.0"

_LIFECYCLE_STAGES = {
    "raw_material": "RawMaterialExtraction",
    "production": "MainProduction",
    "distribution": "Distribution",
    "end_of_life": "Recycling",
}
_HAZARD_CLASSES = {
    "acute_toxicity": "AcuteToxicity",
    "skin_corrosion_or_irritation": "SkinCorrosionOrIrritation",
    "eye_damage_or_irritation": "EyeDamageOrIrritation",
}
_DOCUMENT_TYPES = {
    "bill_of_material": "BillOfMaterial",
    "model_3d": "Model3D",
    "dismantling_manual": "DismantlingManual",
    "removal_manual": "RemovalManual",
    "other_manual": "OtherManual",
    "drawing": "Drawing",
}
_LABEL_SUBJECTS = {
    "separate_collection": "SeparateCollection",
    "hazardous_material": "HazardousMaterial",
    "carbon_footprint": "CarbonFootPrint",
    "extinguishing_agent": "ExtinguishingAgent",
}
_CONDITION_VALUES = {
    "state_of_certified_energy": "stateOfCertifiedEnergy",
    "remaining_capacity": "remainingCapacity",
    "capacity_fade": "capacityFade",
    "state_of_charge": "stateOfCharge",
    "number_of_full_cycles": "numberOfFullCycles",
}
_TECHNICAL = {
    "rated_capacity": "ratedCapacity",
    "rated_energy": "ratedEnergy",
    "nominal_voltage": "nominalVoltage",
    "minimum_voltage": "minimumVoltage",
    "maximum_voltage": "maximumVoltage",
    "rated_maximum_power": "ratedMaximumPower",
    "expected_lifetime": "expectedLifetime",
    "expected_number_of_cycles": "expectedNumberOfCycles",
    "lifetime_reference_test": "lifetimeReferenceTest",
    "capacity_threshold_for_exhaustion": "capacityThresholdForExhaustion",
    "roundtrip_efficiency": "roundtripEfficiency",
    "initial_self_discharge": "initialSelfDischarge",
    "c_rate_life_cycle_test": "cRateLifeCycleTest",
}
# State-of-health values recorded with the time of their measurement (battery schema 1.1 onwards). The model
# names the member holding the value after the value, with its own spellings (``remainingEnergyalue``,
# ``currentSelfDischargingRateEntity``): ours -> (model's member, model's name for the value).
_DATED_CONDITION = {
    "capacity_throughput": ("capacityThroughput", "capacityThroughputValue"),
    "remaining_energy": ("remainingEnergy", "remainingEnergyalue"),  # sic
    "remaining_round_trip_energy_efficiency": (
        "remainingRoundTripEnergyEfficiency",
        "remainingRoundTripEnergyEfficiencyValue",
    ),
    "current_self_discharging_rate": ("currentSelfDischargingRate", "currentSelfDischargingRateEntity"),  # sic
}
_PLAIN_CONDITION = {
    "energy_throughput": "energyThroughput",
    "power_fade": "powerFade",
    "round_trip_efficiency_fade": "roundTripEfficiencyFade",
}
_TEMPERATURE_INFORMATION = {
    "time_extreme_high_temp": "timeExtremeHighTemp",
    "time_extreme_low_temp": "timeExtremeLowTemp",
    "time_extreme_high_temp_charging": "timeExtremeHighTempCharging",
    "time_extreme_low_temp_charging": "timeExtremeLowTempCharging",
    "last_update": "lastUpdate",
}


@dataclass(frozen=True)
class NotMapped:
    """A value of our data the Battery Pass model has no valid place for (``pointer`` into our data)."""

    pointer: str
    reason: str


@dataclass
class BatteryPass:
    submodels: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_mapped: list[NotMapped] = field(default_factory=list)

    def skip(self, pointer: str, reason: str) -> None:
        self.not_mapped.append(NotMapped(pointer, reason))

    def as_json(self, *, identifier: str, version: int) -> dict[str, Any]:
        return {
            "format": f"BatteryPass {VERSION}",
            "passport": identifier,
            "version": version,
            "submodels": self.submodels,
            "not_mapped": [{"pointer": item.pointer, "reason": item.reason} for item in self.not_mapped],
        }


def _get(node: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _put(target: dict[str, Any], name: str, value: Any) -> None:
    if value is not None and value not in ([], {}):
        target[name] = value


def _date_time(value: Any) -> str | None:
    """A date (YYYY-MM-DD) as the model's date-time, at midnight UTC; date-times pass unchanged."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    return value if "T" in value else f"{value[:10]}T00:00:00Z"


def _address(node: Any, pointer: str, out: BatteryPass) -> dict[str, Any] | None:
    if not isinstance(node, Mapping):
        return None
    address: dict[str, Any] = {}
    _put(address, "addressCountry", node.get("address_country"))
    _put(address, "postalCode", node.get("postal_code"))
    _put(address, "streetAddress", node.get("street_address"))
    for member in ("address_locality", "address_region"):
        if node.get(member):
            out.skip(f"{pointer}/{member}", "the Battery Pass PostalAddress has no locality or region")
    return address


def _contact(node: Any, pointer: str, out: BatteryPass) -> dict[str, Any] | None:
    if not isinstance(node, Mapping):
        return None
    contact: dict[str, Any] = {}
    _put(contact, "contactName", node.get("name"))
    _put(contact, "postalAddress", _address(node.get("postal_address"), f"{pointer}/postal_address", out))
    _put(contact, "identifier", node.get("identifier"))
    _put(contact, "webAddress", node.get("web_address"))
    if node.get("email_address"):
        out.skip(f"{pointer}/email_address", "the model's e-mail pattern ([w.-]+@...) refuses real addresses")
    if node.get("eori_number"):
        out.skip(f"{pointer}/eori_number", "the Battery Pass contact has no EORI number")
    return contact


def passport_identifier_urn(identifier: str) -> str:
    """The passport's Digital Link URI in the URN syntax the model requires for ``batteryPassportIdentifier``."""
    return DigitalLink.parse(identifier).urn()


def _general(data: Mapping[str, Any], identifier: str, out: BatteryPass) -> dict[str, Any]:
    info = _get(data, "general_product_information") or {}
    base = "/general_product_information"
    model: dict[str, Any] = {}
    _put(model, "productIdentifier", info.get("product_identifier"))
    model["batteryPassportIdentifier"] = passport_identifier_urn(identifier)
    _put(model, "batteryCategory", info.get("battery_category"))
    _put(
        model,
        "manufacturerInformation",
        _contact(info.get("manufacturer_information"), f"{base}/manufacturer_information", out),
    )
    _put(model, "manufacturingDate", _date_time(info.get("manufacturing_date")))
    status = info.get("battery_status")
    _put(model, "batteryStatus", status.capitalize() if isinstance(status, str) else None)
    _put(model, "batteryMass", info.get("battery_mass"))
    _put(model, "manufacturingPlace", _address(info.get("manufacturing_place"), f"{base}/manufacturing_place", out))
    _put(model, "operatorInformation", _contact(info.get("operator_information"), f"{base}/operator_information", out))
    _put(model, "puttingIntoService", _date_time(info.get("putting_into_service")))
    months = info.get("warranty_period")
    if isinstance(months, int) and 1 <= months <= 12:
        model["warrentyPeriod"] = f"--{months:02d}"
    elif months is not None:
        out.skip(f"{base}/warranty_period", f"{months} months cannot be written as the model's gMonth (--MM)")
    return model


def _carbon_footprint(data: Mapping[str, Any]) -> dict[str, Any]:
    footprint = _get(data, "carbon_footprint") or {}
    stages = footprint.get("carbon_footprint_per_lifecycle_stage") or {}
    model: dict[str, Any] = {}
    _put(model, "batteryCarbonFootprint", stages.get("total"))
    _put(
        model,
        "carbonFootprintPerLifecycleStage",
        [
            {"lifecycleStage": stage, "carbonFootprint": stages[ours]}
            for ours, stage in _LIFECYCLE_STAGES.items()
            if isinstance(stages.get(ours), int | float)
        ],
    )
    _put(model, "carbonFootprintPerformanceClass", footprint.get("carbon_footprint_performance_class"))
    _put(model, "carbonFootprintStudy", footprint.get("carbon_footprint_study"))
    _put(model, "absoluteCarbonFootprint", footprint.get("absolute_carbon_footprint"))
    return model


def _due_diligence(data: Mapping[str, Any]) -> dict[str, Any]:
    node = _get(data, "supply_chain_due_diligence") or {}
    model: dict[str, Any] = {}
    _put(model, "supplyChainDueDiligenceReport", node.get("supply_chain_due_diligence_report"))
    _put(model, "thirdPartyAussurances", node.get("third_party_assurances"))  # sic: the model's spelling
    _put(model, "supplyChainIndicies", node.get("supply_chain_indices"))  # sic
    return model


def _location(node: Any) -> dict[str, Any] | None:
    if not isinstance(node, Mapping):
        return None
    location: dict[str, Any] = {}
    _put(location, "componentName", node.get("component_name"))
    _put(location, "componentId", node.get("component_id"))
    return location


def _material_composition(data: Mapping[str, Any], out: BatteryPass) -> dict[str, Any]:
    node = _get(data, "material_composition") or {}
    model: dict[str, Any] = {}
    chemistry = node.get("battery_chemistry")
    if isinstance(chemistry, Mapping):
        model["batteryChemistry"] = {
            key: chemistry[ours]
            for ours, key in (("short_name", "shortName"), ("clear_name", "clearName"))
            if ours in chemistry
        }
    materials = []
    for item in node.get("battery_materials") or []:
        material: dict[str, Any] = {}
        _put(material, "batteryMaterialLocation", _location(item.get("battery_material_location")))
        _put(material, "batteryMaterialIdentifier", item.get("battery_material_identifier"))
        _put(material, "batteryMaterialName", item.get("battery_material_name"))
        _put(material, "batteryMaterialMass", item.get("battery_material_mass"))
        _put(material, "isCriticalRawMaterial", item.get("is_critical_raw_material"))
        materials.append(material)
    _put(model, "batteryMaterials", materials)
    substances = []
    for index, item in enumerate(node.get("hazardous_substances") or []):
        hazard = _HAZARD_CLASSES.get(item.get("hazardous_substance_class"))
        if hazard is None:
            out.skip(
                f"/material_composition/hazardous_substances/{index}",
                f"hazard class {item.get('hazardous_substance_class')!r} is not in the model's enumeration",
            )
            continue
        substance: dict[str, Any] = {"hazardousSubstanceClass": hazard}
        _put(substance, "hazardousSubstanceName", item.get("hazardous_substance_name"))
        _put(substance, "hazardousSubstanceConcentration", item.get("hazardous_substance_concentration"))
        _put(substance, "hazardousSubstanceImpact", item.get("hazardous_substance_impact"))
        _put(substance, "hazardousSubstanceLocation", _location(item.get("hazardous_substance_location")))
        _put(substance, "hazardousSubstanceIdentifier", item.get("hazardous_substance_identifier"))
        substances.append(substance)
    if node.get("hazardous_substances") is not None:
        model["hazardousSubstances"] = substances
    if node.get("critical_raw_materials"):
        out.skip("/material_composition/critical_raw_materials", "the model flags critical materials per material only")
    return model


def _circularity(data: Mapping[str, Any]) -> dict[str, Any]:
    node = _get(data, "circularity") or {}
    model: dict[str, Any] = {}
    documents = [
        {
            "documentType": _DOCUMENT_TYPES[item["document_type"]],
            "mimeType": item.get("mime_type"),
            "documentURL": item.get("document_url"),
        }
        for item in node.get("dismantling_and_removal_information") or []
        if item.get("document_type") in _DOCUMENT_TYPES
    ]
    _put(model, "dismantlingAndRemovalInformation", documents)
    sources = []
    for item in node.get("spare_part_sources") or []:
        source: dict[str, Any] = {}
        _put(source, "nameOfSupplier", item.get("name_of_supplier"))
        address = item.get("address_of_supplier")
        if isinstance(address, Mapping):
            source["addressOfSupplier"] = {
                key: address[ours]
                for ours, key in (
                    ("address_country", "addressCountry"),
                    ("postal_code", "postalCode"),
                    ("street_address", "streetAddress"),
                )
                if ours in address
            }
        _put(source, "emailAddressOfSupplier", item.get("email_address_of_supplier"))
        _put(source, "supplierWebAddress", item.get("supplier_web_address"))
        _put(
            source,
            "components",
            [
                {"partName": c.get("part_name"), "partNumber": c.get("part_number")}
                for c in item.get("components") or []
            ],
        )
        sources.append(source)
    _put(model, "sparePartSources", sources)
    _put(
        model,
        "recycledContent",
        [
            {
                "recycledMaterial": str(item.get("recycled_material", "")).capitalize(),
                "preConsumerShare": item.get("pre_consumer_share"),
                "postConsumerShare": item.get("post_consumer_share"),
            }
            for item in node.get("recycled_content") or []
        ],
    )
    safety = node.get("safety_measures")
    if isinstance(safety, Mapping):
        measures: dict[str, Any] = {}
        _put(measures, "safetyInstructions", safety.get("safety_instructions"))
        _put(measures, "extinguishingAgent", safety.get("extinguishing_agent"))
        model["safetyMeasures"] = measures
    end_of_life = node.get("end_of_life_information")
    if isinstance(end_of_life, Mapping):
        model["endOfLifeInformation"] = {
            key: end_of_life[ours]
            for ours, key in (
                ("waste_prevention", "wastePrevention"),
                ("separate_collection", "separateCollection"),
                ("information_on_collection", "informationOnCollection"),
            )
            if ours in end_of_life
        }
    _put(model, "renewableContent", node.get("renewable_content"))
    return model


def _performance(data: Mapping[str, Any], out: BatteryPass) -> dict[str, Any]:
    node = _get(data, "performance_and_durability") or {}
    technical = node.get("battery_technical_properties") or {}
    properties: dict[str, Any] = {key: technical[ours] for ours, key in _TECHNICAL.items() if ours in technical}
    _put(
        properties,
        "originalPowerCapability",
        [
            {"atSoC": p.get("at_soc"), "powerCapabilityAt": p.get("power_capability_at")}
            for p in technical.get("original_power_capability") or []
        ],
    )
    # The model holds the power-to-energy ratio twice: as the required power capability ratio and as the
    # optional C-rate, described alike (nominal power in W over energy in Wh); both are the one value we record.
    ratio = technical.get("power_capability_ratio")
    _put(properties, "powerCapabilityRatio", ratio)
    _put(properties, "cRate", ratio)
    _put(
        properties,
        "initialInternalResistance",
        [
            {"ohmicResistance": r.get("ohmic_resistance"), "batteryComponent": r.get("battery_component")}
            for r in technical.get("initial_internal_resistance") or []
        ],
    )
    if technical.get("temperature_range_idle_state") is not None:
        out.skip(
            "/performance_and_durability/battery_technical_properties/temperature_range_idle_state",
            "the model holds one temperature, our data a lower and an upper limit",
        )
    model: dict[str, Any] = {}
    _put(model, "batteryTechicalProperties", properties)  # sic: the model's spelling
    condition = _condition(node.get("battery_condition"))
    _put(
        condition,
        "roundTripEfficiencyat50PerCentCycleLife",
        technical.get("roundtrip_efficiency_at_50_percent_cycle_life"),
    )
    _put(model, "batteryCondition", condition)
    return model


def _condition(node: Any) -> dict[str, Any]:
    """The battery's state of health (Annex XIII(4)): the values with their time of measurement."""
    condition: dict[str, Any] = {}
    if not isinstance(node, Mapping):
        return condition
    for ours, key in _CONDITION_VALUES.items():
        item = node.get(ours)
        if isinstance(item, Mapping):
            condition[key] = {f"{key}Value": item.get(f"{ours}_value"), "lastUpdate": item.get("last_update")}
    for ours, (key, value_key) in _DATED_CONDITION.items():
        item = node.get(ours)
        if isinstance(item, Mapping):
            condition[key] = {value_key: item.get(f"{ours}_value"), "lastUpdate": item.get("last_update")}
    for ours, key in _PLAIN_CONDITION.items():
        _put(condition, key, node.get(ours))
    if node.get("evolution_of_self_discharge") is not None:
        condition["evolutionOfSelfDischarge"] = {
            "evolutionOfSelfDischargeEntityValue": node["evolution_of_self_discharge"]
        }
    temperatures = node.get("temperature_information")
    if isinstance(temperatures, Mapping):
        condition["temperatureInformation"] = {
            key: temperatures[ours] for ours, key in _TEMPERATURE_INFORMATION.items() if ours in temperatures
        }
    # The model dates each remaining power capability twice (the measurement and the entry); ours once.
    _put(
        condition,
        "remainingPowerCapability",
        [
            {
                "remainingPowerCapabilityValue": {
                    "atSoC": p.get("at_soc"),
                    "powerCapabilityAt": p.get("power_capability_at"),
                    "rPCLastUpdated": p.get("last_update"),
                },
                "lastUpdate": p.get("last_update"),
            }
            for p in node.get("remaining_power_capability") or []
        ],
    )
    _put(
        condition,
        "internalResistanceIncrease",
        [
            {
                "internalResistanceIncreaseValue": r.get("internal_resistance_increase_value"),
                "lastUpdate": r.get("last_update"),
                "batteryComponent": r.get("battery_component"),
            }
            for r in node.get("internal_resistance_increase") or []
        ],
    )
    _put(
        condition,
        "negativeEvents",
        [
            {"negativeEvent": e.get("negative_event"), "lastUpdate": e.get("last_update")}
            for e in node.get("negative_events") or []
        ],
    )
    if node.get("negative_events") == []:
        condition["negativeEvents"] = []
    return condition


def _labeling(data: Mapping[str, Any], out: BatteryPass) -> dict[str, Any]:
    node = _get(data, "labeling") or {}
    model: dict[str, Any] = {}
    _put(model, "declarationOfConformity", node.get("declaration_of_conformity"))
    _put(model, "resultOfTestReport", node.get("result_of_test_report"))
    labels = []
    for index, label in enumerate(node.get("labels") or []):
        subject = _LABEL_SUBJECTS.get(label.get("labeling_subject"))
        if subject is None:
            out.skip(
                f"/labeling/labels/{index}", f"label subject {label.get('labeling_subject')!r} is not in the model"
            )
            continue
        labels.append(
            {
                "labelingSubject": subject,
                "labelingSymbol": label.get("labeling_symbol"),
                "labelingMeaning": label.get("labeling_meaning") or {},
            }
        )
    if node.get("labels") is not None:
        model["labels"] = labels
    if node.get("declaration_of_conformity_id"):
        out.skip("/labeling/declaration_of_conformity_id", "the model links the declaration without its number")
    return model


def to_battery_pass(data: Mapping[str, Any], *, identifier: str) -> BatteryPass:
    """Map a battery passport's data (any tier) to the seven Battery Pass 1.2.0 sub-models."""
    out = BatteryPass()
    out.submodels = {
        "GeneralProductInformation": _general(data, identifier, out),
        "CarbonFootprintForBatteries": _carbon_footprint(data),
        "SupplyChainDueDiligence": _due_diligence(data),
        "MaterialComposition": _material_composition(data, out),
        "Circularity": _circularity(data),
        "PerformanceAndDurability": _performance(data, out),
        "Labeling": _labeling(data, out),
    }
    return out

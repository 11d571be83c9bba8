"""Named cross-section rules of one category, listed in a schema's top-level ``x-rules``: a battery's rated
energy and material masses, a CBAM good's specific embedded emissions and units. Plain Python, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from passports.validation.field_rules import is_number, within
from passports.validation.plan import Finding, RulePlan
from passports.validation.pointers import PathPart
from passports.validation.wording import format_number, korean_particle

# Rated energy and capacity x nominal voltage agree within a few per cent for every chemistry (both are
# measured at the same reference discharge, IEC 62660-1); 10 % leaves room for that and still catches a
# value typed in Wh or mAh, which is off by a factor of 1000.
RATED_ENERGY_TOLERANCE = 0.10
# CBAM values are reported with a few decimals; a derived specific value may differ from the reported one by
# rounding: 0.1 % of the value, and never less than half a unit of the fourth decimal.
CBAM_RELATIVE_TOLERANCE = 0.001
CBAM_ABSOLUTE_TOLERANCE = 0.00005
# Masses of listed materials may exceed the battery mass only by rounding.
MASS_TOLERANCE = 0.001


def _get(data: Any, *path: PathPart) -> Any:
    """The value at ``path`` in ``data``, or ``None`` where nothing is there."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
            data = data[part]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def battery_rated_energy(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """Rated energy (kWh) agrees with rated capacity (Ah) x nominal voltage (V) / 1000.

    Regulation (EU) 2023/1542, Annex IV Part A and Annex XIII(1)(g)-(h) declare the three values; they are
    bound by physics, so a disagreement beyond ``RATED_ENERGY_TOLERANCE`` means a value was entered in the
    wrong unit (Wh for kWh, mAh for Ah) or belongs to another battery.
    """
    base = ("performance_and_durability", "battery_technical_properties")
    properties = _get(data, *base)
    if not isinstance(properties, dict):
        return
    capacity, voltage, energy = (properties.get(name) for name in ("rated_capacity", "nominal_voltage", "rated_energy"))
    if not (is_number(capacity) and is_number(voltage) and is_number(energy)):
        return
    expected = capacity * voltage / 1000
    if within(energy, expected, RATED_ENERGY_TOLERANCE, 0.0):
        return
    yield Finding(
        (*base, "rated_energy"),
        "unit_consistency",
        f"Rated energy {format_number(energy)} kWh does not match rated capacity x nominal voltage "
        f"({format_number(capacity)} Ah x {format_number(voltage)} V = {format_number(round(expected, 3))} kWh); "
        "check the units (kWh, Ah, V).",
        f"정격 에너지 {format_number(energy)} kWh가 정격 용량 x 공칭 전압({format_number(capacity)} Ah x "
        f"{format_number(voltage)} V = {format_number(round(expected, 3))} kWh)과 맞지 않습니다. "
        "단위(kWh, Ah, V)를 확인하십시오.",
    )


def battery_materials_mass(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """The listed materials (Reg. (EU) 2023/1542, Annex XIII(2)(a)) weigh no more than the battery (Annex VI
    Part A(5)); only rounding (``MASS_TOLERANCE``) is allowed beyond it."""
    battery_mass = _get(data, "general_product_information", "battery_mass")
    materials = _get(data, "material_composition", "battery_materials")
    if not is_number(battery_mass) or not isinstance(materials, list):
        return
    masses: list[Any] = [item.get("battery_material_mass") if isinstance(item, dict) else None for item in materials]
    if not all(map(is_number, masses)):
        return
    added = math.fsum(masses)
    if added <= battery_mass * (1 + MASS_TOLERANCE):
        return
    yield Finding(
        ("material_composition", "battery_materials"),
        "composition_mass",
        f"The listed materials weigh {format_number(added)} kg, more than the battery itself "
        f"({format_number(battery_mass)} kg).",
        f"기재된 소재의 질량 합계 {format_number(added)} kg이 "
        f"배터리 무게({format_number(battery_mass)} kg)보다 큽니다.",
    )


def cbam_embedded_emissions(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """Specific embedded emissions equal the installation's attributed emissions plus those of the precursors,
    per unit of activity level (Regulation (EU) 2023/956, Annex IV; Implementing Regulation (EU) 2023/1773,
    Annex III):

        SEE_direct   = (AttrEm_direct + sum(M_i x SEE_direct,i)) / AL
        SEE_indirect = (E_el x EF_el + sum(M_i x SEE_indirect,i)) / AL

    Only checked where the good's method is ``actual_monitored`` (a default value is not derived from the
    installation's data) and every input is present. Tolerance: ``CBAM_RELATIVE_TOLERANCE``, at least
    ``CBAM_ABSOLUTE_TOLERANCE``.
    """
    goods = _get(data, "goods")
    if not isinstance(goods, list):
        return
    for index, good in enumerate(goods):
        if not isinstance(good, dict):
            continue
        level = _get(good, "production_level", "value")
        if not is_number(level) or level <= 0:
            continue
        precursors = good.get("precursors", [])
        if not isinstance(precursors, list) or not all(isinstance(item, dict) for item in precursors):
            continue
        checks = (
            (
                "direct",
                "direct_emissions_method",
                _get(good, "attributed_direct_emissions"),
                "specific_direct_embedded_emissions",
            ),
            (
                "indirect",
                "indirect_emissions_method",
                _electricity_emissions(good),
                "specific_indirect_embedded_emissions",
            ),
        )
        for part, method_key, own, precursor_key in checks:
            reported = _get(good, "specific_embedded_emissions", part)
            if good.get(method_key) != "actual_monitored" or not is_number(own) or not is_number(reported):
                continue
            inputs = [(item.get("quantity_consumed"), item.get(precursor_key)) for item in precursors]
            if not all(is_number(mass) and is_number(see) for mass, see in inputs):
                continue
            expected = (float(own) + math.fsum(mass * see for mass, see in inputs)) / level
            if within(reported, expected, CBAM_RELATIVE_TOLERANCE, CBAM_ABSOLUTE_TOLERANCE):
                continue
            path = ("goods", index, "specific_embedded_emissions", part)
            part_ko = "직접" if part == "direct" else "간접"
            yield Finding(
                path,
                "cbam_embedded_emissions",
                f"Specific {part} embedded emissions of good {index + 1} are {format_number(reported)}, but the "
                f"installation's emissions and its precursors give {format_number(round(expected, 5))} per unit "
                "(tolerance 0.1 %).",
                f"{index + 1}번째 상품의 단위 {part_ko} 내재 배출량 "
                f"{korean_particle(format_number(reported), '이', '가')} "
                f"설비 배출량과 전구물질로 계산한 값 {korean_particle(format_number(round(expected, 5)), '과', '와')} "
                "일치하지 않습니다(허용 오차 0.1%).",
            )


def _electricity_emissions(good: Mapping[str, Any]) -> float | None:
    consumption = _get(good, "electricity", "consumption")
    factor = _get(good, "electricity", "emission_factor")
    if is_number(consumption) and is_number(factor):
        return float(consumption * factor)
    return None


def cbam_units(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """Units agree: electricity (CN 2716) is counted in MWh and every other good in tonnes (Implementing
    Regulation (EU) 2023/1773, Annex IV), and the specific embedded emissions are given per that same unit."""
    goods = _get(data, "goods")
    if not isinstance(goods, list):
        return
    for index, good in enumerate(goods):
        if not isinstance(good, dict):
            continue
        unit = _get(good, "production_level", "unit")
        see_unit = _get(good, "specific_embedded_emissions", "unit")
        cn = good.get("cn_code")
        is_electricity = good.get("aggregated_goods_category") == "electricity" or (
            isinstance(cn, str) and cn.startswith("2716")
        )
        if unit in ("t", "MWh"):
            expected_unit = "MWh" if is_electricity else "t"
            if unit != expected_unit:
                what_en = "electricity" if is_electricity else "goods other than electricity"
                what_ko = "전력" if is_electricity else "전력 이외의 상품"
                yield Finding(
                    ("goods", index, "production_level", "unit"),
                    "unit_consistency",
                    f"The production level of {what_en} is counted in {expected_unit}, not {unit}.",
                    f"{what_ko}의 생산량 단위로는 {expected_unit}을(를) 사용해야 합니다(입력된 단위: {unit}).",
                )
                continue
            if isinstance(see_unit, str) and see_unit != f"t CO2e/{unit}":
                yield Finding(
                    ("goods", index, "specific_embedded_emissions", "unit"),
                    "unit_consistency",
                    f"Specific embedded emissions are per {see_unit.split('/')[-1]}, but the production level "
                    f"is in {unit}: use t CO2e/{unit}.",
                    f"단위 내재 배출량의 단위({see_unit})가 생산량 단위({unit})와 맞지 않습니다. "
                    f"t CO2e/{unit}을(를) 사용하십시오.",
                )


NAMED_RULES: dict[str, Callable[[RulePlan, Any], Iterator[Finding]]] = {
    "battery_rated_energy": battery_rated_energy,
    "battery_materials_mass": battery_materials_mass,
    "cbam_embedded_emissions": cbam_embedded_emissions,
    "cbam_units": cbam_units,
}

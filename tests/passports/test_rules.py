"""Business rules that a JSON Schema cannot state, one by one, with hand-checked numbers."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.pointers import pointer_of, pointer_token
from passports.schema_files import example_files, load_schema
from passports.validation.plan import expand
from passports.validation.pointers import ANY_ITEM
from passports.validation.rules import compile_rules, run_rules
from passports.validation.wording import format_number, korean_particle


def _example(category: str, index: int = 0) -> dict[str, Any]:
    return json.loads(example_files(category, "1.0")[index].read_text(encoding="utf-8"))


def _rules(category: str, data: Any) -> list[tuple[str, str]]:
    plan = compile_rules(load_schema(category, "1.0"))
    return [(pointer_of(finding.path), finding.rule) for finding in run_rules(plan, data)]


# ---- pointers and particles


@pytest.mark.parametrize(
    ("path", "pointer"),
    [((), ""), (("a",), "/a"), (("a/b", 0), "/a~1b/0"), (("m~n",), "/m~0n"), (("~1",), "/~01"), (("",), "/")],
)
def test_pointers_escape_tilde_before_slash(path: tuple[Any, ...], pointer: str) -> None:
    # RFC 6901 section 3: "~" -> "~0" first, then "/" -> "~1"; "~1" as a name therefore becomes "~01".
    assert pointer_of(path) == pointer


def test_pointer_token_handles_integers() -> None:
    assert pointer_token(3) == "3"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("제조일", "제조일은"),  # ends in ㄹ
        ("배터리 모델", "배터리 모델은"),  # 델 ends in ㄹ
        ("이메일 주소", "이메일 주소는"),  # 소 has no final consonant
        ("GTIN(국제거래단품식별코드)", "GTIN(국제거래단품식별코드)은"),  # N is read 엔
        ("8801234000018", "8801234000018은"),  # 8 is read 팔
        ("0.0502", "0.0502는"),  # 2 is read 이
        ("'GS1'", "'GS1'은"),  # 1 is read 일
        ("'car'", "'car'은(는)"),  # an English word: its Korean ending cannot be told from the spelling
        ("kWh", "kWh은(는)"),
        ("???", "???은(는)"),
    ],
)
def test_korean_topic_particle_follows_the_last_spoken_sound(word: str, expected: str) -> None:
    assert korean_particle(word, "은", "는") == expected


def test_format_number_drops_float_noise() -> None:
    assert format_number(0.1 + 0.2) == "0.3"
    assert format_number(96) == "96"
    assert format_number(2.5e-9) == "2.5e-09"


def test_format_number_remembers_each_type_apart() -> None:
    # 1, 1.0 and True are equal (and hash alike) in Python; the cache must not hand one's text to another.
    assert [format_number(1), format_number(1.0), format_number(True)] == ["1", "1", "True"]
    assert [format_number(True), format_number(1)] == ["True", "1"]


def test_expand_reaches_every_array_item_in_document_order() -> None:
    data = {"a": [{"b": 1}, {"c": 2}, {"b": 3}]}
    assert list(expand(data, ("a", ANY_ITEM, "b"))) == [(("a", 0, "b"), 1), (("a", 2, "b"), 3)]
    assert list(expand({"a": "not a list"}, ("a", ANY_ITEM))) == []


# ---- sums of parts (Battery Regulation Art. 7: the stages add up to the total)


def test_lifecycle_stages_may_differ_from_the_total_by_up_to_a_tenth_of_a_percent() -> None:
    data = _example("battery")
    stages = data["carbon_footprint"]["carbon_footprint_per_lifecycle_stage"]
    # Stages: 0.0355 + 0.0131 + 0.0009 + 0.0006 = 0.0501. Tolerance 0.1 % of 0.0501 = 0.0000501.
    stages["total"] = 0.05015  # off by 0.00005: inside
    assert _rules("battery", data) == []
    stages["total"] = 0.05016  # off by 0.00006: outside
    assert _rules("battery", data) == [("/carbon_footprint/carbon_footprint_per_lifecycle_stage/total", "sum_of_parts")]


def test_a_missing_stage_is_left_to_the_schema() -> None:
    data = _example("battery")
    del data["carbon_footprint"]["carbon_footprint_per_lifecycle_stage"]["production"]
    assert _rules("battery", data) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), min_size=4, max_size=4))
def test_a_total_equal_to_its_stages_always_passes(stages: list[float]) -> None:
    data = _example("battery")
    names = ["raw_material", "production", "distribution", "end_of_life"]
    block = dict(zip(names, stages, strict=True))
    block["total"] = sum(stages)
    data["carbon_footprint"]["carbon_footprint_per_lifecycle_stage"] = block
    assert _rules("battery", data) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=0.01, max_value=1000, allow_nan=False), min_size=4, max_size=4),
    st.floats(min_value=0.002, max_value=0.5),
    st.booleans(),
)
def test_a_total_off_by_more_than_the_tolerance_always_fails(stages: list[float], off: float, up: bool) -> None:
    data = _example("battery")
    names = ["raw_material", "production", "distribution", "end_of_life"]
    block = dict(zip(names, stages, strict=True))
    block["total"] = sum(stages) * (1 + off if up else 1 - off)
    data["carbon_footprint"]["carbon_footprint_per_lifecycle_stage"] = block
    assert _rules("battery", data) == [("/carbon_footprint/carbon_footprint_per_lifecycle_stage/total", "sum_of_parts")]


def test_the_absolute_tolerance_applies_to_small_shares() -> None:
    data = _example("textile", 1)
    # 12 + 50 = 62; the absolute tolerance is 0.1 percentage point.
    data["recycled_content"]["recycled_content_share"] = 62.1
    assert _rules("textile", data) == []
    data["recycled_content"]["recycled_content_share"] = 62.2
    assert _rules("textile", data) == [("/recycled_content/recycled_content_share", "sum_of_parts")]


# ---- shares totalling 100 %


def test_fibre_shares_total_100_percent_within_a_tenth_of_a_point() -> None:
    data = _example("textile", 0)
    fibres = data["fibre_composition"][0]["fibres"]
    fibres[1]["share_percent"] = 5.1  # 95 + 5.1 = 100.1: on the tolerance, passes
    assert _rules("textile", data) == []
    fibres[1]["share_percent"] = 5.2  # 100.2: fails
    finding = run_rules(compile_rules(load_schema("textile", "1.0")), data)[0]
    assert (pointer_of(finding.path), finding.rule) == ("/fibre_composition/0/fibres", "shares_total")
    assert finding.message_en == (
        "The shares in Fibres add up to 100.2 %, not 100 % (tolerance ±0.1 percentage points)."
    )
    assert finding.message_ko == "섬유의 비율 합계가 100.2%입니다. 합계는 100%여야 합니다(허용 오차 ±0.1%p)."


def test_each_component_is_totalled_on_its_own() -> None:
    data = _example("textile", 1)
    # Lining alone at 99 %: only that component is reported.
    data["fibre_composition"][1]["fibres"][0]["share_percent"] = 99
    assert _rules("textile", data) == [("/fibre_composition/1/fibres", "shares_total")]


# ---- order of dates and limits


def test_dates_must_not_go_backwards() -> None:
    data = _example("espr-core", 0)
    data["product_identification"]["placing_on_market_date"] = data["product_identification"]["manufacturing_date"]
    assert _rules("espr-core", data) == []  # the same day is allowed
    data["product_identification"]["placing_on_market_date"] = "2026-01-18"  # one day before manufacture
    assert _rules("espr-core", data) == [("/product_identification/placing_on_market_date", "date_order")]


def test_a_malformed_date_is_left_to_the_format_check() -> None:
    data = _example("cbam-installation", 0)
    data["reporting_period"]["end_date"] = "31/12/2025"
    assert _rules("cbam-installation", data) == []


def test_voltages_must_rise_from_minimum_to_maximum() -> None:
    data = _example("battery")
    technical = data["performance_and_durability"]["battery_technical_properties"]
    technical["maximum_voltage"] = 399.9
    assert _rules("battery", data) == [
        ("/performance_and_durability/battery_technical_properties/maximum_voltage", "value_order")
    ]


# ---- identifiers


def test_gtin_with_a_wrong_check_digit_is_reported_and_a_malformed_one_is_left_to_the_pattern() -> None:
    data = _example("steel", 0)
    gtin = data["product_identification"]["gtin"]
    data["product_identification"]["gtin"] = gtin[:-1] + str((int(gtin[-1]) + 5) % 10)
    assert _rules("steel", data) == [("/product_identification/gtin", "gtin_check_digit")]
    data["product_identification"]["gtin"] = "88-0654"
    assert _rules("steel", data) == []


def test_cn_codes_are_checked_against_the_category_with_spaces_allowed() -> None:
    data = _example("steel", 0)
    data["product_identification"]["cn_code"] = "7308 90 59"  # structures of steel: chapter 73, allowed
    assert _rules("steel", data) == []
    data["product_identification"]["cn_code"] = "3926 90 97"  # plastics: not steel
    assert _rules("steel", data) == [("/product_identification/cn_code", "cn_code_category")]
    data["product_identification"]["cn_code"] = "7700 00 00"  # chapter 77 is reserved in the HS
    assert _rules("steel", data) == [("/product_identification/cn_code", "cn_code")]


def test_the_espr_core_has_no_category_and_accepts_any_chapter() -> None:
    data = _example("espr-core", 1)
    data["product_identification"]["cn_code"] = "61091000"
    assert _rules("espr-core", data) == []


# ---- battery: units and masses


def test_rated_energy_in_wh_instead_of_kwh_is_caught() -> None:
    data = _example("battery")
    technical = data["performance_and_durability"]["battery_technical_properties"]
    # 240 Ah x 400 V = 96,000 Wh = 96 kWh. 105 kWh is 9.4 % above: inside the 10 % band.
    technical["rated_energy"] = 105
    assert _rules("battery", data) == []
    technical["rated_energy"] = 96000
    assert _rules("battery", data) == [
        ("/performance_and_durability/battery_technical_properties/rated_energy", "unit_consistency")
    ]


def test_materials_may_not_outweigh_the_battery() -> None:
    data = _example("battery")
    # Listed materials: 182.4 + 98.6 + 6.2 + 18.5 + 32.1 + 96.0 + 4.3 = 438.1 kg.
    data["general_product_information"]["battery_mass"] = 438.1
    assert _rules("battery", data) == []
    data["general_product_information"]["battery_mass"] = 430.0
    assert _rules("battery", data) == [("/material_composition/battery_materials", "composition_mass")]


# ---- CBAM


def test_cbam_specific_emissions_follow_from_the_installation_and_its_precursors() -> None:
    data = _example("cbam-installation", 0)  # the aluminium extrusion plant
    good = data["goods"][0]
    # Direct: (6,840 + 25,000 x 1.62 + 14,500 x 0.35) / 38,000 = 52,415 / 38,000 = 1.379342...
    # Indirect: (41,800 x 0.4781 + 25,000 x 8.4 + 14,500 x 0.12) / 38,000 = 231,724.58 / 38,000 = 6.098015...
    assert good["specific_embedded_emissions"]["direct"] == pytest.approx(1.3793)
    assert good["specific_embedded_emissions"]["indirect"] == pytest.approx(6.0980)
    assert _rules("cbam-installation", data) == []
    good["attributed_direct_emissions"] = 7840  # +1,000 t: direct becomes 53,415 / 38,000 = 1.40566
    assert _rules("cbam-installation", data) == [
        ("/goods/0/specific_embedded_emissions/direct", "cbam_embedded_emissions")
    ]


def test_default_values_are_not_derived_and_so_not_checked() -> None:
    data = _example("cbam-installation", 0)
    good = data["goods"][0]
    good["attributed_direct_emissions"] = 99999
    good["direct_emissions_method"] = "default_value"
    assert _rules("cbam-installation", data) == []


def test_electricity_is_counted_in_mwh_and_other_goods_in_tonnes() -> None:
    data = _example("cbam-installation", 1)
    electricity = copy.deepcopy(data["goods"][1])
    electricity.update(
        {
            "cn_code": "27160000",
            "aggregated_goods_category": "electricity",
            "production_route": "electricity_generation",
            "precursors": [],
        }
    )
    data["goods"].append(electricity)  # still in tonnes: wrong for electricity
    assert ("/goods/2/production_level/unit", "unit_consistency") in _rules("cbam-installation", data)
    electricity["production_level"]["unit"] = "MWh"  # now the emissions are still per tonne
    assert ("/goods/2/specific_embedded_emissions/unit", "unit_consistency") in _rules("cbam-installation", data)
    electricity["specific_embedded_emissions"]["unit"] = "t CO2e/MWh"
    assert [r for r in _rules("cbam-installation", data) if r[1] == "unit_consistency"] == []


def test_rules_ignore_values_of_the_wrong_type() -> None:
    # Wrong types are the schema's to report; a rule must neither crash nor add a second message.
    data = _example("battery")
    data["carbon_footprint"]["carbon_footprint_per_lifecycle_stage"]["total"] = "0.05"
    data["performance_and_durability"]["battery_technical_properties"]["rated_energy"] = True
    data["material_composition"]["battery_materials"] = "none"
    data["general_product_information"]["gtin"] = 8801234000017
    assert _rules("battery", data) == []
    assert _rules("cbam-installation", {"goods": [1, {"production_level": "x"}]}) == []

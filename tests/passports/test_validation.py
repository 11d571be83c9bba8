"""The validation engine: issues, pointers, legal clauses, messages in two languages, caching."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from passports.schema_files import example_files, load_schema
from passports.validation import Issue, is_valid, validate
from passports.validation import engine as validation_engine
from tests.passports.reference_validator import validate_reference

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _battery() -> tuple[dict[str, Any], dict[str, Any]]:
    schema = load_schema("battery", "1.0")
    data = json.loads(example_files("battery", "1.0")[0].read_text(encoding="utf-8"))
    return schema, data


def test_issue_as_dict_picks_the_language() -> None:
    issue = Issue("/a~1b", "required", "A is required.", "A은(는) 필수 항목입니다.", "Reg X, Art. 1")
    assert issue.as_dict() == {
        "pointer": "/a~1b",
        "rule": "required",
        "message": "A is required.",
        "message_en": "A is required.",
        "message_ko": "A은(는) 필수 항목입니다.",
        "legal": "Reg X, Art. 1",
    }
    assert issue.as_dict("ko")["message"] == "A은(는) 필수 항목입니다."


def test_a_missing_required_field_is_reported_at_the_field_itself() -> None:
    schema, data = _battery()
    del data["general_product_information"]["battery_model"]
    del data["material_composition"]["battery_materials"][2]["battery_material_location"]
    issues = validate(schema, data)
    assert [(issue.pointer, issue.rule) for issue in issues] == [
        ("/general_product_information/battery_model", "required"),
        ("/material_composition/battery_materials/2/battery_material_location", "required"),
    ]
    first = issues[0]
    assert first.message_en == "Required field missing: Battery model."
    # 모델 ends in a vowel, so the topic particle is 은 -> 는.
    assert first.message_ko == "배터리 모델은 필수 항목입니다."
    assert first.legal == "Regulation (EU) 2023/1542, Annex VI Part A(3)"


def test_several_missing_members_of_one_object_each_get_an_issue() -> None:
    schema, data = _battery()
    stages = data["carbon_footprint"]["carbon_footprint_per_lifecycle_stage"]
    del stages["distribution"], stages["total"]
    pointers = [issue.pointer for issue in validate(schema, data)]
    base = "/carbon_footprint/carbon_footprint_per_lifecycle_stage"
    assert pointers == [f"{base}/distribution", f"{base}/total"]
    assert [issue.pointer for issue in validate_reference(schema, data)] == pointers


def test_unknown_members_are_reported_one_by_one_with_escaped_pointers() -> None:
    schema, data = _battery()
    data["labeling"]["a/b~c"] = 1
    data["labeling"]["notes"] = "x"
    issues = validate(schema, data)
    assert [(issue.pointer, issue.rule) for issue in issues] == [
        ("/labeling/a~1b~0c", "additionalProperties"),
        ("/labeling/notes", "additionalProperties"),
    ]
    # Not described by the schema, so the clause is the one of the section that holds it.
    assert issues[0].legal == "Regulation (EU) 2023/1542, Art. 13 and Art. 18"
    assert "'a/b~c'" in issues[0].message_en
    assert issues[0].message_ko.startswith("'a/b~c'는 ")


def test_a_document_that_is_not_an_object_is_reported_at_the_root() -> None:
    schema, _ = _battery()
    for engine in (validate, validate_reference):
        issues = engine(schema, [])
        assert [(issue.pointer, issue.rule) for issue in issues] == [("", "type")]
        assert issues[0].legal == "Regulation (EU) 2023/1542, Art. 77-78 and Annex XIII"
        assert issues[0].message_ko == "제품 여권에는 항목 묶음(객체) 값을 입력해야 합니다(입력된 값: 목록)."


def test_every_message_is_written_in_both_languages_and_the_engines_agree_word_for_word() -> None:
    schema, data = _battery()
    general = data["general_product_information"]
    general["battery_category"] = "car"
    general["battery_mass"] = 0
    general["warranty_period"] = "eight years"
    general["manufacturing_date"] = "12.03.2026"
    general["operator_information"]["web_address"] = "www.example.com/no scheme"
    data["carbon_footprint"]["declared_unit"] = "MWh"
    data["material_composition"]["critical_raw_materials"] = ["Cobalt", "Cobalt"]
    data["material_composition"]["battery_chemistry"]["short_name"] = ""
    data["circularity"]["renewable_content"] = -2
    data["circularity"]["dismantling_and_removal_information"][0]["mime_type"] = "PDF"
    data["performance_and_durability"]["battery_technical_properties"]["original_power_capability"] = []
    fast = validate(schema, data)
    assert {issue.rule for issue in fast} == {
        "enum",
        "exclusiveMinimum",
        "type",
        "format",
        "const",
        "uniqueItems",
        "minLength",
        "minimum",
        "pattern",
        "minItems",
        # A battery of 0 kg cannot hold 438 kg of listed materials.
        "composition_mass",
    }
    assert fast == validate_reference(schema, data)
    for issue in fast:
        assert HANGUL.search(issue.message_ko), issue
        assert issue.message_en, issue
        assert not HANGUL.search(issue.message_en), issue
        assert issue.legal, issue
    by_pointer = {issue.pointer: issue for issue in fast}
    date = by_pointer["/general_product_information/manufacturing_date"]
    assert date.message_en == 'Manufacturing date must be a date in the form YYYY-MM-DD; "12.03.2026" is not.'
    assert date.message_ko == '제조일의 값 "12.03.2026"은 올바른 YYYY-MM-DD 형식의 날짜가 아닙니다.'
    mass = by_pointer["/general_product_information/battery_mass"]
    assert mass.message_ko == "배터리 무게의 값은 0보다 커야 합니다(입력된 값: 0)."
    assert by_pointer["/material_composition/battery_chemistry/short_name"].message_ko == "약칭의 값이 비어 있습니다."


def test_business_rule_issues_follow_the_schema_issues_and_carry_the_field_clause() -> None:
    schema, data = _battery()
    data["general_product_information"]["gtin"] = "8801234000019"
    data["general_product_information"]["battery_status"] = "broken"
    issues = validate(schema, data)
    assert [(issue.pointer, issue.rule) for issue in issues] == [
        ("/general_product_information/battery_status", "enum"),
        ("/general_product_information/gtin", "gtin_check_digit"),
    ]
    assert issues[1].legal == "Regulation (EU) 2023/1542, Annex VI Part A(3)"
    assert issues[1].message_ko.startswith("GTIN(국제거래단품식별코드) 8801234000019는 ")


def test_is_valid_counts_business_rules_too() -> None:
    schema, data = _battery()
    assert is_valid(schema, data)
    data["carbon_footprint"]["carbon_footprint_per_lifecycle_stage"]["total"] = 0.051
    # Schema-valid, but the stages (0.0501) and the total differ by 1.8 %, beyond the 0.1 % tolerance.
    assert not is_valid(schema, data)
    assert [issue.rule for issue in validate(schema, data)] == ["sum_of_parts"]


def test_compiled_schemas_are_cached_by_id_and_an_edited_schema_is_not_served_stale() -> None:
    schema, data = _battery()
    first = validation_engine._compiled(schema)
    assert validation_engine._compiled(schema) is first
    assert validation_engine._compiled(copy.deepcopy(schema)) is first
    edited = copy.deepcopy(schema)
    edited["x-cn-prefixes"] = ["8506"]
    assert [issue.rule for issue in validate(edited, data)] == ["cn_code_category"]
    assert validate(schema, data) == []


def test_member_names_from_the_data_do_not_grow_the_schema_caches() -> None:
    # Unknown members are reported one by one, but their names come from the caller: the per-schema caches
    # keep only what the schema describes, and a bounded number of recent labels.
    schema, data = _battery()
    validate(schema, data)
    plan = validation_engine._compiled(schema).rules
    section_legal = plan.legal(("general_product_information",))
    described = len(plan._described)
    data["general_product_information"].update({f"unknown_{n}": n for n in range(5_000)})
    issues = validate(schema, data)
    assert {issue.pointer for issue in issues} == {f"/general_product_information/unknown_{n}" for n in range(5_000)}
    assert section_legal is not None
    assert {issue.legal for issue in issues} == {section_legal}  # the nearest clause above an unknown member
    assert len(plan._described) == described
    assert plan._labels.cache_info().currsize <= 4096


def test_a_schema_without_id_still_validates() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer", "x-legal": "Rule A"}}, "required": ["a"]}
    assert [issue.pointer for issue in validate(schema, {})] == ["/a"]
    assert validate(schema, {"a": "x"})[0].legal == "Rule A"
    assert validate(schema, {"a": 1}) == []


def test_a_schema_naming_an_unknown_rule_is_refused() -> None:
    schema = {"$id": "https://dpp.example/schemas/test/unknown-rule", "type": "object", "x-rules": ["no_such_rule"]}
    with pytest.raises(ValueError, match="no_such_rule"):
        validate(schema, {})

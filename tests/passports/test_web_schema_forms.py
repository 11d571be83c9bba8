"""The schema-driven passport form: layout from the schema, errors beside their field, and a lossless read-back.

These run without a database: ``passports.web.schema_forms`` is plain Python.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.pointers import pointer_tokens
from passports.schema_files import broken_files, example_files, example_schema, load_broken_variant, load_schema
from passports.validation import Issue, validate
from passports.web.schema_forms import (
    EMPTY_LIST_INPUT,
    FormNode,
    FormTree,
    build_form,
    parse_form,
    placeholder_token,
)

EXAMPLES = example_files()
BROKEN = broken_files()


def walk(nodes: list[FormNode]) -> Iterator[FormNode]:
    for node in nodes:
        yield node
        yield from walk(node.children)


def posted(tree: FormTree) -> list[tuple[str, str]]:
    """What a browser sends for the form as drawn: every input with its value, and the ticked 'none' boxes."""
    pairs: list[tuple[str, str]] = []
    for node in walk(tree.sections):
        if node.kind in {"field", "raw"}:
            pairs.append((node.pointer, node.value))
        if node.kind in {"rows", "list"} and node.declared_empty:
            pairs.append((EMPTY_LIST_INPUT, node.pointer))
    return pairs


def field(tree: FormTree, pointer: str) -> FormNode:
    return next(node for node in walk(tree.sections) if node.pointer == pointer)


BATTERY = load_schema("battery", "1.0")
CBAM = load_schema("cbam-installation", "1.0")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_shipped_example_survives_the_form_unchanged(path: Any) -> None:
    category, version = example_schema(path)
    schema = load_schema(category, version)
    data = json.loads(path.read_text(encoding="utf-8"))
    tree = build_form(schema, data)
    assert parse_form(schema, posted(tree)) == data


@pytest.mark.parametrize("path", BROKEN, ids=lambda path: path.name)
def test_broken_variants_keep_their_mistakes_and_show_each_error_on_its_field(path: Any) -> None:
    variant = load_broken_variant(path)
    schema = load_schema(variant.category, variant.version)
    issues = validate(schema, variant.data)
    tree = build_form(schema, variant.data, issues=issues)
    # What the user typed wrong comes back as typed, so saving the form again loses nothing.
    assert parse_form(schema, posted(tree)) == variant.data
    shown = {node.pointer: node for node in walk(tree.sections)}
    for issue in issues:
        # Each message sits on the very field its pointer names (the form draws every described field, and
        # members the schema does not know as raw JSON), never only in a list at the top.
        assert issue.pointer in shown, issue
        assert issue.message_en in shown[issue.pointer].errors
    assert tree.general_errors == []
    assert tree.error_count == len(issues)


def test_sections_follow_the_schema_with_titles_units_tiers_and_help() -> None:
    tree = build_form(BATTERY, {})
    assert [section.path for section in tree.sections] == [(name,) for name in BATTERY["properties"]]
    mass = field(tree, "/general_product_information/battery_mass")
    node = BATTERY["properties"]["general_product_information"]["properties"]["battery_mass"]
    assert mass.title == node["title"]
    assert mass.unit == node["x-unit"] == "kg"
    assert mass.tier == "public"
    assert mass.help == node["description"]
    assert mass.legal == node["x-legal"]
    assert mass.required
    assert mass.widget == "number"


def test_korean_titles_come_from_x_title_ko() -> None:
    tree = build_form(BATTERY, {}, lang="ko")
    assert tree.sections[0].title == BATTERY["properties"]["general_product_information"]["x-title-ko"]


def test_help_text_follows_the_language() -> None:
    english = field(build_form(BATTERY, {}, lang="en"), "/general_product_information/battery_mass")
    korean = field(build_form(BATTERY, {}, lang="ko"), "/general_product_information/battery_mass")
    assert english.help == "Weight of the battery."
    assert korean.help == "배터리의 무게."
    assert korean.title == "배터리 무게"


def test_korean_help_reaches_sections_rows_and_blank_row_templates() -> None:
    data = {"material_composition": {"hazardous_substances": [{"hazardous_substance_name": "LiPF6"}]}}
    tree = build_form(BATTERY, data, lang="ko")
    assert tree.sections[0].help.startswith("배터리, 제조자")
    row = field(tree, "/material_composition/hazardous_substances/0/hazardous_substance_identifier")
    assert row.help == "물질의 CAS 등록번호."
    substances = field(tree, "/material_composition/hazardous_substances")
    assert substances.blank is not None
    template = next(node for node in walk([substances.blank]) if node.path[-1] == "hazardous_substance_identifier")
    assert template.help == "물질의 CAS 등록번호."


def test_a_changed_description_shows_in_english_rather_than_beside_a_stale_translation() -> None:
    schema = copy.deepcopy(BATTERY)
    schema["properties"]["general_product_information"]["properties"]["battery_mass"]["description"] = "Mass, kg."
    tree = build_form(schema, {}, lang="ko")
    assert field(tree, "/general_product_information/battery_mass").help == "Mass, kg."
    # The other fields of the same schema keep their Korean help.
    assert field(tree, "/general_product_information/battery_model").help.startswith("배터리를 시장에")


def test_enums_are_selects_and_a_value_outside_the_list_stays_selected() -> None:
    data = {"general_product_information": {"battery_category": "submarine"}}
    tree = build_form(BATTERY, data)
    select = field(tree, "/general_product_information/battery_category")
    assert select.widget == "select"
    assert [choice.value for choice in select.choices] == ["lmt", "ev", "industrial", "stationary", "submarine"]
    assert [choice.value for choice in select.choices if choice.selected] == ["submarine"]
    assert parse_form(BATTERY, posted(tree)) == data


def test_required_lists_start_with_one_blank_row_and_blank_rows_are_left_out() -> None:
    tree = build_form(BATTERY, {})
    materials = field(tree, "/material_composition/battery_materials")
    assert materials.kind == "rows"
    assert len(materials.children) == 1  # minItems 1: somewhere to type at once
    assert parse_form(BATTERY, posted(tree)) == {}


def test_rows_come_back_in_index_order_renumbered_and_templates_are_ignored() -> None:
    base = "/material_composition/battery_materials"
    pairs = [
        (f"{base}/7/battery_material_name", "nickel"),
        (f"{base}/2/battery_material_name", "lithium"),
        (f"{base}/{placeholder_token(0)}/battery_material_name", "from the blank row template"),
        (f"{base}/5/battery_material_name", "   "),  # a row emptied by the user
    ]
    assert parse_form(BATTERY, pairs) == {
        "material_composition": {
            "battery_materials": [{"battery_material_name": "lithium"}, {"battery_material_name": "nickel"}]
        }
    }


def test_nested_repeatable_groups_have_their_own_placeholder() -> None:
    data = json.loads(next(p for p in EXAMPLES if p.name.startswith("cbam")).read_text(encoding="utf-8"))
    tree = build_form(CBAM, data)
    goods = field(tree, "/goods")
    assert goods.blank is not None
    precursors = next(node for node in walk([goods.blank]) if node.kind == "rows")
    assert precursors.pointer == f"/goods/{placeholder_token(0)}/precursors"
    assert precursors.blank is not None
    assert precursors.blank.pointer == f"/goods/{placeholder_token(0)}/precursors/{placeholder_token(1)}"


def test_the_none_box_states_an_empty_list_on_purpose() -> None:
    pairs = [(EMPTY_LIST_INPUT, "/performance_and_durability/battery_condition/negative_events")]
    assert parse_form(BATTERY, pairs) == {"performance_and_durability": {"battery_condition": {"negative_events": []}}}
    # Rows typed in win over a ticked box.
    pairs.append(("/performance_and_durability/battery_condition/negative_events/0/negative_event", "deep discharge"))
    parsed = parse_form(BATTERY, pairs)
    assert parsed["performance_and_durability"]["battery_condition"]["negative_events"] == [
        {"negative_event": "deep discharge"}
    ]


def test_numbers_convert_and_anything_else_is_kept_as_typed() -> None:
    pointer = "/general_product_information/battery_mass"
    assert parse_form(BATTERY, [(pointer, "412.5")]) == {"general_product_information": {"battery_mass": 412.5}}
    assert parse_form(BATTERY, [(pointer, " 412 ")]) == {"general_product_information": {"battery_mass": 412}}
    # A decimal comma, a unit typed in, an infinite number: kept as text for the validator to name.
    for typed in ("412,5", "412 kg", "1e999"):
        assert parse_form(BATTERY, [(pointer, typed)]) == {"general_product_information": {"battery_mass": typed}}
    issues = validate(BATTERY, parse_form(BATTERY, [(pointer, "412,5")]))
    assert any(issue.pointer == pointer and issue.rule == "type" for issue in issues)


def test_an_invalid_date_is_shown_in_a_text_input_so_the_browser_cannot_drop_it() -> None:
    pointer = "/general_product_information/manufacturing_date"
    good = build_form(BATTERY, {"general_product_information": {"manufacturing_date": "2026-03-12"}})
    bad = build_form(BATTERY, {"general_product_information": {"manufacturing_date": "12/03/2026"}})
    assert field(good, pointer).widget == "date"
    assert field(bad, pointer).widget == "text"
    assert field(bad, pointer).value == "12/03/2026"


def test_members_the_schema_does_not_know_are_shown_as_json_and_read_back() -> None:
    data = {"general_product_information": {"colour": {"name": "blue", "ral": 5015}}, "extra": [1, 2]}
    tree = build_form(BATTERY, data)
    colour = field(tree, "/general_product_information/colour")
    assert colour.kind == "raw"
    assert json.loads(colour.value) == {"name": "blue", "ral": 5015}
    assert parse_form(BATTERY, posted(tree)) == data
    # Emptying the box removes the member; text that is not JSON is kept as text.
    assert parse_form(BATTERY, [("/general_product_information/colour", "")]) == {}
    assert parse_form(BATTERY, [("/extra", "not json")]) == {"extra": "not json"}


def test_a_value_of_the_wrong_shape_is_kept_as_raw_json() -> None:
    data = {"general_product_information": {"manufacturer_information": "Hanbit"}}
    tree = build_form(BATTERY, data)
    assert field(tree, "/general_product_information/manufacturer_information").kind == "raw"
    assert parse_form(BATTERY, posted(tree)) == data


def test_booleans_are_yes_no_or_not_given() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "object", "properties": {"recyclable": {"type": "boolean", "title": "R"}}}},
    }
    for value in (True, False):
        tree = build_form(schema, {"a": {"recyclable": value}})
        assert parse_form(schema, posted(tree)) == {"a": {"recyclable": value}}
    assert parse_form(schema, [("/a/recyclable", "")]) == {}


def test_windows_line_breaks_are_stored_as_typed_lines() -> None:
    pointer = "/general_product_information/battery_model"
    parsed = parse_form(BATTERY, [(pointer, "line one\r\nline two")])
    assert parsed == {"general_product_information": {"battery_model": "line one\nline two"}}
    tree = build_form(BATTERY, parsed)
    assert field(tree, pointer).widget == "textarea"  # a one-line input would drop the line break


def test_an_issue_about_a_row_that_is_not_shown_goes_to_the_nearest_field_shown() -> None:
    issue = Issue("/material_composition/battery_materials/9/battery_material_mass", "minimum", "far", "먼", None)
    tree = build_form(BATTERY, {}, issues=[issue])
    assert field(tree, "/material_composition/battery_materials").errors == ["far"]
    root = Issue("", "rule", "about everything", "전체", None)
    assert build_form(BATTERY, {}, issues=[root]).general_errors == ["about everything"]


def test_messages_follow_the_language() -> None:
    issue = Issue("/general_product_information/battery_model", "required", "Model is required.", "모델은 필수", None)
    tree = build_form(BATTERY, {}, issues=[issue], lang="ko")
    assert field(tree, "/general_product_information/battery_model").errors == ["모델은 필수"]


def test_inherited_fields_are_marked_until_the_item_overrides_them() -> None:
    base = {"general_product_information": {"battery_model": "P96", "battery_mass": 412}}
    own = {"general_product_information": {"battery_mass": 411}}
    effective = {"general_product_information": {"battery_model": "P96", "battery_mass": 411}}
    tree = build_form(BATTERY, effective, base=base, own=own)
    assert field(tree, "/general_product_information/battery_model").inherited
    assert not field(tree, "/general_product_information/battery_mass").inherited
    # Without a base (a model passport) nothing is inherited.
    assert not field(build_form(BATTERY, effective), "/general_product_information/battery_model").inherited


def test_pointer_tokens_are_unescaped_as_rfc_6901_says() -> None:
    assert pointer_tokens("/a~1b/c~0d/~01") == ["a/b", "c~d", "~1"]
    assert pointer_tokens("") == []


@given(st.text(max_size=40))
def test_text_typed_into_a_text_field_comes_back_trimmed_or_not_at_all(typed: str) -> None:
    pointer = "/general_product_information/battery_model"
    parsed = parse_form(BATTERY, [(pointer, typed)])
    expected = typed.replace("\r\n", "\n").strip()
    if expected:
        assert parsed == {"general_product_information": {"battery_model": expected}}
    else:
        assert parsed == {}


@given(st.one_of(st.text(max_size=20), st.floats(allow_nan=False).map(repr), st.integers().map(str)))
def test_a_number_field_never_loses_what_was_typed(typed: str) -> None:
    pointer = "/general_product_information/battery_mass"
    parsed = parse_form(BATTERY, [(pointer, typed)])
    if not typed.strip():
        assert parsed == {}
        return
    value = parsed["general_product_information"]["battery_mass"]
    if isinstance(value, str):
        assert value == typed.replace("\r\n", "\n").strip()
    else:
        # A converted number is the number typed: shown again, it reads back to the same value.
        assert float(value) == float(typed.strip())
        again = build_form(BATTERY, parsed)
        assert parse_form(BATTERY, posted(again)) == parsed

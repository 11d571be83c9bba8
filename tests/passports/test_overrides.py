"""Item and batch passports as JSON Merge Patches (RFC 7396) over their model passport."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passports.overrides import diff_overrides, json_equal, merge_overrides
from passports.schema_files import example_files

NO_NULL_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
NO_NULL_JSON = st.recursive(
    NO_NULL_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=20,
)
NO_NULL_OBJECTS = st.dictionaries(st.text(max_size=4), NO_NULL_JSON, max_size=5)
ANY_JSON = st.recursive(
    NO_NULL_SCALARS | st.none(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),  # arrays are replaced, never merged
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),  # a null already in the target stays
        ({"a": "foo"}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),  # a non-object target becomes {}
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_follows_rfc_7396(target: dict[str, Any], patch: dict[str, Any], result: dict[str, Any]) -> None:
    before = copy.deepcopy(target), copy.deepcopy(patch)
    assert merge_overrides(target, patch) == result
    assert (target, patch) == before


def test_a_merged_result_shares_nothing_with_its_inputs() -> None:
    base = {"a": {"b": [1, 2]}}
    patch = {"c": {"d": [3]}}
    merged = merge_overrides(base, patch)
    merged["a"]["b"].append(9)
    merged["c"]["d"].append(9)
    assert base == {"a": {"b": [1, 2]}}
    assert patch == {"c": {"d": [3]}}


def test_an_item_passport_stores_only_what_differs_from_its_model() -> None:
    model = json.loads(example_files("battery", "1.0")[0].read_text(encoding="utf-8"))
    item = copy.deepcopy(model)
    item["general_product_information"]["product_identifier"] = "HBE-P96A2603120418"
    item["general_product_information"]["manufacturing_date"] = "2026-03-13"
    del item["performance_and_durability"]["battery_condition"]["negative_events"]
    item["circularity"]["recycled_content"][0]["post_consumer_share"] = 11.0
    patch = diff_overrides(model, item)
    assert patch == {
        "general_product_information": {"product_identifier": "HBE-P96A2603120418", "manufacturing_date": "2026-03-13"},
        "performance_and_durability": {"battery_condition": {"negative_events": None}},
        # Arrays are replaced whole: the patch carries the entire recycled-content list.
        "circularity": {"recycled_content": item["circularity"]["recycled_content"]},
    }
    assert merge_overrides(model, patch) == item


def test_diff_of_equal_documents_is_empty() -> None:
    model = json.loads(example_files("textile", "1.0")[0].read_text(encoding="utf-8"))
    assert diff_overrides(model, copy.deepcopy(model)) == {}


def test_json_equality_tells_booleans_from_numbers() -> None:
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert json_equal(1, 1.0)
    assert not json_equal([1, 2], [2, 1])
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})
    assert diff_overrides({"a": 1}, {"a": True}) == {"a": True}
    assert diff_overrides({"a": 1}, {"a": 1.0}) == {}


def test_a_patch_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(TypeError):
        merge_overrides({"a": 1}, [1])  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(base=NO_NULL_OBJECTS, full=NO_NULL_OBJECTS)
def test_merge_of_diff_restores_the_full_document(base: dict[str, Any], full: dict[str, Any]) -> None:
    assert merge_overrides(base, diff_overrides(base, full)) == full


@settings(max_examples=200, deadline=None)
@given(base=st.dictionaries(st.text(max_size=4), ANY_JSON, max_size=5), full=NO_NULL_OBJECTS)
def test_merge_of_diff_restores_even_when_the_base_holds_nulls(base: dict[str, Any], full: dict[str, Any]) -> None:
    assert merge_overrides(base, diff_overrides(base, full)) == full


@settings(max_examples=200, deadline=None)
@given(base=NO_NULL_OBJECTS, full=NO_NULL_OBJECTS)
def test_the_diff_is_minimal(base: dict[str, Any], full: dict[str, Any]) -> None:
    # Nothing in the patch is already so in the base: every top-level member of the patch changes something.
    patch = diff_overrides(base, full)
    for key, value in patch.items():
        if value is None:
            assert key in base
            assert key not in full
        else:
            assert key not in base or not json_equal(base[key], full[key])


@settings(max_examples=200, deadline=None)
@given(base=NO_NULL_OBJECTS, patch=st.dictionaries(st.text(max_size=4), ANY_JSON, max_size=5))
def test_applying_a_patch_twice_changes_nothing_more(base: dict[str, Any], patch: dict[str, Any]) -> None:
    once = merge_overrides(base, patch)
    assert merge_overrides(once, patch) == once

"""Access tiers: a viewer never sees a field above their tier, and loses nothing at or below it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passports.schema_files import example_files, example_schema, iter_schema_files, load_schema
from passports.tiers import TIERS, field_tiers, render_for_tier, tier_rank

SCHEMAS = [(category, version) for category, version, _ in iter_schema_files()]

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
# Something a leaf should never carry through: nested data under a field that holds one value.
JUNK = st.one_of(
    st.dictionaries(st.text(max_size=5), JSON_SCALARS, min_size=1, max_size=2),
    st.lists(JSON_SCALARS, min_size=1, max_size=2),
)
# Member names the schemas do not describe; a renderer must drop them, whatever their value.
UNKNOWN_MEMBERS = st.dictionaries(
    st.text(min_size=1, max_size=10).map(lambda name: "x_" + name), JSON_SCALARS | JUNK, max_size=2
)


def _strategy(node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Passport-shaped data for ``node``: every field optional, unknown members and wrong shapes mixed in."""
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        members = st.fixed_dictionaries({}, optional={name: _strategy(child) for name, child in properties.items()})
        merged = st.tuples(members, UNKNOWN_MEMBERS).map(lambda pair: {**pair[1], **pair[0]})
        return st.one_of(merged, merged, merged, JSON_SCALARS)
    if node.get("type") == "array":
        return st.one_of(st.lists(_strategy(node.get("items", {})), max_size=2), JSON_SCALARS)
    values: st.SearchStrategy[Any] = JSON_SCALARS
    if "enum" in node:
        values = st.sampled_from(node["enum"])
    return st.one_of(values, values, values, JUNK)


def _passports(schema: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    members = st.fixed_dictionaries(
        {}, optional={name: _strategy(child) for name, child in schema["properties"].items()}
    )
    return st.tuples(members, UNKNOWN_MEMBERS).map(lambda pair: {**pair[1], **pair[0]})


def _assert_nothing_above(node: Mapping[str, Any], value: Any, viewer: int, inherited: int, pointer: str) -> None:
    rank = tier_rank(node["x-access"]) if "x-access" in node else inherited
    assert rank <= viewer, f"{pointer} ({TIERS[rank]}) shown to a {TIERS[viewer]} viewer"
    if "properties" in node:
        assert isinstance(value, dict), pointer
        for name, member in value.items():
            assert name in node["properties"], f"undescribed member {pointer}/{name} leaked"
            _assert_nothing_above(node["properties"][name], member, viewer, rank, f"{pointer}/{name}")
    elif node.get("type") == "array":
        assert isinstance(value, list), pointer
        for index, item in enumerate(value):
            _assert_nothing_above(node.get("items", {}), item, viewer, rank, f"{pointer}/{index}")
    else:
        assert value is None or isinstance(value, str | int | float | bool), f"nested data leaked at {pointer}"


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, member in value.items():
            yield f"{prefix}/{name}"
            yield from _paths(member, f"{prefix}/{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, f"{prefix}/{index}")


@pytest.mark.parametrize(("category", "version"), SCHEMAS)
def test_no_field_above_the_viewers_tier_ever_appears(category: str, version: str) -> None:
    schema = load_schema(category, version)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=_passports(schema), tier=st.sampled_from(TIERS))
    def check(data: dict[str, Any], tier: str) -> None:
        rendered = render_for_tier(schema, data, tier)
        _assert_nothing_above(schema, rendered, tier_rank(tier), 0, "")
        # Rendering again changes nothing, and a higher tier sees everything a lower one does.
        assert render_for_tier(schema, rendered, tier) == rendered
        shown = set(_paths(rendered))
        for higher in TIERS[tier_rank(tier) + 1 :]:
            assert shown <= set(_paths(render_for_tier(schema, data, higher)))

    check()


@pytest.mark.parametrize("path", example_files(), ids=lambda path: path.name)
def test_authorities_see_a_valid_passport_whole(path: Any) -> None:
    category, version = example_schema(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert render_for_tier(load_schema(category, version), data, "authority") == data


def test_the_public_sees_annex_xiii_point_1_of_a_battery_and_nothing_else() -> None:
    schema = load_schema("battery", "1.0")
    data = json.loads(example_files("battery", "1.0")[0].read_text(encoding="utf-8"))
    public = render_for_tier(schema, data, "public")
    general = public["general_product_information"]
    assert "battery_status" not in general  # Annex XIII(4)(c): legitimate interest
    assert general["battery_category"] == "ev"
    assert "battery_materials" not in public["material_composition"]  # Annex XIII(2)(a)
    assert public["material_composition"]["hazardous_substances"]  # Annex XIII(1)(b)
    assert public["circularity"]["safety_measures"] == {
        "extinguishing_agent": data["circularity"]["safety_measures"]["extinguishing_agent"]
    }
    assert "battery_condition" not in public["performance_and_durability"]
    assert "result_of_test_report" not in public["labeling"]  # Annex XIII(3): authorities only
    interested = render_for_tier(schema, data, "legitimate_interest")
    assert interested["general_product_information"]["battery_status"] == "original"
    assert "result_of_test_report" not in interested["labeling"]


def test_unknown_members_and_wrong_shapes_are_dropped_and_the_input_is_untouched() -> None:
    schema = load_schema("battery", "1.0")
    data = {
        "general_product_information": {"battery_model": "M1", "secret_price": 1200, "battery_mass": {"value": 5}},
        "internal_notes": "do not publish",
        "labeling": ["not", "an", "object"],
    }
    before = json.dumps(data, sort_keys=True)
    assert render_for_tier(schema, data, "authority") == {"general_product_information": {"battery_model": "M1"}}
    assert json.dumps(data, sort_keys=True) == before


def test_an_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown access tier"):
        render_for_tier(load_schema("battery", "1.0"), {}, "admin")


def test_a_field_with_an_unknown_access_value_is_hidden_from_everyone() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "x-access": "internal"}, "b": {"type": "string", "x-access": "public"}},
    }
    assert render_for_tier(schema, {"a": "x", "b": "y"}, "authority") == {"b": "y"}
    assert field_tiers(schema) == {"/a": "hidden", "/b": "public"}


def test_field_tiers_lists_every_field_with_array_items_as_wildcards() -> None:
    tiers = field_tiers(load_schema("battery", "1.0"))
    assert tiers["/general_product_information"] == "public"
    assert tiers["/general_product_information/battery_status"] == "legitimate_interest"
    assert tiers["/material_composition/battery_materials/*/battery_material_mass"] == "legitimate_interest"
    assert tiers["/labeling/result_of_test_report"] == "authority"
    assert set(tiers.values()) == set(TIERS)

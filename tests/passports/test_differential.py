"""The fast engine (jsonschema_rs) and the reference engine (jsonschema) give the same answers.

Same verdict, same pointers, same rules, and since the messages are ours, the same words: over every
shipped example, every broken variant, and passports broken at random by hypothesis.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passports.schema_files import broken_files, example_files, example_schema, load_broken_variant, load_schema
from passports.validation import Issue, is_valid, validate
from tests.passports.reference_validator import validate_reference


def _key(issue: Issue) -> tuple[str, str, str, str, str | None]:
    return issue.pointer, issue.rule, issue.message_en, issue.message_ko, issue.legal


def _assert_same(schema: dict[str, Any], data: Any) -> list[Issue]:
    fast = validate(schema, data)
    reference = validate_reference(schema, data)
    assert sorted(map(_key, fast)) == sorted(map(_key, reference))
    assert is_valid(schema, data) == (not reference)
    return fast


@pytest.mark.parametrize("path", example_files(), ids=lambda path: path.name)
def test_engines_agree_on_every_example(path: Path) -> None:
    category, version = example_schema(path)
    assert _assert_same(load_schema(category, version), json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", broken_files(), ids=lambda path: path.name)
def test_engines_agree_on_every_broken_variant(path: Path) -> None:
    variant = load_broken_variant(path)
    fast = _assert_same(load_schema(variant.category, variant.version), variant.data)
    assert {(issue.pointer, issue.rule) for issue in fast} == variant.expected
    assert not is_valid(load_schema(variant.category, variant.version), variant.data)


def _locations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for name, member in value.items():
            found += _locations(member, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _locations(item, (*path, index))
    return found


# Replacement values on which both engines' format checkers are specified to agree: wrong types, and
# strings that are invalid (or valid) for every format the schemas use (date, date-time, uri, email).
REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**7),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from(["", "x", "not a date", "2026-02-30", "2026-01-01T10:00:00", "Lithium", "KR", "8507 60 00"]),
    st.just([]),
    st.just([1, 1]),
    st.just({"unexpected": True}),
)


@st.composite
def _broken_example(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    path = draw(st.sampled_from(example_files()))
    data = json.loads(path.read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        locations = _locations(data)
        if not locations:
            break
        where = draw(st.sampled_from(locations))
        parent: Any = data
        for part in where[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add_member"]))
        if action == "delete":
            del parent[where[-1]]
        elif action == "add_member" and isinstance(parent, dict):
            # Copies: the drawn lists and objects are shared by every test case and must stay as drawn.
            parent[draw(st.sampled_from(["extra", "notes/x", "a~b"]))] = copy.deepcopy(draw(REPLACEMENTS))
        else:
            parent[where[-1]] = copy.deepcopy(draw(REPLACEMENTS))
    return path.name, data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_broken_example())
def test_engines_agree_on_randomly_broken_passports(case: tuple[str, dict[str, Any]]) -> None:
    name, data = case
    category, version = example_schema(Path(name))
    _assert_same(load_schema(category, version), data)


def test_an_object_in_the_wrong_place_reads_the_same_from_both_engines() -> None:
    """jsonschema_rs returns objects with sorted keys, the reference engine in the order sent."""
    schema = load_schema("cbam-installation", "1.0")
    data = json.loads(example_files("cbam-installation", "1.0")[0].read_text(encoding="utf-8"))
    data["goods"][0]["precursors"][0]["aggregated_goods_category"] = {"unexpected": True, "extra": None}
    issues = _assert_same(schema, data)
    assert any('{"extra": null, "unexpected": true}' in issue.message_en for issue in issues)

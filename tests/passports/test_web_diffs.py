"""Field-by-field differences between two versions (``passports.web.diffs``); plain Python, no database."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from passports.web.diffs import field_changes, leaves


def test_changes_are_named_by_pointer_in_document_order() -> None:
    old = {"a": {"x": 1, "y": "keep", "gone": True}, "rows": [{"n": 1}, {"n": 2}], "z": 0}
    new = {"a": {"x": 1.0, "y": "keep", "new": [1]}, "rows": [{"n": 1}, {"n": 3}], "z": 0}
    changes = [(change.pointer, change.kind, change.old, change.new) for change in field_changes(old, new)]
    assert changes == [
        ("/a/gone", "removed", True, None),  # where it was: after /a/y
        ("/a/new/0", "added", None, 1),
        ("/rows/1/n", "changed", 2, 3),
    ]
    # 1 and 1.0 are the same JSON number; true and 1 are not.
    assert field_changes({"v": True}, {"v": 1})[0].kind == "changed"


def test_empty_containers_are_leaves() -> None:
    assert dict(leaves({"a": [], "b": {}})) == {("a",): [], ("b",): {}}
    assert [(c.pointer, c.kind) for c in field_changes({"a": []}, {"a": [5]})] == [("/a", "removed"), ("/a/0", "added")]
    assert list(leaves({})) == []  # an empty document has no fields


def test_pointers_escape_slashes_and_tildes() -> None:
    assert field_changes({}, {"a/b": {"c~d": 1}})[0].pointer == "/a~1b/c~0d"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=2), children, max_size=3),
    max_leaves=12,
)


@given(json_values, json_values)
def test_no_change_means_equal_leaves(old: Any, new: Any) -> None:
    changes = field_changes(old, new)
    if not changes:
        assert dict(leaves(old)).keys() == dict(leaves(new)).keys()
    # Every path that differs is reported exactly once.
    assert len({change.path for change in changes}) == len(changes)


@given(json_values)
def test_a_document_does_not_differ_from_itself(document: Any) -> None:
    assert field_changes(document, document) == []

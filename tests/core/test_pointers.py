"""The one JSON Pointer helper (core/pointers.py) against RFC 6901's own examples and a round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.pointers import pointer_of, pointer_token, pointer_tokens


def test_tilde_is_escaped_before_slash_and_read_back_in_the_other_order() -> None:
    # RFC 6901 sections 3 and 4: "~1" as a name is written "~01" and must not read back as "/".
    assert pointer_of(["a/b", "m~n", "~1", 0, ""]) == "/a~1b/m~0n/~01/0/"
    assert pointer_tokens("/a~1b/m~0n/~01/0/") == ["a/b", "m~n", "~1", "0", ""]
    assert pointer_token(3) == "3"


def test_the_whole_document_is_the_empty_pointer() -> None:
    assert pointer_of([]) == ""
    assert pointer_tokens("") == []


def test_text_without_a_leading_slash_is_refused() -> None:
    with pytest.raises(ValueError, match="not a JSON Pointer"):
        pointer_tokens("a/b")


@given(st.lists(st.text(alphabet=st.sampled_from("ab~/01 é"), max_size=6), max_size=5))
def test_reading_a_written_pointer_gives_the_same_names(names: list[str]) -> None:
    assert pointer_tokens(pointer_of(names)) == names

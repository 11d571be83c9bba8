"""The audit hash chain alone (passports/audit.py, plain half): canonical bytes, hashes and the checker.

No database: rows are built the way ``record_entries`` builds them, then edited, dropped or swapped as an
attacker with raw table access would, and ``verify_chain`` must name the first bad event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from passports.audit import (
    COLUMNS,
    GENESIS,
    canonical_event,
    check_details,
    event_hash,
    exported_rows,
    timestamp_text,
    verify_chain,
)

START = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def chain(org: int, count: int, first_id: int = 1) -> list[tuple[Any, ...]]:
    """``count`` linked rows of one organization, in ``COLUMNS`` order."""
    rows = []
    prev = GENESIS
    for n in range(1, count + 1):
        fields = {
            "organization_id": org,
            "seq": n,
            "at": START + dt.timedelta(seconds=n),
            "actor_type": "user",
            "actor_id": "7",
            "actor_label": "kim.minji",
            "action": "passport_version.updated",
            "object_type": "passport_version",
            "object_id": str(100 + n),
            "object_repr": f"passport 3 v{n}",
            "ip": "203.0.113.9",
            "request_id": f"req{n:08d}",
            "before_hash": "a" * 64,
            "after_hash": "b" * 64,
            "details": {"changed": ["data", "revision"]},
            "prev_hash": prev,
        }
        prev = event_hash(**fields)
        rows.append(tuple({**fields, "id": first_id + n - 1, "hash": prev}[name] for name in COLUMNS))
    return rows


def replace(row: tuple[Any, ...], **changes: Any) -> tuple[Any, ...]:
    return tuple(changes.get(name, value) for name, value in zip(COLUMNS, row, strict=True))


def test_an_untouched_chain_verifies_and_counts_events_and_chains() -> None:
    rows = chain(1, 5) + chain(2, 3, first_id=6)
    report = verify_chain(rows, {1: (5, rows[4][-1]), 2: (3, rows[7][-1])})
    assert report.ok, report.problem
    assert (report.events, report.chains) == (8, 2)


def test_the_first_event_links_to_64_zeros_and_its_hash_is_sha256_of_the_canonical_bytes() -> None:
    row = chain(1, 1)[0]
    fields = dict(zip(COLUMNS, row, strict=True))
    assert fields["prev_hash"] == "0" * 64
    body = canonical_event(**{k: v for k, v in fields.items() if k not in {"id", "hash"}})
    assert hashlib.sha256(body).hexdigest() == fields["hash"]
    # Every field but the row id is covered: the time in UTC with microseconds, the chain version.
    decoded = json.loads(body)
    assert decoded["at"] == "2026-03-01T09:30:01.000000Z"
    assert decoded["v"] == 1
    assert "id" not in decoded


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "passport_version.deleted"),
        ("actor_label", "someone.else"),
        ("ip", "198.51.100.1"),
        ("after_hash", "c" * 64),
        ("details", {"changed": ["data"]}),
        ("at", START + dt.timedelta(days=1)),
    ],
)
def test_an_edited_event_is_named(column: str, value: Any) -> None:
    rows = chain(1, 6)
    rows[3] = replace(rows[3], **{column: value})
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.seq, problem.event_id, problem.kind) == (4, 4, "edited")


def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link() -> None:
    rows = chain(1, 4)
    fields = dict(zip(COLUMNS, rows[1], strict=True))
    fields["actor_label"] = "forger"
    forged_hash = event_hash(**{k: v for k, v in fields.items() if k not in {"id", "hash"}})
    rows[1] = replace(rows[1], actor_label="forger", hash=forged_hash)
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, "missing")  # event 3 no longer links to event 2


def test_a_deleted_event_leaves_a_gap_named_at_the_next_one() -> None:
    rows = chain(1, 5)
    del rows[2]
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.seq, problem.event_id, problem.kind) == (4, 4, "missing")


def test_deleting_and_renumbering_is_still_caught_by_the_hashes() -> None:
    rows = chain(1, 5)
    del rows[2]
    rows[2:] = [replace(row, seq=row[2] - 1) for row in rows[2:]]
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, "edited")


def test_swapped_positions_are_caught() -> None:
    rows = chain(1, 5)
    rows[1], rows[2] = replace(rows[2], seq=2), replace(rows[1], seq=3)
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (2, "edited")


def test_swapped_row_ids_are_caught_as_reordering() -> None:
    rows = chain(1, 5)
    rows[1], rows[2] = replace(rows[1], id=3), replace(rows[2], id=2)
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.seq, problem.event_id, problem.kind) == (3, 2, "reordered")


def test_events_cut_from_the_end_are_caught_by_the_head() -> None:
    rows = chain(1, 5)
    head = {1: (5, rows[-1][-1])}
    problem = verify_chain(rows[:3], head).problem
    assert problem is not None
    assert (problem.seq, problem.event_id, problem.kind) == (3, None, "truncated")
    gone = verify_chain([], head).problem
    assert gone is not None
    assert gone.kind == "truncated"


def test_a_truncated_first_chain_is_caught_before_the_next_chain_starts() -> None:
    first, second = chain(1, 4), chain(2, 2, first_id=5)
    problem = verify_chain(first[:2] + second, {1: (4, first[-1][-1]), 2: (2, second[-1][-1])}).problem
    assert problem is not None
    assert (problem.organization_id, problem.kind) == (1, "truncated")


def test_exported_lines_verify_and_an_edited_line_does_not() -> None:
    rows = chain(9, 3)
    lines = []
    for row in rows:
        item = dict(zip(COLUMNS, row, strict=True))
        item["organization"] = item.pop("organization_id")
        item["at"] = timestamp_text(item["at"])
        lines.append(json.dumps(item))
    assert verify_chain(exported_rows(lines)).ok
    lines[1] = lines[1].replace("kim.minji", "park.jiho")
    problem = verify_chain(exported_rows(lines)).problem
    assert problem is not None
    assert problem.seq == 2


def test_floats_are_refused_in_details_because_their_canonical_form_differs() -> None:
    check_details({"changed": ["a"], "n": 3, "ok": True, "none": None, "nested": {"k": ["v"]}})
    with pytest.raises(TypeError, match="float"):
        check_details({"ratio": 0.1})
    with pytest.raises(TypeError, match="keys"):
        check_details({1: "x"})
    with pytest.raises(TypeError, match="ASCII"):
        check_details({"\u00e9tat": "x"})


text = st.text(max_size=20)
ascii_keys = st.text(st.characters(max_codepoint=127), max_size=8)
detail_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ascii_keys, inner, max_size=3),
    max_leaves=8,
)


@given(
    texts=st.lists(text, min_size=9, max_size=9),
    seq=st.integers(1, 2**40),
    details=st.dictionaries(ascii_keys, detail_values, max_size=4),
)
def test_canonical_bytes_are_exactly_rfc8785(texts: list[str], seq: int, details: dict[str, Any]) -> None:
    """json.dumps(sort_keys, no spaces, UTF-8) equals RFC 8785 for text, whole numbers, booleans and null."""
    fields = dict(
        zip(
            [
                "actor_type",
                "actor_id",
                "actor_label",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "ip",
                "request_id",
            ],
            texts,
            strict=True,
        )
    )
    kwargs: dict[str, Any] = {
        **fields,
        "organization_id": 5,
        "seq": seq,
        "at": "2026-03-01T09:30:01.000000Z",
        "before_hash": "",
        "after_hash": "",
        "details": details,
        "prev_hash": GENESIS,
    }
    ours = canonical_event(**kwargs)
    reference = dict(json.loads(ours))
    assert ours == rfc8785.dumps(reference)


def test_times_are_hashed_in_utc_with_microseconds_whatever_zone_they_come_in() -> None:
    seoul = dt.timezone(dt.timedelta(hours=9))
    # 18:30 in Seoul (UTC+9) is 09:30 UTC; a whole second still shows six zeros.
    assert timestamp_text(dt.datetime(2026, 3, 1, 18, 30, tzinfo=seoul)) == "2026-03-01T09:30:00.000000Z"
    assert timestamp_text(dt.datetime(2026, 3, 1, 9, 30, 0, 5, tzinfo=dt.UTC)) == "2026-03-01T09:30:00.000005Z"

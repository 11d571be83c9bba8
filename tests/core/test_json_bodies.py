"""JSON request bodies read by orjson (core/json_bodies.py, core/parsers.py): the same values and
the same refusals, in the same words, as DRF's own parser on the standard library, except where the module says."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.json_bodies import parse_json
from core.parsers import OrjsonParser
from tests.factories import shipped_example


def _parse(parser: JSONParser, raw: bytes, encoding: str = "utf-8") -> Any:
    return parser.parse(io.BytesIO(raw), "application/json", {"encoding": encoding})


def _refusal(parser: JSONParser, raw: bytes, encoding: str = "utf-8") -> str:
    with pytest.raises(ParseError) as caught:
        _parse(parser, raw, encoding)
    return str(caught.value.detail)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1, "b": [true, false, null], "c": {"d": "\\u00e9\\ud83d\\ude00"}}',
        '{"이름": "전기차 배터리", "mass": 412.5, "share": -0.0, "n": -9223372036854775808}'.encode(),
        b'{"same": 1, "other": 2, "same": 3}',
        b"[0.1, 1e-7, 1E+21, 18446744073709551615, 2.5e-324]",
        b'  "just a string"  ',
    ],
)
def test_valid_bodies_read_as_the_standard_library_reads_them(raw: bytes) -> None:
    value = _parse(OrjsonParser(), raw)
    assert value == json.loads(raw)
    assert json.dumps(value) == json.dumps(json.loads(raw))  # same types and member order, not just equal


def test_a_whole_passport_reads_the_same() -> None:
    raw = json.dumps(shipped_example("battery"), ensure_ascii=False).encode()
    assert parse_json(raw) == json.loads(raw)


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (b'{"a":', "utf-8"),
        (b"[1, 2,]", "utf-8"),
        (b'{"a": 1} trailing', "utf-8"),
        (b"", "utf-8"),
        (b"NaN", "utf-8"),
        (b'{"x": [Infinity]}', "utf-8"),
        (b'{"x": -Infinity}', "utf-8"),
        (b"\xef\xbb\xbf{}", "utf-8"),
        (b'{"a": "tab\there"}', "utf-8"),
        (b'{"a": "\xff"}', "utf-8"),
        (b'{"a": "caf\xe9"', "latin-1"),
    ],
)
def test_malformed_bodies_are_refused_in_the_same_words(raw: bytes, encoding: str) -> None:
    ours = _refusal(OrjsonParser(), raw, encoding)
    assert ours == _refusal(JSONParser(), raw, encoding)
    assert ours.startswith("JSON parse error - ")


def test_other_charsets_are_decoded_as_drf_decodes_them() -> None:
    raw = '{"name": "café", "size": 3}'.encode("latin-1")
    assert _parse(OrjsonParser(), raw, "latin-1") == _parse(JSONParser(), raw, "latin-1") == {"name": "café", "size": 3}
    with pytest.raises(ParseError):  # the same body read as UTF-8 is not UTF-8
        _parse(OrjsonParser(), raw)


@pytest.mark.parametrize(
    ("raw", "before", "why"),
    [
        (b'{"mass": 1e400}', {"mass": float("inf")}, "number is infinity"),
        (b'{"name": "\\ud800"}', {"name": "\ud800"}, "surrogate"),
    ],
)
def test_what_cannot_be_hashed_is_refused_where_the_standard_library_let_it_in(
    raw: bytes, before: Any, why: str
) -> None:
    assert _parse(JSONParser(), raw) == before  # which RFC 8785 (the content hash) and rendering then refuse
    assert why in _refusal(OrjsonParser(), raw)


def test_deep_nesting_is_a_parse_error_not_a_stack_overflow() -> None:
    raw = b"[" * 2_000 + b"]" * 2_000
    with pytest.raises(RecursionError):
        _parse(JSONParser(), raw)
    assert "depth limit exceeded" in _refusal(OrjsonParser(), raw)


def test_integers_past_64_bits_are_read_as_doubles() -> None:
    # Deliberate (see core/json_bodies.py): RFC 8785, which hashes passports, reads every number as a double.
    assert parse_json(b"[18446744073709551616, -9223372036854775809]") == [2.0**64, -(2.0**63)]
    assert parse_json(b"[18446744073709551615, -9223372036854775808]") == [2**64 - 1, -(2**63)]


@pytest.mark.django_db
def test_the_api_answers_a_malformed_body_with_the_parse_error_envelope(tenant: Any, login_api: Any) -> None:
    api = login_api(tenant.viewer)
    body = b'{"schema": "battery/1.0", "data": {"mass": NaN}}'
    response = api.generic("POST", "/api/v1/validate", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "parse_error",
            "message": "JSON parse error - Out of range float values are not JSON compliant: 'NaN'",
            "details": [],
        }
    }
    truncated = api.generic("POST", "/api/v1/validate", body[:30], content_type="application/json")
    assert (
        truncated.json()["error"]["message"]
        == "JSON parse error - Unterminated string starting at: line 1 column 27 (char 26)"
    )
    good = json.dumps({"schema": "battery/1.0", "data": shipped_example("battery")}).encode()
    assert api.generic("POST", "/api/v1/validate", good, content_type="application/json").json()["valid"] is True


def _views(patterns: list[Any]) -> list[type]:
    found: list[type] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            found.append(pattern.callback.cls)
    return found


def test_every_api_view_reads_json_with_the_orjson_parser() -> None:
    views = _views(get_resolver().url_patterns)
    assert len(views) > 20
    for view in views:
        json_parsers = [parser for parser in view().get_parsers() if isinstance(parser, JSONParser)]
        assert all(isinstance(parser, OrjsonParser) for parser in json_parsers), view

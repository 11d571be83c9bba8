"""The one canonical JSON function (core/canonical_json.py) writes the bytes of the hashes already stored.

The digests below were computed by the code this function replaced (the signing engine's fast path,
``passports.documents.content_hash`` and the audit chain's own encoder): content hashes, credential digests
and audit hashes kept in databases must still verify, so these bytes may never change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import rfc8785

from core.canonical_json import canonical_json, canonical_sha256
from passports.audit import event_hash
from passports.documents import content_hash

STORED: list[tuple[Any, str]] = [
    (
        {"nominalCapacityKWh": 75.2, "chemistry": "NMC811", "cells": [{"position": 1, "voltage": 3.65}]},
        "7dcff4eeb023ebfcf0126390d49e21941696315b0b16ebea60221c25e3d786e9",
    ),
    (
        {
            "big": 1e16,
            "small": 1e-07,
            "neg_zero": -0.0,
            "integral": 1890.0,
            "max_safe": 9007199254740991,
            "third": 0.3333333333333333,
        },
        "b82dc41a62b3e303599870bb88d39e0028147a569b2af72e0431032b0aa70ffb",
    ),
    (
        {
            "text": 'tab\t nl\n cr\r bs\x08 ff\x0c nul\x00 del\x7f quote" backslash\\ slash/ sep\u2028',
            "korean": "\ubc30\ud130\ub9ac \uc5ec\uad8c",
        },
        "c1f10469dca760912332b70be30c5d3151e318c2bcb63317679a9e0bc0800b44",
    ),
    (
        {"\U0001f600emoji": 1, "\uff21": 2, "a": [True, False, None, [], {}]},
        "9b4dbef65434cde5ab25579cee6be8b255886500e0766bee2dbc7f7c35529328",
    ),
    (
        {"e-notation-in-text": "1e-05 and 2e+16 and 1.0", "n": [5e-324, 1.7976931348623157e308, 1.2345678901234568e17]},
        "6f711b35caef3c0a2f486481829e862a9e9267bbc20930374a9410f93a85c5b7",
    ),
]


@pytest.mark.parametrize(("value", "digest"), STORED)
def test_stored_content_and_credential_digests_still_verify(value: Any, digest: str) -> None:
    assert canonical_sha256(value) == digest
    assert content_hash(value) == digest


def test_the_bytes_are_the_reference_packages() -> None:
    value = {"b": [1.0, 1e21, -0.0], "a": "\u00e9"}
    assert canonical_json(value) == rfc8785.dumps(value) == b'{"a":"\xc3\xa9","b":[1,1e+21,0]}'


_EVENT: dict[str, Any] = {
    "organization_id": 3,
    "seq": 12345,
    "at": dt.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC),
    "actor_type": "user",
    "actor_id": "17",
    "actor_label": "\uae40\ubbfc\uc900 <kim@example.com>",
    "action": "passport.updated",
    "object_type": "passports.passportversion",
    "object_id": "1234",
    "object_repr": 'EV battery "module" 75 kWh\t\u2028\U0001f50b',
    "ip": "2001:db8::1",
    "request_id": "3f2a9c1e-aaaa-4bbb-8ccc-1234567890ab",
    "before_hash": "a" * 64,
    "after_hash": "b" * 64,
    "details": {"changed": ["data", "status"], "n": -7, "ok": True, "none": None, "nested": {"k": ["v"]}},
    "prev_hash": "0" * 64,
}


def test_stored_audit_hashes_still_verify() -> None:
    assert event_hash(**_EVENT) == "2e96fa14d3e4737c92873d0a6152abb8470ca4630804408d3aacaf8e5cee254e"
    empty = {**_EVENT, "seq": 1, "details": {}, "actor_label": "", "ip": "", "request_id": ""}
    assert event_hash(**empty) == "24bc4d3529cb48525e314ab63e3d814f73822c39eb5535f9e28859150e366d31"

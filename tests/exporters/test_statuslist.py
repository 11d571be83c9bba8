"""Bitstring Status List v1.0: encoding, limits, random index assignment, status checks."""

from __future__ import annotations

import base64
import gzip
import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exporters.credentials.statuslist import (
    MIN_ENTRIES,
    StatusBitstring,
    StatusListError,
    StatusListFullError,
    build_status_list_credential,
    check_status,
    random_free_index,
    status_list_entry,
)

LIST_URL = "https://dpp.example.com/status/revocation/7"
ISSUER = "did:web:dpp.example.com:orgs:hanbit-energy"
NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _encode_raw(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw, mtime=0)).rstrip(b"=").decode()


def test_minimum_size_is_131072_entries() -> None:
    bits = StatusBitstring()
    assert len(bits) == MIN_ENTRIES == 131_072
    assert len(bits.to_bytes()) == 16_384  # 131,072 bits / 8
    assert len(StatusBitstring.decode(bits.encode())) == 131_072
    with pytest.raises(StatusListError) as caught:
        StatusBitstring(131_064)
    assert caught.value.code == "STATUS_LIST_LENGTH_ERROR"


def test_index_zero_is_the_left_most_bit() -> None:
    bits = StatusBitstring()
    bits.set(0)
    bits.set(7)
    bits.set(9)
    raw = bits.to_bytes()
    # Bits 0 and 7 are the first and last bit of byte 0 (1000 0001 = 0x81); bit 9 is 0100 0000 of byte 1.
    assert raw[:2] == bytes([0x81, 0x40])
    assert raw[2:] == bytes(len(raw) - 2)


@settings(max_examples=40, deadline=None)
@given(indexes=st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES * 2 - 1), max_size=300))
def test_encode_decode_round_trip(indexes: set[int]) -> None:
    bits = StatusBitstring(MIN_ENTRIES * 2)
    for index in indexes:
        bits.set(index)
    encoded = bits.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    decoded = StatusBitstring.decode(encoded)
    assert len(decoded) == MIN_ENTRIES * 2
    assert decoded.count_set() == len(indexes)
    assert all(decoded.get(index) for index in indexes)
    assert decoded.to_bytes() == bits.to_bytes()


def test_set_false_clears_and_encoding_is_deterministic() -> None:
    bits = StatusBitstring()
    empty = bits.encode()
    bits.set(94_567)
    assert bits.get(94_567)
    assert bits.encode() != empty
    bits.set(94_567, False)
    assert not bits.get(94_567)
    assert bits.encode() == empty  # mtime=0: same bits, same text


def test_decode_reads_lists_compressed_by_other_software() -> None:
    # gzip.compress stamps the current time in the header; the reader must not care.
    raw = bytearray(16_384)
    raw[-1] = 0x01  # the last index, 131,071
    decoded = StatusBitstring.decode(_encode_raw(bytes(raw)))
    assert decoded.get(131_071)
    assert decoded.count_set() == 1


@pytest.mark.parametrize(
    ("encoded", "code"),
    [
        ("H4sI", "MALFORMED_VALUE_ERROR"),  # no multibase prefix
        ("u!!!!", "MALFORMED_VALUE_ERROR"),
        ("u" + base64.urlsafe_b64encode(b"plain bytes").decode(), "MALFORMED_VALUE_ERROR"),
        (_encode_raw(bytes(100)), "STATUS_LIST_LENGTH_ERROR"),  # 800 entries
        (_encode_raw(bytes(17 * 1024 * 1024)), "STATUS_LIST_LENGTH_ERROR"),  # decompression bomb
        (_encode_raw(bytes(16_384))[:-30], "MALFORMED_VALUE_ERROR"),  # truncated stream
    ],
    # Short ids: pytest-xdist workers must collect identical names, and the encoded lists are huge.
    ids=["no-prefix", "bad-base64", "not-gzip", "too-few-entries", "decompression-bomb", "truncated"],
)
def test_decode_refuses_bad_lists(encoded: str, code: str) -> None:
    with pytest.raises(StatusListError) as caught:
        StatusBitstring.decode(encoded)
    assert caught.value.code == code


def test_out_of_range_index_is_refused() -> None:
    bits = StatusBitstring()
    for index in (-1, 131_072, True):
        with pytest.raises(StatusListError) as caught:
            bits.get(index)  # type: ignore[arg-type]
        assert caught.value.code == "RANGE_ERROR"


def test_random_free_index_avoids_used_indexes_in_every_form() -> None:
    rng = random.Random(7)
    used = set(range(0, MIN_ENTRIES, 2))  # every even index taken
    bitmap = StatusBitstring()
    for index in used:
        bitmap.set(index)
    for source in (used, bitmap, bitmap.to_bytes()):
        picks = {random_free_index(source, MIN_ENTRIES, rng) for _ in range(200)}
        assert all(pick % 2 == 1 for pick in picks)
        assert len(picks) > 190  # random, not sequential: 200 draws among 65,536 free rarely repeat


def test_random_free_index_in_a_nearly_full_list() -> None:
    size = 1_024
    used = set(range(size)) - {3, 500, 1_021}
    picks = Counter(random_free_index(used, size, random.Random(seed)) for seed in range(300))
    assert set(picks) == {3, 500, 1_021}
    with pytest.raises(StatusListFullError):
        random_free_index(set(range(size)), size)


def test_random_free_index_is_uniform() -> None:
    # 8 free indexes, 4,000 draws: each expected 500 times, standard deviation sqrt(4000 * 1/8 * 7/8) = 20.9;
    # 400..600 is about +-4.8 standard deviations.
    rng = random.Random(11)
    counts = Counter(random_free_index(set(range(8)), 16, rng) for _ in range(4_000))
    assert set(counts) == set(range(8, 16))
    assert all(400 <= count <= 600 for count in counts.values())


def test_default_source_is_the_secrets_module() -> None:
    pick = random_free_index({0, 1, 2})
    assert 3 <= pick < MIN_ENTRIES


def test_status_list_credential_shape() -> None:
    credential = build_status_list_credential(LIST_URL, ISSUER, "revocation", StatusBitstring().encode(), NOW)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["validFrom"] == "2025-03-01T09:30:00Z"
    assert credential["credentialSubject"]["id"] == f"{LIST_URL}#list"
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["credentialSubject"]["statusPurpose"] == "revocation"
    with pytest.raises(StatusListError):
        build_status_list_credential(LIST_URL, ISSUER, "expiry", StatusBitstring().encode(), NOW)  # type: ignore[arg-type]
    with pytest.raises(StatusListError):
        build_status_list_credential(LIST_URL, ISSUER, "revocation", "uAAAA", NOW)


def test_check_status_follows_the_bit() -> None:
    bits = StatusBitstring()
    bits.set(42)
    status_list = build_status_list_credential(LIST_URL, ISSUER, "revocation", bits.encode(), NOW)
    assert check_status(status_list_entry(LIST_URL, 42, "revocation"), status_list) is True
    assert check_status(status_list_entry(LIST_URL, 43, "revocation"), status_list) is False


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (status_list_entry(LIST_URL, 42, "suspension"), "STATUS_VERIFICATION_ERROR"),
        (status_list_entry(LIST_URL + "x", 42, "revocation"), "STATUS_RETRIEVAL_ERROR"),
        (status_list_entry(LIST_URL, 131_072, "revocation"), "RANGE_ERROR"),
        (status_list_entry(LIST_URL, 42, "revocation") | {"statusListIndex": "4e1"}, "MALFORMED_VALUE_ERROR"),
        (status_list_entry(LIST_URL, 42, "revocation") | {"type": "StatusList2021Entry"}, "MALFORMED_VALUE_ERROR"),
    ],
)
def test_check_status_refuses_inconsistent_entries(entry: dict[str, str], code: str) -> None:
    status_list = build_status_list_credential(LIST_URL, ISSUER, "revocation", StatusBitstring().encode(), NOW)
    with pytest.raises(StatusListError) as caught:
        check_status(entry, status_list)
    assert caught.value.code == code

"""W3C Bitstring Status List v1.0: revocation and suspension of published passport credentials.

A published passport version is immutable (ESPR, Regulation (EU) 2024/1781, Art. 10(1)(f) asks that
passport data stay available for the product's lifetime), so a withdrawn or superseded credential
is not deleted: its bit is set in a status list that verifiers fetch. Each credential carries a
``BitstringStatusListEntry`` naming the list and its index.

What the specification fixes and this module follows (Bitstring Status List v1.0, section 2-3):
- the bitstring has at least 131,072 entries (16 KiB), so a list never tells how many credentials an
  issuer has and any one index hides in a large crowd (section 6.1, herd privacy);
- index 0 is the left-most (most significant) bit of the first byte;
- ``encodedList`` is the GZIP-compressed bitstring, base64url without padding, with the multibase
  prefix ``u``;
- indexes are handed out at random, not in sequence, so that neighbouring credentials cannot be
  linked by index (section 6.5); `random_free_index` does that.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import secrets
import zlib
from collections.abc import Mapping, Set
from datetime import UTC, datetime
from typing import Any, Final, Literal, Protocol

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"

MIN_ENTRIES: Final = 131_072
#: Guard against a hostile list that decompresses to gigabytes (a "zip bomb"): 16 MiB is 134 million
#: entries, a thousand times the minimum.
MAX_DECOMPRESSED_BYTES: Final = 16 * 1024 * 1024

StatusPurpose = Literal["revocation", "suspension"]
STATUS_PURPOSES: Final = ("revocation", "suspension")


class StatusListError(ValueError):
    """A status list or entry is unusable. ``code`` follows the error names of the specification
    (section 3.2: STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR, STATUS_LIST_LENGTH_ERROR,
    RANGE_ERROR, MALFORMED_VALUE_ERROR) where one applies."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class StatusListFullError(StatusListError):
    """No free index left: the caller starts a new status list."""

    def __init__(self, size: int) -> None:
        super().__init__("LIST_FULL", f"all {size} indexes are in use")


class StatusBitstring:
    """A mutable bitstring of ``size`` one-bit statuses (set = revoked/suspended, per purpose)."""

    __slots__ = ("_bits", "_size")

    def __init__(self, size: int = MIN_ENTRIES) -> None:
        if size < MIN_ENTRIES:
            raise StatusListError("STATUS_LIST_LENGTH_ERROR", f"a status list has at least {MIN_ENTRIES} entries")
        if size % 8:
            raise StatusListError("STATUS_LIST_LENGTH_ERROR", "size must be a whole number of bytes")
        self._size = size
        self._bits = bytearray(size // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusBitstring:
        """Wrap raw (uncompressed) bitstring bytes, e.g. as kept in a database column."""
        if len(data) * 8 < MIN_ENTRIES:
            raise StatusListError(
                "STATUS_LIST_LENGTH_ERROR", f"{len(data) * 8} entries, fewer than the minimum {MIN_ENTRIES}"
            )
        bitstring = cls(len(data) * 8)
        bitstring._bits[:] = data
        return bitstring

    def __len__(self) -> int:
        return self._size

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self._size:
            raise StatusListError("RANGE_ERROR", f"index {index!r} outside 0..{self._size - 1}")
        # Index 0 is the left-most bit: the most significant bit of byte 0 (specification 3.1).
        return index >> 3, 0x80 >> (index & 7)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def count_set(self) -> int:
        return int.from_bytes(self._bits, "big").bit_count()

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """``encodedList``: multibase ``u`` + base64url(no padding) of the GZIP-compressed bits.

        ``mtime=0`` makes the output depend on the bits only, so an unchanged list re-encodes to the
        same string (stable ETags, no needless re-signing).
        """
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded_list: str) -> StatusBitstring:
        """Read an ``encodedList`` back; refuses a wrong prefix, bad base64url, bad GZIP, a list
        shorter than the minimum and one that decompresses past `MAX_DECOMPRESSED_BYTES`."""
        if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
            raise StatusListError("MALFORMED_VALUE_ERROR", "encodedList must be multibase base64url ('u' prefix)")
        body = encoded_list[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise StatusListError("MALFORMED_VALUE_ERROR", "encodedList is not base64url") from None
        inflater = zlib.decompressobj(wbits=31)  # 31: expect a GZIP header and trailer
        try:
            raw = inflater.decompress(compressed, MAX_DECOMPRESSED_BYTES)
        except zlib.error:
            raise StatusListError("MALFORMED_VALUE_ERROR", "encodedList is not GZIP data") from None
        if inflater.unconsumed_tail:
            raise StatusListError("STATUS_LIST_LENGTH_ERROR", "status list decompresses past the size limit")
        if not inflater.eof:
            raise StatusListError("MALFORMED_VALUE_ERROR", "encodedList GZIP stream is truncated")
        return cls.from_bytes(raw)


class _IndexSource(Protocol):
    def randbelow(self, exclusive_upper_bound: int) -> int: ...


def _is_used(used: Set[int] | StatusBitstring | bytes | bytearray, index: int) -> bool:
    if isinstance(used, StatusBitstring):
        return used.get(index)
    if isinstance(used, bytes | bytearray):
        return bool(used[index >> 3] & (0x80 >> (index & 7)))
    return index in used


def _used_count(used: Set[int] | StatusBitstring | bytes | bytearray, size: int) -> int:
    if isinstance(used, StatusBitstring):
        return used.count_set()
    if isinstance(used, bytes | bytearray):
        return int.from_bytes(used[: (size + 7) // 8], "big").bit_count()
    return sum(1 for index in used if 0 <= index < size)


def _randbelow(rng: Any, bound: int) -> int:
    draw = getattr(rng, "randbelow", None)
    return int(draw(bound)) if draw is not None else int(rng.randrange(bound))


def random_free_index(
    used: Set[int] | StatusBitstring | bytes | bytearray,
    size: int = MIN_ENTRIES,
    rng: _IndexSource | Any = secrets,
) -> int:
    """A uniformly random index in ``0..size-1`` that is not in ``used``.

    ``used`` is the set of indexes already handed out, or an allocation bitmap (a `StatusBitstring`
    or raw bytes, bit set = taken). The allocation map is not the status list itself: an allocated
    index of a valid credential has a clear status bit. ``rng`` needs ``randbelow(n)`` (the
    ``secrets`` module, the default) or ``randrange(n)`` (a seeded ``random.Random`` in tests).

    Drawing at random and retrying costs on average size / free draws; past 7/8 full, the free
    indexes are listed once and one is drawn from that list instead, so the time stays bounded.
    """
    if size <= 0:
        raise StatusListError("RANGE_ERROR", "size must be positive")
    taken = _used_count(used, size)
    free = size - taken
    if free <= 0:
        raise StatusListFullError(size)
    if free * 8 > size:
        while True:
            candidate = _randbelow(rng, size)
            if not _is_used(used, candidate):
                return candidate
    candidates = [index for index in range(size) if not _is_used(used, index)]
    return candidates[_randbelow(rng, len(candidates))]


def utc_timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC to the second, e.g. ``2025-03-01T09:30:00Z``, the form VC 2.0
    uses for ``validFrom``/``validUntil``. Naive datetimes are refused: their meaning depends on the
    machine's time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_list_entry(status_list_credential: str, index: int, purpose: StatusPurpose) -> dict[str, str]:
    """The ``credentialStatus`` entry a credential carries (specification 2.1).

    ``statusListIndex`` is a string of the decimal index, as the specification requires.
    """
    if purpose not in STATUS_PURPOSES:
        raise StatusListError("MALFORMED_VALUE_ERROR", f"statusPurpose must be one of {STATUS_PURPOSES}")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise StatusListError("RANGE_ERROR", "statusListIndex must be a non-negative integer")
    return {
        "id": f"{status_list_credential}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list_credential,
    }


def build_status_list_credential(
    url: str,
    issuer: str | Mapping[str, Any],
    purpose: StatusPurpose,
    encoded_list: str,
    valid_from: datetime,
    *,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` served at ``url`` (specification 2.2).

    It is signed like any other credential (`exporters.credentials.signing.sign_compact`); verifiers must check
    that signature before trusting the bits.
    """
    if purpose not in STATUS_PURPOSES:
        raise StatusListError("MALFORMED_VALUE_ERROR", f"statusPurpose must be one of {STATUS_PURPOSES}")
    StatusBitstring.decode(encoded_list)  # refuse to publish a list verifiers could not read
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": utc_timestamp(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }
    if valid_until is not None:
        credential["validUntil"] = utc_timestamp(valid_until)
    return credential


def check_status(credential_status_entry: Mapping[str, Any], status_list_credential: Mapping[str, Any]) -> bool:
    """True when the credential's bit is set: revoked (or suspended) for the entry's purpose.

    Follows the validation algorithm of the specification (section 3.2) for an already verified
    status list credential: the entry must point at this list, the purposes must match, the list
    must be long enough and the index inside it. Anything else raises `StatusListError`.
    """
    if credential_status_entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("MALFORMED_VALUE_ERROR", "not a BitstringStatusListEntry")
    list_url = credential_status_entry.get("statusListCredential")
    if list_url != status_list_credential.get("id"):
        raise StatusListError("STATUS_RETRIEVAL_ERROR", "entry points at another status list credential")
    types = status_list_credential.get("type") or []
    if "BitstringStatusListCredential" not in types:
        raise StatusListError("STATUS_VERIFICATION_ERROR", "not a BitstringStatusListCredential")
    subject = status_list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise StatusListError("STATUS_VERIFICATION_ERROR", "status list credential has no subject")
    purpose = credential_status_entry.get("statusPurpose")
    if purpose != subject.get("statusPurpose"):
        raise StatusListError(
            "STATUS_VERIFICATION_ERROR",
            f"entry purpose {purpose!r} differs from list purpose {subject.get('statusPurpose')!r}",
        )
    raw_index = credential_status_entry.get("statusListIndex")
    if not isinstance(raw_index, str) or not raw_index.isdigit():
        raise StatusListError("MALFORMED_VALUE_ERROR", "statusListIndex must be a decimal string")
    bitstring = StatusBitstring.decode(subject.get("encodedList", ""))
    return bitstring.get(int(raw_index))

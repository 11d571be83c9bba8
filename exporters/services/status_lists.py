"""Bitstring status lists: index allocation at issue, bits flipped at revocation and suspension, re-signing.

W3C Bitstring Status List v1.0: each organization has a revocation and a suspension list (131,072 entries
each, more lists when full); a credential carries one entry per purpose, both at the same random index. A bit
changes only inside the transaction that changes the passport version, and the list credential is re-signed in
the same transaction, so what the status URL serves always matches the database.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from exporters.credentials.signing import sign_compact
from exporters.credentials.statuslist import MIN_ENTRIES, StatusBitstring, StatusPurpose, build_status_list_credential
from exporters.credentials.vc import credential_payload
from exporters.models import IssuedCredential, SigningKey, StatusList
from exporters.services.keys import absolute_url, current_key, did_at, kid_under, private_key_of
from passports.models import Organization

PURPOSES: tuple[StatusPurpose, StatusPurpose] = ("revocation", "suspension")
#: New credentials go to the next list once this share (7/8) of a list is in use.
FILL_LIMIT = (7, 8)


def status_list_url(org: Organization, purpose: str, number: int = 1) -> str:
    """The stable URL of a list: ``/orgs/<slug>/status/<purpose>``, then ``.../<purpose>/<n>`` for later lists."""
    if number == 1:
        return absolute_url(reverse("status-list", kwargs={"slug": org.slug, "purpose": purpose}))
    return absolute_url(
        reverse("status-list-numbered", kwargs={"slug": org.slug, "purpose": purpose, "number": number})
    )


def _signed_list(status_list: StatusList, bits: StatusBitstring, base: str) -> tuple[dict[str, Any], str, SigningKey]:
    """The list credential of ``bits`` under one of the platform's addresses, and its JWS."""
    org = status_list.organization
    key = current_key(org)
    did = did_at(org, base)
    url = base + urlsplit(status_list_url(org, status_list.purpose, status_list.number)).path
    credential = build_status_list_credential(
        url,
        {"id": did, "name": org.name},
        status_list.purpose,  # type: ignore[arg-type]  # a StatusList.Purpose value, checked by the builder
        bits.encode(),
        timezone.now(),
    )
    return (
        credential,
        sign_compact(credential_payload(credential), private_key_of(key), kid_under(did, key), alg=key.alg),
        key,
    )


def _sign(status_list: StatusList, bits: StatusBitstring) -> None:
    """Rebuild and sign the list credential from ``bits``, with the organization's current key, at its URL
    under the current public address (where it moves, if the address changed since it was last signed)."""
    credential, jws, key = _signed_list(status_list, bits, settings.PLATFORM_BASE_URL.rstrip("/"))
    status_list.url = str(credential["id"])
    status_list.bits = bits.to_bytes()
    status_list.credential = credential
    status_list.jws = jws
    status_list.signing_key = key
    status_list.updated_at = timezone.now()


def status_list_jws_at(status_list: StatusList, base: str) -> str:
    """The signed list as served at ``base``: the stored one at its own address, else signed for ``base`` now
    (an earlier address, still answered for the credentials issued under it)."""
    if urlsplit(status_list.url).netloc == urlsplit(base).netloc:
        return status_list.jws
    return _signed_list(status_list, StatusBitstring.from_bytes(bytes(status_list.bits)), base)[1]


def _ensure_list(org: Organization, purpose: str, number: int) -> None:
    if StatusList.objects.filter(organization=org, purpose=purpose, number=number).exists():
        return
    status_list = StatusList(
        organization=org, purpose=purpose, number=number, url=status_list_url(org, purpose, number), size=MIN_ENTRIES
    )
    _sign(status_list, StatusBitstring(MIN_ENTRIES))
    try:
        with transaction.atomic():
            status_list.save()
    except IntegrityError:
        # Another publication of the same organization made the list meanwhile: it is the same list.
        return


def open_list(org: Organization) -> tuple[int, int]:
    """``(number, size)`` of the list new credentials go into, locked for this transaction.

    The newest list, or a new one once it is 7/8 full: past that share random draws would slow down and the
    last free indexes of a list would become guessable, so lists are never filled to the brim. The revocation
    list row is locked (``select_for_update``) so its ``issued`` count moves one publication at a time.
    """
    number = (
        StatusList.objects.filter(organization=org, purpose="revocation")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    ) or 1
    while True:
        for purpose in PURPOSES:
            _ensure_list(org, purpose, number)
        size, issued = (
            StatusList.objects.select_for_update()
            .filter(organization=org, purpose="revocation", number=number)
            .values_list("size", "issued")
            .get()
        )
        if issued * FILL_LIMIT[1] < size * FILL_LIMIT[0]:
            return number, size
        number += 1


def draw_index(org: Organization, number: int, size: int) -> int:
    """A uniformly random index of list ``number`` no credential of ``org`` uses (section 6.5: no sequence)."""
    used = IssuedCredential.objects.filter(organization=org, status_list_number=number)
    while True:
        candidate = secrets.randbelow(size)
        if not used.filter(status_index=candidate).exists():
            return candidate


def count_issued(org: Organization, number: int) -> None:
    """One more index in use in list ``number`` (a counter update: no row rewrite, no read-modify-write)."""
    StatusList.objects.filter(organization=org, purpose="revocation", number=number).update(issued=F("issued") + 1)


def status_bit(credential: IssuedCredential, purpose: str) -> bool:
    """Whether the credential's bit is set in its list of ``purpose`` (revoked, or suspended)."""
    bits = (
        StatusList.objects.filter(
            organization_id=credential.organization_id, purpose=purpose, number=credential.status_list_number
        )
        .values_list("bits", flat=True)
        .first()
    )
    if bits is None:
        return False
    index = credential.status_index
    return bool(bytes(bits)[index >> 3] & (0x80 >> (index & 7)))


@transaction.atomic
def status_set(*, credential: IssuedCredential, purpose: str, value: bool) -> StatusList:
    """Set or clear the credential's bit in its ``purpose`` list and re-sign the list (no-op if unchanged)."""
    if purpose not in PURPOSES:
        raise ValueError(f"status purpose must be one of {PURPOSES}")
    status_list = StatusList.objects.select_for_update().get(
        organization_id=credential.organization_id, purpose=purpose, number=credential.status_list_number
    )
    bits = StatusBitstring.from_bytes(bytes(status_list.bits))
    if bits.get(credential.status_index) == value:
        return status_list
    bits.set(credential.status_index, value)
    _sign(status_list, bits)
    status_list.save(update_fields=["url", "bits", "credential", "jws", "signing_key", "updated_at"])
    return status_list


@transaction.atomic
def status_lists_resign(*, org: Organization, signed_by: SigningKey | None = None) -> int:
    """Re-sign the organization's lists (all of them, or those signed by ``signed_by``) with the current key."""
    lists = StatusList.objects.select_for_update().filter(organization=org)
    if signed_by is not None:
        lists = lists.filter(signing_key=signed_by)
    count = 0
    for status_list in lists:
        _sign(status_list, StatusBitstring.from_bytes(bytes(status_list.bits)))
        status_list.save(update_fields=["url", "bits", "credential", "jws", "signing_key", "updated_at"])
        count += 1
    return count

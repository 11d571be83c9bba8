"""Footprints a partner read through the PACT API, written to their owners' access logs.

A footprint is shared by a grant of its owner (``passports.models.grants``, right ``pact_footprints``), and
the owner must see what that trust was used for, as it does for passports (``passports.access``). Partners
poll the list, so a footprint already logged for this client today is not logged again: one indexed query
per answered request finds the footprints still to log, and nothing more is written while a partner polls
data it has already read. The list, the path partners poll, also remembers per process which rows it logged
for which client today (``record_listed``), so polling pages already logged costs no query at all.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from lca.pact.listing import Shares
from lca.pact.models import PactFootprint
from lca.pact.server import Caller
from passports.access import FootprintRead, Viewer, log_footprint_reads
from passports.models import AccessLogEntry


def _today_start() -> datetime:
    """The start of the current day in UTC, the day a repeated read counts within."""
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


def record_reads(caller: Caller, shares: Shares, footprint_pks: Collection[int]) -> None:
    """Logs the footprints of ``footprint_pks`` (the rows just answered) that this client has not read today.

    Every footprint a client reads came to it through a grant (an owner cannot grant to itself or to its
    own-system clients), so every one is logged. A client reading its own organization's footprints is
    therefore one the owner made for an outside party: it reads for that party, not for the owner."""
    if not footprint_pks:
        return
    logged_today = AccessLogEntry.objects.filter(
        reader_client_id=caller.client_id, footprint_id=OuterRef("pf_id"), at__gte=_today_start()
    )
    rows = (
        PactFootprint.objects.filter(pk__in=footprint_pks)
        .exclude(Exists(logged_today))
        .order_by("pk")
        .values_list("organization_id", "product_id", "pf_id")
    )
    reads = [
        FootprintRead(owner_id=owner, product_id=product, footprint_id=pf_id, grant_id=shares.grant_for(owner, product))
        for owner, product, pf_id in rows
    ]
    if any(read.owner_id == caller.organization_id for read in reads):  # an outside party's client
        viewer, reader = Viewer(client_id=caller.client_id), None
    else:
        viewer, reader = (
            Viewer(organizations=frozenset({caller.organization_id}), client_id=caller.client_id),
            caller.organization_id,
        )
    log_footprint_reads(viewer, reads, reader_organization_id=reader)


#: (client, UTC day) -> rows of the list logged for that client that day by this process, as
#: ``(row id, creation time as text)``: the creation time keeps a reused row id from passing for another row.
_LISTED: dict[tuple[int, date], set[tuple[int, str]]] = {}
_LISTED_MAX = 200_000  # rows remembered per process before the memo starts again (the query still dedupes)


def record_listed(caller: Caller, shares: Shares, rows: Sequence[tuple[int, str]]) -> None:
    """``record_reads`` for a list page, skipped when this process already logged every row of it today."""
    if not rows:
        return
    key = (caller.client_id, timezone.now().date())
    seen = _LISTED.get(key)
    if seen is not None and all(row in seen for row in rows):
        return
    record_reads(caller, shares, [pk for pk, _created in rows])
    if seen is None:
        if sum(len(rows_seen) for rows_seen in _LISTED.values()) > _LISTED_MAX:
            _LISTED.clear()
        for old in [k for k in _LISTED if k[1] != key[1]]:
            del _LISTED[old]
        seen = _LISTED.setdefault(key, set())
    seen.update(rows)

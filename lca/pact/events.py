"""PACT CloudEvents (CloudEvents 1.0, structured mode, ``application/cloudevents+json``): building them and
reading the ones partners send us.

v2.3 §6.8 names the types ``org.wbcsd.pathfinder.ProductFootprint*.v1``; v3.0 ``org.wbcsd.pact.ProductFootprint.*.3``.
A v2 request names the wanted footprint by example (``data.pf``: a partial ProductFootprint whose
``productIds`` we match); a v3 request carries the ListFootprints filters (``data.productId`` ...).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Final

from django.utils import timezone

from lca.pact.mapping import timestamp

CONTENT_TYPE: Final = "application/cloudevents+json"
SPECVERSION: Final = "1.0"

TYPES: Final[dict[str, dict[str, str]]] = {
    "2": {
        "published": "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
        "created": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
        "fulfilled": "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
        "rejected": "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1",
    },
    "3": {
        "published": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
        "created": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "fulfilled": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        "rejected": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
    },
}
KIND_OF: Final[dict[str, tuple[str, str]]] = {t: (v, k) for v, kinds in TYPES.items() for k, t in kinds.items()}


class EventError(ValueError):
    """An event we cannot accept; the message says why (answered as ``BadRequest``)."""


@dataclass(frozen=True)
class InboundEvent:
    version: str
    kind: str
    event_id: str
    source: str
    data: dict[str, Any]
    raw: dict[str, Any]


def build_event(*, version: str, kind: str, source: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": TYPES[version][kind],
        "specversion": SPECVERSION,
        "id": str(uuid.uuid4()),
        "source": source,
        "time": timestamp(timezone.now()),
        "data": data,
    }


def read_event(body: Any, *, version: str) -> InboundEvent:
    """Check a received event's envelope and the data its type requires."""
    if not isinstance(body, dict):
        raise EventError("The body must be a CloudEvent JSON object.")
    for name in ("type", "specversion", "id", "source", "time", "data"):
        if name not in body:
            raise EventError(f"The event lacks '{name}'.")
    if body["specversion"] != SPECVERSION:
        raise EventError("Only CloudEvents specversion 1.0 is accepted.")
    kind_of = KIND_OF.get(str(body["type"]))
    if kind_of is None or kind_of[0] != version:
        raise EventError(f"Unknown event type {body['type']!r} for PACT v{version}.")
    data = body["data"]
    if not isinstance(data, dict):
        raise EventError("The event's data must be an object.")
    kind = kind_of[1]
    if not isinstance(body["id"], str) or not body["id"] or not isinstance(body["source"], str):
        raise EventError("The event's id and source must be non-empty strings.")
    if kind == "created" and version == "2" and not isinstance(data.get("pf"), dict):
        raise EventError("A v2 request names the footprint it wants in data.pf.")
    if kind in {"fulfilled", "rejected"} and not isinstance(data.get("requestEventId"), str):
        raise EventError("A request answer names the request in data.requestEventId.")
    if kind == "fulfilled" and not isinstance(data.get("pfs"), list):
        raise EventError("A fulfilled request carries data.pfs.")
    if kind == "rejected" and not isinstance(data.get("error"), dict):
        raise EventError("A rejected request carries data.error.")
    if kind == "published" and not isinstance(data.get("pfIds", []), list):
        raise EventError("data.pfIds must be a list.")
    return InboundEvent(version=version, kind=kind, event_id=body["id"], source=body["source"], data=data, raw=body)


def requested_product_ids(event: InboundEvent) -> list[str]:
    """The product ids a request asks about: v2 ``data.pf.productIds``, v3 ``data.productId``."""
    if event.version == "2":
        ids = event.data.get("pf", {}).get("productIds", [])
    else:
        ids = event.data.get("productId", [])
        ids = [ids] if isinstance(ids, str) else ids
    return [str(i) for i in ids if isinstance(i, str)]

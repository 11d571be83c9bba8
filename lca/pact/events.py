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

from lca.pact.filters import FilterError, check_criteria, has_v3_criteria, request_criteria
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
    if kind == "created":
        _check_request(version, data)
    if kind in {"fulfilled", "rejected"} and not (
        isinstance(data.get("requestEventId"), str) and data["requestEventId"]
    ):
        raise EventError("A request answer names the request in data.requestEventId.")
    if kind == "fulfilled" and not (isinstance(data.get("pfs"), list) and data["pfs"]):
        raise EventError("A fulfilled request carries its footprints in data.pfs (a non-empty list).")
    if kind == "rejected" and not (isinstance(data.get("error"), dict) and data["error"].get("code")):
        raise EventError("A rejected request carries data.error with a code and a message.")
    if kind == "published":
        _check_pf_ids(data.get("pfIds"))
    return InboundEvent(version=version, kind=kind, event_id=body["id"], source=body["source"], data=data, raw=body)


def _check_pf_ids(pf_ids: Any) -> None:
    """v2.3 §6.8.3 / v3.0 PublishedEvent: ``data.pfIds`` is a non-empty list of footprint ids (UUIDs)."""
    if not isinstance(pf_ids, list) or not pf_ids:
        raise EventError("A Published event names the footprints in data.pfIds, a non-empty list of ids.")
    for position, pf_id in enumerate(pf_ids):
        try:
            uuid.UUID(str(pf_id))
        except ValueError:
            raise EventError(f"data.pfIds[{position}] ({pf_id!r}) is not a footprint id (a UUID).") from None


def _check_request(version: str, data: dict[str, Any]) -> None:
    """A request must say what it asks for: v2 a footprint by example in ``data.pf``, v3 at least one of the
    ListFootprints criteria; dates that do not parse are refused at once (400), not answered later."""
    if version == "2" and not isinstance(data.get("pf"), dict):
        raise EventError("A v2 request names the footprint it wants in data.pf.")
    criteria = request_criteria(version, data)
    if not has_v3_criteria(criteria):
        where = (
            "data.pf (productIds, companyIds, productCategoryCpc, pcf geography)"
            if version == "2"
            else ("data (productId, companyId, geography, classification, status, validOn, validAfter, validBefore)")
        )
        raise EventError(f"The request names no criteria; give at least one in {where}.")
    try:
        check_criteria(criteria)
    except FilterError as exc:
        raise EventError(str(exc)) from exc


def requested_product_ids(event: InboundEvent) -> list[str]:
    """The product ids a request asks about: v2 ``data.pf.productIds``, v3 ``data.productId``."""
    if event.version == "2":
        ids = event.data.get("pf", {}).get("productIds", [])
    else:
        ids = event.data.get("productId", [])
        ids = [ids] if isinstance(ids, str) else ids
    return [str(i) for i in ids if isinstance(i, str)]

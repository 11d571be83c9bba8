"""Celery tasks of the PACT exchange: handle a received event, deliver one we send, pull a supplier.

Tasks take row ids and keep their state in ``PactEvent`` rows. Delivery to a partner that is down is
retried with exponential backoff (Celery ``autoretry_for`` with ``retry_backoff``: 2, 4, 8 ... seconds,
capped at 10 minutes, ``max_retries`` times); the last failure marks the event failed.
"""

from __future__ import annotations

from typing import Any, Final

from celery import shared_task
from django.conf import settings
from django.db import transaction

from lca.pact.client import PactClient, PactClientError, endpoint_pull, footprints_store
from lca.pact.events import build_event, requested_product_ids
from lca.pact.models import PactEvent, PactFootprint, SupplierEndpoint
from lca.pact.server import Caller, PactError, visible_footprints

READ: Final = frozenset({"read"})
DELIVERY_MAX_RETRIES: Final = 8
DELIVERY_BACKOFF: Final = 2
DELIVERY_BACKOFF_MAX: Final = 600


class PactDeliveryError(Exception):
    """A delivery attempt failed in a way that trying again later may fix."""


def _source(version: str) -> str:
    return f"{settings.PLATFORM_BASE_URL}/{version}/events"


def request_answer(*, event: PactEvent) -> PactEvent:
    """The fulfilment or rejection of a received request, as an outbound event waiting for delivery."""
    version = event.spec_version
    request_id = str(event.payload.get("id", event.event_id))
    wanted = [p.lower() for p in requested_product_ids_of(event)]
    pfs: list[dict[str, Any]] = []
    error: dict[str, str] | None = None
    if event.client is None:
        error = {"code": "AccessDenied", "message": "The requesting client no longer exists."}
    elif not wanted:
        error = {"code": "BadRequest", "message": "The request names no product id."}
    else:
        try:
            caller = Caller(client_id=event.client.pk, organization_id=event.client.organization_id, scopes=READ)
            queryset = visible_footprints(caller)
        except PactError as exc:
            error = {"code": exc.code, "message": exc.message}
        else:
            documents = queryset.filter(status=PactFootprint.Status.ACTIVE).values_list(
                "product_ids_key", f"document_v{version}"
            )
            pfs = [doc for key, doc in documents if doc is not None and any(f"|{p}|" in key for p in wanted)]
            if not pfs:
                error = {
                    "code": "NotFound",
                    "message": "No footprint of the requested product ("
                    + ", ".join(requested_product_ids_of(event))
                    + ") is shared with you.",
                }
    if error is None:
        data: dict[str, Any] = {"requestEventId": request_id, "pfs": pfs}
        kind = "fulfilled"
    else:
        data = {"requestEventId": request_id, "error": error}
        kind = "rejected"
    body = build_event(version=version, kind=kind, source=_source(version), data=data)
    endpoint = SupplierEndpoint.objects.filter(answers_client=event.client).order_by("pk").first()
    return PactEvent.objects.create(
        organization=endpoint.organization if endpoint else event.organization,
        direction=PactEvent.Direction.OUTBOUND,
        spec_version=version,
        event_id=body["id"],
        event_type=body["type"],
        source=body["source"],
        payload=body,
        client=event.client,
        endpoint=endpoint,
        in_reply_to=event,
        status=PactEvent.Status.PENDING,
    )


def requested_product_ids_of(event: PactEvent) -> list[str]:
    from lca.pact.events import read_event

    return requested_product_ids(read_event(event.payload, version=event.spec_version))


def event_deliver(*, event_id: int, final: bool = False, client: PactClient | None = None) -> PactEvent:
    """One delivery attempt of an outbound event; raises ``PactDeliveryError`` when a retry may help (and
    ``final`` is false), otherwise records the outcome."""
    event = PactEvent.objects.select_related("endpoint__organization").get(pk=event_id)
    if event.status in {PactEvent.Status.DELIVERED, PactEvent.Status.FAILED}:
        return event  # redelivered message after a crash: already settled
    event.attempts += 1
    if event.endpoint is None:
        event.status = PactEvent.Status.FAILED
        event.last_error = "No events endpoint is registered for this partner."
        event.save(update_fields=["attempts", "status", "last_error", "updated_at"])
        return event
    try:
        (client or PactClient(event.endpoint, attempts=1)).post_event(event.payload, version=event.spec_version)
    except PactClientError as exc:
        event.last_error = str(exc)[:2000]
        retry = exc.retryable and not final
        event.status = PactEvent.Status.RETRYING if retry else PactEvent.Status.FAILED
        event.save(update_fields=["attempts", "status", "last_error", "updated_at"])
        if retry:
            raise PactDeliveryError(str(exc)) from exc
        return event
    event.status = PactEvent.Status.DELIVERED
    event.last_error = ""
    event.save(update_fields=["attempts", "status", "last_error", "updated_at"])
    return event


@shared_task(
    name="lca.pact.deliver",
    bind=True,
    autoretry_for=(PactDeliveryError,),
    max_retries=DELIVERY_MAX_RETRIES,
    retry_backoff=DELIVERY_BACKOFF,
    retry_backoff_max=DELIVERY_BACKOFF_MAX,
    retry_jitter=False,
)
def pact_event_deliver(self: Any, event_id: int) -> None:
    try:
        event_deliver(event_id=event_id, final=self.request.retries >= DELIVERY_MAX_RETRIES)
    except PactDeliveryError:
        if self.request.is_eager:
            # Eager mode (no broker) cannot wait before a retry: the event stays "retrying" for
            # ``pact_deliveries_resume`` rather than failing the request that enqueued it.
            return
        raise


@shared_task(name="lca.pact.resume")
def pact_deliveries_resume() -> int:
    """Enqueue again every outbound event left retrying (after a broker outage, or in eager mode)."""
    pending = list(
        PactEvent.objects.filter(direction=PactEvent.Direction.OUTBOUND, status=PactEvent.Status.RETRYING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in pending:
        pact_event_deliver.delay(pk)
    return len(pending)


def event_handle(*, event_id: int) -> PactEvent:
    """Act on a received event: answer a request, store a fulfilment's footprints, note the rest."""
    from core.jobs import enqueue_after_commit

    with transaction.atomic():
        event = (
            PactEvent.objects.select_for_update(of=("self",)).select_related("client__organization").get(pk=event_id)
        )
        if event.status != PactEvent.Status.RECEIVED:
            return event
        kind = event.event_type.rsplit(".", 2)[-2] if event.spec_version == "3" else event.event_type
        if "Created" in kind:
            answer = request_answer(event=event)
            enqueue_after_commit(pact_event_deliver, answer.pk)
        elif "Fulfilled" in kind and event.organization is not None:
            pfs = event.payload.get("data", {}).get("pfs", [])
            report = footprints_store(org=event.organization, documents=pfs, partner=event.source[:200])
            event.last_error = "; ".join(report.refused)[:2000]
        elif "Published" in kind:
            # A supplier tells us it published or changed footprints: pull its host now rather than wait for
            # the next scheduled pull. Its host is the endpoint that answers for the client it called us with.
            endpoints = (
                list(
                    SupplierEndpoint.objects.filter(
                        organization_id=event.client.organization_id, answers_client=event.client
                    ).values_list("pk", flat=True)
                )
                if event.client is not None
                else []
            )
            for endpoint_id in endpoints:
                enqueue_after_commit(pact_endpoint_pull, endpoint_id)
            if not endpoints:
                event.last_error = "No supplier endpoint answers for this client, so there is nothing to pull."
        event.status = PactEvent.Status.HANDLED
        event.save(update_fields=["status", "last_error", "updated_at"])
    return event


@shared_task(name="lca.pact.handle")
def pact_event_handle(event_id: int) -> None:
    event_handle(event_id=event_id)


@shared_task(
    name="lca.pact.pull",
    bind=True,
    autoretry_for=(PactDeliveryError,),
    max_retries=5,
    retry_backoff=30,
    retry_jitter=False,
)
def pact_endpoint_pull(self: Any, endpoint_id: int) -> None:
    endpoint = SupplierEndpoint.objects.select_related("organization").get(pk=endpoint_id)
    try:
        endpoint_pull(endpoint=endpoint)
    except PactClientError as exc:
        if exc.retryable:
            raise PactDeliveryError(str(exc)) from exc
        raise

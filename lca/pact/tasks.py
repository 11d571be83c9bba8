"""Celery tasks of the PACT exchange: handle a received event, deliver one we send, pull a supplier.

Tasks take row ids and keep their state in ``PactEvent`` rows. Delivery to a partner that is down is
retried with exponential backoff (Celery ``autoretry_for`` with ``retry_backoff``: 2, 4, 8 ... seconds,
capped at 10 minutes, ``max_retries`` times); the last failure marks the event failed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.jobs import enqueue_after_commit
from lca.pact import filters
from lca.pact.client import PactClient, PactClientError, endpoint_pull, footprints_store, post_event_to
from lca.pact.contract import ContractError, check_list_body
from lca.pact.events import KIND_OF, TYPES, build_event, read_event, requested_product_ids
from lca.pact.models import PactEvent, SupplierEndpoint
from lca.pact.reads import record_reads
from lca.pact.server import Caller, PactError, shares_of

READ: Final = frozenset({"read"})
DELIVERY_MAX_RETRIES: Final = 8
DELIVERY_BACKOFF: Final = 2
DELIVERY_BACKOFF_MAX: Final = 600
DELIVERY_ABANDON: Final = timedelta(hours=72)
REQUEST_EXPIRY: Final = timedelta(days=30)


class PactDeliveryError(Exception):
    """A delivery attempt failed in a way that trying again later may fix."""


def _source(version: str) -> str:
    return f"{settings.PLATFORM_BASE_URL}/{version}/events"


def events_url_from_source(source: str, version: str) -> str:
    """The events endpoint a request's CloudEvents ``source`` names, or "" when it names none.

    The specifications' examples give ``//api.example.com/3/events`` (a network-path reference, read as https);
    partners also send their API base (``https://host``), to which the version's ``/N/events`` is added.
    """
    text = source.strip()
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
        return ""
    path = parts.path.rstrip("/")
    if not re.search(r"/[23]/events$", path):
        path = f"{path}/{version}/events"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def answer_destination(event: PactEvent) -> tuple[SupplierEndpoint | None, str]:
    """Where the answer to a received request goes: the requester's host as our organization registered it
    (the endpoint that answers for the requesting client, else one on the ``source``'s host, whose
    credentials we then use), or else the events URL the ``source`` names, without credentials."""
    client = event.client
    if client is None:
        return None, ""
    endpoints = SupplierEndpoint.objects.filter(organization_id=client.organization_id).order_by("pk")
    named = endpoints.filter(answers_client=client).first()
    if named is not None:
        return named, ""
    url = events_url_from_source(event.source, event.spec_version)
    if not url:
        return None, ""
    for endpoint in endpoints:
        if _origin(endpoint.base_url) == _origin(url):
            return endpoint, ""
    return None, url


def answer_footprints(*, event: PactEvent, criteria: dict[str, Any]) -> list[Any]:
    """The footprints shared with the requesting client that meet every criterion of the request (Active ones
    unless the request names a status), as documents of the request's version."""
    reader = event.client.organization_id if event.client is not None else 0
    caller = Caller(client_id=event.client_id or 0, organization_id=reader, scopes=READ)
    wanted = dict(criteria)
    wanted.setdefault("status", ["Active"])
    shares = shares_of(caller)
    rows = filters.sharing_rows(wanted, shares, document=f"document_v{event.spec_version}")
    record_reads(caller, shares, [pk for pk, _text in rows])
    return [json.loads(text) for _pk, text in rows]


def request_answer(*, event: PactEvent) -> PactEvent:
    """The fulfilment or rejection of a received request, as an outbound event waiting for delivery."""
    version = event.spec_version
    request_id = str(event.payload.get("id", event.event_id))
    data = event.payload.get("data") if isinstance(event.payload.get("data"), dict) else {}
    criteria = filters.request_criteria(version, data)
    pfs: list[Any] = []
    error: dict[str, str] | None = None
    if event.client is None:
        error = {"code": "AccessDenied", "message": "The requesting client no longer exists."}
    elif not filters.has_v3_criteria(criteria):
        error = {"code": "BadRequest", "message": "The request names no criteria."}
    else:
        try:
            pfs = answer_footprints(event=event, criteria=criteria)
        except (PactError, filters.FilterError) as exc:
            error = {"code": getattr(exc, "code", "BadRequest"), "message": str(exc)}
        else:
            if not pfs:
                error = {
                    "code": "NotFound",
                    "message": "No footprint shared with you meets the request (" + filters.describe(criteria) + ").",
                }
    if error is None:
        body_data: dict[str, Any] = {"requestEventId": request_id, "pfs": pfs}
        kind = "fulfilled"
    else:
        body_data = {"requestEventId": request_id, "error": error}
        kind = "rejected"
    body = build_event(version=version, kind=kind, source=_source(version), data=body_data)
    endpoint, url = answer_destination(event)
    return PactEvent.objects.create(
        organization=event.organization,
        direction=PactEvent.Direction.OUTBOUND,
        spec_version=version,
        event_id=body["id"],
        event_type=body["type"],
        source=body["source"],
        payload=body,
        client=event.client,
        endpoint=endpoint,
        deliver_to=url,
        in_reply_to=event,
        status=PactEvent.Status.PENDING,
    )


def requested_product_ids_of(event: PactEvent) -> list[str]:
    return requested_product_ids(read_event(event.payload, version=event.spec_version))


def retry_wait(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds after the first, second, third failed attempt, at most 10 minutes."""
    return timedelta(seconds=min(DELIVERY_BACKOFF * 2 ** max(attempts - 1, 0), DELIVERY_BACKOFF_MAX))


def event_deliver(*, event_id: int, final: bool = False, client: PactClient | None = None) -> PactEvent:
    """One delivery attempt of an outbound event; raises ``PactDeliveryError`` when a retry may help (and
    ``final`` is false), otherwise records the outcome. Events older than ``DELIVERY_ABANDON`` are given up
    (v3.0: abandon after 72 hours)."""
    event = PactEvent.objects.select_related("endpoint__organization").get(pk=event_id)
    if event.status not in {PactEvent.Status.PENDING, PactEvent.Status.RETRYING}:
        return event  # redelivered message after a crash: already settled
    event.attempts += 1
    fields = ["attempts", "status", "last_error", "next_attempt_at", "updated_at"]
    event.next_attempt_at = None
    if event.endpoint is None and not event.deliver_to:
        event.status = PactEvent.Status.FAILED
        event.last_error = "The partner has no registered host and the request's source names no events URL."
        event.save(update_fields=fields)
        return event
    try:
        if event.endpoint is not None:
            (client or PactClient(event.endpoint, attempts=1)).post_event(event.payload, version=event.spec_version)
        else:
            post_event_to(event.deliver_to, event.payload)
    except PactClientError as exc:
        event.last_error = str(exc)[:2000]
        expired = timezone.now() - event.created_at > DELIVERY_ABANDON
        retry = exc.retryable and not final and not expired
        event.status = PactEvent.Status.RETRYING if retry else PactEvent.Status.FAILED
        if retry:
            event.next_attempt_at = timezone.now() + retry_wait(event.attempts)
        event.save(update_fields=fields)
        if retry:
            raise PactDeliveryError(str(exc)) from exc
        return event
    # Conditional: the partner may already have answered (a request to a host that answers at once), and
    # that answer settled the row; "delivered" must not overwrite "fulfilled".
    PactEvent.objects.filter(pk=event.pk, status__in=[PactEvent.Status.PENDING, PactEvent.Status.RETRYING]).update(
        status=PactEvent.Status.DELIVERED,
        attempts=event.attempts,
        last_error="",
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    event.refresh_from_db()
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
            # Eager mode (no broker) cannot wait before a retry: the event stays "retrying" with its next
            # attempt time, for ``pact_deliveries_resume`` (the ``pact_deliver`` command, or beat).
            return
        raise


def deliveries_due(now: datetime | None = None) -> list[int]:
    moment = now or timezone.now()
    return list(
        PactEvent.objects.filter(
            direction=PactEvent.Direction.OUTBOUND, status__in=[PactEvent.Status.PENDING, PactEvent.Status.RETRYING]
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@shared_task(name="lca.pact.resume")
def pact_deliveries_resume() -> int:
    """Enqueue again every outbound event whose next attempt is due (after a broker outage, or in eager
    mode), and mark our own requests that no partner answered in time as expired."""
    PactEvent.objects.filter(
        direction=PactEvent.Direction.OUTBOUND,
        event_type__in=[TYPES[v]["created"] for v in TYPES],
        status=PactEvent.Status.DELIVERED,
        created_at__lt=timezone.now() - REQUEST_EXPIRY,
    ).update(status=PactEvent.Status.EXPIRED, updated_at=timezone.now())
    pending = deliveries_due()
    for pk in pending:
        pact_event_deliver.delay(pk)
    return len(pending)


def _answer_received(event: PactEvent, kind: str) -> None:
    """A partner's answer to a request of ours (accepted at the endpoint only from the host we asked): the
    footprints are checked like pulled ones and stored with an audit event each; the request settles."""
    request_row = event.in_reply_to
    if request_row is None or request_row.organization is None or request_row.status in PactEvent.ANSWERED:
        event.last_error = "It answers no open request of ours; nothing was changed."
        return
    data = event.payload.get("data", {})
    if kind == "fulfilled":
        pfs = data.get("pfs", [])
        try:
            check_list_body({"data": pfs}, version=event.spec_version)
        except ContractError as exc:
            event.last_error = f"The footprints are not PACT v{event.spec_version} documents: {exc}"[:2000]
            return
        partner = request_row.endpoint.name if request_row.endpoint else event.source
        report = footprints_store(org=request_row.organization, documents=pfs, partner=partner[:200])
        event.last_error = "; ".join(report.refused)[:2000]
        request_row.status = PactEvent.Status.FULFILLED
        request_row.last_error = ""
    else:
        error = data.get("error", {})
        request_row.status = PactEvent.Status.REJECTED
        request_row.last_error = f"{error.get('code', '')}: {error.get('message', '')}"[:2000]
    request_row.save(update_fields=["status", "last_error", "updated_at"])


def event_handle(*, event_id: int) -> PactEvent:
    """Act on a received event: answer a request, settle our request with its answer, note the rest."""
    with transaction.atomic():
        event = (
            PactEvent.objects.select_for_update(of=("self",))
            .select_related("client__organization", "in_reply_to__endpoint", "in_reply_to__organization")
            .get(pk=event_id)
        )
        if event.status != PactEvent.Status.RECEIVED:
            return event
        kind = KIND_OF.get(event.event_type, ("", ""))[1]
        if kind == "created":
            answer = request_answer(event=event)
            enqueue_after_commit(pact_event_deliver, answer.pk)
        elif kind in {"fulfilled", "rejected"}:
            _answer_received(event, kind)
        elif kind == "published":
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

"""The PACT host endpoints, v2.3 (``/2/...``) and v3.0 (``/3/...``).

Plain Django views rather than DRF: the list is the hot path partners poll, and it serves stored JSON
text without parsing it (STACK.md: a plain view served twice the requests of a DRF view here).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.jobs import enqueue_after_commit
from core.json_bodies import parse_json
from lca.pact.events import CONTENT_TYPE, TYPES, EventError, InboundEvent, read_event
from lca.pact.models import PactEvent, PactFootprint
from lca.pact.reads import record_listed, record_reads
from lca.pact.server import (
    Caller,
    PactError,
    authenticate,
    bad_request,
    json_list_response,
    list_conditions,
    not_found,
    page_of,
    parse_limit,
    require_scope,
    shares_of,
)
from lca.pact.tasks import pact_event_handle

View = Callable[..., HttpResponse]


def pact_errors(view: View) -> View:
    """Every refusal in the specification's ``{"code", "message"}`` body."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PactError as error:
            return error.response()

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _list(request: HttpRequest, version: str) -> HttpResponse:
    caller = authenticate(request, version)
    shares = shares_of(caller)
    limit = parse_limit(request.GET)
    conditions = list_conditions(request, version, shares)
    texts, rows, link = page_of(request, conditions, document=f"document_v{version}", limit=limit)
    record_listed(caller, shares, rows)
    return json_list_response(texts, link)


def _detail(request: HttpRequest, version: str, pf_id: str) -> HttpResponse:
    caller = authenticate(request, version)
    shares = shares_of(caller)
    try:
        wanted = uuid.UUID(pf_id)
    except ValueError as exc:
        raise bad_request("The footprint id must be a UUID.") from exc
    found = PactFootprint.objects.filter(shares.q(), pf_id=wanted).values_list("pk", f"document_v{version}").first()
    if found is None or found[1] is None:
        raise not_found(version)
    record_reads(caller, shares, [found[0]])
    return HttpResponse(json.dumps({"data": found[1]}), content_type="application/json")


def _answered_request(caller: Caller, event: InboundEvent) -> PactEvent:
    """The request of ours an answer event answers; events are not a way to write data.

    A fulfilment writes supplier footprints into our bill of materials, so it is accepted only from the
    client we gave the partner we asked (the ``answers_client`` of the endpoint the request went to), only
    for a request we sent that is not answered yet, and only with the ``write`` scope.
    """
    require_scope(caller, "write")
    request_row = (
        PactEvent.objects.filter(
            direction=PactEvent.Direction.OUTBOUND,
            organization_id=caller.organization_id,
            event_type__in=[TYPES[v]["created"] for v in TYPES],
            event_id=str(event.data["requestEventId"])[:200],
            endpoint__answers_client_id=caller.client_id,
        )
        .order_by("pk")
        .first()
    )
    if request_row is None:
        raise bad_request("data.requestEventId names no request we sent to your host; nothing was changed.")
    if request_row.status in PactEvent.ANSWERED:
        raise bad_request(f"The request {request_row.event_id} is already answered ({request_row.status}).")
    return request_row


def _events(request: HttpRequest, version: str) -> HttpResponse:
    caller = authenticate(request, version)
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if content_type != CONTENT_TYPE:
        raise bad_request(f"Events are sent as {CONTENT_TYPE}.")
    try:
        body = parse_json(request.body)
    except RequestDataTooBig as exc:
        raise bad_request("The body is not a JSON CloudEvent (or is too large).") from exc
    except ValueError as exc:
        # Also a body nested too deep to store or walk safely (core.json_bodies.MAX_NESTING): 400, not 500.
        raise bad_request(f"The body is not a JSON CloudEvent: {exc}.") from exc
    try:
        event = read_event(body, version=version)
    except EventError as exc:
        raise bad_request(str(exc)) from exc
    answered = None
    if event.kind == "created":
        # A request is answered with the footprints shared with this client: it must be allowed to read.
        require_scope(caller, "read")
    elif event.kind in {"fulfilled", "rejected"}:
        answered = _answered_request(caller, event)

    with transaction.atomic():
        row = PactEvent.objects.create(
            organization_id=caller.organization_id,
            direction=PactEvent.Direction.INBOUND,
            spec_version=version,
            event_id=event.event_id[:200],
            event_type=body["type"],
            source=event.source[:500],
            payload=body,
            client_id=caller.client_id,
            in_reply_to=answered,
            status=PactEvent.Status.RECEIVED,
        )
        enqueue_after_commit(pact_event_handle, row.pk)
    # v2.3 §6.8.2 and v3.0 "Action Events": the host accepts with 200 and an empty body.
    return HttpResponse(status=200)


@require_GET
@pact_errors
def footprints_v2(request: HttpRequest) -> HttpResponse:
    """ListFootprints, PACT v2.3 (footprints v2 can express: not per piece)."""
    return _list(request, "2")


@require_GET
@pact_errors
def footprint_v2(request: HttpRequest, pf_id: str) -> HttpResponse:
    """GetFootprint, PACT v2.3."""
    return _detail(request, "2", pf_id)


@csrf_exempt
@require_POST
@pact_errors
def events_v2(request: HttpRequest) -> HttpResponse:
    """Action Events, PACT v2.3."""
    return _events(request, "2")


@require_GET
@pact_errors
def footprints_v3(request: HttpRequest) -> HttpResponse:
    """ListFootprints, PACT v3.0, with its filters."""
    return _list(request, "3")


@require_GET
@pact_errors
def footprint_v3(request: HttpRequest, pf_id: str) -> HttpResponse:
    """GetFootprint, PACT v3.0."""
    return _detail(request, "3", pf_id)


@csrf_exempt
@require_POST
@pact_errors
def events_v3(request: HttpRequest) -> HttpResponse:
    """Action Events, PACT v3.0."""
    return _events(request, "3")


@require_GET
def openid_configuration(request: HttpRequest) -> HttpResponse:
    """OpenID Provider Configuration (OpenID Connect Discovery 1.0 §3), which v2.3 §6.3 and v3.0
    "Authentication" say a host SHOULD serve: a partner finds the token endpoint here instead of assuming
    ``/auth/token``. We issue access tokens by client credentials only, no ID tokens; the document says so."""
    base = request.build_absolute_uri("/").rstrip("/")
    document = {
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["token"],
        "scopes_supported": ["read", "write"],
        "subject_types_supported": ["public"],
    }
    response = HttpResponse(json.dumps(document), content_type="application/json")
    response["Cache-Control"] = "public, max-age=3600"
    return response

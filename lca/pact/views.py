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

from lca.pact import listing
from lca.pact.events import CONTENT_TYPE, EventError, read_event
from lca.pact.models import PactEvent
from lca.pact.server import (
    PactError,
    authenticate,
    bad_request,
    json_list_response,
    not_found,
    page_of,
    parse_limit,
    shares_of,
    v3_filters,
    visible_footprints,
)

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
    shares = shares_of(authenticate(request))
    limit = parse_limit(request.GET)
    conditions = listing.Conditions()
    shares.limit(conditions)
    if version == "2":
        if request.GET.get("$filter"):
            raise PactError(400, "NotImplemented", "The $filter parameter is not supported; use /3/footprints filters.")
        conditions.add(f"{listing.column('document_v2')} IS NOT NULL")
    else:
        v3_filters(conditions, request.GET)
    texts, link = page_of(request, conditions, document=f"document_v{version}", limit=limit)
    return json_list_response(texts, link)


def _detail(request: HttpRequest, version: str, pf_id: str) -> HttpResponse:
    caller = authenticate(request)
    queryset = visible_footprints(caller)
    try:
        wanted = uuid.UUID(pf_id)
    except ValueError as exc:
        raise bad_request("The footprint id must be a UUID.") from exc
    row = queryset.filter(pf_id=wanted).values_list(f"document_v{version}", flat=True).first()
    if row is None:
        raise not_found()
    return HttpResponse(json.dumps({"data": row}), content_type="application/json")


def _events(request: HttpRequest, version: str) -> HttpResponse:
    caller = authenticate(request)
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if content_type != CONTENT_TYPE:
        raise bad_request(f"Events are sent as {CONTENT_TYPE}.")
    try:
        body = json.loads(request.body)
    except (ValueError, RequestDataTooBig) as exc:
        raise bad_request("The body is not a JSON CloudEvent (or is too large).") from exc
    try:
        event = read_event(body, version=version)
    except EventError as exc:
        raise bad_request(str(exc)) from exc
    if event.kind == "created":
        # A request is answered with the footprints shared with this client: it must be a partner.
        shares_of(caller)
    from core.jobs import enqueue_after_commit
    from lca.pact.tasks import pact_event_handle

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

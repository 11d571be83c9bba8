"""The PACT exchange in the web interface: what an organization publishes to partners, the supplier hosts it
pulls from and asks, and the requests going out and coming in.

These views only collect what a person enters and call the services (``lca.pact.services``, ``client``,
``tasks``); members see, editors act. Every object is fetched within the active organization, so another
organization's footprint, host or request is a 404. Who may read our footprints (sharing) is the access
grants' page, not this one.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lca.pact.client import PactClient, PactClientError, endpoint_pull
from lca.pact.events import KIND_OF
from lca.pact.mapping import PactMappingError
from lca.pact.models import PactEvent, PactFootprint, SupplierEndpoint
from lca.pact.services import (
    facts_for_product,
    pact_footprint_deprecate,
    pact_footprint_publish,
    pact_request_create,
    supplier_endpoint_create,
)
from lca.selectors import footprint_current
from lca.web.pact_forms import DeprecateForm, HostForm, PublishForm, RequestForm
from passports.models import Organization, Product
from passports.web.access import can_edit, editor_required, member_required, organization_of


def _kind(event: PactEvent) -> str:
    return KIND_OF.get(event.event_type, ("", ""))[1]


def _hosts_context(request: HttpRequest, org: Organization, **forms_given: Any) -> dict[str, Any]:
    outgoing = list(
        PactEvent.objects.filter(organization=org, direction=PactEvent.Direction.OUTBOUND, in_reply_to__isnull=True)
        .select_related("endpoint")
        .order_by("-created_at", "-pk")[:50]
    )
    incoming = list(
        PactEvent.objects.filter(organization=org, direction=PactEvent.Direction.INBOUND)
        .select_related("client")
        .prefetch_related("replies")
        .order_by("-created_at", "-pk")[:50]
    )
    requests_in = []
    for event in incoming:
        if _kind(event) != "created":
            continue
        answers = [reply for reply in event.replies.all() if reply.direction == PactEvent.Direction.OUTBOUND]
        requests_in.append({"event": event, "answer": answers[0] if answers else None})
    return {
        "nav_section": "pact",
        "can_edit": can_edit(request),
        "footprints": PactFootprint.objects.filter(organization=org)
        .select_related("product")
        .order_by("-created_at", "-pk")[:100],
        "hosts": [
            {
                "host": host,
                "request_form": forms_given["request_form"]
                if forms_given.get("request_host") == host.pk
                else RequestForm(auto_id=f"id_request_{host.pk}_%s"),
            }
            for host in SupplierEndpoint.objects.filter(organization=org)
            .select_related("answers_client")
            .order_by("name")
        ],
        "requests_out": [{"event": e, "kind": _kind(e)} for e in outgoing if _kind(e) == "created"],
        "requests_in": requests_in,
        "host_form": forms_given.get("host_form") or HostForm(organization=org),
    }


@member_required
def pact_overview(request: HttpRequest) -> HttpResponse:
    """Published footprints, supplier hosts, requests sent and received."""
    org = organization_of(request)
    return render(request, "lca/pact/overview.html", _hosts_context(request, org))


def _product(org: Organization, pk: int) -> Product:
    product = Product.objects.filter(organization=org, pk=pk).first()
    if product is None:
        raise Http404
    return product


@member_required
def pact_product(request: HttpRequest, pk: int) -> HttpResponse:
    """A product's PACT footprints: publish (from the engine's result or entered figures), revise, deprecate."""
    org = organization_of(request)
    product = _product(org, pk)
    form = PublishForm(request.POST or None) if request.method == "POST" else PublishForm()
    if request.method == "POST":
        if not can_edit(request):
            raise PermissionDenied
        if form.is_valid():
            published = _publish(request, org, product, form)
            if published is not None:
                messages.success(request, _("Published footprint %(id)s.") % {"id": published.pf_id})
                return HttpResponseRedirect(reverse("pact-product-page", args=[product.pk]))
    rows = PactFootprint.objects.filter(organization=org, product=product).order_by("-created_at", "-pk")
    return render(
        request,
        "lca/pact/product.html",
        {
            "nav_section": "pact",
            "product": product,
            "rows": rows,
            "form": form,
            "deprecate_form": DeprecateForm(),
            "computed": footprint_current(product=product),
            "can_edit": can_edit(request),
        },
    )


def _publish(request: HttpRequest, org: Organization, product: Product, form: PublishForm) -> PactFootprint | None:
    data = form.cleaned_data
    subdivision = (data["subdivision"] or "").upper()
    if subdivision and not subdivision.startswith(f"{org.country}-"):
        form.add_error(
            "subdivision",
            _("%(code)s is not in %(country)s, the country your footprints are declared for.")
            % {"code": subdivision, "country": org.country},
        )
        return None
    total = data["total"]
    source = None
    if total is None:
        source = footprint_current(product=product)
        if source is None:
            form.add_error("total", _("This product has no computed footprint yet: enter the figure."))
            return None
        total = Decimal(str(source.total_kg_co2e)).quantize(Decimal("0.000001"))
    try:
        facts = facts_for_product(
            product=product,
            declared_unit=data["declared_unit"],
            pcf_excluding_biogenic=total,
            primary_data_share=data["primary_data_share"],
            cpc_code=data["cpc_code"] or "",
            subdivision=subdivision,
        )
        return pact_footprint_publish(org=org, product=product, facts=facts, source_footprint=source)
    except PactMappingError as exc:
        form.add_error(None, str(exc))
        return None


@editor_required
@require_POST
def pact_footprint_deprecate_view(request: HttpRequest, pf_id: str) -> HttpResponse:
    org = organization_of(request)
    row = PactFootprint.objects.filter(organization=org, pf_id=_uuid(pf_id)).first()
    if row is None:
        raise Http404
    form = DeprecateForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    if row.status == PactFootprint.Status.ACTIVE:
        pact_footprint_deprecate(row=row, comment=comment)
        messages.success(request, _("Footprint %(id)s is deprecated.") % {"id": row.pf_id})
    return HttpResponseRedirect(reverse("pact-product-page", args=[row.product_id]))


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise Http404 from None


@member_required
def pact_footprint_document(request: HttpRequest, pf_id: str, version: str) -> HttpResponse:
    """The v2.3 or v3.0 document partners receive, as they receive it."""
    org = organization_of(request)
    row = PactFootprint.objects.filter(organization=org, pf_id=_uuid(pf_id)).first()
    document = getattr(row, f"document_v{version}", None) if row is not None and version in {"2", "3"} else None
    if document is None:
        raise Http404
    return HttpResponse(json.dumps({"data": document}, indent=2), content_type="application/json")


@editor_required
@require_POST
def pact_host_add(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    form = HostForm(request.POST, organization=org)
    if form.is_valid():
        data = form.cleaned_data
        base = data["base_url"].rstrip("/")
        try:
            supplier_endpoint_create(
                org=org,
                name=data["name"],
                base_url=base,
                auth_url=data["auth_url"] or f"{base}/auth/token",
                client_id=data["client_id"],
                secret=data["secret"],
                spec_version=data["spec_version"],
                answers_client=data["answers_client"],
            )
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, _("Supplier host %(name)s registered.") % {"name": data["name"]})
            return HttpResponseRedirect(reverse("pact-page"))
    return render(request, "lca/pact/overview.html", _hosts_context(request, org, host_form=form), status=400)


def _host(org: Organization, pk: int) -> SupplierEndpoint:
    host = SupplierEndpoint.objects.filter(organization=org, pk=pk).select_related("organization").first()
    if host is None:
        raise Http404
    return host


@editor_required
@require_POST
def pact_host_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Fetch a token and the first page: says whether the credentials and the address work."""
    host = _host(organization_of(request), pk)
    try:
        first = next(iter(PactClient(host, attempts=1).footprints(limit=1)), None)
    except PactClientError as exc:
        messages.error(request, _("The connection to %(name)s failed: %(error)s") % {"name": host.name, "error": exc})
    else:
        shared = _("it shares footprints with us") if first is not None else _("it shares no footprint with us yet")
        messages.success(request, _("Connected to %(name)s: %(shared)s.") % {"name": host.name, "shared": shared})
    return HttpResponseRedirect(reverse("pact-page"))


@editor_required
@require_POST
def pact_host_pull(request: HttpRequest, pk: int) -> HttpResponse:
    """Pull every footprint the supplier shares into our bill of materials (components matched by GTIN)."""
    host = _host(organization_of(request), pk)
    try:
        report = endpoint_pull(endpoint=host)
    except PactClientError as exc:
        messages.error(request, _("The pull from %(name)s failed: %(error)s") % {"name": host.name, "error": exc})
    else:
        messages.success(
            request,
            _(
                "%(received)d footprints: %(created)d new, %(updated)d updated, %(removed)d removed, "
                "%(unmatched)d of products we lack."
            )
            % {
                "received": report.received,
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
                "unmatched": report.unmatched,
            },
        )
    return HttpResponseRedirect(reverse("pact-page"))


@editor_required
@require_POST
def pact_host_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the supplier a ``RequestCreated`` event; its state shows in the requests we sent."""
    org = organization_of(request)
    host = _host(org, pk)
    form = RequestForm(request.POST, auto_id=f"id_request_{host.pk}_%s")
    if form.is_valid():
        try:
            sent = pact_request_create(endpoint=host, criteria=form.criteria(), comment=form.cleaned_data["comment"])
        except PactMappingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Request %(id)s sent to %(name)s.") % {"id": sent.event_id, "name": host.name})
            return HttpResponseRedirect(reverse("pact-page"))
    context = _hosts_context(request, org, request_form=form, request_host=host.pk)
    return render(request, "lca/pact/overview.html", context, status=400)

"""API clients of the organization (owners only): create one and see its secret once, change scopes, revoke.

A client's secret is stored hashed (django-oauth-toolkit), so the page that creates it is the only place it
is ever shown; that response is marked ``no-store`` so it stays out of caches and the back button.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.application_errors import ApplicationError
from passports.models import ApiClient, Organization
from passports.scoping import get_scoped_or_404
from passports.selectors import tenants as tenant_selectors
from passports.services.tenants import api_client_create, api_client_revoke, api_client_scopes_set
from passports.web.access import organization_of, owner_required
from passports.web.forms.organization import ApiClientForm, ApiClientScopesForm


def _page(
    request: HttpRequest, org: Organization, *, form: ApiClientForm | None = None, **extra: object
) -> HttpResponse:
    clients = tenant_selectors.api_client_list(org=org)
    context = {
        "clients": [(client, ApiClientScopesForm(initial={"scopes": sorted(client.scope_set)})) for client in clients],
        "form": form or ApiClientForm(),
        "nav_section": "organization",
        **extra,
    }
    return render(request, "passports/organization/clients.html", context)


@owner_required
@never_cache
def api_client_list(request: HttpRequest) -> HttpResponse:
    """GET: the clients. POST: a new client, whose secret this one response shows."""
    org = organization_of(request)
    if request.method != "POST":
        return _page(request, org)
    form = ApiClientForm(request.POST)
    if not form.is_valid():
        return _page(request, org, form=form)
    client, secret = api_client_create(
        org=org,
        name=form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
        outside_party=form.cleaned_data["outside_party"],
    )
    return _page(request, org, created=client, secret=secret)


@owner_required
@require_POST
def api_client_update(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_of(request)
    client = get_scoped_or_404(ApiClient.objects.select_related("application"), org, pk=pk)
    if request.POST.get("_action") == "revoke":
        api_client_revoke(client=client)
        messages.success(request, _("%(name)s is revoked; its tokens no longer work.") % {"name": client.name})
        return HttpResponseRedirect(reverse("api-client-list-page"))
    form = ApiClientScopesForm(request.POST)
    try:
        api_client_scopes_set(client=client, scopes=form.cleaned_data["scopes"] if form.is_valid() else [])
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Scopes of %(name)s saved.") % {"name": client.name})
    return HttpResponseRedirect(reverse("api-client-list-page"))

"""API clients of the organization (owners only): create one and see its secret once, change scopes, revoke.

A client's secret is stored hashed (django-oauth-toolkit), so the page that creates it is the only place it
is ever shown; that response is marked ``no-store`` so it stays out of caches and the back button.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from oauth2_provider.models import AccessToken, RefreshToken

from passports.models import ApiClient, Organization
from passports.scoping import get_scoped_or_404
from passports.selectors import tenants as tenant_selectors
from passports.services.tenants import api_client_create
from passports.web.access import organization_of, owner_required
from passports.web.forms.organization import ApiClientForm, ApiClientScopesForm


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> ApiClient:
    """Revokes a client and ends its tokens at once (authentication also refuses a revoked client)."""
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
    RefreshToken.objects.filter(application_id=locked.application_id).delete()
    AccessToken.objects.filter(application_id=locked.application_id).delete()
    return locked


@transaction.atomic
def api_client_scopes_set(*, client: ApiClient, scopes: list[str]) -> ApiClient:
    """Changes what a client may ask for; tokens it holds lose the scopes taken away (they are checked on use)."""
    unknown = set(scopes) - set(ApiClient.SCOPES)
    if unknown or not scopes:
        raise ValueError(f"Unknown or missing scopes: {sorted(unknown) or 'none given'}")
    client.scopes = " ".join(sorted(set(scopes)))
    client.save(update_fields=["scopes", "updated_at"])
    return client


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
    if client.revoked_at is not None:
        messages.error(request, _("A revoked client cannot be changed; create a new one."))
    elif form.is_valid():
        api_client_scopes_set(client=client, scopes=form.cleaned_data["scopes"])
        messages.success(request, _("Scopes of %(name)s saved.") % {"name": client.name})
    else:
        messages.error(request, _("Choose at least one scope."))
    return HttpResponseRedirect(reverse("api-client-list-page"))

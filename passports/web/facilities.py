"""Facility pages: editors add and change the organization's facilities (list in ``dashboard``).

Import errors and the product form send people here ("add it under Facilities first"), so a facility must
be creatable where they land, not only through the API. The work is ``passports.services.tenants``'
``facility_create`` / ``facility_update``, as for the API; this module only shows the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from passports.models import Facility
from passports.selectors import tenants as tenant_selectors
from passports.services import tenants as tenant_services
from passports.web.access import editor_required, organization_of
from passports.web.forms.facilities import FacilityForm


def _save(request: HttpRequest, form: FacilityForm, facility: Facility | None) -> Facility | None:
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        if facility is None:
            return tenant_services.facility_create(org=organization_of(request), **fields)
        return tenant_services.facility_update(facility=facility, **fields)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return None


@editor_required
def facility_create(request: HttpRequest) -> HttpResponse:
    """A new facility; ``?gln=`` fills in the GLN an import named but could not find."""
    org = organization_of(request)
    form = FacilityForm(request.POST or None, organization=org, initial={"gln": request.GET.get("gln", "")[:13]})
    if request.method == "POST" and form.is_valid():
        facility = _save(request, form, None)
        if facility is not None:
            messages.success(request, _("Facility “%(name)s” added.") % {"name": facility.name})
            return HttpResponseRedirect(reverse("facility-list-page"))
    return render(request, "facility_form.html", {"form": form, "facility": None, "nav_section": "facilities"})


@editor_required
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_of(request)
    facility = tenant_selectors.facility_get(org=org, pk=pk)
    form = FacilityForm(request.POST or None, instance=facility, organization=org)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, tenant_selectors.facility_get(org=org, pk=pk))
        if saved is not None:
            messages.success(request, _("Facility “%(name)s” saved.") % {"name": saved.name})
            return HttpResponseRedirect(reverse("facility-list-page"))
    return render(request, "facility_form.html", {"form": form, "facility": facility, "nav_section": "facilities"})

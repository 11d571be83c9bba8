"""Web pages for people: the landing page and dashboard, and organization switching."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from passports.models import Membership
from passports.selectors import tenants as selectors
from passports.tenancy import SESSION_KEY, request_membership, request_organization


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors get what the platform is for; members get their organization's dashboard."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    org = request_organization(request)
    context = {
        "memberships": Membership.objects.select_related("organization").filter(
            user=request.user, organization__is_active=True
        ),
        "facility_count": selectors.facility_list(org=org).count(),
        "member_count": selectors.membership_list(org=org).count(),
    }
    return render(request, "dashboard.html", context)


@login_required
def facility_list(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    return render(request, "facilities.html", {"facilities": selectors.facility_list(org=org)})


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Makes another of the person's organizations the active one; others' ids are ignored."""
    wanted = request.POST.get("organization", "")
    if wanted.isdigit() and Membership.objects.filter(user=request.user.pk or 0, organization_id=int(wanted)).exists():
        request.session[SESSION_KEY] = int(wanted)
        request._dpp_membership = ...  # type: ignore[attr-defined]  # forget the cached membership
        request_membership(request)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return HttpResponseRedirect(target)

"""The landing page, the dashboard (readiness at a glance) and switching the active organization."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.counts import row_counts
from passports.deadlines import deadline_statuses
from passports.models import ImportJob, Membership, Organization, Passport, PassportVersion, Product
from passports.selectors import access as access_selectors
from passports.selectors import tenants as tenant_selectors
from passports.tenancy import SESSION_KEY, request_membership
from passports.web.access import can_edit, member_required, organization_of

STATUSES = ("draft", "published", "revoked")


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors get what the platform is for; members get their organization's dashboard."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    membership = request_membership(request)
    memberships = Membership.objects.select_related("organization").filter(
        user=request.user, organization__is_active=True
    )
    if membership is None:
        return render(request, "dashboard.html", {"memberships": memberships, "nav_section": "dashboard"})
    return render(request, "dashboard.html", {**dashboard_context(membership.organization), "memberships": memberships})


def dashboard_context(org: Organization) -> dict[str, Any]:
    """The readiness figures: a fixed number of queries whatever the size of the organization."""
    # One bounded count per status (core.counts) instead of a GROUP BY over every passport of the tenant:
    # exact up to 1,000 each, estimated and labelled above.
    status_counts = row_counts({status: Passport.objects.for_org(org).filter(status=status) for status in STATUSES})
    counts = {status: figure.value for status, figure in status_counts.items()}
    by_category = dict(
        Product.objects.for_org(org).values_list("category").annotate(n=Count("pk")).values_list("category", "n")
    )
    invalid = (
        PassportVersion.objects.for_org(org)
        .filter(status=PassportVersion.Status.DRAFT, error_count__gt=0)
        .select_related("passport__product", "schema")
        .order_by("-error_count", "-updated_at")[:8]
    )
    status_rows = [(status, counts.get(status, 0)) for status in STATUSES]
    total = sum(counts.values())
    return {
        "status_rows": status_rows,
        "passport_total": total,
        "passport_counts_exact": all(figure.exact for figure in status_counts.values()),
        "published_share": round(100 * counts.get("published", 0) / total) if total else 0,
        "product_total": sum(by_category.values()),
        "invalid_drafts": list(invalid),
        "deadlines": deadline_statuses(timezone.localdate(), by_category),
        "facility_count": tenant_selectors.facility_list(org=org).count(),
        "member_count": tenant_selectors.membership_list(org=org).count(),
        "recent_imports": recent_imports(org),
        # Partners waiting for an answer (issue 14: the owner sees pending requests on the dashboard), and the
        # passports of others naming this organization as their economic operator (it sees them read-only).
        "pending_requests": list(access_selectors.requests_received(org=org, pending_only=True)[:8]),
        "pending_request_total": access_selectors.requests_received(org=org, pending_only=True).count(),
        "operator_passports": list(access_selectors.operator_links_received(org=org)[:8]),
        "operator_passport_total": access_selectors.operator_links_received(org=org).count(),
        "nav_section": "dashboard",
    }


def recent_imports(org: Organization) -> list[ImportJob]:
    """The latest bulk imports of the organization."""
    return list(ImportJob.objects.for_org(org).order_by("-created_at", "-pk")[:5])


@member_required
def facility_list(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    return render(
        request,
        "facilities.html",
        {
            "facilities": tenant_selectors.facility_list(org=org),
            "can_edit": can_edit(request),
            "nav_section": "facilities",
        },
    )


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

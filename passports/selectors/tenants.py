"""Reads of tenants' people, places and clients, scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from passports.models import ApiClient, Facility, Membership, Organization
from passports.scoping import get_scoped_or_404, scoped


def facility_list(*, org: Organization | None) -> QuerySet[Facility]:
    return scoped(Facility, org).order_by("name", "pk")


def facility_get(*, org: Organization | None, pk: object) -> Facility:
    return get_scoped_or_404(Facility, org, pk=pk)


def membership_list(*, org: Organization | None) -> QuerySet[Membership]:
    return scoped(Membership.objects.select_related("user"), org).order_by("user__username")


def api_client_list(*, org: Organization | None) -> QuerySet[ApiClient]:
    return (
        scoped(ApiClient.objects.select_related("application"), org)
        .prefetch_related("grants_received__organization")
        .order_by("name")
    )

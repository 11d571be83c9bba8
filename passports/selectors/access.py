"""Reads of grants and of the access log, scoped to the organization that gave them or owns the data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from passports.models import AccessLogEntry, AccessRequest, ApiClient, Grant, OperatorLink, Organization, Passport
from passports.scoping import scoped


def find_grantee(text: str) -> Organization | ApiClient | None:
    """The organization named by its slug, EORI, LEI or VAT number, else the API client with this client ID.

    Typed, not picked from a list: the form must not list every tenant of the platform to every owner.
    """
    text = text.strip()
    if not text:
        return None
    org = (
        Organization.objects.filter(is_active=True)
        .filter(Q(slug=text) | Q(eori__iexact=text) | Q(lei__iexact=text) | Q(vat__iexact=text))
        .first()
    )
    if org is not None:
        return org
    return ApiClient.objects.filter(application__client_id=text, revoked_at__isnull=True).first()


def grants_given(*, org: Organization | None) -> QuerySet[Grant]:
    return (
        scoped(Grant.objects.select_related("grantee_organization", "grantee_client"), org)
        .prefetch_related("products", "passports")
        .order_by("-created_at", "-pk")
    )


def grants_received(*, org: Organization | None) -> QuerySet[Grant]:
    """Grants given to the organization or to one of its (own-system) API clients."""
    if org is None:
        return Grant.objects.none()
    return (
        Grant.objects.select_related("organization", "grantee_client")
        .filter(Q(grantee_organization=org) | Q(grantee_client__organization=org, grantee_client__outside_party=False))
        .order_by("-created_at", "-pk")
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log(*, org: Organization | None, filters: dict[str, Any] | None = None) -> QuerySet[AccessLogEntry]:
    """The owner's access log, newest first, narrowed by ``passport``, ``reader`` (organization id), ``tier``,
    ``output``, ``since`` and ``until`` (dates, both included)."""
    entries = scoped(AccessLogEntry.objects.select_related("passport", "reader_organization"), org)
    filters = filters or {}
    if filters.get("passport"):
        entries = entries.filter(passport_id=filters["passport"])
    if filters.get("reader"):
        entries = entries.filter(reader_organization_id=filters["reader"])
    if filters.get("tier"):
        entries = entries.filter(tier=filters["tier"])
    if filters.get("output"):
        entries = entries.filter(output=filters["output"])
    if filters.get("since"):
        entries = entries.filter(at__gte=_day_start(filters["since"]))
    if filters.get("until"):
        entries = entries.filter(at__lt=_day_start(filters["until"]) + timedelta(days=1))
    return entries.order_by("-at", "-pk")


CSV_HEADER = (
    "at",
    "passport",
    "identifier",
    "version",
    "tier",
    "output",
    "basis",
    "grant",
    "reader",
    "reader_org",
    "footprint",  # added last: spreadsheets made from earlier exports keep their columns
)


def access_log_rows(entries: QuerySet[AccessLogEntry]) -> list[list[str]]:
    return [
        [
            e.at.isoformat(),
            str(e.passport_id or ""),
            e.subject if e.passport_id is not None else "",
            str(e.version_number or ""),
            e.tier,
            e.output,
            e.basis,
            str(e.grant_id or ""),
            e.reader_label,
            str(e.reader_organization or ""),
            str(e.footprint_id or ""),
        ]
        for e in entries
    ]


def requests_received(*, org: Organization | None, pending_only: bool = False) -> QuerySet[AccessRequest]:
    rows = scoped(AccessRequest.objects.select_related("requester", "passport", "grant"), org)
    if pending_only:
        rows = rows.filter(status=AccessRequest.Status.PENDING)
    return rows.order_by("-created_at", "-pk")


def requests_sent(*, org: Organization | None) -> QuerySet[AccessRequest]:
    if org is None:
        return AccessRequest.objects.none()
    return (
        AccessRequest.objects.select_related("organization", "passport")
        .filter(requester=org)
        .order_by("-created_at", "-pk")
    )


def requestable_passport(identifier: str) -> Passport | None:
    """A passport anyone may ask about: published, named by its Digital Link identifier."""
    return (
        Passport.objects.select_related("organization", "product")
        .filter(identifier=identifier.strip(), versions__status="published")
        .first()
    )


def operator_links_given(*, org: Organization | None) -> QuerySet[OperatorLink]:
    """The organizations the owner's published passports name as economic operator (they see those passports)."""
    return scoped(OperatorLink.objects.select_related("operator", "passport"), org).order_by("-created_at", "-pk")


def operator_links_received(*, org: Organization | None) -> QuerySet[OperatorLink]:
    """The passports of other organizations naming ``org`` as their economic operator."""
    if org is None:
        return OperatorLink.objects.none()
    return (
        OperatorLink.objects.select_related("organization", "passport__product")
        .filter(operator=org, organization__is_active=True)
        .order_by("-created_at", "-pk")
    )

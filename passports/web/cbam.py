"""CBAM installation data: the emissions data a non-EU producer hands its EU importers.

Regulation (EU) 2023/956 (CBAM) makes importers declare the embedded emissions of the goods they import;
the data comes from the installation that made them (Implementing Regulation (EU) 2023/1773, Annex III).
Here that data is a passport of the ``cbam-installation`` schema, edited with the same schema-driven
editor as every other passport, so it is validated (including the embedded-emissions arithmetic) the same way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from passports.models import Passport, PassportVersion
from passports.selectors import passports as selectors
from passports.web.access import can_edit, member_required, organization_of
from passports.web.passports import passports_with_draft_errors

CBAM_CATEGORY = "cbam-installation"


def _member(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    return value if isinstance(value, kind) else None


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """What the list shows of one installation's data: its name, its period, its goods."""
    installation = _member(data, "installation", dict) or {}
    period = _member(data, "reporting_period", dict) or {}
    goods = _member(data, "goods", list) or []
    return {
        "installation": installation.get("name", ""),
        "installation_id": installation.get("installation_identifier", ""),
        "period_start": period.get("start_date", ""),
        "period_end": period.get("end_date", ""),
        "goods": len(goods),
    }


@member_required
def cbam_overview(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    passports = list(
        passports_with_draft_errors(
            Passport.objects.for_org(org)
            .filter(schema__category=CBAM_CATEGORY)
            .select_related("product", "schema")
            .order_by("-updated_at")
        )
    )
    # The data of every listed passport's latest version, in one query.
    latest: dict[int, dict[str, Any]] = {}
    for passport_id, data in (
        PassportVersion.objects.for_org(org)
        .filter(passport__in=[p.pk for p in passports])
        .order_by("passport_id", "-number")
        .values_list("passport_id", "data")
    ):
        latest.setdefault(passport_id, data if isinstance(data, dict) else {})
    rows = [(passport, _summary(latest.get(passport.pk, {}))) for passport in passports]
    products = (
        selectors.product_list(org=org)
        .filter(category=CBAM_CATEGORY)
        .annotate(passport_count=Count("passports"))
        .order_by("name")
    )
    return render(
        request,
        "passports/cbam/overview.html",
        {"rows": rows, "products": products, "can_edit": can_edit(request), "nav_section": "cbam"},
    )

"""The readiness cockpit and a passport's conformance matrix: what is left to do, product by product and
clause by clause, with one next step per row. The figures come from ``passports.selectors.readiness`` and
``passports.readiness``; these views only read filters and lay pages out."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.language import ui_language
from core.spreadsheet_csv import SpreadsheetCsvWriter
from passports import readiness
from passports.deadlines import DEADLINES
from passports.models import Facility
from passports.selectors import passports as selectors
from passports.selectors import readiness as cockpit
from passports.validation import validate
from passports.web.access import can_edit, member_required, organization_of

PAGE_SIZE = 50

STATUS_CHOICES = (
    ("", "—"),
    ("none", "no passport"),
    ("draft", "draft"),
    ("invalid", "draft with errors"),
    ("valid", "valid draft"),
    ("published", "published"),
    ("unpublished", "not published"),
)


@require_safe
@member_required
def readiness_cockpit(request: HttpRequest) -> HttpResponse:
    """Every product against its regulation; the filters are query parameters, so a view can be bookmarked."""
    org = organization_of(request)
    families = cockpit.schema_families()
    error: cockpit.FilterError | None = None
    try:
        filters = cockpit.Filters.parse(request.GET, families)
    except cockpit.FilterError as exc:
        error, filters = exc, cockpit.Filters()
    products = cockpit.cockpit_products(org=org, filters=filters, families=families)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    cells = cockpit.cockpit_cells(list(page.object_list), families=families, today=timezone.localdate())
    regulations = sorted({r.key: r for r in families.values()}.values(), key=lambda r: str(r.name))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "cells": cells,
        "page": page,
        "totals": cockpit.cockpit_totals(products),
        "filters": filters,
        "filter_error": error,
        "regulations": regulations,
        "categories": sorted(families),
        "facilities": Facility.objects.for_org(org).order_by("name"),
        "deadlines": DEADLINES,
        "status_choices": [(value, _(label)) if value else (value, label) for value, label in STATUS_CHOICES],
        "query": query.urlencode(),
        "can_edit": can_edit(request),
        "nav_section": "readiness",
    }
    return render(request, "passports/readiness/cockpit.html", context, status=400 if error else 200)


def _assessment(request: HttpRequest, pk: int) -> tuple[Any, Any, readiness.Assessment]:
    passport = selectors.passport_get(org=organization_of(request), pk=pk)
    version = selectors.current_version(passport)
    if version is None:
        return passport, None, readiness.assess(passport.schema.document, {}, ())
    effective = selectors.effective_data_of(version)
    issues = validate(version.schema.document, effective)
    return passport, version, readiness.assess(version.schema.document, effective, issues)


@require_safe
@member_required
def passport_conformance(request: HttpRequest, pk: int) -> HttpResponse:
    """Legal clause → fields → status for the passport's current version (the draft, else the latest)."""
    passport, version, assessment = _assessment(request, pk)
    return render(
        request,
        "passports/readiness/conformance.html",
        {
            "passport": passport,
            "version": version,
            "assessment": assessment,
            "lang": ui_language(),
            "nav_section": "readiness",
        },
    )


CSV_HEADERS = {
    "en": ["clause", "field", "pointer", "status", "reason", "message"],
    "ko": ["조항", "항목", "JSON 포인터", "상태", "사유", "메시지"],
}


def conformance_rows(assessment: readiness.Assessment, lang: str) -> Iterator[list[str]]:
    """The matrix as rows of text: one per field, then one per problem that names no single field."""
    for clause in assessment.clauses:
        for result in clause.fields:
            messages = "; ".join(issue.message_ko if lang == "ko" else issue.message_en for issue in result.issues)
            reason = result.reason
            if result.absent_part is not None:
                reason = f"{reason}: {result.absent_part.title(lang)}"
            yield [clause.legal, result.spec.title(lang), result.pointer_pattern, result.status, reason, messages]
        for issue in clause.problems:
            message = issue.message_ko if lang == "ko" else issue.message_en
            yield [clause.legal, "", issue.pointer, "invalid", issue.rule, message]


@require_safe
@member_required
def passport_conformance_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The conformance matrix as a spreadsheet-safe CSV (core.spreadsheet_csv)."""
    passport, _version, assessment = _assessment(request, pk)
    lang = ui_language()
    buffer = io.StringIO(newline="")
    writer = SpreadsheetCsvWriter(buffer)
    writer.writerow(CSV_HEADERS["ko" if lang == "ko" else "en"])
    for row in conformance_rows(assessment, lang):
        writer.writerow(row)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="conformance-{passport.pk}.csv"'
    return response

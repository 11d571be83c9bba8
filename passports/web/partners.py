"""Partners and access: the grants an organization gave and received, and who read its restricted data.

Every member sees the lists and the access log (they are the organization's own facts); only owners give and
revoke grants, as they manage members and API clients. Grants are checked by ``passports.services.grants``,
whose field errors show beside the form's fields.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.spreadsheet_csv import SpreadsheetCsvWriter
from passports.models import AccessRequest, Grant, Passport
from passports.roles import member_may
from passports.scoping import get_scoped_or_404
from passports.selectors import access as access_selectors
from passports.services.access_requests import access_request_create, access_request_grant, access_request_refuse
from passports.services.grants import grant_create, grant_revoke
from passports.services.operators import operator_links_refresh_passport
from passports.tenancy import request_membership
from passports.web.access import member_required, organization_of, role_required
from passports.web.forms.partners import AccessLogFilterForm, GrantForm

#: Service fields whose errors belong to a form field of another name.
_FIELD_OF = {"expires_at": "expires_on", "grantee": "grantee"}


def _page(request: HttpRequest, form: GrantForm | None = None) -> HttpResponse:
    org = organization_of(request)
    context = {
        "pending": access_selectors.requests_received(org=org, pending_only=True),
        "sent": access_selectors.requests_sent(org=org)[:20],
        "given": access_selectors.grants_given(org=org),
        "received": access_selectors.grants_received(org=org),
        "operators_given": access_selectors.operator_links_given(org=org)[:100],
        "operators_received": access_selectors.operator_links_received(org=org)[:100],
        "form": form or GrantForm(org=org),
        "nav_section": "partners",
    }
    return render(request, "passports/partners/index.html", context, status=400 if form and form.errors else 200)


@member_required
def partners(request: HttpRequest) -> HttpResponse:
    """GET: the grants given and received. POST (owners): a new grant."""
    if request.method != "POST":
        return _page(request)
    membership = request_membership(request)
    if not member_may(membership, "grant.manage"):
        raise PermissionDenied
    org = organization_of(request)
    form = GrantForm(request.POST, org=org)
    if form.is_valid():
        try:
            grant = grant_create(grantor=org, by=request.user, **form.grant_arguments())
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(_FIELD_OF.get(field, field) if field in form.fields or field in _FIELD_OF else None,
                               problems)  # fmt: skip
        else:
            messages.success(request, _("Access granted to %(who)s.") % {"who": grant.grantee_label})
            return HttpResponseRedirect(reverse("partners-page"))
    return _page(request, form)


@role_required("grant.manage")
@require_POST
def grant_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_scoped_or_404(Grant.objects.select_related("grantee_organization", "grantee_client"),
                              organization_of(request), pk=pk)  # fmt: skip
    grant_revoke(grant=grant, by=request.user)
    messages.success(
        request, _("Access of %(who)s revoked; it ends with their next request.") % {"who": grant.grantee_label}
    )
    return HttpResponseRedirect(reverse("partners-page"))


@role_required("grant.manage")
@require_POST
def operator_links_match_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Matches the economic operators the published passport names again (one that joined the platform since)."""
    passport = get_scoped_or_404(Passport.objects.all(), organization_of(request), pk=pk)
    links = operator_links_refresh_passport(passport=passport, by=request.user)
    if links:
        names = ", ".join(sorted(link.operator.name for link in links))
        shown = _("Economic operators on the platform that see this passport: %(names)s.") % {"names": names}
        messages.success(request, shown)
    else:
        messages.info(request, _("No economic operator this passport names is on the platform."))
    return HttpResponseRedirect(reverse("passport-detail-page", args=[passport.pk]))


@member_required
@require_safe
def access_log_page(request: HttpRequest) -> HttpResponse:
    """Who read the organization's data above the public tier, filterable; ``?format=csv`` downloads it."""
    org = organization_of(request)
    filters = AccessLogFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    entries = access_selectors.access_log(org=org, filters=chosen)
    if request.GET.get("format") == "csv":
        buffer = io.StringIO(newline="")
        writer = SpreadsheetCsvWriter(buffer)
        writer.writerow(access_selectors.CSV_HEADER)
        writer.writerows(access_selectors.access_log_rows(entries))
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
        return response
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query["format"] = "csv"
    context = {"filters": filters, "page": page, "csv_query": query.urlencode(), "nav_section": "partners"}
    return render(request, "passports/partners/access_log.html", context)


@member_required
def access_request_new(request: HttpRequest) -> HttpResponse:
    """Ask a passport's owner for its restricted data (linked from the public passport page)."""
    org = organization_of(request)
    identifier = request.POST.get("identifier") or request.GET.get("identifier") or ""
    passport = access_selectors.requestable_passport(identifier)
    if passport is None:
        raise Http404("No published passport has this identifier.")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            access_request_create(
                requester=org, passport=passport, purpose=request.POST.get("purpose", ""), by=request.user
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request,
                _("Your request was sent to %(org)s. You will see the answer here.")
                % {"org": passport.organization.name},
            )
            return HttpResponseRedirect(reverse("partners-page"))
    context = {
        "passport": passport,
        "errors": errors,
        "purpose": request.POST.get("purpose", ""),
        "nav_section": "partners",
    }
    return render(request, "passports/partners/request.html", context, status=400 if errors else 200)


@role_required("access_request.answer")
@require_POST
def access_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: ``_action=grant`` (a grant of the passport's product, legitimate interest) or ``refuse``."""
    access_request = get_scoped_or_404(AccessRequest.objects.select_related("requester", "passport"),
                                       organization_of(request), pk=pk)  # fmt: skip
    try:
        if request.POST.get("_action") == "grant":
            access_request_grant(request=access_request, by=request.user)
            messages.success(request, _("Access granted to %(who)s.") % {"who": access_request.requester.name})
        else:
            access_request_refuse(request=access_request, by=request.user)
            messages.success(request, _("Request of %(who)s refused.") % {"who": access_request.requester.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(reverse("partners-page"))

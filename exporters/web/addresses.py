"""The organization's page about its public address: where its passports are, and re-issuing them after a move.

An owner sees the address written into its QR codes, DID and credentials, how many of its published passports
still name an earlier address (and how far the backup copy lags, ``exporters.backup.status``), and can re-issue
them all in one action (``credentials_reissue``; the command
``manage.py reissue_credentials`` does the same for operators).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from exporters.backup.status import backup_status
from exporters.services.credentials import credentials_reissue
from exporters.services.keys import organization_did, platform_bases
from passports.models import Passport
from passports.web.access import organization_of, owner_required


@owner_required
@require_http_methods(["GET", "POST"])
def public_address_page(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    if request.method == "POST":
        result = credentials_reissue(org=org)
        messages.success(
            request,
            _(
                "%(moved)s Digital Link(s) moved to %(base)s and %(issued)s credential(s) issued; "
                "earlier credentials keep verifying until revoked."
            )
            % {
                "moved": result.identifiers_moved,
                "base": settings.PLATFORM_BASE_URL,
                "issued": result.credentials_issued,
            },
        )
        return HttpResponseRedirect(reverse("public-address-page"))
    base = settings.PLATFORM_BASE_URL
    published = Passport.objects.filter(organization=org, versions__status="published").distinct()
    context = {
        "base": base,
        "did": organization_did(org),
        "earlier": platform_bases()[1:],
        "published": published.count(),
        "elsewhere": published.exclude(identifier__startswith=base + "/").count(),
        "tab": "address",
        "backup": backup_status(org=org),
    }
    return render(request, "exporters/public_address.html", context)

"""The GS1 Digital Link resolver: what ``/01/<gtin>[/10/<lot>][/21/<serial>]`` answers.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(b) and Annex III: the data carrier on the product leads to the
passport. One URL serves every reader, by content negotiation (``Accept``) or ``?format=``:

- a browser (``text/html``): the public passport page, mobile-first, in English or Korean;
- ``application/ld+json``: the credential as JSON-LD; ``application/vc+jwt``: the signed credential;
- ``application/linkset+json`` or ``?linkType=all``: the RFC 9264 linkset; another ``?linkType=`` redirects to
  that link (GS1-Conformant Resolver Standard);
- ``application/json``: the passport data of the caller's tier.
The published version is served by default, ``?version=N`` for another; a superseded version says so and links
to the latest, a revoked one shows that it is revoked. Drafts are never served.
"""

from __future__ import annotations

import base64
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from core.language import ui_language
from exporters import selectors
from exporters.credentials import MEDIA_TYPE as VC_JWT
from exporters.linkset import MEDIA_TYPE as LINKSET
from exporters.linkset import PassportLinks, VersionLink, build_linkset, target_for
from exporters.models import IssuedCredential
from exporters.reports.labels import Lang
from exporters.reports.receivers import qr_code_for
from exporters.services.credentials import credential_uuid, tier_data, tier_data_bytes, tier_data_url
from exporters.services.keys import absolute_url, organization_did
from exporters.verification import verify_token
from exporters.web.access import viewer_tier
from exporters.web.data_sections import data_sections
from exporters.web.trust_views import public_headers
from passports.identifiers import DigitalLink, DigitalLinkError
from passports.models import Passport, PassportVersion

JSON_LD = "application/ld+json"
FORMATS = {"html": "text/html", "jsonld": JSON_LD, "vc-jwt": VC_JWT, "linkset": LINKSET, "json": "application/json"}
#: In order of preference when the caller accepts anything: people with browsers are the usual callers.
NEGOTIABLE = ["text/html", JSON_LD, VC_JWT, LINKSET, "application/json"]


def _media_type(request: HttpRequest) -> str:
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return FORMATS[fmt]
    if request.GET.get("linkType") == "all":
        return LINKSET
    return request.get_preferred_type(NEGOTIABLE) or "text/html"


def _version_url(passport: Passport, number: int) -> str:
    return f"{passport.identifier}?version={number}"


def _report_url(passport: Passport, version: PassportVersion) -> str | None:
    try:
        path = reverse("passport-report-pdf", kwargs={"pk": passport.pk})
    except NoReverseMatch:
        return None
    return absolute_url(f"{path}?version={version.number}")


def _links(
    passport: Passport, version: PassportVersion, versions: list[PassportVersion], issued: IssuedCredential | None
) -> PassportLinks:
    here = _version_url(passport, version.number)
    status_urls: list[str] = []
    if issued is not None:
        status_urls = [entry["statusListCredential"] for entry in issued.credential.get("credentialStatus", [])]
    return PassportLinks(
        anchor=passport.identifier,
        page_url=here,
        version=version.number,
        versions=[VersionLink(v.number, _version_url(passport, v.number), v.status) for v in versions],
        credential_jwt_url=f"{here}&format=vc-jwt" if issued else None,
        credential_jsonld_url=f"{here}&format=jsonld" if issued else None,
        data_url=tier_data_url(passport.organization, credential_uuid(issued), "public") if issued else None,
        status_list_urls=status_urls,
        report_url=_report_url(passport, version),
    )


def _machine_response(
    media: str, request: HttpRequest, version: PassportVersion, context: dict[str, Any]
) -> HttpResponse:
    issued: IssuedCredential | None = context["issued"]
    if media == LINKSET:
        response: HttpResponse = JsonResponse(context["linkset"], content_type=LINKSET)
    elif media == "application/json":
        tier = viewer_tier(request, version.passport)
        response = HttpResponse(
            tier_data_bytes(selectors.version_with_data(version), tier), content_type="application/json"
        )
    elif issued is None:
        raise Http404("This version was published before signing was available; it has no credential.")
    elif media == VC_JWT:
        response = HttpResponse(issued.jws, content_type=VC_JWT)
    else:
        response = JsonResponse(issued.credential, content_type=JSON_LD)
    return public_headers(response, max_age=60) if media != "application/json" else response


def _qr_data_uri(passport: Passport) -> str:
    svg = qr_code_for(passport).svg
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _page(request: HttpRequest, version: PassportVersion, context: dict[str, Any]) -> HttpResponse:
    version = selectors.version_with_data(version)
    passport = version.passport
    org = passport.organization
    lang: Lang = "ko" if ui_language() == "ko" else "en"
    tier = viewer_tier(request, passport)
    issued: IssuedCredential | None = context["issued"]
    product = passport.product
    latest = context["latest"]
    page = {
        **context,
        "passport": passport,
        "version": version,
        "product_name": product.name_ko if lang == "ko" and product.name_ko else product.name,
        "schema_title": _schema_title(version, lang),
        "org": org,
        "did": organization_did(org),
        "tier": tier,
        "sections": data_sections(version.schema.document, tier_data(version, tier), lang),
        "report": verify_token(issued.jws) if issued is not None else None,
        "qr": _qr_data_uri(passport),
        "is_superseded": version.status == PassportVersion.Status.SUPERSEDED,
        "is_revoked": version.status == PassportVersion.Status.REVOKED,
        "latest_url": f"?version={latest.number}" if latest and latest.pk != version.pk else None,
        "format_links": {
            "jsonld": f"?version={version.number}&format=jsonld",
            "vc_jwt": f"?version={version.number}&format=vc-jwt",
            "linkset": f"?version={version.number}&linkType=all",
        },
    }
    response = render(request, "public/passport.html", page)
    response["Vary"] = "Accept, Accept-Language, Cookie, Authorization"
    response["Link"] = f'<{passport.identifier}?linkType=all>; rel="linkset"; type="{LINKSET}"'
    return response


def _schema_title(version: PassportVersion, lang: str) -> str:
    document = version.schema.document
    title = document.get("x-title-ko") if lang == "ko" else None
    return str(title or document.get("title") or version.schema.key)


@require_safe
def resolve(request: HttpRequest, gtin: str, lot: str | None = None, serial: str | None = None) -> HttpResponse:
    try:
        link = DigitalLink(gtin=gtin, lot=lot, serial=serial)
    except DigitalLinkError as exc:
        raise Http404(str(exc)) from exc
    passport = selectors.passport_by_link(link)
    versions = selectors.resolvable_versions(passport)
    version = selectors.version_to_resolve(versions, request.GET.get("version"))
    issued = selectors.credential_of(version)
    linkset = build_linkset(_links(passport, version, versions, issued))
    link_type = request.GET.get("linkType")
    if link_type and link_type != "all" and "format" not in request.GET:
        target = target_for(linkset, link_type)
        if target is not None and target != _version_url(passport, version.number):
            return HttpResponseRedirect(target, status=307)
    context = {
        "issued": issued,
        "linkset": linkset,
        "versions": versions,
        "latest": selectors.latest_published(versions),
    }
    media = _media_type(request)
    if media == "text/html":
        return _page(request, version, context)
    response = _machine_response(media, request, version, context)
    response["Vary"] = "Accept, Authorization"
    return response

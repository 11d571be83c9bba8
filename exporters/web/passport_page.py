"""The passport behind a Digital Link: its public page (``/dpp/01/...``) and its machine-readable forms.

The resolver (``exporters/web/resolver.py``) sends people here by its default link and machines to
``/01/...?format=`` for the credential (``jsonld``, ``vc-jwt``) or the data of the caller's tier (``json``).
The published version is served by default, ``?version=N`` for another; a superseded version says so and links
to the latest, a revoked one shows that it is revoked. Drafts are never served.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from core.language import ui_language
from exporters import selectors
from exporters.credentials.vc import MEDIA_TYPE as VC_JWT
from exporters.credentials.verification import verify_token
from exporters.models import IssuedCredential
from exporters.reports.labels import Lang
from exporters.resolver.carriers import qr_code_for
from exporters.resolver.linkset import MEDIA_TYPE as LINKSET
from exporters.resolver.linkset import PassportLinks, VersionLink
from exporters.resolver.public_cache import public_cache_control
from exporters.services.credentials import tier_data, tier_data_bytes
from exporters.services.keys import absolute_url, organization_did
from exporters.web.access import viewer_access
from exporters.web.data_sections import data_sections
from passports.access import log_read
from passports.models import AccessLogEntry, Passport, PassportVersion

JSON_LD = "application/ld+json"
#: ``?format=`` values the resolver serves itself, and their media types.
FORMATS = {"jsonld": JSON_LD, "vc-jwt": VC_JWT, "json": "application/json"}


def page_url(passport: Passport) -> str:
    """The passport page of a Digital Link: ``<base>/dpp/01/...``, the resolver's default link."""
    return settings.PLATFORM_BASE_URL.rstrip("/") + "/dpp" + urlsplit(passport.identifier).path


def _item_description(passport: Passport) -> str:
    name = passport.product.name
    if passport.serial:
        return f"{name}, item {passport.serial}"
    if passport.lot:
        return f"{name}, batch {passport.lot}"
    return name


def _report_url(passport: Passport, version: PassportVersion) -> str | None:
    try:
        path = reverse("passport-report-pdf", kwargs={"pk": passport.pk})
    except NoReverseMatch:
        return None
    return absolute_url(f"{path}?version={version.number}")


def level_links(passport: Passport) -> tuple[PassportLinks, PassportVersion]:
    """The links of one identification level (its default version) for the linkset, and that version."""
    versions = selectors.resolvable_versions(passport)
    version = selectors.version_to_resolve(versions, None)
    issued = selectors.credential_of(version)
    page = page_url(passport)
    here = f"{passport.identifier}?version={version.number}"
    links = PassportLinks(
        anchor=passport.identifier,
        item_description=_item_description(passport),
        page_url=page,
        version=version.number,
        versions=[VersionLink(v.number, f"{page}?version={v.number}", v.status) for v in versions],
        credential_jwt_url=f"{here}&format=vc-jwt" if issued else None,
        credential_jsonld_url=f"{here}&format=jsonld" if issued else None,
        data_url=f"{here}&format=json",
        report_url=_report_url(passport, version),
    )
    return links, version


def machine_response(request: HttpRequest, passport: Passport, fmt: str) -> HttpResponse:
    """``?format=jsonld|vc-jwt|json`` of the asked (or default) version."""
    versions = selectors.resolvable_versions(passport)
    version = selectors.version_to_resolve(versions, request.GET.get("version"))
    response: HttpResponse
    if fmt == "json":
        viewer, access = viewer_access(request, passport)
        tier = access.tier
        log_read(viewer, passport, version, access, AccessLogEntry.Output.JSON)
        response = HttpResponse(
            tier_data_bytes(selectors.version_with_data(version), tier), content_type="application/json"
        )
        response["Cache-Control"] = public_cache_control() if tier == "public" else "private, no-store"
        return response
    issued = selectors.credential_of(version)
    if issued is None:
        raise Http404("This version was published before signing was available; it has no credential.")
    if fmt == "vc-jwt":
        response = HttpResponse(issued.jws, content_type=VC_JWT)
    else:
        response = JsonResponse(issued.credential, content_type=JSON_LD)
    response["Cache-Control"] = public_cache_control()
    return response


def _qr_data_uri(passport: Passport) -> str:
    svg = qr_code_for(passport).svg
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _schema_title(version: PassportVersion, lang: str) -> str:
    document = version.schema.document
    title = document.get("x-title-ko") if lang == "ko" else None
    return str(title or document.get("title") or version.schema.key)


_LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어"}


def _language_links(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    """``?lang=`` links to this page in each language, keeping the other query parameters."""
    links = []
    for code, name in _LANGUAGES.items():
        query = request.GET.copy()
        query["lang"] = code
        links.append({"code": code, "name": name, "href": f"?{query.urlencode()}", "current": code == current})
    return links


def render_page(request: HttpRequest, passport: Passport) -> HttpResponse:
    """The public page of the asked (or default) version, for the caller's tier and language.

    ``?lang=en|ko`` chooses the language in the URL (the page's language links use it), so the page needs no
    form and no CSRF cookie, and every anonymous scan in one language can share one rendering
    (``exporters/resolver/public_cache.py``).
    """
    asked = request.GET.get("lang")
    if asked in _LANGUAGES:
        with translation.override(asked):
            response = _render_page(request, passport)
    else:
        response = _render_page(request, passport)
    return response


def _render_page(request: HttpRequest, passport: Passport) -> HttpResponse:
    versions = selectors.resolvable_versions(passport)
    version = selectors.version_with_data(selectors.version_to_resolve(versions, request.GET.get("version")))
    org = passport.organization
    lang: Lang = "ko" if ui_language() == "ko" else "en"
    viewer, access = viewer_access(request, passport)
    tier = access.tier
    log_read(viewer, passport, version, access, AccessLogEntry.Output.HTML)
    issued: IssuedCredential | None = selectors.credential_of(version)
    product = passport.product
    latest = selectors.latest_published(versions)
    page: dict[str, Any] = {
        "issued": issued,
        "versions": versions,
        "latest": latest,
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
        "language_links": _language_links(request, lang),
        "format_links": {
            "jsonld": f"{passport.identifier}?version={version.number}&format=jsonld",
            "vc_jwt": f"{passport.identifier}?version={version.number}&format=vc-jwt",
            "linkset": f"{passport.identifier}?linkType=linkset",
        },
    }
    response = render(request, "public/passport.html", page)
    response["Content-Language"] = lang
    response["Vary"] = "Accept-Language, Cookie, Authorization"
    response["Cache-Control"] = public_cache_control() if tier == "public" else "private, no-store"
    response["Link"] = f'<{passport.identifier}?linkType=linkset>; rel="linkset"; type="{LINKSET}"'
    return response

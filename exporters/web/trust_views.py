"""What verifiers fetch: DID documents, status list credentials, the data a credential links to, our JSON-LD context.

All four are public and read-only. They allow any origin (a verifier running in a browser must be able to
fetch them) and may be cached briefly; the data links answer only the tiers the caller may see.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from exporters import selectors
from exporters.credentials import document_loader
from exporters.credentials.passport_context import context_path
from exporters.credentials.vc import MEDIA_TYPE as VC_JWT
from exporters.services.credentials import tier_data_bytes
from exporters.services.keys import base_for_host
from exporters.services.status_lists import status_list_jws_at
from exporters.web.access import is_authenticated_caller, viewer_access
from passports.access import log_read
from passports.models import AccessLogEntry
from passports.tiers import TIERS, tier_rank

DID_MEDIA_TYPE = "application/did+json"


def public_headers(response: HttpResponse, max_age: int) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@require_safe
def did_document(request: HttpRequest, slug: str) -> HttpResponse:
    """``/orgs/<slug>/did.json``: the did:web document with every current and retired key as a JWK."""
    org = selectors.organization_by_slug(slug)
    response = JsonResponse(selectors.did_document(org, host=request.get_host()), content_type=DID_MEDIA_TYPE)
    return public_headers(response, max_age=300)


def _status_list_response(request: HttpRequest, slug: str, purpose: str, number: int) -> HttpResponse:
    org = selectors.organization_by_slug(slug)
    status_list = selectors.status_list_get(org, purpose, number)
    # The signed form is what a verifier must check; the plain JSON is for people reading along.
    wanted = request.get_preferred_type([VC_JWT, "application/json", "application/ld+json"])
    if request.GET.get("format") == "json" or wanted in ("application/json", "application/ld+json"):
        response: HttpResponse = JsonResponse(status_list.credential)
    else:
        # Asked on an earlier address of the platform: the list as credentials issued there name it.
        base = base_for_host(request.get_host()) or settings.PLATFORM_BASE_URL
        response = HttpResponse(status_list_jws_at(status_list, base), content_type=VC_JWT)
    response["Vary"] = "Accept"
    response["Last-Modified"] = status_list.updated_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return public_headers(response, max_age=60)


@require_safe
def status_list(request: HttpRequest, slug: str, purpose: str) -> HttpResponse:
    """``/orgs/<slug>/status/<purpose>``: the organization's first Bitstring Status List credential."""
    return _status_list_response(request, slug, purpose, 1)


@require_safe
def status_list_numbered(request: HttpRequest, slug: str, purpose: str, number: int) -> HttpResponse:
    """``/orgs/<slug>/status/<purpose>/<n>``: further lists, once the first is full."""
    return _status_list_response(request, slug, purpose, number)


@require_safe
def passport_data(request: HttpRequest, slug: str, credential: str, tier: str) -> HttpResponse:
    """One tier of a version's data, byte for byte what the credential's ``digestSRI`` hashed."""
    org = selectors.organization_by_slug(slug)
    issued = selectors.credential_by_key(org, str(credential))
    response: HttpResponse
    if tier not in TIERS:
        return JsonResponse({"error": "unknown tier"}, status=404)
    passport = issued.version.passport
    viewer, access = viewer_access(request, passport)
    if tier_rank(tier) > tier_rank(access.tier):
        status = 403 if is_authenticated_caller(request) else 401
        response = JsonResponse({"error": f"the {tier} tier needs a caller entitled to it"}, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="passports"'
        return response
    response = HttpResponse(tier_data_bytes(issued.version, tier), content_type="application/json")
    if tier == "public":
        return public_headers(response, max_age=3600)
    log_read(viewer, passport, issued.version, replace(access, tier=tier), AccessLogEntry.Output.VC)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def passport_context(request: HttpRequest, version: int) -> HttpResponse:
    """``/ns/passport/v<N>``: our JSON-LD context, byte for byte the shipped file whose digest credentials carry.

    A context version never changes once credentials name it, so caches may keep it for a year.
    """
    try:
        body = document_loader.own_context_bytes(context_path(version))
    except document_loader.DocumentLoaderError:
        raise Http404("no such context version") from None
    response = HttpResponse(body, content_type="application/ld+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response

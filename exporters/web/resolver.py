"""The GS1 Digital Link resolver: what ``/01/<gtin>[/22/..][/10/<lot>][/21/<serial>]`` answers.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(b) and Annex III: the data carrier on the product leads to the
passport. The resolver follows the GS1-Conformant Resolver Standard 1.0 (``exporters/resolver/digital_link.py`` holds
the rules, ``exporters/resolver/linkset.py`` the links):

- a plain request (a browser, a phone's camera) is redirected (307) to the default link, the passport page
  at ``/dpp/01/...``, with the query string passed on; an unknown lot or serial walks up to the GTIN;
- ``?linkType=linkset`` or ``Accept: application/linkset+json`` answers the RFC 9264 linkset (``all`` is the
  deprecated spelling); ``?linkType=<type>`` redirects to that link, 404 when there is none;
- ``Accept`` naming a media type a ``gs1:dpp`` link has (``application/ld+json``, ``application/vc+jwt``,
  ``application/json``) redirects to that link: information in the request that makes a better match;
- the targets of the machine links are this URL with ``?format=`` (and ``?version=N``), served directly;
- syntax errors answer 400; OPTIONS, HEAD and CORS are answered on every resolver URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import is_valid_path
from django.views.decorators.http import require_http_methods

from exporters import selectors
from exporters.resolver.digital_link import (
    RequestPath,
    ResolverSyntaxError,
    choose_links,
    decompress_path,
    gs1_file,
    parse_request_path,
    with_query,
)
from exporters.resolver.linkset import GS1_DEFAULT_LINK, GS1_DPP, MEDIA_TYPE, build_linkset, relation_of, targets_of
from exporters.resolver.public_cache import public_cache_control
from exporters.web.passport_page import FORMATS, level_links, machine_response, render_page

#: Where the JSON-LD context that reads a linkset as linked data is served (GS1's, shipped in the repo).
LINKSET_CONTEXT_PATH = "/ns/gs1-linkset-context.jsonld"
_ALLOW = "GET, HEAD, OPTIONS"
_LINKSET_TYPES = frozenset({"linkset", "all"})


def gs1_cors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET, HEAD and OPTIONS with CORS on every answer (GS1-Conformant Resolver: SHALL support CORS)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = _ALLOW
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Authorization, If-None-Match"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = _ALLOW
        response["Access-Control-Expose-Headers"] = "Link, Location, ETag, Content-Language"
        return response

    return require_http_methods(["GET", "HEAD", "OPTIONS"])(wrapped)


def syntax_error(message: str) -> HttpResponse:
    """400 with the rule broken, as JSON a client can read and show."""
    return JsonResponse({"error": "not a valid GS1 Digital Link", "detail": message}, status=400)


def _absolute(path: str) -> str:
    return settings.PLATFORM_BASE_URL.rstrip("/") + path


def _query_without_link_type(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, values in request.GET.lists() if k != "linkType" for v in values])


def _linkset_link_header(uri: str) -> str:
    return (
        f'<{uri}?linkType=linkset>; rel="linkset"; type="{MEDIA_TYPE}", '
        f'<{_absolute(LINKSET_CONTEXT_PATH)}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    )


def _wants_linkset(request: HttpRequest) -> bool:
    if request.GET.get("linkType") in _LINKSET_TYPES:
        return True
    return "linkType" not in request.GET and request.get_preferred_type(["text/html", MEDIA_TYPE]) == MEDIA_TYPE


def _multiple_choices(targets: list[dict[str, Any]]) -> HttpResponse:
    """300: several links of the asked type that nothing in the request tells apart (GS1 resolver 1.0)."""
    response = HttpResponse(json.dumps({"linkset": [{"choices": targets}]}), status=300, content_type=MEDIA_TYPE)
    response["Link"] = ", ".join(f'<{t["href"]}>; rel="alternate"; title="{t["title"]}"' for t in targets)
    return response


def resolve_path(request: HttpRequest, path: RequestPath, *, same_as: str | None = None) -> HttpResponse:
    """The resolver's answer for a checked request path (see the module docstring)."""
    uri = _absolute(path.path())
    passports = selectors.passports_for_levels(path.levels())
    if not passports:
        raise Http404("No passport for this identifier.")
    levels = [level_links(passport) for passport in passports]
    linkset = build_linkset([level for level, _version in levels])
    link_type = request.GET.get("linkType")
    fmt = request.GET.get("format")
    if fmt in FORMATS and link_type is None:
        response = machine_response(request, passports[0], fmt)
    elif _wants_linkset(request):
        response = JsonResponse(linkset, content_type=MEDIA_TYPE)
        response["Cache-Control"] = public_cache_control()
    else:
        query = _query_without_link_type(request)
        if link_type is not None:
            targets = targets_of(linkset, relation_of(link_type))
            if not targets:
                raise Http404(f"No link of type {link_type!r} for this identifier.")
        else:
            # A media type that only a gs1:dpp link has is a better match than the default (GS1 resolver 1.0).
            described = targets_of(linkset, GS1_DPP)
            wanted = request.get_preferred_type(["text/html", *(t.get("type", "") for t in described)])
            targets = [t for t in described if wanted and t.get("type") == wanted]
            if not targets or wanted == "text/html":
                targets = targets_of(linkset, GS1_DEFAULT_LINK)
        chosen = choose_links(targets, request.headers.get("Accept", ""), request.headers.get("Accept-Language", ""))
        if len(chosen) > 1:
            response = _multiple_choices(chosen)
        else:
            response = HttpResponseRedirect(with_query(chosen[0]["href"], query), status=307)
            response["Cache-Control"] = public_cache_control()
    response["Vary"] = "Accept, Accept-Language, Authorization"
    link = _linkset_link_header(uri)
    if same_as is not None:
        link += f', <{uri}>; rel="owl:sameAs"'
    response["Link"] = link
    return response


@gs1_cors
def resolve(request: HttpRequest, tail: str) -> HttpResponse:
    """``/01/...``: check the path, send GTIN-8/12/13 to the 14-digit form, then answer (``resolve_path``)."""
    try:
        path = parse_request_path(tail)
    except ResolverSyntaxError as exc:
        return syntax_error(str(exc))
    if not path.is_canonical:
        target = path.path() + (f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else "")
        return HttpResponseRedirect(target, status=301)
    return resolve_path(request, path)


@gs1_cors
def passport_page(request: HttpRequest, tail: str) -> HttpResponse:
    """``/dpp/01/...``: the passport page of exactly this identifier (the resolver's default link)."""
    try:
        path = parse_request_path(tail)
    except ResolverSyntaxError as exc:
        return syntax_error(str(exc))
    if not path.is_canonical:
        query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
        return HttpResponseRedirect(f"/dpp{path.path()}{query}", status=301)
    passport = selectors.passport_by_link(path.levels()[0])
    return render_page(request, passport)


@gs1_cors
def resolve_compressed(request: HttpRequest, segment: str) -> HttpResponse:
    """A compressed Digital Link (``/AQnY...``): answered as its uncompressed form, not redirected to it."""
    uncompressed = decompress_path(segment)
    if uncompressed is None:
        # What APPEND_SLASH would have done had this route not matched: /organization -> /organization/.
        if settings.APPEND_SLASH and is_valid_path(f"/{segment}/", getattr(request, "urlconf", None)):
            return HttpResponsePermanentRedirect(f"/{segment}/")
        raise Http404("Not a GS1 Digital Link.")
    try:
        path = parse_request_path(uncompressed.removeprefix("/01/"))
    except ResolverSyntaxError as exc:
        return syntax_error(str(exc))
    return resolve_path(request, path, same_as=_absolute(path.path()))


@gs1_cors
def resolver_description(request: HttpRequest) -> HttpResponse:
    """``/.well-known/gs1resolver``: the Resolver Description File (GS1-Conformant Resolver Standard 1.0)."""
    base = settings.PLATFORM_BASE_URL.rstrip("/")
    description = {
        "name": "Digital Product Passport resolver",
        "resolverRoot": base,
        "supportedPrimaryKeys": ["01"],
        "linkTypeDefaultCanBeLinkset": False,
        "supportedLinkType": [
            {"namespace": "https://gs1.org/voc/", "prefix": "gs1:", "profile": "https://gs1.org/voc/?show=linktypes"},
        ],
        "jsonLdContextLocation": base + LINKSET_CONTEXT_PATH,
    }
    response = JsonResponse(description)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@gs1_cors
def linkset_context(request: HttpRequest) -> HttpResponse:
    """GS1's JSON-LD context for linksets, shipped byte for byte (``exporters/credentials/contexts/``)."""
    response = HttpResponse(gs1_file("gs1-linkset-context.jsonld"), content_type="application/ld+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response

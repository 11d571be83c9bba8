"""What a GS1-Conformant resolver decides for a request, as plain Python (no Django).

GS1-Conformant Resolver Standard 1.0 and GS1 Digital Link URI Syntax 1.4+, as GS1's own test suite checks them:
- the path after the primary key is read and checked; any syntax error (bad check digit, an AI that is not a
  key qualifier of AI (01), qualifiers out of order, a dangling segment) is a 400, never a 404 or a 200;
- GTIN-8/12/13 are accepted and answered with a redirect to the 14-digit form, which is what URI Syntax 1.4
  requires in a Digital Link;
- a trailing slash is tolerated;
- compressed Digital Link URIs (URI Syntax, section 2.8) are decompressed and handled as their uncompressed
  form, which the answer names in a ``Link: <...>; rel="owl:sameAs"`` header;
- a request for a link type picks among that type's links by ``Accept`` (the link's ``type``) and
  ``Accept-Language`` (its ``hreflang``); several links left with nothing to tell them apart is a 300.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gs1 import decompress_gs1_digital_link_to_structured_array

from passports.identifiers import GS1_CSET82, DigitalLink, gs1_check_digit

#: Key qualifiers of AI (01) in the order URI Syntax requires: consumer product variant, batch/lot, serial.
QUALIFIERS: dict[str, str] = {"22": "consumer product variant", "10": "batch/lot", "21": "serial number"}
_QUALIFIER_ORDER = list(QUALIFIERS)
_VALUE_MAX = 20
_GTIN_DIGITS = re.compile(r"[0-9]{8}|[0-9]{12,14}")
#: A compressed Digital Link path: one segment of base64url characters (URI Syntax, section 2.8).
_COMPRESSED = re.compile(r"[A-Za-z0-9_-]{8,}")


_GS1_FILES = Path(__file__).resolve().parent / "gs1"


@cache
def gs1_file(name: str) -> bytes:
    """A file GS1 publishes that we ship unchanged in ``exporters/resolver/gs1/`` (see its README for sources)."""
    return (_GS1_FILES / name).read_bytes()


class ResolverSyntaxError(ValueError):
    """The request is not a well-formed GS1 Digital Link; answered with 400 and this message."""


@dataclass(frozen=True)
class RequestPath:
    """The identification in a request: a 14-digit GTIN and its key qualifiers, as given."""

    gtin: str
    cpv: str | None = None
    lot: str | None = None
    serial: str | None = None
    given_gtin: str = ""

    @property
    def is_canonical(self) -> bool:
        """False when the GTIN was written with fewer than 14 digits."""
        return self.given_gtin in ("", self.gtin)

    def path(self) -> str:
        """The uncompressed Digital Link path, qualifiers percent-encoded."""
        parts = ["", "01", self.gtin]
        for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial)):
            if value is not None:
                parts += [ai, quote(value, safe="")]
        return "/".join(parts)

    def levels(self) -> list[DigitalLink]:
        """The identifiers a passport may be kept under, most specific first, up to the GTIN.

        A consumer product variant (AI 22) names no passport here, so it is walked past; a serial is looked up
        as it was given (with or without its lot), then the lot, then the GTIN.
        """
        found: list[DigitalLink] = []
        if self.serial is not None:
            found.append(DigitalLink(gtin=self.gtin, lot=self.lot, serial=self.serial))
        if self.lot is not None:
            found.append(DigitalLink(gtin=self.gtin, lot=self.lot))
        found.append(DigitalLink(gtin=self.gtin))
        return found


def _check_value(ai: str, value: str) -> None:
    name = QUALIFIERS[ai]
    if not value:
        raise ResolverSyntaxError(f"AI ({ai}) {name} is empty")
    if len(value) > _VALUE_MAX:
        raise ResolverSyntaxError(f"AI ({ai}) {name} is {len(value)} characters long; GS1 allows at most {_VALUE_MAX}")
    outside = sorted({char for char in value if char not in GS1_CSET82})
    if outside:
        raise ResolverSyntaxError(f"AI ({ai}) {name} {value!r} has characters outside GS1 character set 82: {outside}")


def parse_request_path(tail: str) -> RequestPath:
    """Read ``{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}][/]``, the path after ``/01/`` (already percent-decoded)."""
    segments = tail[:-1].split("/") if tail.endswith("/") else tail.split("/")
    gtin = segments[0]
    if not _GTIN_DIGITS.fullmatch(gtin):
        raise ResolverSyntaxError(f"AI (01) GTIN {gtin!r} must be 8, 12, 13 or 14 digits")
    if gtin.strip("0") == "" or gs1_check_digit(gtin[:-1]) != int(gtin[-1]):
        raise ResolverSyntaxError(
            f"AI (01) GTIN {gtin!r} has a wrong check digit (expected {gs1_check_digit(gtin[:-1])})"
        )
    rest = segments[1:]
    if len(rest) % 2:
        raise ResolverSyntaxError(f"path segment {rest[-1]!r} after the GTIN is not an AI/value pair")
    values: dict[str, str] = {}
    last = -1
    for ai, value in zip(rest[::2], rest[1::2], strict=True):
        if ai not in QUALIFIERS:
            raise ResolverSyntaxError(
                f"AI ({ai}) is not a key qualifier of AI (01); allowed, in this order: /22/, /10/, /21/"
            )
        position = _QUALIFIER_ORDER.index(ai)
        if position <= last:
            raise ResolverSyntaxError(f"AI ({ai}) is out of order or repeated; key qualifiers go /22/, /10/, /21/")
        last = position
        _check_value(ai, value)
        values[ai] = value
    return RequestPath(
        gtin=gtin.zfill(14), cpv=values.get("22"), lot=values.get("10"), serial=values.get("21"), given_gtin=gtin
    )


def decompress_path(segment: str) -> str | None:
    """The uncompressed ``/01/...`` path of a compressed Digital Link path segment, or None if it is not one.

    Decompression is GS1's binary encoding (URI Syntax, section 2.8), done by the ``gs1-compression`` package;
    anything that does not decode to an AI (01) identifier is not ours to answer.
    """
    if not _COMPRESSED.fullmatch(segment):
        return None

    try:
        structured = decompress_gs1_digital_link_to_structured_array(f"https://resolver.invalid/{segment}")
    except Exception:  # the decoder raises assorted errors on junk; all mean "not compressed"
        return None
    identifiers = structured.get("identifiers") or []
    if len(identifiers) != 1 or "01" not in identifiers[0]:
        return None
    parts = ["", "01", str(identifiers[0]["01"])]
    qualifiers = {ai: value for item in structured.get("qualifiers") or [] for ai, value in item.items()}
    for ai in _QUALIFIER_ORDER:
        if ai in qualifiers:
            parts += [ai, str(qualifiers[ai])]
    return "/".join(parts)


# ------------------------------------------------------------------------------------------------------------
# Choosing a link
# ------------------------------------------------------------------------------------------------------------


def _ranges(header: str) -> list[tuple[str, float]]:
    """``Accept``/``Accept-Language`` items with their q-values, best first (RFC 9110 section 12.4.2)."""
    ranges: list[tuple[str, float]] = []
    for item in header.split(","):
        value, *params = (part.strip() for part in item.split(";"))
        if not value:
            continue
        quality = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((value.lower(), quality))
    return sorted(ranges, key=lambda item: -item[1])


def _media_score(link: dict[str, Any], accept: str) -> float:
    media = str(link.get("type", "")).lower()
    best = 0.0
    for wanted, quality in _ranges(accept):
        if wanted == media:
            best = max(best, quality + 0.002)
        elif media and wanted.endswith("/*") and media.startswith(wanted[:-1]):
            best = max(best, quality + 0.001)
        elif wanted == "*/*":
            best = max(best, quality)
    return best


def _language_score(link: dict[str, Any], accept_language: str) -> float:
    languages = [str(tag).lower() for tag in link.get("hreflang", [])]
    best = 0.0
    for wanted, quality in _ranges(accept_language):
        primary = wanted.split("-")[0]
        if any(tag == wanted or tag.split("-")[0] == primary for tag in languages):
            best = max(best, quality)
    return best


def choose_links(targets: list[dict[str, Any]], accept: str, accept_language: str) -> list[dict[str, Any]]:
    """The best of ``targets`` for this request: one link to redirect to, or several equally good ones (300).

    ``Accept`` narrows by the link's ``type`` only when it names a media type (not just ``*/*``), and
    ``Accept-Language`` by ``hreflang``; what is left are the links nothing in the request tells apart.
    """
    if len(targets) <= 1:
        return targets
    chosen = targets
    if accept and any(wanted != "*/*" for wanted, _q in _ranges(accept)):
        scores = [_media_score(link, accept) for link in chosen]
        top = max(scores)
        if top > 0:
            chosen = [link for link, score in zip(chosen, scores, strict=True) if score == top]
    if accept_language and len(chosen) > 1:
        scores = [_language_score(link, accept_language) for link in chosen]
        top = max(scores)
        if top > 0:
            chosen = [link for link, score in zip(chosen, scores, strict=True) if score == top]
    return chosen


def with_query(href: str, query: str) -> str:
    """``href`` with the request's query string passed on (GS1: by default, all key=value pairs)."""
    if not query:
        return href
    return f"{href}{'&' if '?' in href else '?'}{query}"

"""Which declared geographies a PACT ``geography`` filter matches.

v3.0's ``geography`` filter (and a request's ``geography`` criterion) takes an ISO 3166-1 alpha-2 country, an
ISO 3166-2 subdivision or a UN M49 region code. A footprint matches when its declared geography lies inside
the filter's: a subdivision filter matches that subdivision, a country matches itself and its subdivisions,
a region matches every country in it (and their subdivisions). The table below is the M49 composition of the
geographic regions (UN Statistics Division, "Standard country or area codes for statistical use"), leaf
sub-regions listed by their countries, larger regions by their parts.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

_LEAVES: Final[dict[str, str]] = {
    "015": "DZ EG LY MA SD TN EH",  # Northern Africa
    "014": "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW",  # Eastern Africa
    "017": "AO CM CF TD CG CD GQ GA ST",  # Middle Africa
    "018": "BW SZ LS NA ZA",  # Southern Africa
    "011": "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",  # Western Africa
    "029": "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI",  # Caribbean
    "013": "BZ CR SV GT HN MX NI PA",  # Central America
    "005": "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",  # South America
    "021": "BM CA GL PM US",  # Northern America
    "143": "KZ KG TJ TM UZ",  # Central Asia
    "030": "CN HK MO KP JP MN KR",  # Eastern Asia
    "035": "BN KH ID LA MY MM PH SG TH TL VN",  # South-eastern Asia
    "034": "AF BD BT IN IR MV NP PK LK",  # Southern Asia
    "145": "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",  # Western Asia
    "151": "BY BG CZ HU PL MD RO RU SK UA",  # Eastern Europe
    "154": "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB",  # Northern Europe
    "039": "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES",  # Southern Europe
    "155": "AT BE FR DE LI LU MC NL CH",  # Western Europe
    "053": "AU CX CC HM NZ NF",  # Australia and New Zealand
    "054": "FJ NC PG SB VU",  # Melanesia
    "057": "GU KI MH FM NR MP PW UM",  # Micronesia
    "061": "AS CK PF NU PN WS TK TO TV WF",  # Polynesia
    "010": "AQ",  # Antarctica
}
_PARTS: Final[dict[str, tuple[str, ...]]] = {
    "202": ("014", "017", "018", "011"),  # Sub-Saharan Africa
    "002": ("015", "202"),  # Africa
    "419": ("029", "013", "005"),  # Latin America and the Caribbean
    "019": ("419", "021"),  # Americas
    "142": ("143", "030", "035", "034", "145"),  # Asia
    "150": ("151", "154", "039", "155"),  # Europe
    "009": ("053", "054", "057", "061"),  # Oceania
    "001": ("002", "019", "142", "150", "009", "010"),  # World
}
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION: Final = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_REGION: Final = re.compile(r"^\d{3}$")


@cache
def region_countries(code: str) -> frozenset[str]:
    """The countries of an M49 region code; empty for a code that is no region."""
    if code in _LEAVES:
        return frozenset(_LEAVES[code].split())
    return frozenset().union(*(region_countries(part) for part in _PARTS.get(code, ())))


def is_subdivision(code: str) -> bool:
    """Whether ``code`` is written as an ISO 3166-2 subdivision code (``KR-26``)."""
    return bool(_SUBDIVISION.match(code))


def covered(value: str) -> tuple[frozenset[str], frozenset[str]]:
    """``(countries, subdivisions)`` a filter value covers: a footprint matches when its declared country is
    in the first set (its subdivisions included) or its declared subdivision in the second. A value that is
    none of the three forms covers nothing (the filter matches no footprint, it is not an error)."""
    text = value.strip().upper()
    if _COUNTRY.match(text):
        return frozenset({text}), frozenset()
    if _SUBDIVISION.match(text):
        return frozenset(), frozenset({text})
    if _REGION.match(text):
        return region_countries(text), frozenset()
    return frozenset(), frozenset()

"""Identifier checks for the codes a passport, a product or an organisation carries.

Plain Python, no Django: the forms, the CSV import and the API serializers all call these functions,
so a code is judged the same way wherever it was entered. The checks never rewrite what a user
typed; the ``normalize_*`` functions return the canonical form for storage and raise ``ValueError``
when the input is not valid, so a caller cannot store a half-checked value by accident.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import pycountry
from stdnum import ean, lei
from stdnum.eu import vat as eu_vat
from stdnum.kr import brn as kr_brn

#: ISO 3166-1 alpha-2 officially assigned codes (249), from pycountry's copy of the ISO list (Debian's
#: iso-codes), so a newly assigned code arrives with a dependency update instead of an edit here.
ISO_3166_ALPHA2: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)

_DIGITS = re.compile(r"[0-9]+")
_GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def gs1_check_digit(digits_without_check: str) -> int:
    """Return the GS1 mod-10 check digit for a string of digits.

    GS1 General Specifications, section 7.9.1 (standard check digit calculation for GS1 data
    structures): from the rightmost digit leftwards, digits are weighted 3, 1, 3, 1, ...; the check
    digit brings the weighted sum up to the next multiple of ten. The same rule serves GTIN-8/12/13/14,
    GLN and SSCC, which is why it takes any length.
    """
    if not digits_without_check or not _DIGITS.fullmatch(digits_without_check):
        raise ValueError(f"GS1 check digit needs ASCII digits only, got {digits_without_check!r}")
    return int(ean.calc_check_digit(digits_without_check))


def _has_valid_gs1_check_digit(value: str) -> bool:
    return ean.is_valid(value)


def is_valid_gtin(value: str) -> bool:
    """Tell whether ``value`` is a GTIN-8, GTIN-12, GTIN-13 or GTIN-14 with a correct check digit.

    GS1 General Specifications, section 3 (AI (01), Global Trade Item Number) and section 7.9.1
    (check digit). Only ASCII digits are accepted: spaces or dashes in a GTIN are a typing habit,
    not part of the key, and are left for the caller to reject or strip openly.
    """
    if not isinstance(value, str) or len(value) not in _GTIN_LENGTHS or not _DIGITS.fullmatch(value):
        return False
    return _has_valid_gtin_digits(value)


def _has_valid_gtin_digits(value: str) -> bool:
    # GS1 never issues an all-zero GTIN; with a correct check digit it would otherwise pass.
    return value.strip("0") != "" and _has_valid_gs1_check_digit(value)


def normalize_gtin(value: str) -> str:
    """Return the 14-digit form of a valid GTIN, left-padded with zeros.

    GS1 General Specifications, section 3 (AI (01)): a GTIN is always carried as 14 digits in
    element strings and GS1 Digital Link URIs; shorter GTINs are right-justified with leading zeros,
    which leaves the check digit unchanged because the zeros add nothing to the weighted sum.
    """
    if not is_valid_gtin(value):
        raise ValueError(f"not a valid GTIN-8/12/13/14: {value!r}")
    return value.zfill(14)


def is_valid_gln(value: str) -> bool:
    """Tell whether ``value`` is a Global Location Number: 13 digits with a GS1 check digit.

    GS1 General Specifications, section 3 (AI (414), identification of a physical location) and
    section 7.9.1 (check digit).
    """
    return (
        isinstance(value, str) and len(value) == 13 and bool(_DIGITS.fullmatch(value)) and _has_valid_gtin_digits(value)
    )


_LEI = re.compile(r"[0-9A-Z]{18}[0-9]{2}")


def is_valid_lei(value: str) -> bool:
    """Tell whether ``value`` is a Legal Entity Identifier.

    ISO 17442-1: 18 upper-case alphanumeric characters followed by two check digits, verified with
    ISO/IEC 7064 MOD 97-10 (python-stdnum). The pattern comes first because stdnum would accept lower
    case and separators, which an LEI as carried in a credential never has.
    """
    return isinstance(value, str) and _LEI.fullmatch(value) is not None and lei.is_valid(value)


# XI is not an ISO 3166 code: it marks operators in Northern Ireland under the Windsor Framework.
_EORI_PREFIXES = ISO_3166_ALPHA2 | {"XI"}
_EORI = re.compile(r"([A-Z]{2})([0-9A-Z]{1,15})")


def is_valid_eori(value: str) -> bool:
    """Tell whether ``value`` has the form of an EORI number.

    Regulation (EU) No 952/2013 (Union Customs Code) Art. 9 requires the registration; Delegated
    Regulation (EU) 2015/2446 Annex 12-01 gives the format an..17: the code of the country that
    assigned it (ISO 3166-1 alpha-2, or XI for Northern Ireland) followed by up to 15 alphanumeric
    characters. The number's existence can only be checked against the Commission's EORI service,
    which needs a network; this is the format check.
    """
    if not isinstance(value, str):
        return False
    match = _EORI.fullmatch(value)
    return match is not None and match.group(1) in _EORI_PREFIXES


# The member states (and XI, Northern Ireland) whose numbers python-stdnum checks. Greece's prefix is EL, not
# its ISO code GR (Council Directive 2006/112/EC Art. 215); stdnum also takes GR, which we do not.
EU_VAT_PREFIXES: frozenset[str] = frozenset("EL" if code == "gr" else code.upper() for code in eu_vat.MEMBER_STATES)
# Printed VAT numbers use these as grouping marks ("BE 0123.456.789"); they carry no meaning.
_VAT_SEPARATORS = re.compile(r"[ .\-]")


def is_valid_eu_vat(value: str) -> bool:
    """Tell whether ``value`` is a VAT identification number of an EU member state or XI, check digits included.

    Council Directive 2006/112/EC Art. 214-215: each member state issues its own numbers, prefixed
    with its code (EL for Greece); XI covers Northern Ireland. python-stdnum holds each state's format
    and check-digit rule (stricter than a format check: a mistyped digit is refused). Spaces, dots and
    hyphens are ignored and letters may be lower case. Whether the number is registered needs VIES,
    which needs a network.
    """
    if not isinstance(value, str):
        return False
    compact = _VAT_SEPARATORS.sub("", value).upper()
    return compact[:2] in EU_VAT_PREFIXES and eu_vat.is_valid(compact)


_KR_BRN = re.compile(r"[0-9]{10}|[0-9]{3}-[0-9]{2}-[0-9]{5}")
_KR_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def is_valid_kr_brn(value: str) -> bool:
    """Tell whether ``value`` is a Korean business registration number (사업자등록번호), check digit included.

    National Tax Service (국세청) scheme under the Value-Added Tax Act Art. 8: 3-digit tax office code,
    2-digit business type, 4-digit serial and a check digit, written ``123-45-67890``. The check: the
    first nine digits are weighted 1,3,7,1,3,7,1,3,5; the tens digit of (9th digit x 5) is added once
    more; the check digit is (10 - sum mod 10) mod 10. Either ten bare digits or the 3-2-5 dashed form.
    python-stdnum checks the parts (a tax office code from 101, a business type and serial other than
    zeros) but not the check digit, which is computed here.
    """
    if not isinstance(value, str) or not _KR_BRN.fullmatch(value) or not kr_brn.is_valid(value):
        return False
    digits = [int(char) for char in value.replace("-", "")]
    total = sum(d * w for d, w in zip(digits[:9], _KR_BRN_WEIGHTS, strict=True)) + digits[8] * 5 // 10
    return (10 - total % 10) % 10 == digits[9]


# XZ is UN/LOCODE's own code for installations in international waters (UNECE Recommendation No. 16).
_UNLOCODE_COUNTRIES = ISO_3166_ALPHA2 | {"XZ"}
_UNLOCODE = re.compile(r"([A-Z]{2}) ?([A-Z2-9]{3})")


def is_valid_unlocode(value: str) -> bool:
    """Tell whether ``value`` has the form of a UN/LOCODE, such as ``KRPUS`` or ``KR PUS``.

    UNECE Recommendation No. 16: the ISO 3166-1 alpha-2 country code and a three-character location
    code of letters A-Z and digits 2-9 (0 and 1 are left out to avoid confusion with O and I),
    optionally separated by one space as printed in the code list.
    """
    if not isinstance(value, str):
        return False
    match = _UNLOCODE.fullmatch(value)
    return match is not None and match.group(1) in _UNLOCODE_COUNTRIES


_CN_SEPARATORS = re.compile(r"[ .]")
_CN_CODE = re.compile(r"[0-9]{8}")


def _compact_cn_code(value: str) -> str | None:
    if not isinstance(value, str):
        return None
    compact = _CN_SEPARATORS.sub("", value)
    # Chapter 00 does not exist and chapter 77 is reserved in the Harmonized System.
    if not _CN_CODE.fullmatch(compact) or compact[:2] in {"00", "77"}:
        return None
    return compact


def is_valid_cn_code(value: str) -> bool:
    """Tell whether ``value`` is an eight-digit Combined Nomenclature code such as ``8507 60 00``.

    Council Regulation (EEC) No 2658/87 Annex I: the CN subdivides the six-digit Harmonized System
    into eight digits; CBAM Annex I lists goods by CN code. Spaces and dots, as printed in the
    nomenclature, are ignored; the chapter (first two digits) must exist.
    """
    return _compact_cn_code(value) is not None


def normalize_cn_code(value: str) -> str:
    """Return the CN code as eight bare digits (``"8507 60 00"`` -> ``"85076000"``); ValueError if invalid."""
    compact = _compact_cn_code(value)
    if compact is None:
        raise ValueError(f"not an eight-digit Combined Nomenclature code: {value!r}")
    return compact


# GS1 AI encodable character set 82 (GS1 General Specifications, section 7.11, figure 7.11-1).
GS1_CSET82: frozenset[str] = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
_LOT_SERIAL_MAX = 20
URN_PREFIX = "urn:dpp:"
_URN_BODY = re.compile(r"[a-z2-7]+")


class DigitalLinkError(ValueError):
    """A GS1 Digital Link URI, or a value meant for one, breaks the GS1 rules; the message says which."""


def _check_cset82(ai: str, name: str, value: str) -> None:
    if not value:
        raise DigitalLinkError(f"AI ({ai}) {name} must not be empty")
    if len(value) > _LOT_SERIAL_MAX:
        raise DigitalLinkError(
            f"AI ({ai}) {name} is {len(value)} characters long; GS1 allows at most {_LOT_SERIAL_MAX}"
        )
    outside = sorted({char for char in value if char not in GS1_CSET82})
    if outside:
        raise DigitalLinkError(f"AI ({ai}) {name} {value!r} has characters outside GS1 character set 82: {outside!r}")


@dataclass(frozen=True)
class DigitalLink:
    """The identifying part of a GS1 Digital Link URI: ``/01/{gtin}[/10/{lot}][/21/{serial}]``.

    GS1 Digital Link: URI syntax, release 1.x. AI (01) is the primary key; AI (10) batch/lot and
    AI (21) serial number are its key qualifiers, in that order. Passports are kept per model, per
    batch or per item (ESPR Art. 9-10), which maps to 01, 01+10 and 01+21 (or 01+10+21).
    The GTIN is kept in its 14-digit form so equal links compare equal however they were typed.
    """

    gtin: str
    lot: str | None = None
    serial: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.gtin, str) or not is_valid_gtin(self.gtin):
            raise DigitalLinkError(f"AI (01) GTIN {self.gtin!r} is not a GTIN-8/12/13/14 with a correct check digit")
        # Frozen dataclass: normalise through object.__setattr__ once, at construction.
        object.__setattr__(self, "gtin", self.gtin.zfill(14))
        if self.lot is not None:
            _check_cset82("10", "batch/lot", self.lot)
        if self.serial is not None:
            _check_cset82("21", "serial number", self.serial)

    def path(self) -> str:
        """Return the Digital Link path, with lot and serial percent-encoded.

        GS1 Digital Link URI syntax: every character of an AI value that is not an RFC 3986
        unreserved character is percent-encoded, so values with ``/``, ``%`` or ``?`` survive.
        """
        parts = ["", "01", self.gtin]
        if self.lot is not None:
            parts += ["10", quote(self.lot, safe="")]
        if self.serial is not None:
            parts += ["21", quote(self.serial, safe="")]
        return "/".join(parts)

    def uri(self, base: str) -> str:
        """Return the full URI under a resolver ``base`` (``https://id.example.com``, path prefix allowed)."""
        split = urlsplit(base)
        if split.scheme not in {"http", "https"} or not split.netloc or split.query or split.fragment:
            raise DigitalLinkError(
                f"resolver base {base!r} must be an http(s) URL with a host and no query or fragment"
            )
        return base.rstrip("/") + self.path()

    def element_string(self) -> str:
        """The GS1 element string in human-readable form, e.g. ``(01)08801234000017(21)P96A2603120417``.

        GS1 General Specifications, section 3 and 4.15: AIs in parentheses followed by their values. GS1 is an
        issuing agency under ISO/IEC 15459, so this string is a unique identifier of the kind Art. 77(3) of the
        Battery Regulation asks for, readable by anyone without our platform.
        """
        parts = [f"(01){self.gtin}"]
        if self.lot is not None:
            parts.append(f"(10){self.lot}")
        if self.serial is not None:
            parts.append(f"(21){self.serial}")
        return "".join(parts)

    def urn(self) -> str:
        """The same identity as a URN of the form ``urn:dpp:<lower-case base32 of the Digital Link path>``.

        The Battery Pass data model 1.2.0 requires its ``batteryPassportIdentifier`` to match
        ``^urn:[a-z0-9]+:[a-z0-9]+$``, which no Digital Link can. Rather than a new identifier, this writes the
        Digital Link's path (GTIN, lot, serial; no host, so a move of the public address keeps it) in the
        model's alphabet: RFC 4648 base32 uses a-z and 2-7 only. ``from_urn`` reads it back.
        """
        encoded = base64.b32encode(self.path().encode("utf-8")).decode("ascii")
        return URN_PREFIX + encoded.rstrip("=").lower()

    @classmethod
    def from_urn(cls, urn: str) -> DigitalLink:
        """Read back a URN written by `urn`; ``DigitalLinkError`` when it is not one."""
        if not isinstance(urn, str) or not urn.startswith(URN_PREFIX):
            raise DigitalLinkError(f"{urn!r} is not a passport URN ({URN_PREFIX}...)")
        body = urn.removeprefix(URN_PREFIX)
        if not _URN_BODY.fullmatch(body):
            raise DigitalLinkError(f"{urn!r} is not lower-case base32")
        try:
            path = base64.b32decode(body.upper() + "=" * (-len(body) % 8)).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as exc:
            raise DigitalLinkError(f"{urn!r} does not decode to a Digital Link path") from exc
        link = cls.parse(path)
        if link.path() != path:
            raise DigitalLinkError(f"{urn!r} decodes to {path!r}, which is not a canonical Digital Link path")
        return link

    def same_key(self, other: DigitalLink) -> bool:
        """Whether both name the same GTIN, lot and serial: GS1 identity, whatever resolver host carries it."""
        return (self.gtin, self.lot, self.serial) == (other.gtin, other.lot, other.serial)

    @classmethod
    def parse(cls, uri_or_path: str) -> DigitalLink:
        """Read a Digital Link URI or path back into its GTIN, lot and serial.

        Accepts any resolver domain and path prefix before ``/01/``; the query string (GS1 data
        attributes, ``linkType``) and fragment are not part of the identity and are ignored.
        A GTIN-8/12/13 is accepted and normalised to 14 digits, as GS1 resolvers do.
        """
        if not isinstance(uri_or_path, str) or not uri_or_path:
            raise DigitalLinkError("empty Digital Link")
        split = urlsplit(uri_or_path)
        if split.scheme or split.netloc:
            if split.scheme not in {"http", "https"} or not split.netloc:
                raise DigitalLinkError(f"Digital Link {uri_or_path!r} must be an http(s) URI or a path")
        elif not uri_or_path.startswith("/"):
            raise DigitalLinkError(f"Digital Link path {uri_or_path!r} must start with '/'")
        segments = split.path.split("/")
        # Read key/value pairs from the right: the identifier is always the tail of the path, and
        # reading from the right keeps a lot or serial that happens to be "01" or "21" unambiguous.
        found: dict[str, str] = {}
        for ai in ("21", "10", "01"):
            if len(segments) >= 3 and segments[-2] == ai:
                found[ai] = unquote(segments[-1])
                segments = segments[:-2]
        if "01" not in found:
            raise DigitalLinkError(
                f"Digital Link {uri_or_path!r} does not end in /01/{{gtin}}[/10/{{lot}}][/21/{{serial}}]"
            )
        gtin = found["01"]
        if not is_valid_gtin(gtin):
            raise DigitalLinkError(
                f"AI (01) GTIN {gtin!r} in {uri_or_path!r} is not a GTIN-8/12/13/14 with a correct check digit"
            )
        return cls(gtin=gtin, lot=found.get("10"), serial=found.get("21"))

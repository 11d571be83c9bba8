"""Tests for passports/identifiers.py: known-good and known-bad codes, and the general rules as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passports.identifiers import (
    GS1_CSET82,
    DigitalLink,
    DigitalLinkError,
    gs1_check_digit,
    is_valid_cn_code,
    is_valid_eori,
    is_valid_eu_vat,
    is_valid_gln,
    is_valid_gtin,
    is_valid_kr_brn,
    is_valid_lei,
    is_valid_unlocode,
    normalize_cn_code,
    normalize_gtin,
)

# --- GS1 check digit -------------------------------------------------------------------------------


def test_gs1_check_digit_by_hand() -> None:
    # 400638133393: weights from the right 3,1,3,...
    # digits  4 0 0 6 3 8 1 3 3 3 9 3
    # weights 1 3 1 3 1 3 1 3 1 3 1 3
    # 4+0+0+18+3+24+1+9+3+9+9+9 = 89 -> next ten 90 -> check 1
    assert gs1_check_digit("400638133393") == 1
    # 7351353: 7*3+3*1+5*3+1*1+3*3+5*1+3*3 = 21+3+15+1+9+5+9 = 63 -> check 7
    assert gs1_check_digit("7351353") == 7
    # sum already a multiple of ten gives 0, not 10: "0" -> 0
    assert gs1_check_digit("0") == 0


@pytest.mark.parametrize("bad", ["", "12a4", "\uff11\uff12\uff13", " 123"])
def test_gs1_check_digit_rejects_non_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        gs1_check_digit(bad)


# --- GTIN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gtin",
    [
        "4006381333931",  # GTIN-13 (EAN-13)
        "73513537",  # GTIN-8
        "036000291452",  # GTIN-12 (UPC-A)
        "09506000134352",  # GTIN-14, the GS1 Digital Link examples' GTIN
        "10614141000415",  # GTIN-14 with packaging indicator 1
        "8801234567893",  # GTIN-13 under the Korean prefix 880
    ],
)
def test_valid_gtins(gtin: str) -> None:
    assert is_valid_gtin(gtin)
    assert normalize_gtin(gtin) == gtin.zfill(14)
    assert len(normalize_gtin(gtin)) == 14


@pytest.mark.parametrize(
    "gtin",
    [
        "4006381333932",  # wrong check digit
        "400638133393",  # 12 digits, check fails
        "4006381333931 ",  # trailing space
        "4006-381333931",
        "40063813339311",  # 14 digits, check fails
        "12345",  # no GTIN has 5 digits
        "123456789012345",  # 15 digits
        "0000000000000",  # all zero: check digit works out, but GS1 never issues it
        "\uff14" + "006381333931",  # a full-width digit is not an ASCII digit
        "",
    ],
)
def test_invalid_gtins(gtin: str) -> None:
    assert not is_valid_gtin(gtin)
    with pytest.raises(ValueError, match="GTIN"):
        normalize_gtin(gtin)


def test_normalize_gtin_pads_left() -> None:
    assert normalize_gtin("73513537") == "00000073513537"
    assert normalize_gtin("036000291452") == "00036000291452"


def _with_check_digit(body: str) -> str:
    return body + str(gs1_check_digit(body))


gtin_bodies = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).filter(lambda s: s.strip("0"))
)
gtins = gtin_bodies.map(_with_check_digit)


@given(gtin=gtins, data=st.data())
def test_check_digit_detects_every_single_digit_substitution(gtin: str, data: st.DataObject) -> None:
    # Weights 1 and 3 are both prime to 10, so changing any one digit changes the sum mod 10.
    assert is_valid_gtin(gtin)
    position = data.draw(st.integers(min_value=0, max_value=len(gtin) - 1))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != gtin[position]]))
    mutated = gtin[:position] + replacement + gtin[position + 1 :]
    assert not is_valid_gtin(mutated)


# --- GLN -------------------------------------------------------------------------------------------


def test_valid_gln() -> None:
    # 061414100001: from the right weights 3,1,...: 1*3+0+0+0+0*3+1+4*3+1+4*3+1+6*3+0 = 3+1+12+1+12+1+18 = 48
    # -> next ten 50 -> check 2
    assert is_valid_gln("0614141000012")


@pytest.mark.parametrize("gln", ["0614141000013", "061414100001", "06141410000120", "061414100001A"])
def test_invalid_gln(gln: str) -> None:
    assert not is_valid_gln(gln)


# --- LEI -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lei",
    [
        "5493001KJTIIGC8Y1R12",  # Bloomberg Finance L.P.
        "HWUPKR0MPOU8FGXBT394",  # Apple Inc.
        "7LTWFZYICNSX8D621K86",  # Deutsche Bank AG
        "529900T8BM49AURSDO55",
    ],
)
def test_valid_lei(lei: str) -> None:
    assert is_valid_lei(lei)


@pytest.mark.parametrize(
    "lei",
    [
        "5493001KJTIIGC8Y1R13",  # check digits off by one
        "5493001KJTIIGC8Y1R1",  # 19 characters
        "5493001kjtiigc8y1r12",  # LEIs are upper case
        "5493001KJTIIGC8Y1RA2",  # check digits must be digits
        "5493001KJTIIGC8Y-R12",
        "HWUPKR0MPOU8FGXBT349",  # swapped check digits
    ],
)
def test_invalid_lei(lei: str) -> None:
    assert not is_valid_lei(lei)


# --- EORI ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "eori", ["DE1234567", "GB123456789000", "XI123456789000", "FR12345678901234", "NL812345678", "KR1"]
)
def test_valid_eori(eori: str) -> None:
    assert is_valid_eori(eori)


@pytest.mark.parametrize(
    "eori",
    [
        "DE",  # nothing after the country
        "ZZ123456",  # ZZ is not an ISO 3166 code
        "de1234567",
        "DE1234567890123456",  # 16 characters after the country: an..17 overall is exceeded
        "DE 1234567",
        "EL123456789",  # EL is Greece's VAT prefix; EORI uses the ISO code GR
    ],
)
def test_invalid_eori(eori: str) -> None:
    assert not is_valid_eori(eori)


# --- EU VAT ----------------------------------------------------------------------------------------


# Check-digit-valid numbers, most of them the examples python-stdnum documents for each state.
@pytest.mark.parametrize(
    "vat",
    [
        "ATU13585627",
        "BE0403019261",
        "BE 0403.019.261",
        "BG175074752",
        "CY10259033P",
        "CZ25123891",
        "DE136695976",
        "de 136 695 976",
        "DK13585628",
        "EE100931558",
        "EL094259216",
        "ESB58378431",
        "FI20774740",
        "FR40303265045",
        "HR33392005961",
        "HU12892312",
        "IE6433435F",
        "IE6433435OA",
        "IE8D79739I",
        "IT00743110157",
        "LT119511515",
        "LT100001919017",
        "LU15027442",
        "LV40003521600",
        "MT11679112",
        "NL004495445B01",
        "PL8567346215",
        "PT501964843",
        "RO18547290",
        "SE123456789701",
        "SI50223054",
        "SK2022749619",
        "XI980780684",
        "XIGD100",
        "XIHA500",
    ],
)
def test_valid_eu_vat(vat: str) -> None:
    assert is_valid_eu_vat(vat)


@pytest.mark.parametrize(
    "vat",
    [
        "GR094259216",  # Greece's VAT prefix is EL (python-stdnum would take GR too)
        "DE136695977",  # the right format with a wrong check digit: python-stdnum refuses it
        "ATU12345678",  # likewise, a format-only placeholder
        "AT12345678",  # Austria needs the U
        "BE2123456789",  # Belgian numbers start with 0 or 1
        "DE12345678",  # 8 digits
        "ES123456789",  # Spain needs a letter first or last
        "FRIO123456789",  # I and O are not used in the French key
        "NL123456789A01",
        "SE123456789702",  # Swedish numbers end in 01
        "RO0123",  # no leading zero
        "XIGD567",  # GD numbers are 000-499
        "GB123456789",  # the UK left the EU VAT area; only XI remains
        "US123456789",
        "DE",
        "",
    ],
)
def test_invalid_eu_vat(vat: str) -> None:
    assert not is_valid_eu_vat(vat)


# --- Korean business registration number ---------------------------------------------------------


@pytest.mark.parametrize("brn", ["124-81-00998", "1248100998", "220-81-62517", "120-81-47521"])
def test_valid_kr_brn(brn: str) -> None:
    # 124-81-00998 by hand: 1*1+2*3+4*7+8*1+1*3+0*7+0*1+9*3+9*5 = 1+6+28+8+3+0+0+27+45 = 118;
    # plus (9*5)//10 = 4 -> 122; (10 - 2) % 10 = 8 = last digit.
    assert is_valid_kr_brn(brn)


@pytest.mark.parametrize(
    "brn",
    [
        "124-81-00997",  # check digit off
        "124-81-0099",  # too short
        "12-481-00998",  # dashes in the wrong places
        "124 81 00998",
        "124-8100998",  # half-dashed
        "12481009980",
    ],
)
def test_invalid_kr_brn(brn: str) -> None:
    assert not is_valid_kr_brn(brn)


# --- UN/LOCODE -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["KRPUS", "KR PUS", "DEHAM", "NLRTM", "USNYC", "KRIN2", "XZABC"])
def test_valid_unlocode(code: str) -> None:
    assert is_valid_unlocode(code)


@pytest.mark.parametrize("code", ["KRPU1", "KRPU0", "ZZABC", "krpus", "KR  PUS", "KRPUSA", "KRPU", "KR-PUS"])
def test_invalid_unlocode(code: str) -> None:
    assert not is_valid_unlocode(code)


# --- CN code ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "normal"),
    [
        ("8507 60 00", "85076000"),  # lithium-ion accumulators
        ("85076000", "85076000"),
        ("8507.60.00", "85076000"),
        ("7208 39 00", "72083900"),  # hot-rolled flat steel, a CBAM good
    ],
)
def test_valid_cn_code(code: str, normal: str) -> None:
    assert is_valid_cn_code(code)
    assert normalize_cn_code(code) == normal


@pytest.mark.parametrize("code", ["8507600", "850760001", "8507-60-00", "77000000", "00123456", "", "85O76000"])
def test_invalid_cn_code(code: str) -> None:
    assert not is_valid_cn_code(code)
    with pytest.raises(ValueError, match="Combined Nomenclature"):
        normalize_cn_code(code)


# --- GS1 Digital Link ------------------------------------------------------------------------------


def test_cset82_has_82_characters() -> None:
    assert len(GS1_CSET82) == 82


def test_digital_link_uri_and_parse() -> None:
    link = DigitalLink(gtin="4006381333931", lot="LOT/7%", serial="SN?1")
    assert link.gtin == "04006381333931"
    uri = link.uri("https://id.example.com/")
    assert uri == "https://id.example.com/01/04006381333931/10/LOT%2F7%25/21/SN%3F1"
    assert DigitalLink.parse(uri) == link


def test_digital_link_with_path_prefix_and_query() -> None:
    link = DigitalLink.parse("https://resolver.example.org/dpp/01/9506000134352/21/A1?linkType=gs1:pip#x")
    assert link == DigitalLink(gtin="09506000134352", serial="A1")


def test_digital_link_parse_path_only_and_qualifier_values_like_ais() -> None:
    assert DigitalLink.parse("/01/09506000134352/10/21") == DigitalLink("09506000134352", lot="21")
    assert DigitalLink.parse("/01/09506000134352/10/01/21/10") == DigitalLink("09506000134352", lot="01", serial="10")


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("https://id.example.com/01/09506000134353", "check digit"),
        ("https://id.example.com/01/0950600013435", "check digit"),
        ("https://id.example.com/01/09506000134352/21/S/10/L", "does not end in"),
        ("https://id.example.com/01/09506000134352/22/X", "does not end in"),
        ("https://id.example.com/gtin/09506000134352", "does not end in"),
        ("ftp://id.example.com/01/09506000134352", "http"),
        ("01/09506000134352", "start with"),
        ("/01/09506000134352/10/" + "A" * 21, "at most 20"),
        ("/01/09506000134352/21/A%20B", "character set 82"),
        ("/01/09506000134352/21/", "empty"),
        ("", "empty"),
    ],
)
def test_digital_link_parse_errors(uri: str, message: str) -> None:
    with pytest.raises(DigitalLinkError, match=message):
        DigitalLink.parse(uri)


def test_digital_link_error_is_value_error() -> None:
    with pytest.raises(ValueError, match="GTIN"):
        DigitalLink(gtin="123")


@pytest.mark.parametrize("base", ["id.example.com", "https://id.example.com/?a=1", "mailto:x@example.com"])
def test_digital_link_rejects_bad_base(base: str) -> None:
    with pytest.raises(DigitalLinkError, match="resolver base"):
        DigitalLink("09506000134352").uri(base)


cset82_values = st.text(alphabet=sorted(GS1_CSET82), min_size=1, max_size=20)


@given(
    gtin=gtins,
    lot=st.none() | cset82_values,
    serial=st.none() | cset82_values,
    base=st.sampled_from(["https://id.example.com", "https://id.example.com/", "http://r.example.org/a/b"]),
)
def test_digital_link_round_trip(gtin: str, lot: str | None, serial: str | None, base: str) -> None:
    link = DigitalLink(gtin=gtin, lot=lot, serial=serial)
    uri = link.uri(base)
    parsed = DigitalLink.parse(uri)
    assert parsed == link
    assert parsed.gtin == gtin.zfill(14)
    # The path part of the URI also parses on its own, as a resolver receives it.
    assert DigitalLink.parse(uri[uri.index("/01/") :]) == link

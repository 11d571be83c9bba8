"""What a file is: type by its bytes, encoding (BOM, strict decoding, CP949 never mistaken), delimiter, numbers."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passports.imports.formats import (
    Encoding,
    FormatError,
    NumberFormat,
    bom_length,
    check_text,
    cr_only,
    detect_encoding,
    detect_numbers,
    file_type,
    parse_number,
    sniff_delimiter,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


@pytest.mark.parametrize(
    ("name", "encoding", "bom", "delimiter"),
    [
        ("products-utf8.csv", "utf-8", 0, ","),
        ("products-utf8-bom-semicolon.csv", "utf-8", 3, ";"),
        ("products-cp949.csv", "cp949", 0, ","),
        ("products-euc-kr-tab.tsv", "cp949", 0, "\t"),
        ("products-utf16le-tab.txt", "utf-16-le", 2, "\t"),
        ("products-utf16be-semicolon.csv", "utf-16-be", 2, ";"),
        ("products-korean-headers-cp949.csv", "cp949", 0, ","),
        ("battery-decimal-comma.csv", "utf-8", 0, ";"),
        ("products-quoted-newlines.csv", "utf-8", 0, ","),
    ],
)
def test_sample_files_are_recognised(name: str, encoding: str, bom: int, delimiter: str) -> None:
    raw = (DATA / name).read_bytes()
    assert file_type(raw[:64], name) == "csv"
    found = detect_encoding(raw, complete=True)
    assert found == Encoding(encoding, bom)
    text = raw[bom:].decode(encoding)
    check_text(text)
    assert sniff_delimiter(text, complete=True) == delimiter
    assert re.search("[\uac00-\ud7a3]{2}", text), "every sample file carries Korean text"


def test_ascii_safe_encodings_are_read_by_lines_and_utf16_is_not() -> None:
    assert Encoding("utf-8").ascii_safe
    assert Encoding("cp949").ascii_safe
    assert not Encoding("utf-16-le").ascii_safe
    assert not Encoding("utf-32-be").ascii_safe


def _decodes_as_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Hangul syllables of KS X 1001 (EUC-KR), the set Korean Excel writes in CP949 files.
KSX1001_HANGUL = [chr(c) for c in range(0xAC00, 0xD7A4) if len(chr(c).encode("euc_kr", errors="ignore")) == 2]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.lists(st.sampled_from(KSX1001_HANGUL), min_size=2, max_size=6).map("".join), min_size=1, max_size=8
    ),
    latin=st.lists(st.sampled_from(["GTIN", "kg", "LFP", "48 V", "2026-05-04", "8801234567893", ""]), max_size=4),
)
def test_korean_cp949_text_is_never_mistaken(words: list[str], latin: list[str]) -> None:
    """Korean words written in CP949, mixed with the codes and numbers of a product sheet, are CP949."""
    cells = [*words, *latin]
    data = ("name,note\r\n" + ",".join(cells) + "\r\n").encode("cp949")
    assert detect_encoding(data, complete=True).name == "cp949"


# The 217 KS X 1001 syllables whose two CP949 bytes also make one valid UTF-8 character (짜 = C2 A5 = "¥").
AMBIGUOUS_HANGUL = [ch for ch in KSX1001_HANGUL if _decodes_as_utf8(ch.encode("euc_kr"))]


@given(st.lists(st.lists(st.sampled_from(AMBIGUOUS_HANGUL), min_size=2, max_size=5).map("".join), min_size=1))
def test_cp949_words_that_are_also_valid_utf8_still_read_as_korean(words: list[str]) -> None:
    data = ("name\r\n" + "\r\n".join(words) + "\r\n").encode("cp949")
    assert data.decode("utf-8")  # the trap: these bytes are valid UTF-8 too ("¥©" ...)
    assert detect_encoding(data, complete=True).name == "cp949"


@pytest.mark.parametrize("word", ["Müller", "Köln", "Ärger", "café", "Ærø", "Śląsk", "Ostrava-Přívoz"])
def test_european_utf8_is_not_taken_for_korean(word: str) -> None:
    data = f"name,city\r\n{word},{word} Süd\r\n".encode()
    assert detect_encoding(data, complete=True).name == "utf-8"


def test_windows_1252_falls_back_to_a_statistical_guess_that_reads_the_text() -> None:
    data = "Name;Stadt;Straße\r\nMüller;Köln;Hauptstraße 5\r\nWeiß;Düsseldorf;Königsallee 1\r\n".encode("cp1252")
    found = detect_encoding(data, complete=True)
    assert found.name not in ("utf-8", "cp949")
    assert data.decode(found.name).split("\r\n")[1] == "Müller;Köln;Hauptstraße 5"


def test_truncated_sample_is_not_refused_for_a_character_cut_in_half() -> None:
    data = "gtin,name_ko\r\n1,배터리\r\n".encode()
    cut = data[: data.index("배".encode()) + 1]  # the first byte of a 3-byte character
    assert detect_encoding(cut, complete=False).name == "utf-8"
    korean = "gtin,name_ko\r\n1,배터리 팩\r\n2,전기".encode("cp949")
    assert detect_encoding(korean[:-1], complete=False).name == "cp949"  # 기 cut after its first byte


def test_utf16_without_bom_is_recognised_by_its_nul_bytes() -> None:
    data = "gtin\tname\r\n1\t배터리\r\n".encode("utf-16-le")
    assert detect_encoding(data, complete=True).name == "utf-16-le"
    assert detect_encoding("gtin\tname\r\n".encode("utf-16-be"), complete=True).name == "utf-16-be"


def test_bom_that_lies_is_refused() -> None:
    with pytest.raises(FormatError) as caught:
        detect_encoding(codecs.BOM_UTF8 + b"gtin\r\n\xff\xfe\xfa", complete=True)
    assert caught.value.code == "bad_encoding"


@pytest.mark.parametrize("name", ["junk-image.csv", "junk-binary.csv"])
def test_binary_junk_is_refused_with_a_clear_message(name: str) -> None:
    def sniff(raw: bytes) -> None:
        file_type(raw[:64], name)
        found = detect_encoding(raw, complete=True)
        check_text(raw[found.bom :].decode(found.name, errors="replace"))

    with pytest.raises(FormatError) as caught:
        sniff((DATA / name).read_bytes())
    assert caught.value.code in {"not_a_spreadsheet", "binary"}
    assert "CSV" in caught.value.message_en
    assert "CSV" in caught.value.message_ko


@pytest.mark.parametrize(
    ("head", "name", "code"),
    [
        (b"PK\x03\x04rest", "products.csv", "type_mismatch"),
        (b"gtin,name\r\n", "products.xlsx", "type_mismatch"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "products.xls", "legacy_xls"),
        (b"%PDF-1.7", "products.csv", "not_a_spreadsheet"),
        (b"", "products.csv", "empty"),
    ],
)
def test_files_that_are_not_what_they_claim(head: bytes, name: str, code: str) -> None:
    with pytest.raises(FormatError) as caught:
        file_type(head, name)
    assert caught.value.code == code
    assert name in caught.value.message_en or code == "empty"


def test_zip_named_xlsx_and_text_named_tsv_are_accepted_by_content() -> None:
    assert file_type(b"PK\x03\x04", "data.xlsx") == "xlsx"
    assert file_type(b"gtin\tname\r\n", "data.tsv") == "csv"
    assert file_type(b"gtin,name\r\n", "no-extension") == "csv"


def test_delimiter_sniffing_sees_through_decimal_commas_and_quotes() -> None:
    assert sniff_delimiter('name;mass;share\r\nA;1,5;2,5\r\n"B; quoted";3,25;4\r\n', complete=True) == ";"
    assert sniff_delimiter('name,mass\r\n"Cell, with comma",1.5\r\n"two\nlines",2\r\n', complete=True) == ","
    assert sniff_delimiter("name\tmass\r\nA\t1,5\r\n", complete=True) == "\t"
    assert sniff_delimiter("name|mass\r\nA|1\r\n", complete=True) == "|"
    assert sniff_delimiter("just one column\r\nvalue\r\n", complete=True) == ","


@pytest.mark.parametrize(
    ("cells", "delimiter", "decimal"),
    [
        (["1,5", "2"], ",", ","),  # 1,5 can only be one and a half
        (["1.234,5"], ",", ","),
        (["1 234,5"], ";", ","),
        (["1.25", "3"], ";", "."),  # two decimals after a point: a decimal point, whatever the delimiter
        (["1,234.5"], ";", "."),
        (["1.500", "2.000"], ";", ","),  # undecided: a semicolon file is European
        (["1.500", "2.000"], ",", "."),
        (["12", "7"], ",", "."),
    ],
)
def test_decimal_convention_is_decided_per_file(cells: list[str], delimiter: str, decimal: str) -> None:
    assert detect_numbers(cells, delimiter).decimal == decimal


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("1.234,5", ",", 1234.5),
        ("-0,0355", ",", -0.0355),
        ("6.850", ",", 6850),
        ("1\u00a0234,5", ",", 1234.5),
        ("1,234.5", ".", 1234.5),
        ("1'234.5", ".", 1234.5),
        ("+12", ".", 12),
        ("1e3", ".", 1000.0),
        (".5", ".", 0.5),
    ],
)
def test_numbers_are_read_in_the_files_convention(text: str, decimal: str, value: float) -> None:
    parsed = parse_number(text, NumberFormat(decimal))
    assert parsed == value
    assert isinstance(parsed, int) == isinstance(value, int)


@pytest.mark.parametrize(
    ("text", "decimal"), [("1.5", ","), ("1,00", "."), ("nan", "."), ("inf", "."), ("1.2.3", "."), ("", ".")]
)
def test_numbers_the_convention_cannot_read_are_refused(text: str, decimal: str) -> None:
    with pytest.raises(ValueError, match=re.escape(text) if text else None):
        parse_number(text, NumberFormat(decimal))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_european_and_english_spellings_read_back_the_same_number(value: object) -> None:
    english = f"{value:,.4f}"
    european = english.replace(",", "\u00a0").replace(".", ",")
    assert parse_number(english, NumberFormat(".")) == pytest.approx(float(value))  # type: ignore[arg-type]
    assert parse_number(european, NumberFormat(",")) == pytest.approx(float(value))  # type: ignore[arg-type]


def test_bom_length_and_bare_cr_files() -> None:
    assert bom_length(codecs.BOM_UTF8 + b"x", "utf-8") == 3
    assert bom_length(b"x", "utf-8") == 0
    assert bom_length(codecs.BOM_UTF16_LE + b"x\x00", "utf-16-le") == 2
    assert cr_only(b"a,b\rc,d\r")
    assert not cr_only(b"a,b\r\nc,d\r\n")

"""What Korean Excel writes, read as what we store: GTINs, dates and categories as people type them.

A spreadsheet changes values on the way: a GTIN typed into a General cell and saved as CSV becomes
``8.80123E+12`` (six significant digits; the rest are gone), a date shows as ``2026.11.03`` or
``2026. 11. 3.`` on a Korean system, and a product category is written in Korean (``배터리``) or as our
template's drop-down shows it (``배터리 (battery)``). Each reader here either returns the value in the one
form the platform stores (ISO 8601 dates, category keys) or raises ``CellError`` with one line, in English
and Korean, saying what the cell holds and what to do. A lost value is never guessed at: a GTIN in
scientific notation has lost its digits and is refused with that explanation, not padded with zeros.

Plain Python, no Django (the categories come from the shipped schema files).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from passports import identifiers
from passports.enum_labels import ENUM_KO
from passports.schema_files import iter_schema_files, load_schema
from passports.validation.wording import korean_particle


class CellError(ValueError):
    """A cell that cannot be read as its column's value, with the reason in English and Korean."""

    def __init__(self, message_en: str, message_ko: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_ko = message_ko


def normal(text: str) -> str:
    """Text compared case-, width- and space-insensitively, NFC and NFD Hangul alike (macOS writes NFD)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --------------------------------------------------------------------------------------------------
# Digit codes (GTIN, GLN, CN code)

# Excel's General format shows a number of 12 or more digits as mantissa and exponent ("8.80123E+12"), and
# a CSV saved from it keeps only what was shown. A decimal comma appears where Excel is set up European.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,](\d+))?[eE]\+?(\d+)")


def scientific_code(text: str, *, title: tuple[str, str]) -> None:
    """Refuse a digit code that a spreadsheet wrote in scientific notation: its digits cannot be restored.

    ``8.80123E+12`` says only that the code starts 880123 and has 13 digits; the seven after the sixth are
    lost (Excel rounded them away before saving), so any reading of it would be a different product.
    """
    match = _SCIENTIFIC.fullmatch(text.strip())
    if match is None:
        return
    kept = 1 + len(match.group(1) or "")
    digits = int(match.group(2)) + 1
    lost = max(digits - kept, 0)
    raise CellError(
        f"{title[0]}: '{text}' is a {digits}-digit number that the spreadsheet wrote in scientific notation, "
        f"so its last {lost} digits are lost and cannot be restored; format the column as Text (as in our "
        "template) and enter the full code again.",
        f"{title[1]}: {_quoted(text)} 스프레드시트가 지수 형식으로 저장한 {digits}자리 숫자여서 뒤의 "
        f"{lost}자리가 사라졌으며 복원할 수 없습니다. 열 서식을 텍스트로 지정하고(제공 양식과 같이) 전체 코드를 "
        "다시 입력하십시오.",
    )


def rounded_gtin(text: str, *, title: tuple[str, str]) -> None:
    """Refuse a GTIN that reads as digits but ends in zeros and fails its check digit: a workbook cell that
    held the rounded number (an ``8.80123E+12`` CSV opened and saved again as XLSX), named as such."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and 8 <= len(digits) <= 14 and digits.endswith("0000")):
        return
    if identifiers.is_valid_gtin(digits):
        return
    raise CellError(
        f"{title[0]}: '{digits}' fails the GTIN check digit and ends in zeros, as a GTIN rounded by a "
        "spreadsheet does (shown as 8.80123E+12); its last digits are lost and cannot be restored. Format the "
        "column as Text and enter the full GTIN again.",
        f"{title[1]}: {_quoted(digits)} GTIN 검증 숫자가 맞지 않고 0으로 끝나, 스프레드시트가 반올림한 "
        "GTIN(8.80123E+12 등)으로 보입니다. 뒷자리가 사라져 복원할 수 없습니다. 열 서식을 텍스트로 지정하고 "
        "전체 GTIN을 다시 입력하십시오.",
    )


def read_code(text: str, check: str, *, title: tuple[str, str]) -> str:
    """A GTIN, GLN or CN code cell as text, refused when a spreadsheet has destroyed its digits."""
    scientific_code(text, title=title)
    if check == "gtin":
        rounded_gtin(text, title=title)
    return text


# --------------------------------------------------------------------------------------------------
# Dates

# Year first, in the ways Korean Excel and people write it: 2026-11-03, 2026.11.03, 2026. 11. 3.,
# 2026/11/03, 2026년 11월 3일, 20261103. Day first only with dots (03.11.2026, as Europe writes it);
# a slash with the year last is refused as ambiguous (11/03/2026 is March in Europe, November in the US).
_YEAR_FIRST = re.compile(r"(\d{4})\s*([-./년])\s*(\d{1,2})\s*(?:\2|월)\s*(\d{1,2})\s*[.일]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_FIRST = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")
_YEAR_LAST_SLASH = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")
# A date cell of a workbook arrives as its ISO date and time (2026-11-03T00:00:00).
_MIDNIGHT = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?")


def read_date(text: str, *, title: tuple[str, str]) -> str:
    """A date cell as ISO 8601 (``2026-11-03``); text that is no date in any of these forms is left as it
    is for the schema's ``format: date`` check to report, while a date-shaped cell naming no real day
    (``2026.13.45``) is refused here with the reason."""
    stripped = text.strip()
    midnight = _MIDNIGHT.fullmatch(stripped)
    if midnight is not None:
        return midnight.group(1)
    found = _YEAR_FIRST.fullmatch(stripped)
    if found is not None:
        parts = int(found.group(1)), int(found.group(3)), int(found.group(4))
    elif (compact := _COMPACT.fullmatch(stripped)) is not None:
        parts = int(compact.group(1)), int(compact.group(2)), int(compact.group(3))
    elif (day_first := _DAY_FIRST.fullmatch(stripped)) is not None:
        parts = int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1))
    elif _YEAR_LAST_SLASH.fullmatch(stripped):
        raise CellError(
            f"{title[0]}: '{text}' could be read day first or month first; write the date year first, "
            "e.g. 2026-11-03 or 2026.11.03.",
            f"{title[1]}: {_quoted(text)} 일/월 순서가 모호합니다. 2026-11-03 또는 2026.11.03처럼 연도부터 "
            "입력하십시오.",
        )
    else:
        return text
    try:
        return dt.date(*parts).isoformat()
    except ValueError:
        raise CellError(
            f"{title[0]}: '{text}' is not a real date (year {parts[0]}, month {parts[1]}, day {parts[2]}).",
            f"{title[1]}: {_quoted(text)} 존재하지 않는 날짜입니다({parts[0]}년 {parts[1]}월 {parts[2]}일).",
        ) from None


# --------------------------------------------------------------------------------------------------
# Categories

# Words people use for a category besides its key and its schema's titles, in Korean and in English.
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "battery": ("배터리", "전지", "이차전지", "2차전지", "축전지", "배터리 팩", "batteries", "battery pack"),
    "textile": ("섬유", "섬유 제품", "섬유제품", "의류", "텍스타일", "textiles", "apparel", "garment"),
    "steel": ("철강", "철강 제품", "철강제품", "강철", "강재", "iron and steel", "steel products"),
    "espr-core": ("ESPR 공통", "공통", "일반 제품", "ESPR", "ESPR core", "general"),
    "cbam-installation": ("CBAM 설비", "CBAM 사업장", "CBAM", "CBAM installation", "installation"),
}

# The short Korean name of each category, as the template's drop-down shows it beside the key.
CATEGORY_KO: dict[str, str] = {
    "battery": "배터리",
    "textile": "섬유",
    "steel": "철강",
    "espr-core": "ESPR 공통",
    "cbam-installation": "CBAM 설비",
}


@lru_cache(maxsize=1)
def categories() -> tuple[str, ...]:
    """The passport categories there are: one per shipped schema family, in file order."""
    return tuple(dict.fromkeys(category for category, _version, _path in iter_schema_files()))


@lru_cache(maxsize=1)
def _category_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for category, version, _path in iter_schema_files():
        schema = load_schema(category, version)
        for title in (schema.get("title"), schema.get("x-title-ko")):
            if isinstance(title, str):
                names.setdefault(normal(title), category)
                bare = re.sub(r"\s*(passport|여권)$", "", normal(title))
                names.setdefault(bare, category)
        for word in (*_CATEGORY_WORDS.get(category, ()), CATEGORY_KO.get(category, "")):
            if word:
                names.setdefault(normal(word), category)
        names[normal(category)] = category
    return names


def category_label(category: str) -> str:
    """A category as the Korean template's drop-down offers it: ``배터리 (battery)``."""
    korean = CATEGORY_KO.get(category)
    return f"{korean} ({category})" if korean else category


def read_category(text: str, *, title: tuple[str, str]) -> str:
    """A category cell as its key: ``battery``, ``Battery``, ``배터리``, ``EU 배터리 여권`` and
    ``배터리 (battery)`` all name ``battery``; anything else is refused with the list, since storing it would
    make a category no schema applies to."""
    stripped = text.strip()
    names = _category_names()
    found = names.get(normal(stripped))
    if found is None:
        labelled = re.fullmatch(r".*\(\s*([^()]+?)\s*\)", stripped)
        if labelled is not None:
            found = names.get(normal(labelled.group(1)))
    if found is not None:
        return found
    known = ", ".join(category_label(category) for category in categories())
    raise CellError(
        f"{title[0]}: '{text}' is not a passport category; use one of {known}.",
        f"{title[1]}: {_quoted(text)} 여권 범주가 아닙니다. 다음 중 하나를 입력하십시오: {known}.",
    )


# --------------------------------------------------------------------------------------------------
# Enumerations


def read_enum(text: str, options: tuple[object, ...]) -> str:
    """An enumeration cell as its code: the code itself (``ev``, ``EV``), the Korean template's drop-down
    entry (``전기차 (ev)``) or the Korean name alone (``전기차``). Anything else is returned as written, for
    the schema's check to report with the allowed values."""
    codes = [option for option in options if isinstance(option, str)]
    if text in codes:
        return text
    wanted = normal(text)
    labelled = re.fullmatch(r".*\(\s*([^()]+?)\s*\)", text.strip())
    inner = normal(labelled.group(1)) if labelled is not None else None
    for code in codes:
        if normal(code) in (wanted, inner) or normal(ENUM_KO.get(code, "\0")) == wanted:
            return code
    return text


def _quoted(text: str) -> str:
    """A value in quotes followed by the topic particle its last sound calls for (은/는)."""
    return korean_particle(f"'{text}'", "은", "는")

"""The words of validation messages, in English and Korean: particles that follow a Korean word, numbers as a
person typed them, and the message of each kind of JSON Schema error.

Messages are ours, written for each kind of error, not the engines' English: they name the field by its
schema title (``x-title-ko`` in Korean) so a person can find it in the web form. Plain Python, no Django.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from passports.validation.pointers import FieldLabel

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# How a final digit or Latin letter is read aloud, as far as a following particle is concerned:
# digits 0 (영), 1 (일), 3 (삼), 6 (육), 7 (칠), 8 (팔) and the letters L (엘), M (엠), N (엔), R (알) end in a
# consonant; the others end in a vowel.
_ENDS_IN_CONSONANT = set("013678lmnrLMNR")
# Closing quotes and brackets (ASCII, typographic and the Korean corner brackets) are not spoken.
_CLOSING_MARKS = " ]}'\"\u2019\u201d\u300d\u300f"
_ENDS_IN_VOWEL = set("2459abcdefghijkopqstuvwxyzABCDEFGHIJKOPQSTUVWXYZ%")


@lru_cache(maxsize=4096)
def korean_particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """Return ``word`` followed by the Korean particle its last sound calls for (은/는, 이/가, 을/를, 과/와).

    Closing quotes and glosses in parentheses are skipped, since the particle follows the last spoken word. When the
    last sound cannot be told (a symbol), both forms are shown the customary way: ``은(는)``.

    Remembered: the words are mostly field titles and values that recur from one passport to the next, and
    every message in Korean needs one or two particles.
    """
    spoken = word.rstrip(_CLOSING_MARKS)
    # A parenthesis glosses the word before it ("GTIN(국제거래단품식별코드)"): the particle follows that word.
    while spoken.endswith(")") and "(" in spoken:
        spoken = spoken[: spoken.rfind("(")].rstrip()
    spoken = spoken.rstrip(_CLOSING_MARKS + ")")
    last = spoken[-1:] if spoken else ""
    if last and _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        has_final = (ord(last) - _HANGUL_FIRST) % 28 != 0
        return word + (after_consonant if has_final else after_vowel)
    if last.isascii() and last.isalpha() and _ends_in_word(spoken):
        # An English word ("car", "retailer") is read as a word, not letter by letter; how it ends in Korean
        # cannot be told from its spelling, so both particles are shown.
        return f"{word}{after_consonant}({after_vowel})"
    if last in _ENDS_IN_CONSONANT:
        return word + after_consonant
    if last in _ENDS_IN_VOWEL:
        return word + after_vowel
    return f"{word}{after_consonant}({after_vowel})"


def _ends_in_word(text: str) -> bool:
    """Tell whether ``text`` ends in a Latin word with lower-case letters (an acronym is read letter by letter)."""
    tail = len(text)
    while tail > 0 and text[tail - 1].isascii() and text[tail - 1].isalpha():
        tail -= 1
    letters = text[tail:]
    return len(letters) > 1 and any(letter.islower() for letter in letters)


# typed: 1, 1.0 and True are equal keys to a plain cache, but True must not be shown as 1.
@lru_cache(maxsize=4096, typed=True)
def format_number(value: float) -> str:
    """Show a number the way a person typed it: no float noise, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10g}"
    if "e" in text:
        return repr(value)
    return text


class Text(NamedTuple):
    """One message in English and in Korean."""

    en: str
    ko: str


# Writes the message of one error from the field's label and the value found there.
Writer = Callable[[FieldLabel, Any], Text]


_TYPE_NAMES: dict[str, Text] = {
    "string": Text("text", "문자열"),
    "number": Text("a number", "숫자"),
    "integer": Text("a whole number", "정수"),
    "boolean": Text("true or false", "참/거짓 값"),
    "object": Text("a group of fields", "항목 묶음(객체)"),
    "array": Text("a list", "목록"),
    "null": Text("empty (null)", "빈 값(null)"),
}

_FORMAT_NAMES: dict[str, Text] = {
    "date": Text("a date in the form YYYY-MM-DD", "YYYY-MM-DD 형식의 날짜"),
    "date-time": Text(
        "a date and time with a time zone, e.g. 2026-05-04T09:00:00+02:00",
        "시간대를 포함한 날짜와 시각(예: 2026-05-04T09:00:00+09:00)",
    ),
    "time": Text("a time with a time zone, e.g. 09:00:00+09:00", "시간대를 포함한 시각(예: 09:00:00+09:00)"),
    "uri": Text(
        "an absolute web address (URI), e.g. https://example.com/doc.pdf",
        "절대 웹 주소(URI, 예: https://example.com/doc.pdf)",
    ),
    "email": Text("an e-mail address", "이메일 주소"),
}


# bool before int: True is an int to Python but a boolean to JSON.
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


_LIMITS: dict[str, tuple[str, str]] = {
    "minimum": ("at least {}", "{} 이상이어야"),
    "maximum": ("at most {}", "{} 이하여야"),
    "exclusiveMinimum": ("greater than {}", "{}보다 커야"),
    "exclusiveMaximum": ("less than {}", "{}보다 작아야"),
}


def _json_type(value: Any) -> str:
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return "null"


def _count(value: Any, one: str, many: str) -> str:
    return f"{value} {one if value == 1 else many}"


def quoted(name: str) -> str:
    """A member name as messages quote it."""
    return f"'{name}'"


def _show(value: Any, limit: int = 60) -> str:
    if type(value) in (int, float):
        return format_number(value)
    if type(value) is str and '"' not in value and "\\" not in value:
        text = f'"{value}"'
    else:
        # Keys sorted: jsonschema_rs hands objects back with their keys sorted, the reference engine in the
        # order sent, and one value must read the same whichever engine found it.
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_writer(keyword: str, value: Any) -> Writer:  # noqa: PLR0911, PLR0912
    """Return the writer of English and Korean messages for one kind of JSON Schema error, its schema value
    ``value`` already worked in; it is called with the failing field's label and value."""
    if keyword == "type":
        wanted = value if isinstance(value, list) else [value]
        names = [_TYPE_NAMES.get(str(name), Text(str(name), str(name))) for name in wanted]
        expected_en = " or ".join(name.en for name in names)
        expected_ko = " 또는 ".join(name.ko for name in names)
        integer_wanted = "integer" in wanted

        def write_type(label: FieldLabel, instance: Any) -> Text:
            got = _TYPE_NAMES.get(_json_type(instance), Text("?", "?"))
            if integer_wanted and type(instance) is float:
                got = Text("a number with decimals", "소수")
            return Text(
                f"{label.title_en} must be {expected_en}, not {got.en}.",
                f"{label.title_ko}에는 {expected_ko} 값을 입력해야 합니다(입력된 값: {got.ko}).",
            )

        return write_type
    if keyword == "enum":
        options = ", ".join(_show(option) for option in value) if isinstance(value, list) else _show(value)

        def write_enum(label: FieldLabel, instance: Any) -> Text:
            shown = _show(instance)
            return Text(
                f"{label.title_en} must be one of {options}; {shown} is not allowed.",
                f"{label.title_ko}의 값은 {options} 중 하나여야 합니다. "
                f"{korean_particle(shown, '은', '는')} 허용되지 않습니다.",
            )

        return write_enum
    if keyword == "const":
        constant = _show(value)
        return lambda label, _instance: Text(
            f"{label.title_en} must be {constant}.", f"{label.title_ko}에는 {constant}만 허용됩니다."
        )
    if keyword == "format":
        name = _FORMAT_NAMES.get(str(value), Text(f"of format {value}", f"{value} 형식"))
        name_ko = korean_particle(name.ko, "이", "가")

        def write_format(label: FieldLabel, instance: Any) -> Text:
            shown = _show(instance)
            return Text(
                f"{label.title_en} must be {name.en}; {shown} is not.",
                f"{label.title_ko}의 값 {korean_particle(shown, '은', '는')} 올바른 {name_ko} 아닙니다.",
            )

        return write_format
    if keyword in _LIMITS:
        limit_en, limit_ko = (text.format(_show(value)) for text in _LIMITS[keyword])

        def write_limit(label: FieldLabel, instance: Any) -> Text:
            shown = _show(instance)
            return Text(
                f"{label.title_en} must be {limit_en}; it is {shown}.",
                f"{label.title_ko}의 값은 {limit_ko} 합니다(입력된 값: {shown}).",
            )

        return write_limit
    if keyword == "multipleOf":
        factor = _show(value)
        return lambda label, _instance: Text(
            f"{label.title_en} must be a multiple of {factor}.", f"{label.title_ko}의 값은 {factor}의 배수여야 합니다."
        )
    if keyword == "minLength":
        if value == 1:
            return lambda label, _instance: Text(
                f"{label.title_en} must not be empty.", f"{label.title_ko}의 값이 비어 있습니다."
            )
        return lambda label, _instance: Text(
            f"{label.title_en}: enter at least {value} characters.",
            f"{korean_particle(label.title_ko, '은', '는')} {value}자 이상이어야 합니다.",
        )
    if keyword == "maxLength":
        return lambda label, _instance: Text(
            f"{label.title_en}: enter at most {value} characters.",
            f"{korean_particle(label.title_ko, '은', '는')} {value}자 이하여야 합니다.",
        )
    if keyword == "pattern":

        def write_pattern(label: FieldLabel, instance: Any) -> Text:
            shown = _show(instance)
            return Text(
                f"{label.title_en} {shown} does not have the expected form ({value}).",
                f"{label.title_ko}의 값 {korean_particle(shown, '이', '가')} 정해진 형식({value})과 맞지 않습니다.",
            )

        return write_pattern
    if keyword == "minItems":
        entries = _count(value, "entry", "entries")
        return lambda label, _instance: Text(
            f"{label.title_en}: enter at least {entries}.", f"{label.title_ko}에는 항목이 {value}개 이상 있어야 합니다."
        )
    if keyword == "maxItems":
        entries = _count(value, "entry", "entries")
        return lambda label, _instance: Text(
            f"{label.title_en}: enter at most {entries}.",
            f"{label.title_ko}에는 항목을 {value}개까지만 넣을 수 있습니다.",
        )
    if keyword == "uniqueItems":
        return lambda label, _instance: Text(
            f"{label.title_en}: the same entry appears more than once.",
            f"{label.title_ko}에 같은 항목이 두 번 이상 들어 있습니다.",
        )
    if keyword == "minProperties":
        fields = _count(value, "field", "fields")
        return lambda label, _instance: Text(
            f"{label.title_en}: fill in at least {fields}.",
            f"{label.title_ko}에는 항목이 {value}개 이상 있어야 합니다.",
        )
    if keyword == "maxProperties":
        fields = _count(value, "field", "fields")
        return lambda label, _instance: Text(
            f"{label.title_en}: fill in at most {fields}.",
            f"{label.title_ko}에는 항목을 {value}개까지만 넣을 수 있습니다.",
        )
    return lambda label, _instance: Text(
        f"{label.title_en} does not satisfy the schema rule '{keyword}'.",
        f"{label.title_ko}의 값이 스키마 규칙 '{keyword}'을(를) 만족하지 않습니다.",
    )

"""Business rules a JSON Schema cannot state, driven by ``x-`` annotations in the passport schemas.

JSON Schema checks each value on its own; the rules here compare values with each other or with an
outside table: GTIN check digits, shares that must total 100 %, parts that must add up to their total,
dates and limits that must come in order, CN codes that must belong to the schema's product category,
and units that must agree. A schema says where each rule applies, so a new schema version can add or
drop a rule without code:

- ``"x-check": "gtin"`` / ``"x-check": "cn_code"`` on a string field;
- ``"x-sum": {"parts": [...], "total": "...", "relative_tolerance": r, "absolute_tolerance": a}`` on an
  object whose ``total`` member must equal the sum of its ``parts`` members;
- ``"x-shares-total": {"share": "...", "total": 100, "tolerance": t}`` on an array of objects whose
  ``share`` members must add up to ``total`` (percentage points of tolerance);
- ``"x-order": [["earlier", "later"], ...]`` on an object whose members must not decrease;
- ``"x-cn-prefixes"`` at the schema's top level: the CN code prefixes allowed for the category;
- ``"x-rules"`` at the top level: named cross-section rules of one category (see ``NAMED_RULES``).

Plain Python, no Django. The engine in ``passports.validation`` runs the plan compiled here after the
schema check and turns each ``Finding`` into an ``Issue`` (adding the legal clause of the schema node).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, TypeGuard

from passports.identifiers import is_valid_cn_code, is_valid_gtin

# Item and batch passports of one model repeat the same GTIN and CN code; the checks are pure functions of
# the string, so remembering recent answers takes them off the hot path.
_gtin_is_valid = lru_cache(maxsize=4096)(is_valid_gtin)
_cn_code_is_valid = lru_cache(maxsize=1024)(is_valid_cn_code)

PathPart = str | int
Path = tuple[PathPart, ...]

# The wildcard that stands for "every item of this array" in a compiled field pattern. A sentinel object,
# not the string "*", because "*" is a legal JSON member name.
ANY_ITEM: Any = object()

# Rated energy and capacity x nominal voltage agree within a few per cent for every chemistry (both are
# measured at the same reference discharge, IEC 62660-1); 10 % leaves room for that and still catches a
# value typed in Wh or mAh, which is off by a factor of 1000.
RATED_ENERGY_TOLERANCE = 0.10
# CBAM values are reported with a few decimals; a derived specific value may differ from the reported one by
# rounding: 0.1 % of the value, and never less than half a unit of the fourth decimal.
CBAM_RELATIVE_TOLERANCE = 0.001
CBAM_ABSOLUTE_TOLERANCE = 0.00005
# Masses of listed materials may exceed the battery mass only by rounding.
MASS_TOLERANCE = 0.001


class Finding(NamedTuple):
    """One broken business rule: where, which rule, and what to tell the user in English and Korean."""

    path: Path
    rule: str
    message_en: str
    message_ko: str


# --------------------------------------------------------------------------------------------------
# JSON Pointers and schema nodes


def escape_pointer_token(token: PathPart) -> str:
    """Escape one reference token as RFC 6901 section 3 requires: ``~`` as ``~0``, then ``/`` as ``~1``."""
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def to_pointer(path: Sequence[PathPart]) -> str:
    """Return the RFC 6901 JSON Pointer of a path (``()`` is the whole document, ``""``)."""
    return "".join("/" + escape_pointer_token(part) for part in path)


def schema_node_chain(schema: Mapping[str, Any], path: Sequence[PathPart]) -> list[Mapping[str, Any]]:
    """Return the schema nodes that describe each step of ``path``, from the root down.

    The chain stops early where the schema does not describe the data (an unknown member), so its last
    element is the nearest described ancestor. Arrays are followed through ``items`` whatever the index.
    """
    chain: list[Mapping[str, Any]] = [schema]
    node: Mapping[str, Any] = schema
    for part in path:
        child: Any = None
        if isinstance(part, int):
            child = node.get("items")
        else:
            properties = node.get("properties")
            if isinstance(properties, Mapping):
                child = properties.get(part)
        if not isinstance(child, Mapping):
            break
        chain.append(child)
        node = child
    return chain


def field_titles(schema: Mapping[str, Any], path: Sequence[PathPart]) -> tuple[str, str]:
    """Return the English and Korean names of the field at ``path`` for use in messages.

    The schema's ``title`` and ``x-title-ko`` where the schema describes the field; else the member name
    (or "item N" for an array item), so a message always names something the user can find.
    """
    chain = schema_node_chain(schema, path)
    if len(chain) == len(path) + 1 and path:
        node = chain[-1]
        title = node.get("title")
        if isinstance(title, str):
            title_ko = node.get("x-title-ko")
            return title, title_ko if isinstance(title_ko, str) else title
    return _fallback_titles(path)


def _fallback_titles(path: Sequence[PathPart]) -> tuple[str, str]:
    if not path:
        return "The passport", "제품 여권"
    last = path[-1]
    if isinstance(last, int):
        return f"Item {last + 1}", f"{last + 1}번째 항목"
    return f"'{last}'", f"'{last}'"


# --------------------------------------------------------------------------------------------------
# Korean particles


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


# --------------------------------------------------------------------------------------------------
# The compiled plan


@dataclass(frozen=True)
class _FieldRule:
    pattern: Path
    kind: str
    spec: Any


class FieldLabel(NamedTuple):
    """What a message needs to name one field: its JSON Pointer, its English and Korean names (see
    ``field_titles``) and the legal clause of its schema node or the nearest one above it (``x-legal``)."""

    pointer: str
    title_en: str
    title_ko: str
    legal: str | None


# Labels kept per compiled schema. Passports repeat the same paths, so a few hundred cover a category; the
# bound is there because paths also carry array indices and member names that come from the data.
_LABELS_KEPT = 4096


@dataclass
class RulePlan:
    """Where each rule applies in one schema, found once per schema and reused for every passport."""

    schema: Mapping[str, Any]
    field_rules: list[_FieldRule] = field(default_factory=list)
    cn_prefixes: tuple[str, ...] = ()
    named: list[Callable[[RulePlan, Any], Iterator[Finding]]] = field(default_factory=list)

    # Path with array indices blanked -> (node describing the full path, nearest x-legal), for paths the schema
    # describes (a bounded set: the schema's own shape).
    _described: dict[tuple[PathPart | None, ...], tuple[Mapping[str, Any], str | None]] = field(default_factory=dict)
    _labels: Callable[[Path], FieldLabel] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._labels = lru_cache(maxsize=_LABELS_KEPT)(self._new_label)

    def label(self, path: Path) -> FieldLabel:
        """Pointer, names and legal clause of the field at ``path``, found once per path and schema."""
        return self._labels(path)

    def titles(self, path: Sequence[PathPart]) -> tuple[str, str]:
        """English and Korean name of the field at ``path`` (see ``field_titles``), cached per schema."""
        label = self._labels(tuple(path))
        return label.title_en, label.title_ko

    def legal(self, path: Sequence[PathPart]) -> str | None:
        """The ``x-legal`` of the schema node at ``path`` or nearest above it, cached per schema."""
        return self._labels(tuple(path)).legal

    def _new_label(self, path: Path) -> FieldLabel:
        node, legal = self._describe(path)
        if node is not None and path and isinstance(node.get("title"), str):
            title_en, title_ko = node["title"], node.get("x-title-ko")
            if not isinstance(title_ko, str):
                title_ko = title_en
        else:
            title_en, title_ko = _fallback_titles(path)
        return FieldLabel(to_pointer(path), title_en, title_ko, legal)

    def _describe(self, path: Path) -> tuple[Mapping[str, Any] | None, str | None]:
        key = tuple(None if type(part) is int else part for part in path)
        found = self._described.get(key)
        if found is not None:
            return found
        chain = schema_node_chain(self.schema, path)
        legal = next((node["x-legal"] for node in reversed(chain) if isinstance(node.get("x-legal"), str)), None)
        if len(chain) != len(path) + 1:
            # A member the schema does not describe: its name comes from the data, so it is not kept here.
            return None, legal
        self._described[key] = (chain[-1], legal)
        return chain[-1], legal


def compile_rules(schema: Mapping[str, Any]) -> RulePlan:
    """Walk the schema once and collect every annotated node with the data path pattern that reaches it."""
    plan = RulePlan(schema=schema)
    prefixes = schema.get("x-cn-prefixes")
    if isinstance(prefixes, list):
        plan.cn_prefixes = tuple(str(prefix) for prefix in prefixes)
    for name in schema.get("x-rules", ()):
        if name not in NAMED_RULES:
            raise ValueError(f"schema {schema.get('$id')} names an unknown rule {name!r} in x-rules")
        plan.named.append(NAMED_RULES[name])
    _collect(schema, (), plan)
    return plan


def _collect(node: Mapping[str, Any], pattern: Path, plan: RulePlan) -> None:
    check = node.get("x-check")
    if check is not None:
        if check not in ("gtin", "cn_code"):
            raise ValueError(f"unknown x-check {check!r} at {to_pointer(pattern)}")
        plan.field_rules.append(_FieldRule(pattern, check, None))
    for keyword, kind in (("x-sum", "sum"), ("x-shares-total", "shares"), ("x-order", "order")):
        if keyword in node:
            plan.field_rules.append(_FieldRule(pattern, kind, node[keyword]))
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for name, child in properties.items():
            if isinstance(child, Mapping):
                _collect(child, (*pattern, name), plan)
    items = node.get("items")
    if isinstance(items, Mapping):
        _collect(items, (*pattern, ANY_ITEM), plan)


def expand(data: Any, pattern: Path) -> Iterator[tuple[Path, Any]]:
    """Yield ``(path, value)`` for every place in ``data`` that ``pattern`` reaches."""
    if ANY_ITEM not in pattern:
        # Most annotated fields sit at a fixed place: follow the members without building a stack.
        value = data
        for part in pattern:
            if type(value) is not dict or part not in value:
                return
            value = value[part]
        yield pattern, value
        return
    stack: list[tuple[Path, Any, int]] = [((), data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth == len(pattern):
            yield path, value
            continue
        part = pattern[depth]
        if part is ANY_ITEM:
            if isinstance(value, list):
                # Reversed onto the stack so items come out in document order.
                for index in range(len(value) - 1, -1, -1):
                    stack.append(((*path, index), value[index], depth + 1))
        elif isinstance(value, dict) and part in value:
            stack.append(((*path, part), value[part], depth + 1))


def run_rules(plan: RulePlan, data: Any) -> list[Finding]:
    """Return every broken business rule in ``data``, in schema order, then the category's named rules."""
    findings: list[Finding] = []
    for rule in plan.field_rules:
        checker = _FIELD_CHECKERS[rule.kind]
        for path, value in expand(data, rule.pattern):
            findings.extend(checker(plan, rule.spec, path, value))
    for named in plan.named:
        findings.extend(named(plan, data))
    return findings


# --------------------------------------------------------------------------------------------------
# Field rules


def _is_number(value: Any) -> TypeGuard[float]:
    # type(), not isinstance: True is an int to Python but not a number to JSON.
    return type(value) in (int, float) and math.isfinite(value)


_GTIN_SHAPE = re.compile(r"[0-9]{8}|[0-9]{12,14}")
_CN_SHAPE = re.compile(r"[0-9]{4}[ .]?[0-9]{2}[ .]?[0-9]{2}")


def _check_field(plan: RulePlan, kind: str, path: Path, value: Any) -> Iterator[Finding]:
    """GTIN check digit (GS1 General Specifications 7.9.1) and CN code category (Reg. (EEC) No 2658/87).

    A value of the wrong shape is left to the schema's ``pattern``, which has already reported it.
    """
    if not isinstance(value, str):
        return
    if kind == "gtin":
        if _GTIN_SHAPE.fullmatch(value) and not _gtin_is_valid(value):
            title_en, title_ko = plan.titles(path)
            yield Finding(
                path,
                "gtin_check_digit",
                f"{title_en} {value} is not a valid GTIN: its check digit does not match (GS1 mod-10).",
                f"{korean_particle(f'{title_ko} {value}', '은', '는')} 올바른 GTIN이 아닙니다. "
                "검증 숫자(체크 디지트)가 맞지 않습니다(GS1 모듈로 10).",
            )
        return
    if not _CN_SHAPE.fullmatch(value):
        return
    if not _cn_code_is_valid(value):
        title_en, title_ko = plan.titles(path)
        yield Finding(
            path,
            "cn_code",
            f"{title_en} {value} is not a Combined Nomenclature code: chapter {value[:2]} does not exist.",
            f"{korean_particle(f'{title_ko} {value}', '은', '는')} 올바른 CN 코드가 아닙니다. "
            f"{value[:2]}류는 존재하지 않습니다.",
        )
        return
    compact = value.replace(" ", "").replace(".", "")
    if plan.cn_prefixes and not compact.startswith(plan.cn_prefixes):
        category = plan.schema.get("x-category", "?")
        allowed = ", ".join(plan.cn_prefixes[:12]) + (", ..." if len(plan.cn_prefixes) > 12 else "")
        yield Finding(
            path,
            "cn_code_category",
            f"CN code {value} does not belong to the category '{category}' (allowed codes start with {allowed}).",
            f"CN 코드 {korean_particle(value, '은', '는')} '{category}' 제품군에 해당하지 않습니다"
            f"(허용되는 코드의 앞자리: {allowed}).",
        )


def _check_gtin(plan: RulePlan, spec: Any, path: Path, value: Any) -> Iterator[Finding]:
    return _check_field(plan, "gtin", path, value)


def _check_cn(plan: RulePlan, spec: Any, path: Path, value: Any) -> Iterator[Finding]:
    return _check_field(plan, "cn_code", path, value)


# Decimal input meets binary floats: 62.1 - 62 is 0.10000000000000142. A value exactly on the stated
# tolerance must pass, so comparisons allow this much representation error on top.
_FLOAT_SLACK = 1e-9


def _within(actual: float, expected: float, relative: float, absolute: float) -> bool:
    tolerance = max(relative * abs(expected), absolute)
    return abs(actual - expected) <= tolerance + _FLOAT_SLACK * max(1.0, abs(expected))


def _check_sum(plan: RulePlan, spec: Mapping[str, Any], path: Path, value: Any) -> Iterator[Finding]:
    """The ``total`` member equals the sum of the ``parts`` (e.g. Reg. (EU) 2023/1542 Art. 7(1)(d) stages).

    Tolerance: ``relative_tolerance`` of the total (0.1 % in the shipped schemas), or ``absolute_tolerance``
    where that is larger. Skipped while a part or the total is missing or not a number: the schema's
    ``required`` and ``type`` errors already say so.
    """
    if not isinstance(value, dict):
        return
    total = value.get(spec["total"])
    parts = [part for name in spec["parts"] if _is_number(part := value.get(name))]
    if not _is_number(total) or len(parts) != len(spec["parts"]):
        return
    added = math.fsum(parts)
    relative = float(spec.get("relative_tolerance", 0.001))
    absolute = float(spec.get("absolute_tolerance", 0.0))
    if _within(total, added, relative, absolute):
        return
    total_path = (*path, spec["total"])
    total_en, total_ko = plan.titles(total_path)
    labels = [plan.label((*path, name)) for name in spec["parts"]]
    names_en = ", ".join(label.title_en for label in labels)
    names_ko = ", ".join(label.title_ko for label in labels)
    tol_en, tol_ko = _tolerance_text(relative, absolute)
    yield Finding(
        total_path,
        "sum_of_parts",
        f"{total_en}: {format_number(total)} does not match the sum of its parts ({names_en}), "
        f"{format_number(added)} (tolerance {tol_en}).",
        f"{total_ko} 값 {korean_particle(format_number(total), '이', '가')} 구성 항목({names_ko})의 합계 "
        f"{korean_particle(format_number(added), '과', '와')} 일치하지 않습니다(허용 오차 {tol_ko}).",
    )


def _tolerance_text(relative: float, absolute: float) -> tuple[str, str]:
    percent = f"{format_number(relative * 100)} %"
    if relative and absolute:
        return (
            f"{percent} or {format_number(absolute)}, whichever is larger",
            f"{percent} 또는 {format_number(absolute)} 중 큰 값",
        )
    if absolute:
        return format_number(absolute), format_number(absolute)
    return percent, percent


def _check_shares(plan: RulePlan, spec: Mapping[str, Any], path: Path, value: Any) -> Iterator[Finding]:
    """The ``share`` members of the items add up to ``total`` (100 %) within ``tolerance`` percentage points.

    E.g. Regulation (EU) No 1007/2011 Art. 9: a multi-fibre product's composition is given as the
    percentage of each fibre by weight, and so totals 100 %. Skipped while any share is missing or not a
    number (the schema reports that).
    """
    if not isinstance(value, list) or not value:
        return
    shares = [share for item in value if isinstance(item, dict) and _is_number(share := item.get(spec["share"]))]
    if len(shares) != len(value):
        return
    added = math.fsum(shares)
    expected = float(spec.get("total", 100))
    tolerance = float(spec.get("tolerance", 0.1))
    if _within(added, expected, 0.0, tolerance):
        return
    title_en, title_ko = plan.titles(path)
    yield Finding(
        path,
        "shares_total",
        f"The shares in {title_en} add up to {format_number(added)} %, not {format_number(expected)} % "
        f"(tolerance ±{format_number(tolerance)} percentage points).",
        f"{title_ko}의 비율 합계가 {format_number(added)}%입니다. 합계는 {format_number(expected)}%여야 합니다"
        f"(허용 오차 ±{format_number(tolerance)}%p).",
    )


def _as_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        if "T" in value or "t" in value:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _check_order(plan: RulePlan, spec: Sequence[Sequence[str]], path: Path, value: Any) -> Iterator[Finding]:
    """Each pair ``[earlier, later]`` does not decrease: manufacture before placing on the market, a
    period's start before its end, minimum voltage below nominal. Skipped while either value is missing or
    malformed (the schema reports that)."""
    if not isinstance(value, dict):
        return
    for earlier_name, later_name in spec:
        earlier, later = value.get(earlier_name), value.get(later_name)
        if earlier is None or later is None:
            continue
        earlier_path, later_path = (*path, earlier_name), (*path, later_name)
        if _is_number(earlier) and _is_number(later):
            if later < earlier:
                earlier_en, earlier_ko = plan.titles(earlier_path)
                later_en, later_ko = plan.titles(later_path)
                yield Finding(
                    later_path,
                    "value_order",
                    f"{later_en} ({format_number(later)}) must not be lower than "
                    f"{earlier_en} ({format_number(earlier)}).",
                    f"{korean_particle(f'{later_ko}({format_number(later)})', '은', '는')} "
                    f"{earlier_ko}({format_number(earlier)})보다 작을 수 없습니다.",
                )
            continue
        earlier_date, later_date = _as_date(earlier), _as_date(later)
        if earlier_date is not None and later_date is not None and later_date < earlier_date:
            earlier_en, earlier_ko = plan.titles(earlier_path)
            later_en, later_ko = plan.titles(later_path)
            yield Finding(
                later_path,
                "date_order",
                f"{later_en} ({later}) must not be earlier than {earlier_en} ({earlier}).",
                f"{korean_particle(f'{later_ko}({later})', '은', '는')} {earlier_ko}({earlier})보다 앞설 수 없습니다.",
            )


_FIELD_CHECKERS: dict[str, Callable[[RulePlan, Any, Path, Any], Iterator[Finding]]] = {
    "gtin": _check_gtin,
    "cn_code": _check_cn,
    "sum": _check_sum,
    "shares": _check_shares,
    "order": _check_order,
}


# --------------------------------------------------------------------------------------------------
# Named rules of one category


def _get(data: Any, *path: PathPart) -> Any:
    """The value at ``path`` in ``data``, or ``None`` where nothing is there."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
            data = data[part]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def battery_rated_energy(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """Rated energy (kWh) agrees with rated capacity (Ah) x nominal voltage (V) / 1000.

    Regulation (EU) 2023/1542, Annex IV Part A and Annex XIII(1)(g)-(h) declare the three values; they are
    bound by physics, so a disagreement beyond ``RATED_ENERGY_TOLERANCE`` means a value was entered in the
    wrong unit (Wh for kWh, mAh for Ah) or belongs to another battery.
    """
    base = ("performance_and_durability", "battery_technical_properties")
    properties = _get(data, *base)
    if not isinstance(properties, dict):
        return
    capacity, voltage, energy = (properties.get(name) for name in ("rated_capacity", "nominal_voltage", "rated_energy"))
    if not (_is_number(capacity) and _is_number(voltage) and _is_number(energy)):
        return
    expected = capacity * voltage / 1000
    if _within(energy, expected, RATED_ENERGY_TOLERANCE, 0.0):
        return
    yield Finding(
        (*base, "rated_energy"),
        "unit_consistency",
        f"Rated energy {format_number(energy)} kWh does not match rated capacity x nominal voltage "
        f"({format_number(capacity)} Ah x {format_number(voltage)} V = {format_number(round(expected, 3))} kWh); "
        "check the units (kWh, Ah, V).",
        f"정격 에너지 {format_number(energy)} kWh가 정격 용량 x 공칭 전압({format_number(capacity)} Ah x "
        f"{format_number(voltage)} V = {format_number(round(expected, 3))} kWh)과 맞지 않습니다. "
        "단위(kWh, Ah, V)를 확인하십시오.",
    )


def battery_materials_mass(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """The listed materials (Reg. (EU) 2023/1542, Annex XIII(2)(a)) weigh no more than the battery (Annex VI
    Part A(5)); only rounding (``MASS_TOLERANCE``) is allowed beyond it."""
    battery_mass = _get(data, "general_product_information", "battery_mass")
    materials = _get(data, "material_composition", "battery_materials")
    if not _is_number(battery_mass) or not isinstance(materials, list):
        return
    masses: list[Any] = [item.get("battery_material_mass") if isinstance(item, dict) else None for item in materials]
    if not all(map(_is_number, masses)):
        return
    added = math.fsum(masses)
    if added <= battery_mass * (1 + MASS_TOLERANCE):
        return
    yield Finding(
        ("material_composition", "battery_materials"),
        "composition_mass",
        f"The listed materials weigh {format_number(added)} kg, more than the battery itself "
        f"({format_number(battery_mass)} kg).",
        f"기재된 소재의 질량 합계 {format_number(added)} kg이 "
        f"배터리 무게({format_number(battery_mass)} kg)보다 큽니다.",
    )


def cbam_embedded_emissions(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """Specific embedded emissions equal the installation's attributed emissions plus those of the precursors,
    per unit of activity level (Regulation (EU) 2023/956, Annex IV; Implementing Regulation (EU) 2023/1773,
    Annex III):

        SEE_direct   = (AttrEm_direct + sum(M_i x SEE_direct,i)) / AL
        SEE_indirect = (E_el x EF_el + sum(M_i x SEE_indirect,i)) / AL

    Only checked where the good's method is ``actual_monitored`` (a default value is not derived from the
    installation's data) and every input is present. Tolerance: ``CBAM_RELATIVE_TOLERANCE``, at least
    ``CBAM_ABSOLUTE_TOLERANCE``.
    """
    goods = _get(data, "goods")
    if not isinstance(goods, list):
        return
    for index, good in enumerate(goods):
        if not isinstance(good, dict):
            continue
        level = _get(good, "production_level", "value")
        if not _is_number(level) or level <= 0:
            continue
        precursors = good.get("precursors", [])
        if not isinstance(precursors, list) or not all(isinstance(item, dict) for item in precursors):
            continue
        checks = (
            (
                "direct",
                "direct_emissions_method",
                _get(good, "attributed_direct_emissions"),
                "specific_direct_embedded_emissions",
            ),
            (
                "indirect",
                "indirect_emissions_method",
                _electricity_emissions(good),
                "specific_indirect_embedded_emissions",
            ),
        )
        for part, method_key, own, precursor_key in checks:
            reported = _get(good, "specific_embedded_emissions", part)
            if good.get(method_key) != "actual_monitored" or not _is_number(own) or not _is_number(reported):
                continue
            inputs = [(item.get("quantity_consumed"), item.get(precursor_key)) for item in precursors]
            if not all(_is_number(mass) and _is_number(see) for mass, see in inputs):
                continue
            expected = (float(own) + math.fsum(mass * see for mass, see in inputs)) / level
            if _within(reported, expected, CBAM_RELATIVE_TOLERANCE, CBAM_ABSOLUTE_TOLERANCE):
                continue
            path = ("goods", index, "specific_embedded_emissions", part)
            part_ko = "직접" if part == "direct" else "간접"
            yield Finding(
                path,
                "cbam_embedded_emissions",
                f"Specific {part} embedded emissions of good {index + 1} are {format_number(reported)}, but the "
                f"installation's emissions and its precursors give {format_number(round(expected, 5))} per unit "
                "(tolerance 0.1 %).",
                f"{index + 1}번째 상품의 단위 {part_ko} 내재 배출량 "
                f"{korean_particle(format_number(reported), '이', '가')} "
                f"설비 배출량과 전구물질로 계산한 값 {korean_particle(format_number(round(expected, 5)), '과', '와')} "
                "일치하지 않습니다(허용 오차 0.1%).",
            )


def _electricity_emissions(good: Mapping[str, Any]) -> float | None:
    consumption = _get(good, "electricity", "consumption")
    factor = _get(good, "electricity", "emission_factor")
    if _is_number(consumption) and _is_number(factor):
        return float(consumption * factor)
    return None


def cbam_units(plan: RulePlan, data: Any) -> Iterator[Finding]:
    """Units agree: electricity (CN 2716) is counted in MWh and every other good in tonnes (Implementing
    Regulation (EU) 2023/1773, Annex IV), and the specific embedded emissions are given per that same unit."""
    goods = _get(data, "goods")
    if not isinstance(goods, list):
        return
    for index, good in enumerate(goods):
        if not isinstance(good, dict):
            continue
        unit = _get(good, "production_level", "unit")
        see_unit = _get(good, "specific_embedded_emissions", "unit")
        cn = good.get("cn_code")
        is_electricity = good.get("aggregated_goods_category") == "electricity" or (
            isinstance(cn, str) and cn.startswith("2716")
        )
        if unit in ("t", "MWh"):
            expected_unit = "MWh" if is_electricity else "t"
            if unit != expected_unit:
                what_en = "electricity" if is_electricity else "goods other than electricity"
                what_ko = "전력" if is_electricity else "전력 이외의 상품"
                yield Finding(
                    ("goods", index, "production_level", "unit"),
                    "unit_consistency",
                    f"The production level of {what_en} is counted in {expected_unit}, not {unit}.",
                    f"{what_ko}의 생산량 단위로는 {expected_unit}을(를) 사용해야 합니다(입력된 단위: {unit}).",
                )
                continue
            if isinstance(see_unit, str) and see_unit != f"t CO2e/{unit}":
                yield Finding(
                    ("goods", index, "specific_embedded_emissions", "unit"),
                    "unit_consistency",
                    f"Specific embedded emissions are per {see_unit.split('/')[-1]}, but the production level "
                    f"is in {unit}: use t CO2e/{unit}.",
                    f"단위 내재 배출량의 단위({see_unit})가 생산량 단위({unit})와 맞지 않습니다. "
                    f"t CO2e/{unit}을(를) 사용하십시오.",
                )


NAMED_RULES: dict[str, Callable[[RulePlan, Any], Iterator[Finding]]] = {
    "battery_rated_energy": battery_rated_energy,
    "battery_materials_mass": battery_materials_mass,
    "cbam_embedded_emissions": cbam_embedded_emissions,
    "cbam_units": cbam_units,
}

"""Business rules on one field or object, set by the schema's ``x-check``, ``x-sum``, ``x-shares-total`` and
``x-order`` annotations (see ``passports.validation.rules``). Plain Python, no Django.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeGuard

from passports.identifiers import is_valid_cn_code, is_valid_gtin
from passports.validation.plan import Finding, RulePlan
from passports.validation.pointers import Path
from passports.validation.wording import format_number, korean_particle

# Item and batch passports of one model repeat the same GTIN and CN code; the checks are pure functions of
# the string, so remembering recent answers takes them off the hot path.
_gtin_is_valid = lru_cache(maxsize=4096)(is_valid_gtin)
_cn_code_is_valid = lru_cache(maxsize=1024)(is_valid_cn_code)


def is_number(value: Any) -> TypeGuard[float]:
    """A finite JSON number (not a boolean)."""
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


def within(actual: float, expected: float, relative: float, absolute: float) -> bool:
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
    parts = [part for name in spec["parts"] if is_number(part := value.get(name))]
    if not is_number(total) or len(parts) != len(spec["parts"]):
        return
    added = math.fsum(parts)
    relative = float(spec.get("relative_tolerance", 0.001))
    absolute = float(spec.get("absolute_tolerance", 0.0))
    if within(total, added, relative, absolute):
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
    shares = [share for item in value if isinstance(item, dict) and is_number(share := item.get(spec["share"]))]
    if len(shares) != len(value):
        return
    added = math.fsum(shares)
    expected = float(spec.get("total", 100))
    tolerance = float(spec.get("tolerance", 0.1))
    if within(added, expected, 0.0, tolerance):
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
        if is_number(earlier) and is_number(later):
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


FIELD_CHECKERS: dict[str, Callable[[RulePlan, Any, Path, Any], Iterator[Finding]]] = {
    "gtin": _check_gtin,
    "cn_code": _check_cn,
    "sum": _check_sum,
    "shares": _check_shares,
    "order": _check_order,
}

"""Passport values written for a reader: booleans in words, numbers without float noise, units after them.

The field model itself (which fields a schema has, their titles, tiers and clauses) is
``passports.fieldmodel``; this module only formats the values reports and pages print.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporters.reports.labels import Lang, word
from passports.validation.wording import format_number


def with_unit(text: str, unit: str | None) -> str:
    if not unit:
        return text
    # A percent sign follows its number with a space, as ISO 80000-1 writes it; so does every other unit.
    return f"{text} {unit}"


def format_value(value: Any, unit: str | None, lang: Lang) -> str:
    """Show one value as the reader should see it: booleans in words, numbers without float noise, units."""
    if isinstance(value, bool):
        return word("yes" if value else "no", lang)
    if isinstance(value, int | float):
        return with_unit(format_number(value), unit)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(format_value(item, unit, lang) for item in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {format_value(item, None, lang)}" for key, item in value.items())
    return "" if value is None else str(value)

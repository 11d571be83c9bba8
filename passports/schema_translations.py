"""Translations of the shipped schemas' descriptions, kept beside the schema files instead of inside them.

A schema is frozen once passports use it: the registry stores its SHA-256 and refuses a changed file
(``passports.registry``), because a published passport must stay checkable against the exact document it
was published under. Adding a Korean annotation to a description would change that document, so the Korean
help text lives in ``schemas/i18n/<language>/<category>-<version>.json`` instead: for each description, the
RFC 6901 JSON Pointer of the schema node that carries it (``/properties/carbon_footprint/properties/
declared_unit``; ``""`` is the whole schema), the English it translates and the translation.

A translation is used only while its English still equals the schema's description, so an edited
description shows in English rather than beside a translation of something else. Refresh the files after a
schema change with ``manage.py refresh_schema_translations``: new descriptions get an empty translation to
fill in, and entries of nodes that no longer exist are dropped (the tests fail until every one is filled).

Plain Python, no Django, like ``passports.schema_files``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from core.pointers import pointer_token
from passports.schema_files import SCHEMA_DIR, load_schema

I18N_DIR: Path = SCHEMA_DIR / "i18n"
# The languages the descriptions are translated into; English is the schemas' own language.
LANGUAGES: tuple[str, ...] = ("ko",)

# Keywords whose value is one subschema, a list of subschemas, or a map of names to subschemas (JSON Schema
# 2020-12 core and validation vocabularies). Values of enum, const, default and examples are data, not schemas,
# and a "description" member among them is not a description.
_ONE_SCHEMA = ("items", "additionalProperties", "contains", "not", "if", "then", "else", "propertyNames")
_SCHEMA_LISTS = ("prefixItems", "allOf", "anyOf", "oneOf")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


class Translation(NamedTuple):
    """One description in another language, with the English it was translated from."""

    source: str
    text: str


def iter_descriptions(schema: Mapping[str, Any], pointer: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(JSON Pointer of the schema node, description)`` for every described node, in document order."""
    description = schema.get("description")
    if isinstance(description, str):
        yield pointer, description
    for keyword, value in schema.items():
        if keyword in _ONE_SCHEMA and isinstance(value, Mapping):
            yield from iter_descriptions(value, f"{pointer}/{pointer_token(keyword)}")
        elif keyword in _SCHEMA_LISTS and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from iter_descriptions(item, f"{pointer}/{keyword}/{index}")
        elif keyword in _SCHEMA_MAPS and isinstance(value, Mapping):
            for name, item in value.items():
                if isinstance(item, Mapping):
                    yield from iter_descriptions(item, f"{pointer}/{pointer_token(keyword)}/{pointer_token(name)}")


def translation_path(category: str, version: str, lang: str) -> Path:
    return I18N_DIR / lang / f"{category}-{version}.json"


def load_translations(category: str, version: str, lang: str) -> Mapping[str, Translation]:
    """Return the translated descriptions of ``category/version`` by schema pointer; empty if there are none.

    Read once per schema and language; the same mapping is returned on every call, so treat it as read-only.
    Entries whose translation is still empty are left out (they show in English).
    """
    return _load_cached(category, version, lang)


@lru_cache(maxsize=64)
def _load_cached(category: str, version: str, lang: str) -> Mapping[str, Translation]:
    path = translation_path(category, version, lang)
    if lang not in LANGUAGES or not path.is_file():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        pointer: Translation(entry["en"], entry[lang])
        for pointer, entry in document["descriptions"].items()
        if isinstance(entry.get(lang), str) and entry[lang].strip()
    }


def translations_for(schema: Mapping[str, Any], lang: str) -> Mapping[str, Translation]:
    """The translations for a schema document, found by its ``x-category`` and ``x-version``."""
    category, version = schema.get("x-category"), schema.get("x-version")
    if lang == "en" or not isinstance(category, str) or not isinstance(version, str):
        return {}
    return load_translations(category, version, lang)


def translated_description(
    translations: Mapping[str, Translation], pointer: str, description: str | None
) -> str | None:
    """The translation of ``description`` at schema node ``pointer``, if it translates exactly that text."""
    found = translations.get(pointer)
    if found is None or description is None or found.source != description:
        return None
    return found.text


def refresh_translation_file(category: str, version: str, lang: str) -> tuple[Path, int, int]:
    """Rewrite the translation file of one schema: every description in schema order, translations kept.

    A kept translation whose English changed is emptied, so it is translated again rather than left stale.
    Returns the file, its number of descriptions and how many of them still need a translation.
    """
    path = translation_path(category, version, lang)
    old: dict[str, Any] = {}
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8")).get("descriptions", {})
    entries: dict[str, dict[str, str]] = {}
    for pointer, english in iter_descriptions(load_schema(category, version)):
        previous = old.get(pointer, {})
        text = previous.get(lang, "") if previous.get("en") == english else ""
        entries[pointer] = {"en": english, lang: text}
    document = {"schema": f"{category}/{version}", "language": lang, "descriptions": entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _load_cached.cache_clear()
    return path, len(entries), sum(1 for entry in entries.values() if not entry[lang].strip())

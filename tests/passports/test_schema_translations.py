"""The translated descriptions beside the shipped schemas: complete, anchored to real schema nodes, and current.

A schema edit that adds, moves or rewords a description fails here until its Korean is written
(``manage.py refresh_schema_translations`` lays out what is missing).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from passports import schema_translations
from passports.schema_files import iter_schema_files, load_schema
from passports.schema_translations import (
    LANGUAGES,
    Translation,
    iter_descriptions,
    load_translations,
    refresh_translation_file,
    translated_description,
    translation_path,
    translations_for,
)

SCHEMAS = [(category, version) for category, version, _ in iter_schema_files()]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# What a translation must carry over unchanged: legal references, standards, codes, identifiers and numbers.
LEGAL_REFERENCE = re.compile(
    r"(?:Implementing )?(?:Regulation|Directive) \((?:EU|EC)\)(?: No)? \d+/\d+|Art\. \d+(?:-\d+)?|Article \d+"
    r"|Annex [IVX]+\b"
)
CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:[-+/][A-Z0-9]+)*\b")
NUMBER = re.compile(r"\d+(?:[.:/-]\d+)*")


def _resolve(document: Any, pointer: str) -> Any:
    """The node an RFC 6901 pointer names, or ``None``; written out here so the test does not trust the walker."""
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _entries(category: str, version: str, lang: str) -> dict[str, dict[str, str]]:
    document = json.loads(translation_path(category, version, lang).read_text(encoding="utf-8"))
    assert document["schema"] == f"{category}/{version}"
    assert document["language"] == lang
    entries: dict[str, dict[str, str]] = document["descriptions"]
    return entries


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("category", "version"), SCHEMAS)
def test_every_description_has_a_translation_and_every_entry_a_described_node(
    category: str, version: str, lang: str
) -> None:
    schema = load_schema(category, version)
    entries = _entries(category, version, lang)
    described = dict(iter_descriptions(schema))
    assert len(described) >= 80
    assert sorted(set(described) - set(entries)) == [], "descriptions without a translation"
    assert sorted(set(entries) - set(described)) == [], "translations of nodes that do not exist"
    for pointer, entry in entries.items():
        node = _resolve(schema, pointer)
        assert isinstance(node, dict), pointer
        assert entry["en"] == node["description"], f"{pointer}: the English changed, translate again"
        assert entry[lang].strip(), pointer
        if lang == "ko":
            assert HANGUL.search(entry[lang]), pointer
    assert len(load_translations(category, version, lang)) == len(described)


@pytest.mark.parametrize(("category", "version"), SCHEMAS)
def test_korean_keeps_legal_references_codes_and_numbers_as_written(category: str, version: str) -> None:
    for pointer, entry in _entries(category, version, "ko").items():
        english, korean = entry["en"], entry["ko"]
        for pattern in (LEGAL_REFERENCE, CODE, NUMBER):
            for token in pattern.findall(english):
                assert token in korean, f"{pointer}: {token!r} is missing from {korean!r}"


def test_the_walk_finds_descriptions_in_subschemas_only() -> None:
    schema = {
        "description": "Root.",
        "properties": {
            # A member named "description" is a field, not a description of its parent.
            "description": {"type": "string", "description": "Free text."},
            "a/b": {"type": "array", "items": {"description": "One row."}},
        },
        "$defs": {"x": {"allOf": [{"description": "Nested."}]}},
        "enum": [{"description": "data, not a schema"}],
        "examples": [{"description": "data too"}],
    }
    assert list(iter_descriptions(schema)) == [
        ("", "Root."),
        ("/properties/description", "Free text."),
        ("/properties/a~1b/items", "One row."),
        ("/$defs/x/allOf/0", "Nested."),
    ]


def test_a_translation_is_used_only_for_the_english_it_translates() -> None:
    translations = {"/properties/a": Translation("Weight.", "무게.")}
    assert translated_description(translations, "/properties/a", "Weight.") == "무게."
    assert translated_description(translations, "/properties/a", "Mass in kg.") is None
    assert translated_description(translations, "/properties/b", "Weight.") is None
    assert translated_description(translations, "/properties/a", None) is None


def test_translations_are_found_by_the_schemas_identity() -> None:
    battery = load_schema("battery", "1.0")
    assert translations_for(battery, "ko") is load_translations("battery", "1.0", "ko")
    assert translations_for(battery, "en") == {}
    assert translations_for({"x-category": "battery"}, "ko") == {}
    assert translations_for({"x-category": "battery", "x-version": "9.9"}, "ko") == {}
    assert load_translations("battery", "1.0", "fr") == {}


@pytest.fixture
def i18n_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped translations, which the refresh may rewrite without touching the real ones."""
    folder = tmp_path / "i18n"
    shutil.copytree(schema_translations.I18N_DIR, folder)
    monkeypatch.setattr(schema_translations, "I18N_DIR", folder)
    return folder


def test_refresh_keeps_translations_empties_reworded_ones_and_drops_orphans(i18n_dir: Path) -> None:
    path = i18n_dir / "ko" / "battery-1.0.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    entries = document["descriptions"]
    mass = "/properties/general_product_information/properties/battery_mass"
    model = "/properties/general_product_information/properties/battery_model"
    entries[mass]["en"] = "Mass of the battery."  # as if the schema had said this when it was translated
    del entries[model]
    entries["/properties/no_such_member"] = {"en": "Gone.", "ko": "없음."}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    written, total, empty = refresh_translation_file("battery", "1.0", "ko")

    assert written == path
    refreshed = json.loads(path.read_text(encoding="utf-8"))["descriptions"]
    schema = load_schema("battery", "1.0")
    assert list(refreshed) == [pointer for pointer, _ in iter_descriptions(schema)]
    assert total == len(refreshed) and empty == 2
    assert refreshed[mass] == {"en": "Weight of the battery.", "ko": ""}
    assert refreshed[model]["ko"] == ""
    assert refreshed[""]["ko"].startswith("Regulation (EU) 2023/1542")


def test_the_command_rewrites_the_shipped_files_byte_for_byte(i18n_dir: Path) -> None:
    before = {path: path.read_bytes() for path in i18n_dir.rglob("*.json")}
    assert len(before) == len(SCHEMAS) * len(LANGUAGES)
    call_command("refresh_schema_translations", stdout=io.StringIO())
    assert {path: path.read_bytes() for path in i18n_dir.rglob("*.json")} == before


def test_the_command_fails_while_a_translation_is_missing(i18n_dir: Path) -> None:
    (i18n_dir / "ko" / "steel-1.0.json").unlink()
    with pytest.raises(CommandError, match="112 description"):
        call_command("refresh_schema_translations", stdout=io.StringIO())
    assert (i18n_dir / "ko" / "steel-1.0.json").is_file()

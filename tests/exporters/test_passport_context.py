"""Our JSON-LD passport context: generated from the schemas, shipped in the repository, served under our base URL."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from exporters.credentials import document_loader
from exporters.credentials.passport_context import (
    VOCABULARY,
    XSD,
    context_bytes,
    context_path,
    newest_version,
    passport_context,
    schema_terms,
)
from passports.schema_files import iter_schema_files, load_schema


def shipped_schemas() -> list[dict[str, Any]]:
    return [load_schema(category, version) for category, version, _path in iter_schema_files()]


def test_the_newest_shipped_context_is_what_the_schemas_give() -> None:
    """One source: a field added to a schema must reach the context (as a new version, see the command)."""
    newest = newest_version(document_loader.own_context_paths())
    shipped = document_loader.own_context_bytes(context_path(newest))
    assert shipped == context_bytes(passport_context(shipped_schemas())), (
        "the passport schemas changed: run `manage.py build_passport_context` to ship the next context version"
    )


def test_every_member_of_every_schema_is_a_term() -> None:
    terms = passport_context(shipped_schemas())["@context"]["characteristics"]["@context"]
    for schema in shipped_schemas():
        for name in schema_terms([schema]):
            assert terms[name]["@id"] == VOCABULARY + name


def test_terms_keep_the_types_the_schema_gives() -> None:
    terms = passport_context(shipped_schemas())["@context"]["characteristics"]["@context"]
    assert terms["manufacturing_date"]["@type"] == XSD + "date"
    assert terms["last_update"]["@type"] == XSD + "dateTime"
    assert terms["carbon_footprint_study"]["@type"] == XSD + "anyURI"
    assert terms["warranty_period"]["@type"] == XSD + "integer"
    assert terms["battery_mass"]["@type"] == XSD + "double"
    # Arrays are ordered lists, so equal values are not merged into one statement.
    assert terms["hazardous_substance_impact"] == {
        "@id": VOCABULARY + "hazardous_substance_impact",
        "@container": "@list",
    }
    # A name with different shapes in different schemas gets no coercion at all.
    assert terms["production"] == {"@id": VOCABULARY + "production"}
    assert terms["@protected"] is True


def test_the_credential_terms_sit_at_the_top() -> None:
    context = passport_context(shipped_schemas())["@context"]
    assert context["conformance"] == {"@id": VOCABULARY + "conformance", "@type": XSD + "boolean"}
    assert context["characteristics"]["@id"] == VOCABULARY + "characteristics"
    assert context["@protected"] is True


@pytest.mark.parametrize("name", ["@id", "gs1:gtin", "has space", ""])
def test_a_member_name_that_cannot_be_a_term_is_refused(name: str) -> None:
    schema = {"type": "object", "properties": {"section": {"type": "object", "properties": {name: {"type": "string"}}}}}
    with pytest.raises(ValueError, match="cannot be a JSON-LD term"):
        passport_context([schema])


def test_the_generated_context_is_deterministic() -> None:
    assert context_bytes(passport_context(shipped_schemas())) == context_bytes(
        passport_context(reversed(shipped_schemas()))
    )


def test_the_newest_version_is_the_highest_path() -> None:
    assert newest_version(["/ns/passport/v1", "/ns/passport/v12", "/ns/passport/v2", "/other"]) == 12
    with pytest.raises(LookupError):
        newest_version(["/other/v3"])


def test_the_context_is_served_byte_for_byte_to_anyone(client: Client) -> None:
    response = client.get("/ns/passport/v1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response.content == document_loader.own_context_bytes("/ns/passport/v1")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "immutable" in response["Cache-Control"]
    assert client.get(context_path(newest_version(document_loader.own_context_paths()) + 1)).status_code == 404
    assert client.post("/ns/passport/v1").status_code == 405


@pytest.fixture
def copied_contexts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    for path in document_loader.CONTEXTS_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(document_loader, "CONTEXTS_DIR", tmp_path)
    monkeypatch.setattr(document_loader, "INDEX_FILE", tmp_path / "index.json")
    document_loader.clear_caches()
    yield tmp_path
    document_loader.clear_caches()


def test_the_command_ships_a_new_version_when_the_schemas_changed(
    copied_contexts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    call_command("build_passport_context", "--check", stdout=out)
    assert "is current" in out.getvalue()
    schemas = shipped_schemas()
    grown = json.loads(json.dumps(schemas[0]))
    section = next(iter(grown["properties"].values()))
    section["properties"]["a_new_annex_field"] = {"type": "string", "format": "date"}
    monkeypatch.setattr(
        "exporters.management.commands.build_passport_context.load_schema",
        lambda category, version: (
            grown
            if (category, version) == (grown["x-category"], grown["x-version"])
            else load_schema(category, version)
        ),
    )
    with pytest.raises(CommandError, match="no longer matches"):
        call_command("build_passport_context", "--check", stdout=io.StringIO())
    shipped = newest_version(document_loader.own_context_paths())
    old = (copied_contexts / f"dpp-passport-v{shipped}.jsonld").read_bytes()
    call_command("build_passport_context", stdout=io.StringIO())
    assert (copied_contexts / f"dpp-passport-v{shipped}.jsonld").read_bytes() == old, (
        "a shipped version is never edited"
    )
    index = json.loads((copied_contexts / "index.json").read_text(encoding="utf-8"))
    assert index[f"/ns/passport/v{shipped + 1}"]["file"] == f"dpp-passport-v{shipped + 1}.jsonld"
    written = (copied_contexts / f"dpp-passport-v{shipped + 1}.jsonld").read_bytes()
    terms = json.loads(written)["@context"]["characteristics"]
    assert terms["@context"]["a_new_annex_field"]["@type"] == XSD + "date"
    assert newest_version(document_loader.own_context_paths()) == shipped + 1
    call_command("build_passport_context", "--check", stdout=io.StringIO())

"""The schema registry keeps each shipped schema exactly as written, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest

from passports.models import PassportSchema
from passports.schema_files import iter_schema_files

pytestmark = pytest.mark.django_db


def _key_paths(node: object, path: str = "") -> list[str]:
    """Every object key in document order, as paths: two documents list them alike only in the same order."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append(f"{path}/{key}")
            found += _key_paths(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _key_paths(value, f"{path}/{index}")
    return found


def test_every_shipped_schema_reads_back_in_its_own_key_order() -> None:
    """PostgreSQL's jsonb would sort keys by length, and the editor, pages, reports and error lists that
    follow the schema's order would come out scrambled there only."""
    files = list(iter_schema_files())
    assert len(files) >= 5
    for category, version, path in files:
        shipped = json.loads(path.read_text(encoding="utf-8"))
        stored = PassportSchema.objects.get(category=category, version=version).document
        assert stored == shipped
        assert _key_paths(stored) == _key_paths(shipped), f"{category}/{version} lost its key order"


def test_a_saved_document_keeps_its_order_and_its_text() -> None:
    row = PassportSchema.objects.first()
    assert row is not None
    row.document = {"zeta": 1, "a": {"long key first": True, "b": "한국어"}, "mid": [3, {"y": 1, "x": 2}]}
    row.save(update_fields=["document"])
    again = PassportSchema.objects.get(pk=row.pk).document
    assert list(again) == ["zeta", "a", "mid"]
    assert list(again["a"]) == ["long key first", "b"] and again["a"]["b"] == "한국어"
    assert list(again["mid"][1]) == ["y", "x"]

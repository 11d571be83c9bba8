"""cbam-installation 1.1: the definitive period's rules beside the transitional 1.0, which stays reproducible.

From 2026 the methods of Implementing Regulation (EU) 2025/2547 replace the transitional ones of Implementing
Regulation (EU) 2023/1773: the installation names its monitoring approaches (Art. 5), each good its functional
unit (Art. 4), and only actual or default values are accepted (Art. 2 and 11), where 1.0 also let "other
methods" through. Both versions are computed with the same formula (Regulation (EU) 2023/956, Annex IV), and
the 1.1 examples hold the 1.0 figures, so a communication made from either computes the same embedded emissions;
each names the rules its data follows.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from exporters.reports.cbam import DEFINITIVE_LEGAL_BASIS, LEGAL_BASIS, communication, legal_basis_for
from exporters.reports.cbam_formats import XSD_PATH, from_xml, schema_problems, to_xml
from passports.schema_files import example_files, load_schema
from passports.tiers import render_for_tier
from passports.validation import validate

SOURCE = {"passport_identifier": "http://127.0.0.1:8000/01/08801234567891", "version": 1, "content_hash": "c" * 64,
          "status": "published", "published_at": "2026-03-20T08:00:00+00:00"}  # fmt: skip


def _example(version: str, kind: str = "bf-bof-steel-works") -> dict[str, Any]:
    [path] = [p for p in example_files("cbam-installation", version) if p.stem.endswith(kind)]
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _legal_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return ([node["x-legal"]] if "x-legal" in node else []) + [t for v in node.values() for t in _legal_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _legal_texts(v)]
    return []


def test_the_definitive_schema_cites_no_transitional_rule() -> None:
    legal = _legal_texts(load_schema("cbam-installation", "1.1"))
    assert legal and not [text for text in legal if "2023/1773" in text]
    assert any("2025/2547, Art. 5" in text for text in legal)  # installation-level monitoring methodology
    assert any("2025/2547, Art. 4" in text for text in legal)  # production processes and functional unit
    assert any("2025/2547, Art. 13" in text for text in legal)  # precursors
    assert "2023/1773" in load_schema("cbam-installation", "1.0")["x-legal"]  # 1.0 keeps its rules


def test_other_methods_were_transitional_only() -> None:
    for version, refused in (("1.0", False), ("1.1", True)):
        data = _example(version)
        data["goods"][0]["direct_emissions_method"] = "other_method"
        issues = {(issue.pointer, issue.rule) for issue in validate(load_schema("cbam-installation", version), data)}
        assert (("/goods/0/direct_emissions_method", "enum") in issues) is refused, version


def test_functional_unit_and_monitoring_approaches_are_checked() -> None:
    schema = load_schema("cbam-installation", "1.1")
    data = _example("1.1")
    assert validate(schema, data) == []
    data["goods"][0]["functional_unit"] = "kg"
    data["installation"]["monitoring_approaches"] = []
    pointers = {issue.pointer for issue in validate(schema, data)}
    assert {"/goods/0/functional_unit", "/installation/monitoring_approaches"} <= pointers


def test_both_versions_compute_the_same_embedded_emissions() -> None:
    """The same formula on the same figures: the 1.1 example's embedded emissions equal 1.0's."""
    documents = []
    for version in ("1.0", "1.1"):
        schema = load_schema("cbam-installation", version)
        data = render_for_tier(schema, _example(version), "legitimate_interest")
        document = communication(data, source=SOURCE, legal_basis=legal_basis_for(version))
        assert schema_problems(document) == []
        to_xml(document)  # refused if it breaks our XSD
        documents.append(document)
    old, new = (copy.deepcopy(d["goods"]) for d in documents)
    assert [g["calculated_specific_embedded_emissions"] for g in new] == [
        g["calculated_specific_embedded_emissions"] for g in old
    ]
    assert new[0]["calculated_specific_embedded_emissions"] == {
        "direct": 2.0885,
        "indirect": 0.134253,
        "total": 2.222753,
    }
    # 1.0 communications name the transitional rules as they always did; 1.1 names the definitive period's.
    assert [d["legal_basis"] for d in documents] == [LEGAL_BASIS, DEFINITIVE_LEGAL_BASIS]
    assert "2023/1773" in LEGAL_BASIS and "2025/2547" in DEFINITIVE_LEGAL_BASIS


def test_the_communication_carries_the_definitive_period_members_in_json_and_xml() -> None:
    etree = pytest.importorskip("lxml.etree", reason="lxml validates XML Schema (XSD 1.0)")
    xsd = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    for kind in ("bf-bof-steel-works", "aluminium-extrusion"):
        data = _example("1.1", kind)
        document = communication(
            render_for_tier(load_schema("cbam-installation", "1.1"), data, "legitimate_interest"), source=SOURCE
        )
        assert document["installation"]["monitoring_approaches"] == data["installation"]["monitoring_approaches"]
        assert [good["functional_unit"] for good in document["goods"]] == ["t_goods"] * len(data["goods"])
        xml = to_xml(document)
        assert from_xml(xml) == document
        assert xsd.validate(etree.fromstring(xml)), xsd.error_log
    document["goods"][0]["functional_unit"] = "kg"
    assert any(problem.startswith("/goods/0/functional_unit") for problem in schema_problems(document))

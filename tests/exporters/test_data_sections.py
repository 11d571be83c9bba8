"""The public page's layout of passport data, from the schema's titles (no database)."""

from __future__ import annotations

import json
from pathlib import Path

from exporters.web.data_sections import data_sections

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "passports" / "schemas" / "battery-1.0.json").read_text(encoding="utf-8"))
DATA = json.loads(
    (ROOT / "passports" / "schemas" / "examples" / "battery-1.0-ev-pack.json").read_text(encoding="utf-8")
)


def test_sections_follow_the_schema_order_with_anchors_titles_and_units() -> None:
    sections = data_sections(SCHEMA, DATA, "en")
    assert [s.anchor for s in sections] == list(SCHEMA["properties"])
    general = sections[0]
    assert general.title == "General product information"
    rows = {row.label: row for row in general.rows}
    assert rows["Battery mass"].value == "545 kg"  # 545.0 printed without float noise, unit from x-unit
    assert rows["Commercial warranty period"].value == "96 month"
    assert rows["GTIN"].value == "8801234000017"


def test_lists_of_objects_become_numbered_subsections_and_urls_links() -> None:
    circularity = next(s for s in data_sections(SCHEMA, DATA, "en") if s.anchor == "circularity")
    titles = [s.title for s in circularity.sections]
    assert titles[:4] == [
        "Recycled content 1",
        "Recycled content 2",
        "Recycled content 3",
        "Dismantling and removal documents 1",
    ]
    document = next(s for s in circularity.sections if s.title == "Dismantling and removal documents 1")
    link = next(row for row in document.rows if row.label == "Document link")
    assert link.link == "https://service.hanbit-energy.example/docs/HBE-P96/dismantling-manual-v3.pdf"
    agents = next(s for s in circularity.sections if s.title == "Safety measures")
    assert agents.rows[-1].value == "Water (large quantities, for cooling); Class D powder for cell-level fires"


def test_korean_pages_use_the_korean_titles() -> None:
    sections = data_sections(SCHEMA, DATA, "ko")
    general = sections[0]
    assert general.title == SCHEMA["properties"]["general_product_information"]["x-title-ko"]
    assert any(row.label == "배터리 모델" for row in general.rows)
    composition = next(s for s in sections if s.anchor == "material_composition")
    substances = SCHEMA["properties"]["material_composition"]["properties"]["hazardous_substances"]["x-title-ko"]
    assert f"{substances} 1" in [s.title for s in composition.sections]

"""Tests for exporters/reports/cbam_defaults.py, default_values.py and the load_cbam_default_values command.

Worked examples use the shipped rows of Commission Implementing Regulation (EU) 2025/2621, Annex I, for the
Republic of Korea (figures as in the Commission's default-value tables dated 4 February 2026):
CN 7208 (hot-rolled flat products, heading line) and CN 7207 12 10 (slabs), both 2.12 t CO2e/t without
mark-up and 2.33 / 2.54 / 2.75 t CO2e/t for goods imported in 2026 / 2027 / 2028 onwards (10 %, 20 %, 30 %).
Iron and steel count direct emissions only for certificates (Regulation (EU) 2023/956, Annex II).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from exporters.models import CbamDefaultValueTable
from exporters.reports.cbam import importer_summary
from exporters.reports.cbam_defaults import (
    SHIPPED_TABLE,
    DefaultTableError,
    add_default_comparison,
    parse_table,
    shipped_table,
)
from exporters.reports.cbam_formats import XSD_PATH, from_xml, schema_problems, to_json, to_xml
from exporters.reports.cbam_pdf import cbam_report_document
from exporters.reports.default_values import current_default_table
from exporters.reports.labels import check_lang
from exporters.reports.pdf import render_report
from passports.services.passports import passport_publish
from tests.exporters.test_reports_cbam import _document
from tests.factories import ProductFactory, example_data, make_passport

HEADER = "cn_code,country,direct,indirect,total,value_2026,value_2027,value_2028,route\n"
# A small "full" table (no "# partial" note): Korea's line for 7208 and the other-countries line.
FULL = (
    "# source: test table\n" + HEADER + "7208,KR,2.12,,2.12,2.33,2.54,2.75,C\n7208,OTHER,4.05,,4.05,4.45,4.86,5.26,C\n"
)


def _compared(year: int | None = None, name: str = "bf-bof-steel-works") -> dict[str, Any]:
    return add_default_comparison(_document(name=name), shipped_table(), import_year=year)


def test_shipped_rows_cite_their_source_and_cover_the_demo_steel() -> None:
    table = shipped_table()
    assert "Implementing Regulation (EU) 2025/2621, Annex I" in table.source
    assert table.partial
    coil = table.lookup("7208 38 00", "KR")
    assert coil is not None and coil.cn_code == "7208"  # the heading line covers the subheading
    assert (coil.direct, coil.indirect, coil.total) == (Decimal("2.12"), None, Decimal("2.12"))
    assert [coil.value_for(year) for year in (2026, 2027, 2028, 2035)] == [
        Decimal(v) for v in ("2.33", "2.54", "2.75", "2.75")
    ]
    assert table.lookup("72071210", "kr").cn_code == "72071210"  # type: ignore[union-attr]
    # Aluminium profiles (7604 21 00) were not found in a checked source: not shipped, so no comparison.
    assert table.lookup("76042100", "KR") is None
    # A partial table never sends a country it lacks to "other countries" (the full table may list it).
    assert table.lookup("72083800", "VN") is None
    with pytest.raises(ValueError, match="2026"):
        coil.value_for(2025)


def test_full_table_falls_back_to_other_countries() -> None:
    table = parse_table(FULL)
    assert not table.partial
    assert table.source == "test table"
    assert table.lookup("72083800", "VN").country == "OTHER"  # type: ignore[union-attr]
    assert table.lookup("72083800", "KR").country == "KR"  # type: ignore[union-attr]
    assert table.lookup("76042100", "KR") is None


def test_comparison_of_the_demo_steel_works_by_hand() -> None:
    document = _compared(2026)
    coil, slab = document["goods"]
    compared = coil["default_value_comparison"]
    # Hot-rolled coil: default 2.33 (2026, 10 % mark-up) against actual direct 2.0885 t CO2e/t:
    #   2.33 - 2.0885 = 0.2415 certificates saved per tonne; x 4,200,000 t = 1,014,300 on the period.
    assert compared["table_cn_code"] == "7208"
    assert compared["mark_up"] == 0.1
    assert compared["default_with_mark_up"] == 2.33
    assert compared["counted_emissions"] == "direct"
    assert (compared["default_counted"], compared["actual_counted"]) == (2.33, 2.0885)
    assert compared["certificates_saved_per_unit"] == 0.2415
    assert compared["certificates_saved_on_period"] == 1014300
    # Slabs: 2.33 - 1.95 = 0.38 per tonne; x 1,100,000 t = 418,000. Together 1,432,300.
    assert slab["default_value_comparison"]["certificates_saved_per_unit"] == 0.38
    assert slab["default_value_comparison"]["certificates_saved_on_period"] == 418000
    basis = document["default_values"]
    assert basis["certificates_saved_on_period"] == 1432300
    assert basis["country_of_production"] == "KR"
    assert basis["goods_without_default"] == []
    # Imported from 2028 on the mark-up is 30 %: 2.75 - 2.0885 = 0.6615 per tonne of coil.
    later = _compared(2030)["goods"][0]["default_value_comparison"]
    assert (later["mark_up"], later["certificates_saved_per_unit"]) == (0.3, 0.6615)
    # Without a year: the year after the 2025 reporting period, 2026.
    assert _compared()["default_values"]["import_year"] == 2026
    with pytest.raises(ValueError, match="import_year"):
        _compared(2025)


def test_good_without_a_default_line_is_named() -> None:
    document = _compared(name="aluminium-extrusion")
    assert document["default_values"]["goods_without_default"] == ["76042100"]
    assert "default_value_comparison" not in document["goods"][0]


def test_importer_summary_shows_what_actual_data_saves() -> None:
    summary = importer_summary(_compared(2027), [{"cn_code": "72083800", "quantity": 1000}])
    # 2027: default 2.54 x 1,000 t = 2,540 certificates; actual 2.0885 x 1,000 = 2,088.5; saved 451.5.
    line = summary["lines"][0]["default_value_comparison"]
    assert line == {"default_counted_per_unit": 2.54, "counted_with_default": 2540,
                    "certificates_saved_by_actual_data": 451.5}  # fmt: skip
    assert summary["default_values"]["certificates_saved_by_actual_data"] == 451.5
    assert summary["default_values"]["import_year"] == 2027


def test_comparison_keeps_json_and_xml_valid_and_equal() -> None:
    for name in ("bf-bof-steel-works", "aluminium-extrusion"):
        document = _compared(name=name)
        assert schema_problems(document) == []
        assert json.loads(to_json(document)) == document
        assert from_xml(to_xml(document)) == document
    etree = pytest.importorskip("lxml.etree", reason="lxml validates XML Schema (XSD 1.0)")
    xsd = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    for name in ("bf-bof-steel-works", "aluminium-extrusion"):
        assert xsd.validate(etree.fromstring(to_xml(_compared(name=name)))), xsd.error_log


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pdf_shows_the_comparison(lang: str) -> None:
    document = cbam_report_document(
        _compared(2026), tier="legitimate_interest", lang=check_lang(lang), created=datetime(2026, 3, 20, tzinfo=UTC)
    )
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(render_report(document))).pages)
    assert "2025/2621" in text
    assert "1,014,300" in text and "1,432,300" in text
    assert ("Certificates saved" in text) == (lang == "en")
    assert ("절감 인증서" in text) == (lang == "ko")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("cn_code,country,direct\n7208,KR,2\n", "header: columns"),
        (HEADER + "7208,KR,two,,2.12,2.33,2.54,2.75,C\n", "line 2, direct: 'two' is not a number"),
        (HEADER + "7208,KR,2.12,,2.12,2.54,2.33,2.75,C\n", "line 2, value_2026: 2.54 is not total 2.12 with the 10 %"),
        (HEADER + "7208,Korea,2.12,,2.12,2.33,2.54,2.75,C\n", "line 2, country: 'Korea'"),
        (HEADER + "720,KR,2.12,,2.12,2.33,2.54,2.75,C\n", "line 2, cn_code: '720'"),
        (HEADER + "7208,KR,2.12,,2.12,2.33,2.54,2.75,C\n7208,KR,2.12,,2.12,2.33,2.54,2.75,C\n", "line 3: CN 7208"),
        (HEADER + "7208,KR,2.12,,2.12,2.33,2.54,,C\n", "line 2, value_2028: a number is needed"),
        (HEADER, "the file has no data lines"),
    ],
)
def test_bad_table_names_line_column_and_rule(body: str, message: str) -> None:
    with pytest.raises(DefaultTableError) as caught:
        parse_table(body)
    assert any(problem.startswith(message) for problem in caught.value.problems), caught.value.problems


@pytest.mark.django_db
def test_load_command_stores_checked_tables_once_and_reports_use_the_newest(tmp_path: Path, capsys: Any) -> None:
    assert current_default_table().sha256 == shipped_table().sha256  # nothing loaded: the shipped rows
    call_command("load_cbam_default_values")
    call_command("load_cbam_default_values", str(SHIPPED_TABLE))  # the same file again: stored once
    assert CbamDefaultValueTable.objects.count() == 1
    assert "already current" in capsys.readouterr().out
    full = tmp_path / "defaults.csv"
    full.write_text(FULL, encoding="utf-8")
    call_command("load_cbam_default_values", str(full), "--source", "Annex I as published, 2026-02-04")
    assert CbamDefaultValueTable.objects.count() == 2
    current = current_default_table()
    assert current.source == "Annex I as published, 2026-02-04"
    assert current.lookup("72083800", "VN").country == "OTHER"  # type: ignore[union-attr]
    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + "7208,KR,2.12,,2.12,2.33,2.54,2.75,C\n7208,XX1,1,,1,1.1,1.2,1.3,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 3, country"):
        call_command("load_cbam_default_values", str(broken))
    assert CbamDefaultValueTable.objects.count() == 2  # nothing stored from a bad file
    with pytest.raises(CommandError, match="not a file"):
        call_command("load_cbam_default_values", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_report_api_compares_with_the_loaded_table_and_checks_the_year(tenant: Any, login_api: Any) -> None:
    product = ProductFactory(organization=tenant.org, category="cbam-installation")
    data = example_data("cbam-installation", which=1)  # the bf-bof steel works
    passport = make_passport(tenant.org, category="cbam-installation", data=data, product=product)
    passport_publish(passport=passport)
    call_command("load_cbam_default_values")
    client = login_api(tenant.owner)
    document = client.get(f"/api/v1/cbam/{passport.pk}/report.json?import_year=2028").json()
    assert document["default_values"]["table_sha256"] == CbamDefaultValueTable.objects.get().sha256
    assert document["goods"][0]["default_value_comparison"]["certificates_saved_per_unit"] == 0.6615
    refused = client.get(f"/api/v1/cbam/{passport.pk}/report.json?import_year=2025")
    assert refused.status_code == 400
    assert "import_year" in refused.content.decode()
    summary = client.post(
        f"/api/v1/cbam/{passport.pk}/importer-summary",
        {"quantities": [{"cn_code": "72083800", "quantity": 1000}], "import_year": 2026},
        format="json",
    )
    assert summary.status_code == 200, summary.content
    assert summary.json()["default_values"]["certificates_saved_by_actual_data"] == 241.5  # (2.33 - 2.0885) x 1,000
    pdf = client.get(f"/api/v1/cbam/{passport.pk}/report.pdf?lang=en&import_year=2027")
    assert pdf.status_code == 200
    assert "Mark-up of 2027" in " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)


def test_load_command_help_explains_the_file(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        call_command("load_cbam_default_values", "--help")
    text = capsys.readouterr().out
    assert "2025/2621" in text
    assert "cn_code,country,direct,indirect,total,value_2026,value_2027,value_2028,route" in text
    assert "OTHER" in text and "# partial" in text and "--source" in text

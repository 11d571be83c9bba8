"""Tests for exporters/reports/{cbam,cbam_formats,cbam_pdf}.py: the CBAM communication and importer summary.

The demo installation (Hando Steel Gwangyang works, the bf-bof example) is recomputed by hand in the
comments, from its own figures, with the formula of Regulation (EU) 2023/956 Annex IV:
SEE_direct = (AttrEm + sum(M x SEE_direct,precursor)) / AL; SEE_indirect = (E_el x EF + sum(...)) / AL.
"""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from exporters.reports.cbam import SummaryError, calculated_see, communication, importer_summary
from exporters.reports.cbam_formats import (
    XSD_PATH,
    CommunicationInvalidError,
    from_xml,
    schema_problems,
    to_json,
    to_xml,
)
from exporters.reports.cbam_pdf import cbam_report_document
from exporters.reports.pdf import read_embedded_hash, render_report
from passports.tiers import render_for_tier

SCHEMAS = Path(__file__).resolve().parents[2] / "passports" / "schemas"
SOURCE = {"passport_identifier": "http://127.0.0.1:8000/01/08801234567891", "version": 2, "content_hash": "c" * 64,
          "status": "published", "published_at": "2026-03-20T08:00:00+00:00"}  # fmt: skip


def _example(name: str = "bf-bof-steel-works") -> dict[str, Any]:
    return json.loads((SCHEMAS / "examples" / f"cbam-installation-1.0-{name}.json").read_text(encoding="utf-8"))


def _document(tier: str = "legitimate_interest", name: str = "bf-bof-steel-works") -> dict[str, Any]:
    schema = json.loads((SCHEMAS / "cbam-installation-1.0.json").read_text(encoding="utf-8"))
    return communication(render_for_tier(schema, _example(name), tier), source=SOURCE)


def test_demo_installation_embedded_emissions_by_hand() -> None:
    goods = _document()["goods"]
    coil, slab = goods
    # Hot-rolled coil, AL = 4,200,000 t, attributed direct 336,000 t CO2e, precursor crude steel 4,326,000 t at
    # 1.95 / 0.07 t CO2e/t, electricity 546,000 MWh x 0.4781 t CO2e/MWh:
    #   direct   = (336,000 + 4,326,000 x 1.95) / 4,200,000 = (336,000 + 8,435,700) / 4,200,000 = 2.0885
    #   indirect = (546,000 x 0.4781 + 4,326,000 x 0.07) / 4,200,000 = (261,042.6 + 302,820) / 4,200,000
    #            = 563,862.6 / 4,200,000 = 0.13425300 (reported, rounded: 0.1343)
    assert coil["cn_code"] == "72083800"
    assert coil["calculated_specific_embedded_emissions"] == {"direct": 2.0885, "indirect": 0.134253, "total": 2.222753}
    # Embedded emissions of the period = reported SEE x AL: 2.0885 x 4.2e6 = 8,771,700; 0.1343 x 4.2e6 = 564,060;
    # total 2.2228 x 4.2e6 = 9,335,760 t CO2e.
    assert coil["embedded_emissions_of_period"] == {"direct": 8771700, "indirect": 564060, "total": 9335760}
    # Slabs (CN "7207 12 10", written with spaces), AL = 1,100,000 t, no precursors:
    #   direct = 2,145,000 / 1,100,000 = 1.95; indirect = 161,054 x 0.4781 / 1,100,000 = 76,999.9174 / 1,100,000
    #   = 0.06999992 -> 0.070000 at six places, as reported.
    assert slab["cn_code"] == "72071210"
    assert slab["calculated_specific_embedded_emissions"] == {"direct": 1.95, "indirect": 0.07, "total": 2.02}
    assert slab["embedded_emissions_of_period"] == {"direct": 2145000, "indirect": 77000, "total": 2222000}


def test_importer_summary_by_hand() -> None:
    summary = importer_summary(
        _document(), [{"cn_code": "7208 38 00", "quantity": 1000}, {"cn_code": "72071210", "quantity": 250}]
    )
    coil, slab = summary["lines"]
    # 1,000 t coil: 1,000 x 2.0885 = 2,088.5 direct, 1,000 x 0.1343 = 134.3 indirect, 2,222.8 total.
    assert coil["embedded_emissions"] == {"direct": 2088.5, "indirect": 134.3, "total": 2222.8, "unit": "t CO2e"}
    # 250 t slabs: 250 x 1.95 = 487.5, 250 x 0.07 = 17.5, 250 x 2.02 = 505.
    assert slab["embedded_emissions"] == {"direct": 487.5, "indirect": 17.5, "total": 505, "unit": "t CO2e"}
    # Totals: 2,088.5 + 487.5 = 2,576; 134.3 + 17.5 = 151.8; 2,222.8 + 505 = 2,727.8. Iron and steel count
    # direct emissions only for certificates (Regulation (EU) 2023/956 Annex II): 2,576.
    assert summary["totals"] == {
        "direct": 2576, "indirect": 151.8, "total": 2727.8, "counted_for_certificates": 2576, "unit": "t CO2e"
    }  # fmt: skip
    # K-ETS price due 555.75 KRW per tonne of coil x 1,000 t = 555,750 KRW.
    assert coil["carbon_price_due"][0]["amount"] == 555750
    assert coil["carbon_price_due"][0]["currency"] == "KRW"
    assert summary["source"] == SOURCE


def test_importer_summary_names_every_bad_line() -> None:
    with pytest.raises(SummaryError) as caught:
        importer_summary(_document(), [{"cn_code": "72083800", "quantity": 0}, {"cn_code": "2716", "quantity": 5}])
    pointers = [pointer for pointer, _ in caught.value.problems]
    assert pointers == ["/quantities/0/quantity", "/quantities/1/cn_code"]
    with pytest.raises(SummaryError):
        importer_summary(_document(), [])


def test_calculation_needs_the_installation_figures() -> None:
    good = copy.deepcopy(_example()["goods"][0])
    del good["attributed_direct_emissions"]
    assert calculated_see(good) is None


def test_json_matches_our_schema_and_xml_reads_back_the_same() -> None:
    for tier, name in (("authority", "bf-bof-steel-works"), ("legitimate_interest", "aluminium-extrusion")):
        document = _document(tier, name)
        assert schema_problems(document) == []
        assert json.loads(to_json(document)) == document
        xml = to_xml(document)
        assert from_xml(xml) == document
        assert ("<verification>" in xml.decode()) == (tier == "authority")


def test_xml_is_valid_against_our_xsd() -> None:
    etree = pytest.importorskip("lxml.etree", reason="lxml validates XML Schema (XSD 1.0)")
    schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    for name in ("bf-bof-steel-works", "aluminium-extrusion"):
        root = etree.fromstring(to_xml(_document("authority", name)))
        assert schema.validate(root), schema.error_log
    broken = to_xml(_document()).replace(b"<cn_code>72083800</cn_code>", b"<cn_code>steel</cn_code>")
    assert not schema.validate(etree.fromstring(broken))


def test_invalid_communication_is_refused_before_it_leaves() -> None:
    document = _document()
    document["goods"][0]["specific_embedded_emissions"]["unit"] = "kg CO2e/t"
    with pytest.raises(CommunicationInvalidError) as caught:
        to_json(document)
    assert any(problem.startswith("/goods/0/specific_embedded_emissions/unit") for problem in caught.value.problems)
    with pytest.raises(CommunicationInvalidError):
        to_xml(document)


def test_public_tier_cannot_make_a_communication() -> None:
    with pytest.raises(ValueError, match="legitimate-interest"):
        _document("public")


def test_cbam_pdf_shows_the_goods_and_the_calculation() -> None:
    document = _document("authority")
    pdf = render_report(
        cbam_report_document(document, tier="authority", lang="en", created=datetime(2026, 3, 20, tzinfo=UTC))
    )
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "CBAM emissions communication" in text
    assert "Hando Steel Gwangyang works" in text
    assert "72083800" in text
    assert "2.0885" in text
    assert "0.134253" in text  # recomputed indirect SEE beside the reported 0.1343
    assert "9,335,760" in text  # embedded emissions of the period
    assert "Korea Emissions Trading Scheme (K-ETS)" in text
    assert "Korea Standards Verification Co." in text  # verification: authority tier
    assert read_embedded_hash(pdf) == "c" * 64
    korean = render_report(
        cbam_report_document(document, tier="authority", lang="ko", created=datetime(2026, 3, 20, tzinfo=UTC))
    )
    assert "CBAM 내재 배출량 정보 전달서" in (PdfReader(io.BytesIO(korean)).pages[0].extract_text() or "")

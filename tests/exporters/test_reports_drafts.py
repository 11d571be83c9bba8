"""Reports tell the truth about drafts: a draft or invalid passport's report says on every page that it is not
a compliance document, and a passport never published gets no QR code to a page that does not exist."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from exporters.reports.content import build_report
from exporters.reports.pdf import render_report
from tests.exporters.test_reports_content import _facts, cover_qr_texts

QR_PNG = b"\x89PNG stored at publication"


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_draft_report_is_marked_on_every_page(lang: str) -> None:
    pdf = render_report(build_report(_facts(status="draft", published_at=None), tier="public", lang=lang))
    pages = _pages(pdf)
    assert len(pages) > 1
    mark = "DRAFT — not a compliance document" if lang == "en" else "초안 — 규정 준수 문서가 아님"
    assert all(mark.replace(" ", "") in page.replace(" ", "") for page in pages), pages[0][:200]


def test_an_invalid_passport_report_is_marked_and_a_clean_published_one_is_not() -> None:
    data = _facts().data
    broken = {**data, "general_product_information": {**data["general_product_information"]}}
    broken["general_product_information"].pop("manufacturing_date")
    invalid = _pages(render_report(build_report(_invalid(broken), tier="public", lang="en")))
    assert all("INVALID DATA" in page for page in invalid)
    clean = _pages(render_report(build_report(_facts(), tier="public", lang="en")))
    assert not any("compliance document" in page for page in clean)


def _invalid(data: dict[str, Any]) -> Any:
    facts = _facts(data=data)  # _facts validates the data it is given
    assert facts.issues
    return facts


def test_a_never_published_passport_has_no_qr_code_and_says_why(tmp_path: Path) -> None:
    pdf = render_report(build_report(_facts(status="draft", published_at=None), tier="public", lang="en"))
    assert cover_qr_texts(pdf, tmp_path) == []
    assert "No QR code: this passport is not published yet" in _pages(pdf)[0]


def test_a_draft_of_a_published_passport_keeps_the_code_to_the_published_page(tmp_path: Path) -> None:
    facts = _facts(status="draft", published_at=None, qr_png=None)
    document = build_report(facts, tier="public", lang="en")
    assert document.cover.no_qr_reason is not None  # never published: no stored symbol
    with_symbol = build_report(_facts(status="draft", published_at=None, qr_png=QR_PNG), tier="public", lang="en")
    assert with_symbol.cover.no_qr_reason is None
    assert with_symbol.watermark is not None  # still not a compliance document


# --------------------------------------------------------------------------------------------------
# Packs: drafts in or out, by the user's explicit choice


@pytest.mark.django_db
def test_a_pack_of_published_versions_only_leaves_drafts_out(tenant: Any, login_api: Any) -> None:
    from exporters.models import ReportPack
    from tests.factories import make_passport, make_published_passport

    draft = make_passport(tenant.org)
    published = make_published_passport(tenant.org)
    client = login_api(tenant.owner)
    chosen = [draft.pk, published.pk]
    response = client.post("/api/v1/reports/packs", {"passports": chosen, "include_drafts": False}, format="json")
    assert response.status_code == 202, response.content
    pack = ReportPack.objects.get(pk=response.json()["id"])
    assert [item["passport"] for item in pack.items] == [published.pk]
    # Included by default, each then watermarked.
    response = client.post("/api/v1/reports/packs", {"passports": chosen}, format="json")
    assert sorted(item["passport"] for item in ReportPack.objects.get(pk=response.json()["id"]).items) == sorted(chosen)


@pytest.mark.django_db
def test_a_pack_of_drafts_only_without_drafts_is_refused_naming_the_choice(tenant: Any, login_api: Any) -> None:
    from django.test import Client

    from exporters.models import ReportPack
    from tests.factories import make_passport

    draft = make_passport(tenant.org)
    api = login_api(tenant.owner).post(
        "/api/v1/reports/packs", {"passports": [draft.pk], "include_drafts": False}, format="json"
    )
    assert api.status_code == 400
    assert "include_drafts" in api.content.decode()
    web = Client()
    web.force_login(tenant.owner)
    page = web.post(
        "/reports/packs/new/", {"passports": [draft.pk], "lang": "en", "tier": "public", "drafts": "exclude"}
    )
    assert page.status_code == 400
    assert "Every chosen passport is a draft" in page.content.decode()
    assert not ReportPack.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["format=", "tier=", "format=&tier="])
def test_an_export_with_an_empty_format_or_tier_is_refused_naming_it(tenant: Any, login_api: Any, query: str) -> None:
    """The stateful fuzzer's case: an empty value is not the default, it is a value the schema's enum refuses."""
    from tests.factories import make_published_passport

    passport = make_published_passport(tenant.org)
    response = login_api(tenant.owner).get(f"/api/v1/passports/{passport.pk}/export?{query}")
    assert response.status_code == 400
    named = query.split("=", maxsplit=1)[0]
    assert named in response.content.decode()

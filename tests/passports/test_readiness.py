"""Readiness: the field-by-field assessment, the figures each write keeps, the cockpit and the conformance matrix."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from passports import readiness
from passports.models import PassportVersion
from passports.schema_files import example_files, load_schema
from passports.services.passports import passport_draft_update, passport_publish
from passports.validation import validate
from tests.factories import FacilityFactory, ProductFactory, example_data, make_passport, shipped_example

SCHEMAS = ("battery", "cbam-installation", "espr-core", "steel", "textile")
MANUFACTURING_DATE = "/general_product_information/manufacturing_date"
MANUFACTURING_CLAUSE = "Regulation (EU) 2023/1542, Annex VI Part A(4)"


def _document(category: str) -> dict[str, Any]:
    return load_schema(category, "1.0")


def _field(assessment: readiness.Assessment, pointer: str) -> readiness.FieldResult:
    return next(result for result in assessment.fields if result.pointer_pattern == pointer)


@pytest.mark.parametrize("category", SCHEMAS)
def test_every_shipped_example_is_complete(category: str) -> None:
    document = _document(category)
    for which in range(len(list(example_files(category, "1.0")))):
        data = shipped_example(category, which=which)
        assessment = readiness.assess(document, data, validate(document, data))
        assert assessment.error_count == 0
        assert assessment.completeness == 100, [r.pointer_pattern for r in assessment.fields if r.status == "missing"]
        assert assessment.gaps() == {}
        assert {r.status for r in assessment.fields} <= {"present", "not_applicable"}


@pytest.mark.parametrize("category", SCHEMAS)
def test_empty_data_has_every_mandatory_field_missing(category: str) -> None:
    document = _document(category)
    assessment = readiness.assess(document, {}, validate(document, {}))
    assert assessment.completeness == 0
    assert assessment.mandatory > 0
    missing = sum(1 for r in assessment.fields if r.status == "missing")
    assert missing == assessment.mandatory
    assert sum(missing for missing, _invalid in assessment.gaps().values()) == assessment.mandatory


def test_each_field_is_judged_once() -> None:
    document = _document("battery")
    data = shipped_example("battery")
    assessment = readiness.assess(document, data, validate(document, data))
    pointers = [r.pointer_pattern for r in assessment.fields]
    assert len(pointers) == len(set(pointers))
    # Arrays of objects are judged by their members; arrays of scalars as one field.
    assert "/material_composition/hazardous_substances" not in pointers
    assert any(p.startswith("/material_composition/hazardous_substances/*/") for p in pointers)


def test_a_missing_mandatory_field_lowers_completeness_and_names_its_clause() -> None:
    document = _document("battery")
    data = shipped_example("battery")
    del data["general_product_information"]["manufacturing_date"]
    assessment = readiness.assess(document, data, validate(document, data))
    result = _field(assessment, MANUFACTURING_DATE)
    assert result.status == "missing"
    assert result.issues and result.issues[0].rule == "required"
    assert assessment.completeness == (assessment.mandatory - 1) * 100 // assessment.mandatory
    assert assessment.gaps() == {MANUFACTURING_CLAUSE: [1, 0]}


def test_an_invalid_value_is_invalid_not_present() -> None:
    document = _document("battery")
    data = shipped_example("battery")
    data["general_product_information"]["manufacturing_date"] = "03.11.2026"
    assessment = readiness.assess(document, data, validate(document, data))
    result = _field(assessment, MANUFACTURING_DATE)
    assert result.status == "invalid"
    assert assessment.gaps()[MANUFACTURING_CLAUSE] == [0, 1]
    assert assessment.completeness < 100


def test_a_missing_required_section_makes_its_required_fields_missing() -> None:
    document = _document("battery")
    data = shipped_example("battery")
    data.pop("general_product_information")
    assessment = readiness.assess(document, data, validate(document, data))
    section = [r for r in assessment.fields if r.pointer_pattern.startswith("/general_product_information/")]
    required = [r for r in section if r.spec.pattern in readiness._plan(document).mandatory]
    assert required and all(r.status == "missing" for r in required)
    # Optional members of the absent section are not counted as gaps.
    optional = [r for r in section if r.spec.pattern not in readiness._plan(document).mandatory]
    assert optional and all(r.status != "missing" for r in optional)


def test_fields_of_an_absent_optional_part_do_not_apply_and_say_why() -> None:
    document = _document("battery")
    data = shipped_example("battery")
    plan = readiness._plan(document)
    optional_parts = [
        spec
        for spec in plan.index.values()
        if spec.kind == "object" and spec.pattern and not spec.required and "*" not in spec.pattern
    ]
    part = next(p for p in optional_parts if any(leaf.pattern[: len(p.pattern)] == p.pattern for leaf in plan.leaves))
    holder: Any = data
    for name in part.pattern[:-1]:
        holder = holder.setdefault(name, {})
    holder.pop(part.pattern[-1], None)
    assessment = readiness.assess(document, data, validate(document, data))
    inside = [r for r in assessment.fields if r.spec.pattern[: len(part.pattern)] == part.pattern]
    assert inside
    assert all(r.status == "not_applicable" and r.reason == "part_absent" for r in inside)
    assert all(r.absent_part is not None and r.absent_part.pattern == part.pattern for r in inside)


# --------------------------------------------------------------------------------------------------
# The figures each write keeps


def test_saving_a_draft_keeps_its_completeness_and_gaps(tenant: Any) -> None:
    data = example_data("battery")
    del data["general_product_information"]["manufacturing_date"]
    passport = make_passport(tenant.org, data=data)
    version = passport.versions.get()
    assert version.error_count == 1
    assert 0 < version.completeness < 100
    assert version.clause_gaps == {MANUFACTURING_CLAUSE: [1, 0]}
    fixed = passport_draft_update(version=version, data=example_data("battery"), if_match=version.etag)
    fixed.refresh_from_db()
    assert (fixed.completeness, fixed.clause_gaps, fixed.error_count) == (100, {}, 0)


def test_publishing_keeps_full_completeness(tenant: Any) -> None:
    passport = make_passport(tenant.org)
    published = passport_publish(passport=passport)
    published.refresh_from_db()
    assert (published.completeness, published.clause_gaps) == (100, {})


# --------------------------------------------------------------------------------------------------
# The cockpit


@pytest.fixture
def catalogue(tenant: Any) -> dict[str, Any]:
    """Four products: no passport, a draft with an error, a valid draft, a published passport."""
    plant = FacilityFactory(organization=tenant.org, name="Ochang plant")
    bare = ProductFactory(organization=tenant.org, name="A bare product", facility=plant)
    broken_data = example_data("battery")
    del broken_data["general_product_information"]["manufacturing_date"]
    broken = make_passport(tenant.org, data=broken_data, name="B broken draft")
    valid = make_passport(tenant.org, name="C valid draft")
    published = make_passport(tenant.org, name="D published")
    passport_publish(passport=published)
    textile = make_passport(tenant.org, category="textile", name="E textile draft")
    return {"plant": plant, "bare": bare, "broken": broken, "valid": valid, "published": published, "textile": textile}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(client: Client, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/readiness/{query}")
    assert response.status_code == 200, response.content
    return {row["product"]["name"]: row for row in response.json()["results"]}


def test_the_api_gives_each_product_its_state_and_next_step(tenant: Any, catalogue: dict[str, Any]) -> None:
    rows = _rows(_client(tenant.owner))
    assert rows["A bare product"]["next_action"] == "create"
    assert rows["A bare product"]["passport"] is None
    broken = rows["B broken draft"]
    assert (broken["next_action"], broken["error_count"], broken["version_status"]) == ("fix", 1, "draft")
    assert broken["gaps"] == [{"clause": MANUFACTURING_CLAUSE, "missing": 1, "invalid": 0}]
    assert rows["C valid draft"]["next_action"] == "publish"
    assert rows["C valid draft"]["completeness"] == 100
    assert rows["D published"]["next_action"] == "new_version"
    assert rows["D published"]["regulation"] == "batteries"
    assert rows["D published"]["deadline"] == "2027-02-18"
    assert rows["E textile draft"]["regulation"] == "espr"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=none", {"A bare product"}),
        ("?status=invalid", {"B broken draft"}),
        ("?status=valid", {"C valid draft", "E textile draft"}),
        ("?status=published", {"D published"}),
        ("?regulation=espr", {"E textile draft"}),
        ("?deadline=2027-02-18", {"A bare product", "B broken draft", "C valid draft"}),
    ],
)
def test_filters(tenant: Any, catalogue: dict[str, Any], query: str, expected: set[str]) -> None:
    assert set(_rows(_client(tenant.owner), query)) == expected


def test_facility_filter_and_totals(tenant: Any, catalogue: dict[str, Any]) -> None:
    response = _client(tenant.owner).get(f"/api/v1/readiness/?facility={catalogue['plant'].pk}")
    body = response.json()
    assert [row["product"]["name"] for row in body["results"]] == ["A bare product"]
    totals = _client(tenant.owner).get("/api/v1/readiness/").json()["totals"]
    assert totals == {"products": 5, "without_passport": 1, "published": 1, "with_errors": 1}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=nope", "status"),
        ("?deadline=2027-02-19", "deadline"),
        ("?facility=x1", "facility"),
        ("?regulation=x", "regulation"),
    ],
)
def test_a_bad_filter_names_the_parameter(tenant: Any, catalogue: dict[str, Any], query: str, field: str) -> None:
    api = _client(tenant.owner).get(f"/api/v1/readiness/{query}")
    assert api.status_code == 400
    assert field in api.content.decode()
    page = _client(tenant.owner).get(f"/readiness/{query}")
    assert page.status_code == 400
    assert f'data-field="{field}"' in page.content.decode()


def test_the_cockpit_page_shows_each_row_with_its_action(tenant: Any, catalogue: dict[str, Any]) -> None:
    html = _client(tenant.owner).get("/readiness/").content.decode()
    assert "A bare product" in html and "Create passport" in html
    assert "Fix 1 error" in html
    assert MANUFACTURING_CLAUSE in html
    assert f"/passports/{catalogue['published'].pk}/new-version/" in html
    viewer_html = _client(tenant.viewer).get("/readiness/").content.decode()
    assert "Create passport" not in viewer_html


def test_the_cockpit_in_korean(tenant: Any, catalogue: dict[str, Any]) -> None:
    client = _client(tenant.owner)
    client.cookies["django_language"] = "ko"
    html = client.get("/readiness/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "준비 현황" in html
    assert "여권 만들기" in html


def test_the_cockpit_costs_the_same_queries_for_more_products(
    tenant: Any, catalogue: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = _client(tenant.owner)
    client.get("/readiness/")  # warm the session and the schema cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/readiness/")
    for n in range(12):
        make_passport(tenant.org, name=f"F more {n:02d}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/readiness/")


# --------------------------------------------------------------------------------------------------
# The conformance matrix


def test_conformance_api_lists_fields_by_clause(tenant: Any, catalogue: dict[str, Any]) -> None:
    body = _client(tenant.owner).get(f"/api/v1/passports/{catalogue['broken'].pk}/conformance").json()
    assert body["error_count"] == 1
    clause = next(c for c in body["clauses"] if c["legal"] == MANUFACTURING_CLAUSE)
    field = next(f for f in clause["fields"] if f["pointer"] == MANUFACTURING_DATE)
    assert field["status"] == "missing"
    assert field["issues"][0]["rule"] == "required"
    statuses = {f["status"] for c in body["clauses"] for f in c["fields"]}
    assert {"present", "missing", "not_applicable"} <= statuses


def test_conformance_csv_is_safe_and_complete(tenant: Any, catalogue: dict[str, Any]) -> None:
    response = _client(tenant.owner).get(f"/passports/{catalogue['broken'].pk}/conformance.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["clause", "field", "pointer", "status", "reason", "message"]
    missing = [row for row in rows[1:] if row[2] == MANUFACTURING_DATE]
    assert missing and missing[0][3] == "missing"
    version = catalogue["broken"].versions.get()
    document = version.schema.document
    assert len(rows) - 1 == len(readiness.assess(document, version.data, validate(document, version.data)).fields)


def test_conformance_page_shows_completeness_and_reasons(tenant: Any, catalogue: dict[str, Any]) -> None:
    html = _client(tenant.owner).get(f"/passports/{catalogue['broken'].pk}/conformance/").content.decode()
    version = PassportVersion.objects.get(passport=catalogue["broken"])
    assert f'<strong id="completeness">{version.completeness}%</strong>' in html
    assert "Optional: the regulation asks for it only where it applies." in html
    assert MANUFACTURING_DATE in html

"""The audit trail over the API (passports/api/audit_views.py): owners only, filters, pages, exports that verify."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from rest_framework.test import APIClient

from passports import audit
from passports.models import AuditEvent
from passports.services.passports import passport_publish
from tests.factories import FacilityFactory, make_passport

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(tenant: Any, other_tenant: Any) -> None:
    FacilityFactory(organization=tenant.org, name="Ochang plant")
    passport_publish(passport=make_passport(tenant.org), by=tenant.owner)
    FacilityFactory(organization=other_tenant.org, name="OTHER-TENANT-PLANT")


def test_owners_read_their_trail_newest_first_and_nobody_else_does(
    tenant: Any, other_tenant: Any, trail: None, login_api: Any, bearer_api: Any
) -> None:
    response = login_api(tenant.owner).get("/api/v1/audit/")
    assert response.status_code == 200
    body = response.json()
    seqs = [item["seq"] for item in body["results"]]
    assert seqs == sorted(seqs, reverse=True)
    assert body["count"] == AuditEvent.objects.filter(organization=tenant.org).count()
    assert "OTHER-TENANT-PLANT" not in response.content.decode()
    assert {"hash", "prev_hash", "before_hash", "after_hash", "ip", "request_id", "actor_label"} <= set(
        body["results"][0]
    )
    for person in (tenant.editor, tenant.viewer):
        assert login_api(person).get("/api/v1/audit/").status_code == 403
    assert bearer_api(tenant.org, ("read", "write")).get("/api/v1/audit/").status_code == 403
    assert APIClient().get("/api/v1/audit/").status_code in {401, 403}
    theirs = login_api(other_tenant.owner).get("/api/v1/audit/").json()
    assert "Ochang plant" not in str(theirs)
    assert {item["object_repr"] for item in theirs["results"]} >= {"OTHER-TENANT-PLANT"}


def test_filters_narrow_the_list_and_bad_ones_are_refused(tenant: Any, trail: None, login_api: Any) -> None:
    client = login_api(tenant.owner)
    published = client.get("/api/v1/audit/", {"action": "passport.published"}).json()
    assert [item["action"] for item in published["results"]] == ["passport.published"]
    assert published["results"][0]["actor_label"] == tenant.owner.username
    facilities = client.get("/api/v1/audit/", {"object_type": "facility"}).json()
    assert [item["object_repr"] for item in facilities["results"]] == ["Ochang plant"]
    first = AuditEvent.objects.filter(organization=tenant.org).order_by("seq").first()
    assert first is not None
    later = client.get("/api/v1/audit/", {"since": "2100-01-01T00:00:00Z"}).json()
    assert later["count"] == 0
    assert client.get("/api/v1/audit/", {"until": "2000-01-01T00:00:00Z"}).json()["count"] == 0
    assert client.get("/api/v1/audit/", {"since": "yesterday"}).status_code == 400
    assert client.get("/api/v1/audit/", {"actor_type": "robot"}).status_code == 400


def test_the_list_pages_with_a_bounded_number_of_queries(
    tenant: Any, trail: None, login_api: Any, django_assert_max_num_queries: Any
) -> None:
    client = login_api(tenant.owner)
    total = AuditEvent.objects.filter(organization=tenant.org).count()
    assert total > 3
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/audit/", {"page_size": 2}).json()
    assert (len(page["results"]), page["count"]) == (2, total)
    assert page["next"] is not None


def test_the_jsonl_export_is_the_whole_chain_and_verifies_offline(tenant: Any, trail: None, login_api: Any) -> None:
    response = login_api(tenant.owner).get("/api/v1/audit/export.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = response.content.decode().splitlines()
    # The export itself is recorded first, so the file ends with it.
    assert '"audit.exported"' in lines[-1]
    assert len(lines) == AuditEvent.objects.filter(organization=tenant.org).count()
    report = audit.verify_chain(audit.exported_rows(lines))
    assert report.ok, report.problem
    lines[0] = lines[0].replace('"system"', '"someone"', 1)
    assert not audit.verify_chain(audit.exported_rows(lines)).ok


def test_the_csv_export_has_every_column_and_neutralises_formulas(tenant: Any, login_api: Any) -> None:
    FacilityFactory(organization=tenant.org, name="=HYPERLINK(evil)")
    response = login_api(tenant.owner).get("/api/v1/audit/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["organization" if column == "organization_id" else column for column in audit.COLUMNS]
    reprs = [row[rows[0].index("object_repr")] for row in rows[1:]]
    assert "'=HYPERLINK(evil)" in reprs
    assert "=HYPERLINK(evil)" not in reprs


def test_exports_are_for_owners_only(tenant: Any, login_api: Any, bearer_api: Any) -> None:
    for path in ("/api/v1/audit/export.csv", "/api/v1/audit/export.jsonl"):
        assert login_api(tenant.editor).get(path).status_code == 403
        assert bearer_api(tenant.org).get(path).status_code == 403
        assert APIClient().get(path).status_code in {401, 403}

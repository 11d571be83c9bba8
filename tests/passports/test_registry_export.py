"""EU registry records (passports/registry_export.py, passports/api/registry_views.py), ESPR Art. 13."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from exporters.models import BackupRecord
from passports.models import AuditEvent, Organization, Passport
from passports.registry_export import COLUMNS, csv_row, operator_identifier, records_csv
from passports.services.passports import passport_publish
from tests.factories import FacilityFactory, ProductFactory, make_passport

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tenant: Any) -> Passport:
    Organization.objects.filter(pk=tenant.org.pk).update(eori="KR123456789012345", gln="8800000000015")
    tenant.org.refresh_from_db()
    facility = FacilityFactory(organization=tenant.org, gln="8801234567893", country="KR")
    product: Any = ProductFactory(organization=tenant.org, facility=facility, cn_code="85076000", gtin="08801234567893")
    passport = make_passport(tenant.org, product=product)
    version = passport_publish(passport=passport)
    BackupRecord.objects.update_or_create(
        version=version,
        defaults={
            "organization": tenant.org,
            "location": "file:///srv/backup/acme/v1",
            "confirmed_at": version.published_at,
        },
    )
    passport.refresh_from_db()
    return passport


def test_the_record_names_product_operator_facility_commodity_and_backup(
    tenant: Any, published: Passport, login_api: Any
) -> None:
    response = login_api(tenant.viewer).get(f"/api/v1/passports/{published.pk}/registry-record")
    assert response.status_code == 200
    record = response.json()
    assert record["unique_product_identifier"] == published.identifier
    assert record["gtin"] == "08801234567893"
    assert (record["operator_identifier"], record["operator_identifier_scheme"]) == ("KR123456789012345", "eori")
    assert record["operator_identifiers"] == {"eori": "KR123456789012345", "gln": "8800000000015"}
    assert (record["facility_identifier"], record["facility_identifier_scheme"]) == ("8801234567893", "gln")
    assert record["commodity_code"] == "85076000"
    assert record["backup_location"] == "file:///srv/backup/acme/v1"
    assert record["passport_version"] == 1
    assert record["retain_until"] == published.retain_until.isoformat()  # type: ignore[union-attr]
    assert (record["registration_id"], record["registered_at"]) == ("", None)


def test_operator_identifier_preference_is_eori_lei_vat_gln() -> None:
    assert operator_identifier(Organization(lei="5299000J2N45DDNE4Y28", vat="DE123456789")) == (
        "5299000J2N45DDNE4Y28",
        "lei",
    )
    assert operator_identifier(Organization(vat="DE123456789", gln="8800000000015")) == ("DE123456789", "vat")
    assert operator_identifier(Organization()) == ("", "")


def test_an_unconfirmed_backup_is_not_given_as_a_location(published: Passport, tenant: Any, login_api: Any) -> None:
    BackupRecord.objects.filter(version__passport=published).update(confirmed_at=None)
    record = login_api(tenant.owner).get(f"/api/v1/passports/{published.pk}/registry-record").json()
    assert record["backup_location"] == ""


def test_a_draft_has_no_record(tenant: Any, login_api: Any) -> None:
    draft = make_passport(tenant.org)
    client = login_api(tenant.owner)
    assert client.get(f"/api/v1/passports/{draft.pk}/registry-record").status_code == 404
    response = client.patch(f"/api/v1/passports/{draft.pk}/registry-record", {"registration_id": "X"})
    assert response.status_code == 409


def test_the_registration_id_is_stored_audited_and_needs_write_rights(
    tenant: Any, published: Passport, login_api: Any
) -> None:
    url = f"/api/v1/passports/{published.pk}/registry-record"
    assert login_api(tenant.viewer).patch(url, {"registration_id": "EU-DPP-1"}).status_code == 403
    response = login_api(tenant.editor).patch(url, {"registration_id": " EU-DPP-000123 "})
    assert response.status_code == 200
    assert response.json()["registration_id"] == "EU-DPP-000123"
    assert response.json()["registered_at"] is not None
    published.refresh_from_db()
    assert published.registry_id == "EU-DPP-000123"
    event = AuditEvent.objects.filter(object_type="passport", object_id=str(published.pk)).order_by("seq").last()
    assert event is not None
    assert event.details["changed"] == ["registry_id", "registry_registered_at"]
    assert event.actor_label == tenant.editor.username
    assert login_api(tenant.owner).patch(url, {}).status_code == 400


def test_other_organizations_and_anonymous_callers_get_nothing(
    published: Passport, other_tenant: Any, login_api: Any, bearer_api: Any
) -> None:
    url = f"/api/v1/passports/{published.pk}/registry-record"
    assert login_api(other_tenant.owner).get(url).status_code == 404
    assert bearer_api(other_tenant.org).patch(url, {"registration_id": "X"}).status_code == 404
    assert APIClient().get(url).status_code in {401, 403}
    assert login_api(other_tenant.owner).get("/api/v1/registry/records.json").json() == []


def test_bulk_json_and_csv_hold_every_published_passport_in_few_queries(
    tenant: Any, published: Passport, login_api: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        passport_publish(passport=make_passport(tenant.org))
    make_passport(tenant.org)  # a draft: not in the registry
    client = login_api(tenant.owner)
    with django_assert_max_num_queries(10):
        records = client.get("/api/v1/registry/records.json").json()
    assert len(records) == 4
    assert {r["unique_product_identifier"] for r in records} == set(
        Passport.objects.filter(organization=tenant.org, status="published").values_list("identifier", flat=True)
    )
    response = client.get("/api/v1/registry/records.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 5
    by_id = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]}
    assert by_id[published.identifier]["operator_identifier"] == "KR123456789012345"
    assert json.loads(json.dumps(records))  # plain JSON, nothing Python-only


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    record = dict.fromkeys(COLUMNS, "")
    record["operator_name"] = "=cmd|' /C calc'!A0"
    record["lot"] = "-5"
    record["serial"] = "\t=1+1"
    assert csv_row(record)[COLUMNS.index("lot")] == "-5"  # the row is the text; the writer neutralises
    cells = next(csv.reader(io.StringIO("".join(records_csv([record])).splitlines()[1])))
    # defusedcsv (the one writer, core.spreadsheet_csv) also escapes the pipe of a DDE payload and, unlike the
    # hand-made rule it replaced, leaves a plain negative number alone: a spreadsheet reads "-5" as a number.
    assert cells[COLUMNS.index("operator_name")] == "'=cmd\\|' /C calc'!A0"
    assert cells[COLUMNS.index("lot")] == "-5"
    assert cells[COLUMNS.index("serial")] == "'\t=1+1"
    assert "".join(records_csv([])) == ",".join(COLUMNS) + "\r\n"


def test_a_product_without_facility_or_cn_code_gives_empty_fields(tenant: Any) -> None:
    from passports.registry_export import registry_record

    product: Any = ProductFactory(organization=tenant.org, cn_code="", facility=None)
    passport = make_passport(tenant.org, product=product)
    passport_publish(passport=passport)
    record = registry_record(Passport.objects.get(pk=passport.pk))
    assert (record["facility_identifier"], record["facility_identifier_scheme"], record["commodity_code"]) == (
        "",
        "",
        "",
    )

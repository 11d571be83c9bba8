"""Facilities in the web UI (issue 17, item 3): editors add and change them where import errors send people;
viewers and other organizations cannot."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from passports.models import Facility
from tests.factories import FacilityFactory, gln_from

pytestmark = pytest.mark.django_db


def _fields(**changes: str) -> dict[str, str]:
    return {"name": "Ochang plant 2", "country": "kr", "gln": gln_from(501), "unlocode": "KR PUS", **changes}


def test_an_editor_adds_a_facility_from_the_list(client: Client, tenant: Any) -> None:
    client.force_login(tenant.editor)
    page = client.get(reverse("facility-list-page")).content.decode()
    assert reverse("facility-create-page") in page
    response = client.post(reverse("facility-create-page"), _fields())
    assert response.status_code == 302 and response["Location"] == reverse("facility-list-page")
    facility = Facility.objects.get(organization=tenant.org, gln=gln_from(501))
    assert (facility.name, facility.country, facility.unlocode) == ("Ochang plant 2", "KR", "KR PUS")
    listed = client.get(reverse("facility-list-page")).content.decode()
    assert "Ochang plant 2" in listed and reverse("facility-edit-page", args=[facility.pk]) in listed


def test_the_gln_an_import_could_not_find_is_filled_in(client: Client, tenant: Any) -> None:
    client.force_login(tenant.editor)
    page = client.get(reverse("facility-create-page"), {"gln": gln_from(502)}).content.decode()
    assert f'value="{gln_from(502)}"' in page


def test_bad_fields_are_named_and_nothing_is_stored(client: Client, tenant: Any) -> None:
    FacilityFactory(organization=tenant.org, gln=gln_from(503))
    client.force_login(tenant.editor)
    response = client.post(reverse("facility-create-page"), _fields(gln=gln_from(503), unlocode="XX", country=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Another facility of your organization has this GLN." in errors["gln"]
    assert set(errors) >= {"gln", "unlocode", "country"}
    bad_gln = client.post(reverse("facility-create-page"), _fields(gln="8801234567890"))
    assert "gln" in bad_gln.context["form"].errors  # wrong check digit
    assert Facility.objects.filter(organization=tenant.org).count() == 1


def test_the_same_gln_in_another_organization_is_theirs_to_use(client: Client, tenant: Any, other_tenant: Any) -> None:
    FacilityFactory(organization=other_tenant.org, gln=gln_from(504))
    client.force_login(tenant.editor)
    assert client.post(reverse("facility-create-page"), _fields(gln=gln_from(504))).status_code == 302


def test_an_editor_changes_a_facility_and_keeps_its_gln_unique(client: Client, tenant: Any) -> None:
    facility = FacilityFactory(organization=tenant.org, gln=gln_from(505))
    FacilityFactory(organization=tenant.org, gln=gln_from(506))
    client.force_login(tenant.editor)
    url = reverse("facility-edit-page", args=[facility.pk])
    assert f'value="{facility.name}"' in client.get(url).content.decode()
    response = client.post(url, _fields(name="Renamed", gln=gln_from(505)))
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.name == "Renamed"
    taken = client.post(url, _fields(gln=gln_from(506)))
    assert "gln" in taken.context["form"].errors


def test_viewers_and_other_organizations_cannot(client: Client, tenant: Any, other_tenant: Any) -> None:
    facility = FacilityFactory(organization=tenant.org)
    client.force_login(tenant.viewer)
    assert reverse("facility-create-page") not in client.get(reverse("facility-list-page")).content.decode()
    assert client.post(reverse("facility-create-page"), _fields()).status_code == 403
    assert client.post(reverse("facility-edit-page", args=[facility.pk]), _fields()).status_code == 403
    client.force_login(other_tenant.owner)
    assert client.get(reverse("facility-edit-page", args=[facility.pk])).status_code == 404
    assert client.post(reverse("facility-edit-page", args=[facility.pk]), _fields(name="Taken")).status_code == 404
    facility.refresh_from_db()
    assert facility.name != "Taken"


def test_korean_pages(client: Client, tenant: Any) -> None:
    client.force_login(tenant.editor)
    page = client.get(reverse("facility-create-page"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "새 사업장" in page


def test_an_import_naming_an_unknown_facility_links_to_the_form_with_its_gln(client: Client, tenant: Any) -> None:
    from django.core.files.base import ContentFile

    from passports.imports.services import import_job_create, import_job_run
    from tests.factories import gtin_from

    body = f"gtin,name,category,facility_gln\r\n{gtin_from(1)},Pack,battery,{gln_from(507)}\r\n".encode()
    job = import_job_create(
        org=tenant.org, by=tenant.owner, upload=ContentFile(body, name="packs.csv"), kind="products", enqueue=False
    )
    job = import_job_run(job_id=job.pk)
    assert job.row_errors.get().rule == "unknown_facility"
    client.force_login(tenant.editor)
    page = client.get(reverse("import-detail-page", args=[job.pk])).content.decode()
    link = f"{reverse('facility-create-page')}?gln={gln_from(507)}"
    assert link in page
    assert client.post(link, _fields(gln=gln_from(507))).status_code == 302
    client.force_login(tenant.viewer)
    assert link not in client.get(reverse("import-detail-page", args=[job.pk])).content.decode()

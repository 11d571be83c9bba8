"""The bulk pages: select (ticked rows, every page, the cockpit, an import, serials) → confirm → progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from passports.models import BulkJob, Passport, PassportVersion
from tests.factories import example_data, make_passport, make_published_passport

pytestmark = pytest.mark.django_db


def _invalid(org: Any) -> Passport:
    data = example_data("battery")
    data.pop("carbon_footprint")
    return make_passport(org, data=data)


def _confirm(client: Client, job: BulkJob, capture: Any) -> BulkJob:
    with capture(execute=True):
        answer = client.post(reverse("bulk-confirm-page", args=[job.pk]))
    assert answer.status_code == 302
    job.refresh_from_db()
    return job


def test_ticked_passports_are_published_after_confirmation(
    client: Client, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    good = [make_passport(tenant.org) for _ in range(2)]
    bad = _invalid(tenant.org)
    client.force_login(tenant.editor)
    listing = client.get(reverse("passport-list-page")).content.decode()
    assert 'id="bulk-publish"' in listing and 'name="all_matching"' in listing
    answer = client.post(
        reverse("bulk-create-page"), {"operation": "publish", "passports": [p.pk for p in [*good, bad]]}
    )
    job = BulkJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("bulk-detail-page", args=[job.pk])
    page = client.get(answer["Location"]).content.decode()
    assert "Confirm before anything is done" in page
    assert "2 validate now and will be signed and published; 1 has errors and will be refused." in page
    assert not PassportVersion.objects.filter(status="published").exists()
    job = _confirm(client, job, django_capture_on_commit_callbacks)
    assert (job.status, job.succeeded, job.failed) == ("done", 2, 1)
    page = client.get(reverse("bulk-detail-page", args=[job.pk])).content.decode()
    assert "Refused items" in page and bad.identifier in page and "hx-trigger" not in page
    assert 'value="100"' in page  # the progress bar is full


def test_every_page_of_the_filtered_list_is_selected(
    client: Client, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    model = make_published_passport(tenant.org)
    for n in range(30):  # more than a page of the list (25)
        make_passport(tenant.org, granularity="item", product=model.product, serial=f"P{n}", data={})
    make_passport(tenant.org)  # a draft model passport the filter leaves out
    client.force_login(tenant.editor)
    client.post(
        reverse("bulk-create-page"),
        {"operation": "publish", "all_matching": "1", "granularity": "item", "status": "draft", "q": ""},
    )
    job = BulkJob.objects.get()
    assert job.total == 30
    job = _confirm(client, job, django_capture_on_commit_callbacks)
    assert job.succeeded == 30
    assert Passport.objects.filter(granularity="item", status="published").count() == 30
    assert Passport.objects.filter(granularity="model", status="draft").count() == 1


def test_the_cockpit_selects_every_matching_product(client: Client, tenant: Any) -> None:
    valid = [make_passport(tenant.org) for _ in range(3)]
    client.force_login(tenant.editor)
    cockpit = client.get(reverse("readiness-page") + "?status=valid").content.decode()
    assert 'id="cockpit-publish"' in cockpit
    client.post(reverse("bulk-create-page"), {"operation": "publish", "cockpit": "status=valid"})
    job = BulkJob.objects.get()
    assert sorted(job.targets) == sorted(p.pk for p in valid)
    bad = client.post(reverse("bulk-create-page"), {"operation": "publish", "cockpit": "status=nonsense"})
    assert bad.status_code == 400 and "status" in bad.content.decode()


def test_item_passports_from_a_range(client: Client, tenant: Any, django_capture_on_commit_callbacks: Any) -> None:
    model = make_published_passport(tenant.org)
    client.force_login(tenant.editor)
    detail = client.get(reverse("passport-detail-page", args=[model.pk])).content.decode()
    assert reverse("bulk-items-page", args=[model.pk]) in detail
    answer = client.post(
        reverse("bulk-items-page", args=[model.pk]), {"serial_prefix": "SN-", "first": "1", "last": "5", "width": "3"}
    )
    job = BulkJob.objects.get()
    assert answer.status_code == 302 and job.targets == ["SN-001", "SN-002", "SN-003", "SN-004", "SN-005"]
    assert "5 item passports will be created." in client.get(answer["Location"]).content.decode()
    job = _confirm(client, job, django_capture_on_commit_callbacks)
    assert Passport.objects.filter(parent=model).count() == 5


def test_a_bad_serial_answers_400_naming_its_line(client: Client, tenant: Any) -> None:
    model = make_published_passport(tenant.org)
    client.force_login(tenant.editor)
    answer = client.post(reverse("bulk-items-page", args=[model.pk]), {"serials": "A-1\nA 2\nA-3"})
    assert answer.status_code == 400
    assert "Serial number 2" in answer.content.decode()
    assert not BulkJob.objects.exists()


def test_the_import_page_offers_to_publish_its_drafts(client: Client, tenant: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from passports.models import ImportJob

    job = ImportJob.objects.create(
        organization=tenant.org,
        kind="battery",
        file=SimpleUploadedFile("b.csv", b"x"),
        original_name="b.csv",
        status=ImportJob.Status.DONE,
        mode=ImportJob.Mode.COMMIT,
        committed=True,
    )
    drafts = [make_passport(tenant.org) for _ in range(2)]
    job.passports.set(drafts)
    client.force_login(tenant.editor)
    page = client.get(reverse("import-detail-page", args=[job.pk])).content.decode()
    assert 'id="import-publish"' in page
    client.post(reverse("bulk-create-page"), {"operation": "publish", "import_job": job.pk})
    created = BulkJob.objects.get()
    assert (created.import_job_id, sorted(created.targets)) == (job.pk, sorted(p.pk for p in drafts))


def test_roles(client: Client, tenant: Any) -> None:
    published = make_published_passport(tenant.org)
    client.force_login(tenant.viewer)
    assert client.post(reverse("bulk-create-page"), {"operation": "publish"}).status_code == 403
    client.force_login(tenant.editor)
    revoke = {"operation": "revoke", "passports": [published.pk], "reason": "recall"}
    assert client.post(reverse("bulk-create-page"), revoke).status_code == 403
    client.force_login(tenant.owner)
    assert client.post(reverse("bulk-create-page"), revoke).status_code == 302
    no_reason = client.post(reverse("bulk-create-page"), {**revoke, "reason": ""})
    assert no_reason.status_code == 400 and "Say why" in no_reason.content.decode()


def test_korean_pages(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    client.force_login(tenant.editor)
    client.post(reverse("bulk-create-page"), {"operation": "publish", "passports": [passport.pk]})
    job = BulkJob.objects.get()
    page = client.get(reverse("bulk-detail-page", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "확인" in page and "Confirm before anything is done" not in page

"""Import pages: upload, dry run then commit, rejected rows, column mapping, progress polling, roles, tenancy.

Celery runs eagerly in the test settings and jobs are queued when the upload's transaction commits, so the
requests that start a job run inside ``django_capture_on_commit_callbacks(execute=True)``: the job has run
by the time the redirect is answered, as with a fast worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import reset_queries
from django.test import Client
from django.urls import reverse

from passports.imports.services import import_job_create
from passports.models import ColumnMapping, ImportJob, Product
from tests.factories import gtin_from

pytestmark = pytest.mark.django_db

HEADER = "gtin,name,category,cn_code\n"


def csv_file(body: str, name: str = "partner-export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body.encode("utf-8"), content_type="text/csv")


def rows(count: int, start: int = 1000) -> str:
    return "".join(f"{gtin_from(start + n)},Pack {n},battery,85076000\n" for n in range(count))


@pytest.fixture
def upload(post: Callable[..., Any]) -> Callable[..., Any]:
    def send(client: Client, body: str, **options: str) -> Any:
        data = {"kind": "products", "mode": "dry_run", "policy": "all_or_nothing", "file": csv_file(body), **options}
        return post(client, reverse("import-list-page"), data)

    return send


def test_a_dry_run_stores_nothing_and_then_imports_on_request(
    client: Client, tenant: Any, upload: Any, post: Any
) -> None:
    client.force_login(tenant.editor)
    response = upload(client, HEADER + rows(3))
    job = ImportJob.objects.get()
    assert response.url == reverse("import-detail-page", args=[job.pk])  # type: ignore[attr-defined]
    page = client.get(response.url).content.decode()  # type: ignore[attr-defined]
    assert "This was a dry run: nothing was stored." in page
    assert "Every row passed the checks." in page
    assert not Product.objects.exists()
    committed = post(client, reverse("import-commit-page", args=[job.pk]))
    commit_job = ImportJob.objects.exclude(pk=job.pk).get()
    assert committed.url == reverse("import-detail-page", args=[commit_job.pk])  # type: ignore[attr-defined]
    assert (commit_job.mode, commit_job.status, commit_job.committed) == ("commit", "done", True)
    assert Product.objects.filter(organization=tenant.org).count() == 3
    assert "The rows are imported." in client.get(committed.url).content.decode()  # type: ignore[attr-defined]


def test_rejected_rows_are_listed_with_their_column_and_the_report_is_linked(
    client: Client, tenant: Any, upload: Any, post: Any
) -> None:
    client.force_login(tenant.editor)
    bad_gtin = gtin_from(7)[:-1] + str((int(gtin_from(7)[-1]) + 1) % 10)
    upload(client, HEADER + rows(2) + f"{bad_gtin},Broken pack,battery,85076000\n")
    job = ImportJob.objects.get()
    assert job.rows_rejected == 1
    page = client.get(reverse("import-detail-page", args=[job.pk])).content.decode()
    assert "Rejected rows" in page
    assert bad_gtin in page
    assert reverse("import-errors-csv", kwargs={"pk": job.pk}) in page
    report = client.get(reverse("import-errors-csv", kwargs={"pk": job.pk}))
    assert bad_gtin in report.content.decode("utf-8-sig")


def test_a_file_that_is_not_a_spreadsheet_is_refused_beside_the_file_field(
    client: Client, tenant: Any, upload: Any, post: Any
) -> None:
    client.force_login(tenant.editor)
    png = SimpleUploadedFile("products.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="text/csv")
    response = client.post(
        reverse("import-list-page"), {"kind": "products", "mode": "dry_run", "policy": "all_or_nothing", "file": png}
    )
    assert response.status_code == 415
    assert "PNG" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_unknown_columns_lead_to_the_mapping_step_and_the_mapping_is_kept(
    client: Client, tenant: Any, upload: Any, post: Any
) -> None:
    client.force_login(tenant.editor)
    body = "Artikelnummer,Bezeichnung,Kategorie,Notiz\n" + f"{gtin_from(5)},Pack DE,battery,intern\n"
    response = upload(client, body, mode="commit")
    mapping_url = response.url  # type: ignore[attr-defined]
    assert mapping_url.startswith(reverse("import-mapping-page"))
    page = client.get(mapping_url).content.decode()
    assert "Artikelnummer" in page and "not recognised" in page
    token = mapping_url.split("token=")[1]
    done = post(
        client,
        reverse("import-mapping-page"),
        {"token": token, "name": "ERP export", "column-0": "gtin", "column-1": "name", "column-2": "category"},
    )
    saved = ColumnMapping.objects.get(organization=tenant.org)
    assert saved.mapping == {"Artikelnummer": "gtin", "Bezeichnung": "name", "Kategorie": "category", "Notiz": ""}
    job = ImportJob.objects.get()
    assert done.url == reverse("import-detail-page", args=[job.pk])  # type: ignore[attr-defined]
    assert Product.objects.get(gtin=gtin_from(5)).name == "Pack DE"
    # The staged file is gone with its token.
    assert client.get(mapping_url).status_code == 404


def test_a_running_job_is_polled_and_a_finished_one_is_not(client: Client, tenant: Any, upload: Any, post: Any) -> None:
    job = import_job_create(
        org=tenant.org, by=tenant.editor, upload=csv_file(HEADER + rows(2)), kind="products", enqueue=False
    )
    client.force_login(tenant.viewer)
    progress = reverse("import-progress-page", args=[job.pk])
    fragment = client.get(progress).content.decode()
    assert f'hx-get="{progress}"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment
    assert "<noscript>" in client.get(reverse("import-detail-page", args=[job.pk])).content.decode()
    from passports.imports.services import import_job_run

    import_job_run(job_id=job.pk)
    finished = client.get(progress).content.decode()
    assert "hx-trigger" not in finished
    assert 'value="100"' in finished


def test_viewers_follow_imports_but_cannot_upload_or_commit(
    client: Client, tenant: Any, upload: Any, post: Any
) -> None:
    client.force_login(tenant.editor)
    upload(client, HEADER + rows(1))
    job = ImportJob.objects.get()
    client.force_login(tenant.viewer)
    page = client.get(reverse("import-list-page")).content.decode()
    assert "Upload a file" not in page and job.original_name in page
    assert upload(client, HEADER + rows(1)).status_code == 403
    assert client.post(reverse("import-commit-page", args=[job.pk])).status_code == 403
    assert "Import these rows" not in client.get(reverse("import-detail-page", args=[job.pk])).content.decode()


def test_another_organizations_import_is_not_found(client: Client, tenant: Any, other_tenant: Any, upload: Any) -> None:
    client.force_login(tenant.editor)
    upload(client, HEADER + rows(1))
    job = ImportJob.objects.get()
    client.force_login(other_tenant.owner)
    for name in ("import-detail-page", "import-progress-page"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("import-commit-page", args=[job.pk])).status_code == 404
    assert job.original_name not in client.get(reverse("import-list-page")).content.decode()


def test_the_import_list_does_not_query_per_job(
    client: Client, tenant: Any, upload: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(tenant.editor)
    upload(client, HEADER + rows(1))
    url = reverse("import-list-page")
    client.get(url)
    reset_queries()  # the import logged thousands of queries; count from an empty log
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    few_queries = len(few.captured_queries)
    for n in range(5):
        upload(client, HEADER + rows(1, start=2000 + n))
    reset_queries()
    with django_assert_max_num_queries(few_queries):
        client.get(url)

"""The import API: upload (202), progress, error report, templates, mappings, and refusals (413, 415, 400)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from openpyxl import load_workbook
from rest_framework.test import force_authenticate

from passports.api.import_views import ImportJobViewSet
from passports.models import ColumnMapping, ImportJob, Product

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def _file(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else (DATA / name).read_bytes())


def _post(client: Any, name: str, data: bytes | None = None, headers: Any = None, **fields: Any) -> Any:
    payload = {"file": _file(name, data), "kind": "products", "mode": "commit", "policy": "valid_rows", **fields}
    return client.post("/api/v1/imports/", payload, format="multipart", headers=headers or {})


def _job(client: Any, response: Any) -> dict[str, Any]:
    """The job as it stands now (the upload answered before its task ran on commit)."""
    assert response.status_code == 202, response.content
    return client.get(f"/api/v1/imports/{response.json()['id']}").json()


def test_upload_answers_202_with_the_job_and_the_job_runs(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login_api(tenant.editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "products-5pct-bad.csv")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["mode"], body["policy"], body["encoding"], body["delimiter"]) == (
        "products",
        "commit",
        "valid_rows",
        "utf-8",
        ",",
    )
    detail = client.get(f"/api/v1/imports/{body['id']}").json()
    assert (detail["status"], detail["progress"], detail["rows_total"], detail["rows_done"]) == ("done", 1.0, 200, 200)
    assert (detail["created"], detail["updated"], detail["rejected"]) == (190, 0, 10)
    assert detail["errors_url"] == f"/api/v1/imports/{body['id']}/errors.csv"
    assert Product.objects.filter(organization=tenant.org).count() == 190


def test_list_shows_only_the_callers_jobs_with_few_queries(
    tenant: Any, other_tenant: Any, login_api: Any, django_assert_max_num_queries: Any
) -> None:
    for org in (tenant.org, tenant.org, other_tenant.org):
        ImportJob.objects.create(organization=org, kind="products", file="imports/x.csv", original_name="x.csv")
    client = login_api(tenant.viewer)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/imports/")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_error_report_names_row_and_column_in_the_callers_language_and_is_neutralised(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = (
        b"gtin,name,category,cn_code\r\n"
        b'08800000000015,=HYPERLINK("http://evil.example"),battery,@SUM(1)\r\n'
        b"08800000000022,ok,battery,85076000\r\n"
    )
    client = login_api(tenant.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "formulas.csv", data)
    job = _job(client, response)
    english = client.get(f"/api/v1/imports/{job['id']}/errors.csv")
    assert english["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "value", "message", "pointer", "rule"]
    assert rows[1][:3] == ["2", "cn_code", "'@SUM(1)"]  # the formula cannot run when opened in Excel
    assert "Combined Nomenclature" in rows[1][3]
    korean = client.get(f"/api/v1/imports/{job['id']}/errors.csv", headers={"Accept-Language": "ko"})
    rows_ko = list(csv.reader(io.StringIO(korean.content.decode("utf-8-sig"))))
    assert rows_ko[0][:4] == ["행", "열", "값", "오류 내용"]
    stored = (
        Product.objects.get(gtin="08800000000015") if Product.objects.filter(gtin="08800000000015").exists() else None
    )
    assert stored is None  # the row with the bad CN code was rejected; its formula-like name stays text in the report


def test_formula_like_values_are_stored_as_text_and_neutralised_on_export(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login_api(tenant.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "products-formulas.csv")
    job = _job(client, response)
    assert job["created"] == 4
    assert Product.objects.filter(name="@SUM(1+1)").exists()
    from passports.imports.reports import error_report_lines

    class Row:
        row, column, pointer, rule, message_en, message_ko = 2, "name", "/name", "x", "m", "m"
        value = "=1+2"

    lines = "".join(error_report_lines([Row()], "en"))
    assert ",'=1+2," in lines


def test_413_before_the_body_is_read(tenant: Any, settings: Any) -> None:
    """The view refuses from Content-Length alone: the counting stream shows the body was not read."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    body = (DATA / "products-5pct-bad.csv").read_bytes()
    request = RequestFactory().post(
        "/api/v1/imports/", {"file": _file("big.csv", body), "kind": "products"}, format="multipart"
    )

    class Counting(io.BytesIO):
        read_bytes = 0

        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            Counting.read_bytes += len(chunk)
            return chunk

    raw = request.META["wsgi.input"].read()
    request.META["wsgi.input"] = Counting(raw)
    request._stream = None  # type: ignore[attr-defined]
    from django.core.handlers.wsgi import LimitedStream

    request._stream = LimitedStream(request.META["wsgi.input"], len(raw))  # type: ignore[attr-defined]
    force_authenticate(request, user=tenant.owner)
    response = ImportJobViewSet.as_view({"post": "create"})(request)
    assert response.status_code == 413
    assert Counting.read_bytes == 0
    assert len(raw) > 20_000
    assert not ImportJob.objects.exists()


def test_413_when_the_body_runs_past_the_limit_while_streaming(tenant: Any, login_api: Any, settings: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 5000
    client = login_api(tenant.owner)
    response = _post(client, "products-5pct-bad.csv")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    "case",
    [
        ("junk-image.csv", None, 415, "not_a_spreadsheet"),
        ("junk-binary.csv", None, 415, "binary"),
        ("products.csv", (DATA / "products.xlsx").read_bytes(), 415, "type_mismatch"),
        ("products.xlsx", b"gtin,name\r\n", 415, "type_mismatch"),
        ("battery.csv", (DATA / "products-utf8.csv").read_bytes(), 400, "wrong_kind"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused_clearly(
    tenant: Any, login_api: Any, case: tuple[str, bytes | None, int, str]
) -> None:
    name, data, status, code = case
    client = login_api(tenant.owner)
    kind = "battery" if name == "battery.csv" else "products"
    response = _post(client, name, data, kind=kind)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["details"][0]["message_ko"]
    korean = _post(client, name, data, headers={"Accept-Language": "ko"}, kind=kind)
    assert korean.json()["error"]["message"] == error["details"][0]["message_ko"]


def test_viewers_cannot_upload_and_strangers_cannot_see(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    assert _post(login_api(tenant.viewer), "products-utf8.csv").status_code == 403
    job = ImportJob.objects.create(organization=tenant.org, kind="products", file="imports/x.csv", original_name="x")
    assert login_api(other_tenant.owner).get(f"/api/v1/imports/{job.pk}").status_code == 404
    assert login_api(other_tenant.owner).get(f"/api/v1/imports/{job.pk}/errors.csv").status_code == 404


@pytest.mark.parametrize("language", ["en", "ko", "key"])
def test_templates_for_every_kind_in_csv_and_xlsx(api: Any, language: str) -> None:
    for kind in ("products", "battery", "espr-core", "textile", "steel", "cbam-installation"):
        response = api.get(f"/api/v1/imports/templates/{kind}.csv", {"lang": language})
        assert response.status_code == 200
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert header[0] == {"en": "GTIN", "ko": "GTIN(국제거래단품식별코드)", "key": "gtin"}[language]
    workbook = api.get("/api/v1/imports/templates/battery.xlsx", {"lang": language})
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = load_workbook(io.BytesIO(workbook.content)).worksheets
    assert len(sheets) == 3 and sheets[2].sheet_state == "hidden"  # data, fields, the drop-downs' values
    assert api.get("/api/v1/imports/templates/nothing.csv").status_code == 404
    assert api.get("/api/v1/imports/templates/battery.pdf").status_code == 404


def test_a_downloaded_template_uploads_back_as_nothing_until_filled(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login_api(tenant.owner)
    template = client.get("/api/v1/imports/templates/products.csv", {"lang": "ko"}).content
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "template.csv", template)
    job = _job(client, response)
    assert (job["status"], job["rows_total"], job["created"]) == ("done", 0, 0)
    filled = template.replace(b"# ", b"", 1)  # the example row, uncommented
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "filled.csv", filled)
    job = _job(client, response)
    assert job["created"] == 1
    assert Product.objects.get(organization=tenant.org).name_ko == "LFP 배터리 팩 48 V"


def test_mappings_crud_and_use(
    tenant: Any, other_tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login_api(tenant.owner)
    created = client.post(
        "/api/v1/imports/mappings/",
        {"kind": "products", "name": "ERP", "mapping": {"Artikel": "gtin", "Text": "name", "Gruppe": "category"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    mapping_id = created.json()["id"]
    bad = client.post(
        "/api/v1/imports/mappings/", {"kind": "products", "name": "x", "mapping": {"A": "nope"}}, format="json"
    )
    assert bad.status_code == 400
    assert "nope" in bad.content.decode()
    assert client.get("/api/v1/imports/mappings/").json()["count"] == 1
    assert login_api(other_tenant.owner).get(f"/api/v1/imports/mappings/{mapping_id}").status_code == 404
    renamed = client.patch(f"/api/v1/imports/mappings/{mapping_id}", {"name": "ERP v2"}, format="json")
    assert renamed.json()["name"] == "ERP v2"
    data = b"Artikel,Text,Gruppe\r\n08800000000015,Akku,battery\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "erp.csv", data, mapping=mapping_id)
    job = _job(client, response)
    assert job["created"] == 1
    assert client.delete(f"/api/v1/imports/mappings/{mapping_id}").status_code == 204
    assert not ColumnMapping.objects.exists()
    assert ImportJob.objects.get(pk=job["id"]).mapping_used["Artikel"] == "gtin"  # the job keeps its copy

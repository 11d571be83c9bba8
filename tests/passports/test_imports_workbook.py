"""The error workbook (issue 17, item 5): the uploaded rows with an error column and the bad cells marked,
downloaded from the job page or the API, fixed in Excel and uploaded again."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from passports.imports.columns import REPORT_HEADERS
from passports.imports.services import import_job_create, import_job_run
from passports.imports.workbook import error_workbook
from passports.models import ImportJob, Product
from tests.factories import gtin_from

pytestmark = pytest.mark.django_db

HEADER = "gtin,name,name_ko,category,cn_code"


def _file() -> bytes:
    """Four products as Korean Excel saves them (CP949): two good, a GTIN in scientific notation, an unknown
    category; the good second row also carries a formula-like name that must stay text."""
    rows = [
        f"{gtin_from(1)},Module 1,모듈 1,배터리,85076000",
        f'{gtin_from(2)},=HYPERLINK("x"),모듈 2,battery,85076000',
        "8.80123E+12,Module 3,모듈 3,배터리,85076000",
        f"{gtin_from(4)},Module 4,모듈 4,전자제품,85076000",
    ]
    return (HEADER + "\r\n" + "\r\n".join(rows) + "\r\n").encode("cp949")


def _job(tenant: Any, data: bytes, name: str = "modules.csv", **options: Any) -> ImportJob:
    job = import_job_create(
        org=tenant.org, by=tenant.owner, upload=ContentFile(data, name=name), kind="products", enqueue=False, **options
    )
    return import_job_run(job_id=job.pk)


def _sheets(content: bytes) -> list[Worksheet]:
    return list(load_workbook(io.BytesIO(content)).worksheets)


def _values(sheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_gives_the_rows_back_with_errors_and_the_bad_cells_marked(tenant: Any) -> None:
    job = _job(tenant, _file(), mode="dry_run")
    assert job.rows_rejected == 2
    data, problems = _sheets(error_workbook(job, language="en"))
    values = _values(data)
    assert values[0] == [*HEADER.split(","), REPORT_HEADERS["en"]]
    assert [row[0] for row in values[1:]] == [gtin_from(1), gtin_from(2), "8.80123E+12", gtin_from(4)]
    assert values[1][-1] in ("", None) and values[2][-1] in ("", None)
    assert values[3][-1].startswith("gtin: GTIN: '8.80123E+12' is a 13-digit number")
    assert "cannot be restored" in values[3][-1]
    assert values[4][-1].startswith("category: ")
    bad_gtin, good_gtin, bad_category = data["A4"], data["A2"], data["D5"]
    assert bad_gtin.fill.fgColor.rgb.endswith("FFC7CE") and bad_category.fill.fgColor.rgb.endswith("FFC7CE")
    assert good_gtin.fill.fgColor.rgb in ("00000000", None)
    assert bad_gtin.comment is not None and "scientific notation" in bad_gtin.comment.text
    assert data["D5"].value == "전자제품"  # CP949 read back as the Korean it was
    assert (good_gtin.data_type, good_gtin.number_format) == ("s", "@")  # a GTIN stays text when edited
    assert (data["B3"].value, data["B3"].data_type) == ('=HYPERLINK("x")', "s")  # text, never a formula
    assert _values(problems)[0] == ["row", "column", "value", "message"]
    assert [(row[0], row[1], row[2]) for row in _values(problems)[1:]] == [
        (4, "gtin", "8.80123E+12"),
        (5, "category", "전자제품"),
    ]


def test_fixed_and_uploaded_again_the_workbook_imports_without_a_mapping(tenant: Any) -> None:
    first = _job(tenant, _file(), mode="commit", policy="valid_rows")
    assert (first.rows_created, first.rows_rejected) == (2, 2)
    book = load_workbook(io.BytesIO(error_workbook(first, language="ko")))
    sheet = book.worksheets[0]
    assert sheet.title == "데이터" and sheet.cell(1, 6).value == REPORT_HEADERS["ko"]
    assert "지수 형식" in sheet["F4"].value
    sheet["A4"] = gtin_from(3)  # typed again in full, as the message asks
    sheet["D5"] = "배터리 (battery)"
    fixed = io.BytesIO()
    book.save(fixed)
    second = _job(tenant, fixed.getvalue(), name="modules-fixed.xlsx", mode="commit", policy="all_or_nothing")
    assert (second.status, second.rows_rejected, second.rows_created, second.rows_updated) == ("done", 0, 2, 2)
    stored = dict(Product.objects.filter(organization=tenant.org).values_list("gtin", "category"))
    assert stored == {gtin_from(n): "battery" for n in (1, 2, 3, 4)}  # the two good rows were not duplicated


def test_rejected_rows_only_on_request(tenant: Any) -> None:
    job = _job(tenant, _file(), mode="dry_run")
    data, _ = _sheets(error_workbook(job, language="en", rows="rejected"))
    assert [row[0] for row in _values(data)[1:]] == ["8.80123E+12", gtin_from(4)]


def test_a_job_whose_file_is_gone_still_gives_its_problems(tenant: Any) -> None:
    job = _job(tenant, _file(), mode="dry_run")
    job.file.delete(save=False)
    data, problems = _sheets(error_workbook(job, language="en"))
    assert "no longer kept" in _values(data)[0][0]
    assert len(_values(problems)) == 3


def test_the_job_page_links_the_workbook_and_serves_it_to_members_only(
    client: Client, tenant: Any, other_tenant: Any
) -> None:
    job = _job(tenant, _file(), mode="dry_run")
    url = reverse("import-errors-xlsx-page", args=[job.pk])
    client.force_login(tenant.editor)
    page = client.get(reverse("import-detail-page", args=[job.pk])).content.decode()
    assert url in page and "Download the rows to fix (Excel)" in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"modules-{job.pk}-errors.xlsx" in response["Content-Disposition"]
    assert _values(_sheets(response.content)[0])[3][0] == "8.80123E+12"
    client.force_login(other_tenant.owner)
    assert client.get(url).status_code == 404


def test_the_api_serves_the_workbook_and_names_a_bad_parameter(tenant: Any, login_api: Any) -> None:
    job = _job(tenant, _file(), mode="dry_run")
    api = login_api(tenant.owner)
    detail = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert detail["errors_xlsx_url"] == f"/api/v1/imports/{job.pk}/errors.xlsx"
    response = api.get(detail["errors_xlsx_url"], {"rows": "rejected"})
    assert response.status_code == 200
    assert len(_values(_sheets(response.content)[0])) == 3
    bad = api.get(detail["errors_xlsx_url"], {"rows": "some"})
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["pointer"] == "/rows"
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    assert api.get(detail["errors_xlsx_url"]).status_code == 409

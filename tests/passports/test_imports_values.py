"""What Korean Excel does to values, read back or reported (issue 17, item 5): GTINs in scientific notation,
dotted dates, Korean category names. Unit checks of ``passports.imports.values`` and imports end to end."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook

from passports.identifiers import is_valid_gtin
from passports.imports.services import import_job_create, import_job_run
from passports.imports.values import CellError, read_category, read_code, read_date, read_enum
from passports.models import ImportJob, PassportVersion, Product
from tests.factories import ProductFactory, gtin_from

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
TITLE = ("Date of manufacture", "제조일")


@pytest.mark.parametrize(
    ("cell", "iso"),
    [
        ("2026.11.03", "2026-11-03"),
        ("2026. 11. 3.", "2026-11-03"),  # how a Korean Windows shows a date cell
        ("2026/11/03", "2026-11-03"),
        ("2026-11-3", "2026-11-03"),
        ("2026년 11월 3일", "2026-11-03"),
        ("20261103", "2026-11-03"),
        ("03.11.2026", "2026-11-03"),
        ("2026-11-03T00:00:00", "2026-11-03"),  # a workbook's date cell
        ("2026-11-03", "2026-11-03"),
    ],
)
def test_dates_as_spreadsheets_write_them_become_iso(cell: str, iso: str) -> None:
    assert read_date(cell, title=TITLE) == iso


def test_text_that_is_no_date_is_left_for_the_schema_to_report() -> None:
    assert read_date("next week", title=TITLE) == "next week"


@pytest.mark.parametrize("cell", ["2026.13.45", "2026. 2. 30.", "31.02.2026"])
def test_a_date_shaped_cell_that_names_no_day_is_refused_with_the_reason(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        read_date(cell, title=TITLE)
    assert caught.value.message_en.startswith(f"Date of manufacture: '{cell}' is not a real date")
    assert caught.value.message_ko.startswith(f"제조일: '{cell}'")
    assert "존재하지 않는 날짜" in caught.value.message_ko


def test_a_year_last_date_with_slashes_is_ambiguous() -> None:
    with pytest.raises(CellError, match="day first or month first"):
        read_date("11/03/2026", title=TITLE)


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("battery", "battery"),
        ("Battery", "battery"),
        ("배터리", "battery"),
        ("이차전지", "battery"),
        ("EU 배터리 여권", "battery"),
        ("배터리 (battery)", "battery"),  # the Korean template's drop-down
        ("섬유", "textile"),
        ("의류", "textile"),
        ("철강", "steel"),
        ("ESPR 공통 (espr-core)", "espr-core"),
        ("CBAM 설비", "cbam-installation"),
    ],
)
def test_category_names_in_korean_or_english_map_to_the_category(cell: str, key: str) -> None:
    assert read_category(cell, title=("Category", "범주")) == key


def test_an_unknown_category_is_refused_with_the_list() -> None:
    with pytest.raises(CellError) as caught:
        read_category("전자제품", title=("Category", "범주"))
    assert "'전자제품' is not a passport category" in caught.value.message_en
    assert "배터리 (battery)" in caught.value.message_en
    assert "여권 범주가 아닙니다" in caught.value.message_ko


def test_a_gtin_in_scientific_notation_says_its_digits_are_lost() -> None:
    with pytest.raises(CellError) as caught:
        read_code("8.80123E+12", "gtin", title=("GTIN", "GTIN"))
    assert "13-digit number" in caught.value.message_en
    assert "last 7 digits are lost and cannot be restored" in caught.value.message_en
    assert "복원할 수 없습니다" in caught.value.message_ko
    assert read_code("8801234000017", "gtin", title=("GTIN", "GTIN")) == "8801234000017"


def test_a_rounded_gtin_from_a_workbook_is_named_as_such_and_a_valid_one_ending_in_zeros_is_not() -> None:
    with pytest.raises(CellError, match="rounded by a spreadsheet"):
        read_code("8801230000000", "gtin", title=("GTIN", "GTIN"))
    assert is_valid_gtin("8801340000000")  # ends in zeros, check digit 0: a real GTIN is left alone
    assert read_code("8801340000000", "gtin", title=("GTIN", "GTIN")) == "8801340000000"


# --------------------------------------------------------------------------------------------------
# Imports end to end


def _run(tenant: Any, data: bytes, *, kind: str, name: str = "upload.csv", **options: Any) -> ImportJob:
    job = import_job_create(
        org=tenant.org, by=tenant.owner, upload=ContentFile(data, name=name), kind=kind, enqueue=False, **options
    )
    return import_job_run(job_id=job.pk)


@pytest.mark.django_db
def test_a_products_file_from_korean_excel(tenant: Any) -> None:
    rows = [
        f"{gtin_from(1)},Module 1,모듈 1,배터리,85076000",
        "8.80123E+12,Module 2,모듈 2,배터리,85076000",
        f"{gtin_from(3)},Module 3,모듈 3,전자제품,85076000",
        f"{gtin_from(4)},Module 4,모듈 4,배터리 (battery),85076000",
    ]
    data = ("gtin,name,name_ko,category,cn_code\r\n" + "\r\n".join(rows) + "\r\n").encode("cp949")
    job = _run(tenant, data, kind="products", mode="commit", policy="valid_rows")
    assert (job.rows_created, job.rows_rejected) == (2, 2)
    stored = dict(Product.objects.filter(organization=tenant.org).values_list("gtin", "category"))
    assert stored == {gtin_from(1): "battery", gtin_from(4): "battery"}  # no category named 배터리
    errors = {(e.row, e.column): e for e in job.row_errors.all()}
    assert set(errors) == {(3, "gtin"), (4, "category")}
    assert errors[(3, "gtin")].value == "8.80123E+12"
    assert "scientific notation" in errors[(3, "gtin")].message_en
    assert "cannot be restored" in errors[(3, "gtin")].message_en
    assert "지수 형식" in errors[(3, "gtin")].message_ko
    assert errors[(4, "category")].value == "전자제품"


@pytest.mark.django_db
def test_a_workbook_gtin_rounded_by_excel_is_rejected_naming_its_row(tenant: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["gtin", "name", "category"])
    sheet.append([int(gtin_from(1)), "Module 1", "배터리"])
    sheet.append([8.80123e12, "Module 2", "battery"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = _run(tenant, buffer.getvalue(), kind="products", name="modules.xlsx", mode="commit", policy="valid_rows")
    assert (job.rows_created, job.rows_rejected) == (1, 1)
    error = job.row_errors.get()
    assert (error.row, error.column, error.value) == (3, "gtin", "8801230000000")
    assert "rounded by a spreadsheet" in error.message_en


def _battery_csv(date_cells: list[str]) -> bytes:
    """The shipped battery example file with its manufacturing dates replaced, one per row."""
    text = (DATA / "battery-decimal-comma.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    column = rows[0].index("general_product_information.manufacturing_date")
    for row, cell in zip(rows[1:], date_cells, strict=True):
        row[column] = cell
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.django_db
def test_dotted_dates_of_a_battery_file_are_stored_as_iso_and_an_impossible_one_is_named(tenant: Any) -> None:
    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin_from(900 + n), category="battery")
    data = _battery_csv(["2026.03.12", "2026. 3. 12.", "2026.13.45"])
    job = _run(tenant, data, kind="battery", mode="commit", policy="valid_rows")
    assert (job.rows_created, job.rows_rejected) == (2, 1)
    dates = {
        v.passport.product.gtin: v.data["general_product_information"]["manufacturing_date"]
        for v in PassportVersion.objects.select_related("passport__product")
    }
    assert dates == {gtin_from(900): "2026-03-12", gtin_from(901): "2026-03-12"}
    error = job.row_errors.get()
    assert (error.row, error.column, error.value) == (4, "general_product_information.manufacturing_date", "2026.13.45")
    assert "is not a real date" in error.message_en


def test_dates_of_a_workbook_are_not_written_with_a_time() -> None:
    assert read_date(dt.datetime(2026, 3, 12).isoformat(), title=TITLE) == "2026-03-12"


@pytest.mark.parametrize("cell", ["ev", "EV", "전기차 (ev)", "전기차", " 전기차 "])
def test_an_enumeration_value_is_read_from_its_code_or_its_korean_name(cell: str) -> None:
    assert read_enum(cell, ("lmt", "ev", "industrial", "stationary")) == "ev"


def test_an_unknown_enumeration_value_is_left_for_the_schema_to_report() -> None:
    assert read_enum("submarine", ("lmt", "ev")) == "submarine"


@pytest.mark.django_db
def test_a_korean_template_filled_from_its_drop_downs_imports(tenant: Any) -> None:
    from openpyxl import load_workbook

    from passports.imports.kinds import kinds
    from passports.imports.templates import template_rows, template_xlsx

    found = kinds()["products"]
    book = load_workbook(io.BytesIO(template_xlsx(found, "ko")))
    keys, _ = template_rows(found, "key")
    row = dict.fromkeys(keys, None) | {
        "gtin": gtin_from(7),
        "name": "Jacket",
        "category": "섬유 (textile)",
        "cn_code": "62019300",
    }
    book.worksheets[0].append([row[key] for key in keys])
    out = io.BytesIO()
    book.save(out)
    job = _run(tenant, out.getvalue(), kind="products", name="제품-양식.xlsx", mode="commit")
    assert (job.rows_created, job.rows_rejected) == (1, 0), list(job.row_errors.values_list("message_en"))
    assert Product.objects.get(organization=tenant.org).category == "textile"

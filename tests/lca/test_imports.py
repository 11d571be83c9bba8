"""Activity data and bill-of-materials imports: the LCA app's rules row by row, natural keys, bulk writes.

The differential test is the proof of "the same validation": each row variant is both imported and given to
``lca.services.activity_create``, and the two must agree on accepting it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from lca.imports import ActivityRows, BomRows
from passports.imports.kinds import kinds, register_kind
from passports.imports.services import import_job_create, import_job_run
from passports.models import ImportJob
from tests.factories import ProductFactory, gtin_from

lca_models = pytest.importorskip("lca.models", reason="the LCA app's models are not installed")
lca_services = pytest.importorskip("lca.services", reason="the LCA app's services are not installed")

pytestmark = pytest.mark.django_db

HEADER = "gtin,stage,process,amount,unit,factor,upstream_gtin,gas,primary,dq_technology,dq_geography,dq_time,notes"
FACTOR = "electricity-grid-kr-2021"  # shared open dataset, per kWh


def _run(tenant: Any, text: str, kind: str = "activity-data", **options: Any) -> ImportJob:
    options.setdefault("mode", "commit")
    options.setdefault("policy", "valid_rows")
    job = import_job_create(
        org=tenant.org, by=tenant.owner, upload=ContentFile(text.encode(), name="rows.csv"), kind=kind, enqueue=False,
        **options,
    )  # fmt: skip
    return import_job_run(job_id=job.pk)


@pytest.fixture
def products(tenant: Any, other_tenant: Any) -> dict[str, Any]:
    return {
        "pack": ProductFactory(organization=tenant.org, gtin=gtin_from(1)),
        "cell": ProductFactory(organization=tenant.org, gtin=gtin_from(2)),
        "foreign": ProductFactory(organization=other_tenant.org, gtin=gtin_from(3)),
    }


def test_activity_rows_are_stored_as_entered_and_a_second_upload_updates_them(tenant: Any, products: Any) -> None:
    text = "\r\n".join(
        [
            HEADER,
            f"{gtin_from(1)},production,cell formation,12.5,kWh,{FACTOR},,,true,1,1,2,계량기 실측",
            f"{gtin_from(1)},production,cell formation,0.000000000001,kg,,,CO2_fossil,false,,,,",
            f"{gtin_from(1)},raw_material,cells,96,piece,,{gtin_from(2)},,,,,,",
        ]
    )
    job = _run(tenant, text)
    assert (job.rows_created, job.rows_rejected) == (3, 0), list(job.row_errors.values_list("message_en", flat=True))
    stored = lca_models.ActivityData.objects.filter(organization=tenant.org).order_by("pk")
    first = stored[0]
    assert (first.amount, first.unit, first.factor.key, first.primary, first.dq) == (
        Decimal("12.5"),
        "kWh",
        FACTOR,
        True,
        (1, 1, 2),
    )
    assert stored[1].amount == Decimal("0.000000000001")  # twelve decimals, exactly
    assert stored[2].upstream_product == products["cell"]
    again = _run(tenant, text.replace(",12.5,", ",13,"))
    assert (again.rows_created, again.rows_updated) == (0, 3)
    assert lca_models.ActivityData.objects.filter(organization=tenant.org).count() == 3
    assert lca_models.ActivityData.objects.get(pk=first.pk).amount == Decimal(13)


ROW_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("valid with a factor", {}),
    ("unknown stage", {"stage": "use_phase"}),
    ("negative amount", {"amount": "-1"}),
    ("thirteen decimals", {"amount": "0.0000000000001"}),
    ("unit pint cannot read", {"unit": "kgg"}),
    ("unit the factor cannot convert", {"unit": "kg"}),
    ("kWh in MWh converts", {"unit": "MWh"}),
    ("two sources", {"gas": "CO2_fossil"}),
    ("no source", {"factor": ""}),
    ("gas alone", {"factor": "", "gas": "CH4_fossil", "unit": "kg"}),
    ("gas that is not a mass", {"factor": "", "gas": "N2O", "unit": "kWh"}),
    ("unknown gas", {"factor": "", "gas": "SF9", "unit": "kg"}),
    ("two ratings of three", {"dq_time": ""}),
    ("rating out of range", {"dq_time": "4"}),
    ("empty process", {"process": ""}),
    ("upstream of another organization", {"factor": "", "upstream": "foreign", "unit": "piece"}),
]


@pytest.mark.parametrize(("label", "change"), ROW_VARIANTS, ids=[label for label, _ in ROW_VARIANTS])
def test_import_and_lca_services_agree_on_every_row(
    tenant: Any, products: dict[str, Any], label: str, change: dict[str, Any]
) -> None:
    row = {"stage": "production", "process": "formation", "amount": "2.5", "unit": "kWh", "factor": FACTOR,
           "gas": "", "dq_technology": "1", "dq_geography": "2", "dq_time": "3", "upstream": ""}  # fmt: skip
    row.update(change)
    upstream = products[row["upstream"]] if row["upstream"] else None
    cells = [gtin_from(1), row["stage"], row["process"], row["amount"], row["unit"], row["factor"],
             upstream.gtin if upstream else "", row["gas"], "", row["dq_technology"], row["dq_geography"],
             row["dq_time"], ""]  # fmt: skip
    job = _run(tenant, HEADER + "\r\n" + ",".join(cells) + "\r\n")
    imported = job.rows_rejected == 0
    factor = lca_models.EmissionFactor.objects.filter(key=row["factor"]).first() if row["factor"] else None
    fields = {
        "product": products["pack"],
        "stage": row["stage"],
        "process": row["process"],
        "amount": Decimal(row["amount"]),
        "unit": row["unit"],
        "factor": factor,
        "upstream_product": upstream,
        "gas": row["gas"],
        "dq_technology": int(row["dq_technology"]) if row["dq_technology"] else None,
        "dq_geography": int(row["dq_geography"]) if row["dq_geography"] else None,
        "dq_time": int(row["dq_time"]) if row["dq_time"] else None,
    }
    try:
        with transaction.atomic():
            lca_services.activity_create(org=tenant.org, **fields)
            transaction.set_rollback(True)
        accepted = True
    except ValidationError:
        accepted = False
    assert imported == accepted, (label, list(job.row_errors.values_list("column", "message_en")))
    if not imported:
        assert all(error.column and error.message_en for error in job.row_errors.all())


def test_an_unknown_product_or_factor_is_named_in_its_column(tenant: Any, products: Any) -> None:
    text = (
        f"{HEADER}\r\n{gtin_from(9)},production,x,1,kWh,{FACTOR},,,,,,,\r\n"
        f"{gtin_from(1)},production,x,1,kWh,no-such-factor,,,,,,,\r\n"
        f"{gtin_from(3)},production,x,1,kWh,{FACTOR},,,,,,,\r\n"  # another organization's product
    )
    job = _run(tenant, text)
    errors = sorted(job.row_errors.values_list("row", "column", "rule"))
    assert errors == [(2, "gtin", "unknown_product"), (3, "factor", "unknown_factor"), (4, "gtin", "unknown_product")]


def test_dry_run_of_activity_data_stores_nothing(tenant: Any, products: Any) -> None:
    text = f"{HEADER}\r\n" + "".join(f"{gtin_from(1)},production,p{n},1,kWh,{FACTOR},,,,,,,\r\n" for n in range(5))
    job = _run(tenant, text + f"{gtin_from(1)},production,p0,2,kWh,{FACTOR},,,,,,,\r\n", mode="dry_run")
    assert (job.rows_created, job.rows_updated) == (5, 1)
    assert not lca_models.ActivityData.objects.exists()


def test_bill_of_materials_lines_by_product_component_and_stage(tenant: Any, products: Any) -> None:
    text = (
        "gtin,component_gtin,quantity,unit,stage\r\n"
        f"{gtin_from(1)},{gtin_from(2)},96,piece,raw_material\r\n"
        f"{gtin_from(1)},{gtin_from(2)},2,piece,\r\n"  # blank stage: the component keeps its own split
        f"{gtin_from(1)},{gtin_from(1)},1,piece,production\r\n"  # its own component
        f"{gtin_from(1)},{gtin_from(3)},1,piece,production\r\n"  # another organization's product
    )
    job = _run(tenant, text, kind="bom-lines")
    assert (job.rows_created, job.rows_rejected) == (2, 2)
    assert sorted(job.row_errors.values_list("row", "column")) == [(4, "component_gtin"), (5, "component_gtin")]
    lines = lca_models.BomLine.objects.filter(organization=tenant.org).order_by("stage")
    assert [(line.stage, line.quantity) for line in lines] == [("", Decimal(2)), ("raw_material", Decimal(96))]
    again = _run(tenant, text.replace(",96,", ",100,"), kind="bom-lines")
    assert (again.rows_created, again.rows_updated) == (0, 2)
    assert lca_models.BomLine.objects.get(stage="raw_material").quantity == Decimal(100)


def test_the_column_by_column_path_judges_exactly_as_the_row_by_row_path(
    tenant: Any, other_tenant: Any, products: Any
) -> None:
    """CSV rows of activity data are checked column by column, workbook rows one by one: same verdicts."""
    import io

    from openpyxl import Workbook

    cells = [
        [gtin_from(1), "production", "a", "2.5", "kWh", FACTOR, "", "", "true", "1", "2", "3", "ok"],
        [gtin_from(1), "production", "b", "-1", "kWh", FACTOR, "", "", "", "", "", "", ""],
        [gtin_from(1), "use_phase", "c", "1", "kWh", FACTOR, "", "", "", "", "", "", ""],
        [gtin_from(1), "production", "d", "1", "kg", FACTOR, "", "", "", "", "", "", ""],
        [gtin_from(9), "production", "e", "1", "kWh", FACTOR, "", "", "", "", "", "", ""],
        [gtin_from(1), "production", "f", "1", "kg", "", "", "CO2_fossil", "no", "", "", "", ""],
        [gtin_from(1), "raw_material", "g", "4", "piece", "", gtin_from(2), "", "", "1", "1", "1", ""],
        [gtin_from(1), "production", "h", "1,5", "kWh", FACTOR, "", "", "maybe", "", "", "", ""],
        [gtin_from(1), "production", "a", "3", "kWh", FACTOR, "", "", "false", "", "", "", "again"],
    ]
    csv_text = HEADER + "\r\n" + "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in cells)
    by_columns = _run(tenant, csv_text + "\r\n")
    stored_csv = sorted(
        lca_models.ActivityData.objects.values_list("process", "amount", "unit", "primary", "notes", "dq_time")
    )
    lca_models.ActivityData.objects.all().delete()
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(HEADER.split(","))
    for row in cells:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_job_create(
        org=tenant.org, by=None, upload=ContentFile(buffer.getvalue(), name="rows.xlsx"), kind="activity-data",
        mode="commit", policy="valid_rows", enqueue=False,
    )  # fmt: skip
    by_rows = import_job_run(job_id=job.pk)
    stored_xlsx = sorted(
        lca_models.ActivityData.objects.values_list("process", "amount", "unit", "primary", "notes", "dq_time")
    )
    assert (by_columns.rows_created, by_columns.rows_updated, by_columns.rows_rejected) == (3, 1, 5)
    assert (by_rows.rows_created, by_rows.rows_updated, by_rows.rows_rejected) == (3, 1, 5)
    assert stored_csv == stored_xlsx
    assert ("a", Decimal(3), "kWh", False, "again", None) in stored_csv  # the later row won
    errors = [sorted(j.row_errors.values_list("row", "column", "rule")) for j in (by_columns, by_rows)]
    assert errors[0] == errors[1]
    assert [row for row, _, _ in errors[0]] == [3, 4, 5, 6, 9, 9]


def test_the_lca_app_registers_its_kinds_with_the_import_framework_when_it_starts() -> None:
    found = kinds()
    assert isinstance(found["activity-data"].handler, ActivityRows)
    assert isinstance(found["bom-lines"].handler, BomRows)
    assert list(found)[-2:] == ["activity-data", "bom-lines"]  # registered kinds follow the framework's own


def test_a_registered_kind_cannot_shadow_a_products_or_passport_kind() -> None:
    battery = kinds()["battery"]
    with pytest.raises(ValueError, match="already a products or passport schema kind"):
        register_kind(battery)
    assert kinds()["battery"] is battery

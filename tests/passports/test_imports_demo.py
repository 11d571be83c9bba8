"""The demo import: a dry run of a file from Korean Excel with two bad rows, made once."""

from __future__ import annotations

import pytest

from passports.demo import seed_tenants
from passports.imports.demo import seed_imports
from passports.models import ImportJob, Product

pytestmark = pytest.mark.django_db


def test_demo_import_is_a_checked_file_with_two_bad_rows_and_is_made_once() -> None:
    tenants = seed_tenants()
    products_before = Product.objects.count()
    job = seed_imports(tenants)
    assert (job.status, job.mode, job.rows_total) == ("done", "dry_run", 12)
    assert (job.rows_created, job.rows_rejected) == (10, 2)  # 배터리 is read as battery, not refused
    errors = list(job.row_errors.order_by("row"))
    assert [(e.row, e.column) for e in errors] == [(9, "gtin"), (12, "gtin")]
    assert errors[1].value == "8.80123E+12"
    assert "scientific notation" in errors[1].message_en
    assert Product.objects.count() == products_before  # a dry run stores nothing
    assert seed_imports(tenants).pk == job.pk
    assert ImportJob.objects.filter(organization=tenants.maker).count() == 1

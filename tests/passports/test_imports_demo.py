"""The demo import: a dry run with one bad row, made once."""

from __future__ import annotations

import pytest

from passports.demo import seed_tenants
from passports.imports.demo import seed_imports
from passports.models import ImportJob, Product

pytestmark = pytest.mark.django_db


def test_demo_import_is_a_checked_file_with_one_bad_row_and_is_made_once() -> None:
    tenants = seed_tenants()
    products_before = Product.objects.count()
    job = seed_imports(tenants)
    assert (job.status, job.mode, job.rows_total) == ("done", "dry_run", 12)
    assert (job.rows_created, job.rows_rejected) == (11, 1)
    error = job.row_errors.get()
    assert (error.row, error.column) == (9, "gtin")
    assert Product.objects.count() == products_before  # a dry run stores nothing
    assert seed_imports(tenants).pk == job.pk
    assert ImportJob.objects.filter(organization=tenants.maker).count() == 1

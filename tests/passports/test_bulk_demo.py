"""The demo bulk job: five item passports of a production run, created and published in one job, made once."""

from __future__ import annotations

import pytest

from passports.demo import seed_passports, seed_tenants
from passports.demo_bulk import seed_bulk
from passports.models import BulkJob, Passport

pytestmark = pytest.mark.django_db


def test_demo_bulk_job_is_finished_and_made_once() -> None:
    tenants = seed_tenants()
    seed_passports(tenants)
    job = seed_bulk(tenants)
    assert job is not None
    assert (job.operation, job.status, job.total, job.succeeded, job.failed) == ("create_items", "done", 5, 5, 0)
    items = Passport.objects.filter(parent=job.parent, serial__startswith="P96B2604")
    assert items.count() == 5 and set(items.values_list("status", flat=True)) == {"published"}
    again = seed_bulk(tenants)
    assert again is not None and again.pk == job.pk
    assert BulkJob.objects.count() == 1

"""Imports leave an audit trail (issue 21, item 4): 85,000 products created by import had left no event.

Things a person sees one by one (products) get one event each, written in bulk; every written chunk gets one
event naming the job, the file's SHA-256 and the chunk's counts, so bulk rows such as activity data are
accounted for without an event per row.
"""

from __future__ import annotations

from typing import Any

import pytest

from lca import models as lca_models
from passports.models import AuditEvent, Product
from tests.lca.test_imports import FACTOR, HEADER, _run
from tests.passports.test_imports_services import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(tenant: Any) -> Any:
    from tests.factories import ProductFactory, gtin_from

    return ProductFactory(organization=tenant.org, gtin=gtin_from(1))


def test_each_imported_product_has_its_event_and_each_chunk_one(tenant: Any) -> None:
    job = run(tenant, "products-utf8.csv", mode="commit", policy="valid_rows", chunk_rows=3)
    assert (job.status, job.rows_created) == ("done", 20)
    created = AuditEvent.objects.filter(organization=tenant.org, action="product.created")
    assert created.count() == Product.objects.filter(organization=tenant.org).count() == 20
    assert set(created.values_list("object_id", flat=True)) == {
        str(pk) for pk in Product.objects.filter(organization=tenant.org).values_list("pk", flat=True)
    }
    chunks = AuditEvent.objects.filter(organization=tenant.org, action="import.chunk_written").order_by("pk")
    assert chunks.count() == 7  # 20 rows in chunks of 3
    assert sum(event.details["created"] for event in chunks) == 20
    assert {event.details["file_sha256"] for event in chunks} == {job.sha256}
    assert {event.object_id for event in chunks} == {str(job.pk)}
    assert [event.details["first_row"] for event in chunks][:2] == [2, 5]


def test_activity_data_gets_one_event_per_chunk_not_per_row(tenant: Any, pack: Any) -> None:
    from tests.factories import gtin_from

    rows = [f"{gtin_from(1)},production,step {n},{n + 1},kWh,{FACTOR},,,true,1,1,2," for n in range(10)]
    job = _run(tenant, "\r\n".join([HEADER, *rows]), chunk_rows=4)
    assert job.rows_created == 10
    assert lca_models.ActivityData.objects.filter(organization=tenant.org).count() == 10
    chunks = AuditEvent.objects.filter(organization=tenant.org, action="import.chunk_written")
    assert [event.details["created"] for event in chunks.order_by("pk")] == [4, 4, 2]
    assert not AuditEvent.objects.filter(organization=tenant.org, object_type="activity_data").exists()

"""Bulk writes of an import: rows copied in, and on PostgreSQL the foreign keys checked once per chunk.

The copy may run with the table's foreign key triggers off (``writing.write_table``); these tests hold it to
what the triggers would do: a key naming no row is refused with ``IntegrityError`` and nothing is stored,
a key naming a row is stored, and the triggers are on again for whatever the transaction does next.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from passports.imports import writing
from tests.factories import ProductFactory, gtin_from

lca_models = pytest.importorskip("lca.models", reason="the LCA app's models are not installed")

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and triggers are PostgreSQL's")


def _rows(org_id: int, product_ids: list[int]) -> pa.Table:
    count = len(product_ids)
    now = pa.array([timezone.now().isoformat()] * count, pa.string())
    return pa.table(
        {
            "organization": pa.array([org_id] * count, pa.int64()),
            "product": pa.array(product_ids, pa.int64()),
            "stage": pa.array(["production"] * count),
            "process": pa.array([f"step {n}" for n in range(count)]),
            "amount": pa.array(["1.5"] * count),
            "unit": pa.array(["kg"] * count),
            "factor": pa.nulls(count, pa.int64()),
            "upstream_product": pa.nulls(count, pa.int64()),
            "gas": pa.array(["CO2_fossil"] * count),
            "primary": pa.array([False] * count),
            "notes": pa.array([""] * count),
            "created_at": now,
            "updated_at": now,
        }
    )


def _replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return str(cursor.fetchone()[0])


def _checked(write: Any) -> None:
    """``write()`` in a transaction of its own, its deferred constraints checked before it ends (where the
    triggers check, they check at the latest here)."""
    with transaction.atomic():
        write()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_rows_are_written_with_their_keys(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org, gtin=gtin_from(1))
    writing.write_table(lca_models.ActivityData, _rows(tenant.org.pk, [product.pk, product.pk]))
    stored = lca_models.ActivityData.objects.filter(organization=tenant.org)
    assert sorted(stored.values_list("process", flat=True)) == ["step 0", "step 1"]
    assert {row.product_id for row in stored} == {product.pk}


@on_postgresql
def test_a_key_naming_no_row_is_refused_and_nothing_is_stored(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org, gtin=gtin_from(1))
    missing = product.pk + 1_000_000
    table = _rows(tenant.org.pk, [product.pk, missing])
    with pytest.raises(IntegrityError, match=rf"passports_product: \[{missing}\]"):
        _checked(lambda: writing.write_table(lca_models.ActivityData, table))
    assert not lca_models.ActivityData.objects.filter(organization=tenant.org).exists()


@on_postgresql
def test_the_triggers_are_on_again_after_the_copy(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org, gtin=gtin_from(1))
    writing.write_table(lca_models.ActivityData, _rows(tenant.org.pk, [product.pk]))
    assert _replication_role() == "origin"
    stored = lca_models.ActivityData.objects.filter(organization=tenant.org)
    with pytest.raises(IntegrityError):
        _checked(lambda: stored.update(product_id=product.pk + 1_000_000))


@on_postgresql
def test_the_chunk_check_is_the_one_the_triggers_make(tenant: Any) -> None:
    """Where the role may not switch triggers off, the same rows give the same outcome through the triggers."""
    product = ProductFactory(organization=tenant.org, gtin=gtin_from(1))
    setattr(connection, writing._TRIGGERS_SWITCHABLE, False)
    try:
        writing.write_table(lca_models.ActivityData, _rows(tenant.org.pk, [product.pk]))
        table = _rows(tenant.org.pk, [product.pk + 1_000_000])
        with pytest.raises(IntegrityError, match="is not present"):
            _checked(lambda: writing.write_table(lca_models.ActivityData, table))
    finally:
        delattr(connection, writing._TRIGGERS_SWITCHABLE)
    assert lca_models.ActivityData.objects.filter(organization=tenant.org).count() == 1


@on_postgresql
def test_a_table_with_a_trigger_of_its_own_keeps_its_triggers(tenant: Any) -> None:
    with connection.cursor() as cursor:
        assert writing._triggers_switchable(cursor, lca_models.ActivityData)
        table = lca_models.ActivityData._meta.db_table
        cursor.execute("CREATE FUNCTION pg_temp.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'")
        cursor.execute(f"CREATE TRIGGER noop BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION pg_temp.noop()")
        assert not writing._triggers_switchable(cursor, lca_models.ActivityData)

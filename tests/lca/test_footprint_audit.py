"""Every computed footprint leaves an audit event (issue 21, item 4: footprints left none).

Footprints are written in bulk (``bulk_create``, or COPY on PostgreSQL), so no model signal fires; the events are
written in bulk beside them, one per footprint, in the organization's chain.
"""

from __future__ import annotations

from typing import Any

import pytest

from lca import services
from passports.models import AuditEvent
from tests.lca.conftest import make_activity, make_factor, make_product

pytestmark = pytest.mark.django_db


def test_each_computation_records_one_event_per_footprint(tenant: Any) -> None:
    grid = make_factor(tenant.org, "grid-audit", co2_fossil=0.5)
    product = make_product(tenant.org, "audited", unit="kg")
    make_activity(product, "production", 4, "kWh", factor=grid)
    services.footprint_compute(product=product)
    services.footprint_compute(product=product)
    events = AuditEvent.objects.filter(organization=tenant.org, action="footprint.computed", object_id=str(product.pk))
    assert events.count() == 2
    assert float(events.first().details["total_kg_co2e"]) == pytest.approx(2.0)


def test_pact_footprints_hosts_and_supply_chain_rows_leave_one_event_per_change(tenant: Any) -> None:
    """PACT footprints and the rows that change a footprint (bill of materials, supplier declarations, hosts)
    left no event before; each save and delete is now one event in the organization's chain."""
    from lca.pact.services import pact_footprint_deprecate, supplier_endpoint_create
    from tests.lca.conftest import make_line, make_supplier
    from tests.lca.pact_support import publish

    def actions(object_type: str) -> list[str]:
        rows = AuditEvent.objects.filter(organization=tenant.org, object_type=object_type).order_by("seq")
        return [row.action.removeprefix(object_type + ".") for row in rows]

    published = publish(tenant.org)
    pact_footprint_deprecate(row=published, comment="superseded")
    assert actions("pact_footprint") == ["created", "updated"]
    host = supplier_endpoint_create(
        org=tenant.org,
        name="Cell supplier",
        base_url="https://pact.supplier.example",
        auth_url="https://pact.supplier.example/auth/token",
        client_id="id",
        secret="secret-value",
    )
    assert actions("pact_host") == ["created"]
    assert "secret-value" not in str(AuditEvent.objects.get(object_type="pact_host").details)
    host.delete()
    assert actions("pact_host") == ["created", "deleted"]
    separator, cell = make_product(tenant.org, "separator"), make_product(tenant.org, "cell")
    make_supplier(separator, 0.8, "m**2", partner="Film Co.")
    line = make_line(cell, separator, 0.5, "m**2")
    services.bom_line_delete(line=line)
    assert actions("supplier_footprint") == ["created"]
    assert actions("bom_line") == ["created", "deleted"]

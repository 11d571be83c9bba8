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

"""Isolation rows of the audit trail and EU registry routes (passports/api/audit_views.py, registry_views.py).

The audit routes are for owners only, API clients included in the refusal, so they use their own kind
``api_owner``: the matrix checks them for no 5xx and no leak of the owner's object (a facility named
``OWNER-SECRET-PLANT`` appears in the owner's trail); tests/passports/test_audit_api.py checks each caller's
exact answer (owner 200, editor/viewer/API client 403, anonymous 401/403, other organization only its own).
"""

from __future__ import annotations

from typing import Any

from passports.services.passports import passport_publish
from tests.factories import FacilityFactory, ProductFactory, make_passport
from tests.routes.rows import Row


def secret_facility(tenant: Any) -> dict[str, Any]:
    FacilityFactory(organization=tenant.org, name="OWNER-SECRET-PLANT")
    return {}


def published(tenant: Any) -> dict[str, Any]:
    facility = FacilityFactory(organization=tenant.org, name="OWNER-SECRET-PLANT")
    product: Any = ProductFactory(organization=tenant.org, facility=facility)
    passport = make_passport(tenant.org, product=product)
    passport_publish(passport=passport)
    return {"pk": passport.pk}


ROWS: dict[str, Row] = {
    "audit-list": Row("api_owner", secret_facility),
    "audit-export-csv": Row("api_owner", secret_facility),
    "audit-export-jsonl": Row("api_owner", secret_facility),
    "registry-record": Row("api_object", published, methods=("get", "patch")),
    "registry-csv": Row("api_list", published),
    "registry-json": Row("api_list", published),
}

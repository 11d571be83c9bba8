"""Isolation rows of the PACT host routes (/2/... and /3/...).

These routes take OAuth2 bearer tokens only (the PACT specifications' security scheme), so the matrix's
session callers are unauthenticated, as anonymous callers are (v2 400, v3 401); another organization's
client that nobody shares with reads an empty list and never sees the owner's footprint (404). ``EXPECTED`` declares
each caller's answers; tests/lca/test_pact_routes.py checks them, with a partner the owner shares with.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.factories import ProductFactory
from tests.routes.rows import Row

KIND = "pact_bearer"


def footprint(tenant: Any) -> dict[str, Any]:
    from lca.pact.services import facts_for_product, pact_footprint_publish

    product = ProductFactory(organization=tenant.org, name="OWNER-SECRET-PLANT product")
    facts = facts_for_product(product=product, declared_unit="kg", pcf_excluding_biogenic=Decimal(3), cpc_code="46410")
    row = pact_footprint_publish(org=tenant.org, product=product, facts=facts)
    return {"pf_id": str(row.pf_id)}


def listing(tenant: Any) -> dict[str, Any]:
    footprint(tenant)
    return {}


def product(tenant: Any) -> dict[str, Any]:
    return {"pk": ProductFactory(organization=tenant.org, name="OWNER-SECRET-PLANT product").pk}


def host(tenant: Any) -> dict[str, Any]:
    from lca.pact.services import supplier_endpoint_create

    endpoint = supplier_endpoint_create(
        org=tenant.org,
        name="OWNER-SECRET-PLANT supplier",
        base_url="https://supplier.example",
        auth_url="https://supplier.example/auth/token",
        client_id="owner-client",
        secret="owner-secret",
    )
    return {"pk": endpoint.pk}


def document(tenant: Any) -> dict[str, Any]:
    return {**footprint(tenant), "version": "3"}


ROWS: dict[str, Row] = {
    "pact-v2-footprints": Row(KIND, make=listing),
    "pact-v2-footprint": Row(KIND, make=footprint),
    "pact-v2-events": Row(KIND, methods=("post",)),
    "pact-v3-footprints": Row(KIND, make=listing),
    "pact-v3-footprint": Row(KIND, make=footprint),
    "pact-v3-events": Row(KIND, methods=("post",)),
    "pact-openid-configuration": Row("public"),
    # The web pages of the exchange (lca/web/pact.py)
    "pact-page": Row("web_page"),
    "pact-product-page": Row("web_object", product),
    "pact-deprecate-page": Row("web_object", footprint, methods=("post",)),
    "pact-document-page": Row("web_object", document),
    "pact-host-add-page": Row("web_page", methods=("post",)),
    "pact-host-test-page": Row("web_object", host, methods=("post",)),
    "pact-host-pull-page": Row("web_object", host, methods=("post",)),
    "pact-host-request-page": Row("web_object", host, methods=("post",)),
}

# caller -> expected status, per route: "partner" is a client of another organization the owner shares
# all footprints with; "stranger" a client of another organization nobody shares with.
EXPECTED: dict[str, dict[str, int]] = {
    "pact-v2-footprints": {"anonymous": 400, "session": 400, "stranger": 200, "partner": 200},
    "pact-v2-footprint": {"anonymous": 400, "session": 400, "stranger": 404, "partner": 200},
    "pact-v2-events": {"anonymous": 400, "session": 400, "stranger": 400, "partner": 400},
    "pact-v3-footprints": {"anonymous": 401, "session": 401, "stranger": 200, "partner": 200},
    "pact-v3-footprint": {"anonymous": 401, "session": 401, "stranger": 404, "partner": 200},
    "pact-v3-events": {"anonymous": 401, "session": 401, "stranger": 400, "partner": 400},
    "pact-openid-configuration": {"anonymous": 200, "session": 200, "stranger": 200, "partner": 200},
}

"""Isolation rows of the lca app's routes (factors, activity data, BOM, supplier footprints, footprints).

Rows the owner makes carry ``OWNER-SECRET-PLANT`` in a text field, so the matrix sees any leak of them to
another organization or to an anonymous caller.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lca import services
from lca.models import Footprint, RecalculationJob
from tests.factories import ProductFactory
from tests.routes.rows import Row

SECRET = "OWNER-SECRET-PLANT"


def _product(tenant: Any, name: str = SECRET) -> Any:
    return ProductFactory(organization=tenant.org, name=name)


def product(tenant: Any) -> dict[str, Any]:
    return {"pk": _product(tenant).pk}


def factor(tenant: Any) -> dict[str, Any]:
    made = services.factor_create(
        org=tenant.org,
        key="owner-secret-grid",
        dataset=SECRET,
        name=SECRET,
        unit="kWh",
        region="KR",
        source=SECRET,
        licence="proprietary",
        co2_fossil=Decimal("0.4"),
    )
    return {"pk": made.pk}


def activity(tenant: Any) -> dict[str, Any]:
    made = services.activity_create(
        org=tenant.org,
        product=_product(tenant),
        stage="production",
        process=SECRET,
        amount=Decimal(1),
        unit="kg",
        gas="CO2_fossil",
    )
    return {"pk": made.pk}


def bom_line(tenant: Any) -> dict[str, Any]:
    made = services.bom_line_create(
        org=tenant.org,
        product=_product(tenant),
        component=_product(tenant, f"{SECRET} part"),
        quantity=Decimal(2),
        unit="piece",
        notes=SECRET,
    )
    return {"pk": made.pk}


def supplier_footprint(tenant: Any) -> dict[str, Any]:
    made = services.supplier_footprint_create(
        org=tenant.org, component=_product(tenant), kg_co2e_per_unit=Decimal("1.5"), declared_unit="kg", source=SECRET
    )
    return {"pk": made.pk}


def profile(tenant: Any) -> dict[str, Any]:
    return {"pk": services.profile_create(org=tenant.org, product=_product(tenant), declared_unit="kg").pk}


def footprint(tenant: Any) -> dict[str, Any]:
    made: Footprint = services.footprint_compute(product=_product(tenant))
    return {"pk": made.pk}


def recalculation(tenant: Any) -> dict[str, Any]:
    job: RecalculationJob = services.recalculation_job_create(org=tenant.org, product_ids=[_product(tenant).pk])
    return {"pk": job.pk}


ROWS: dict[str, Row] = {
    "lca-calculate": Row("api_list", methods=("post",)),
    "product-footprint": Row("api_object", product, methods=("get", "post")),
    "lca-factor-list": Row("api_list", factor, methods=("get", "post")),
    "lca-factor-detail": Row("api_object", factor, methods=("get", "put", "patch", "delete")),
    "lca-activity-list": Row("api_list", activity, methods=("get", "post")),
    "lca-activity-detail": Row("api_object", activity, methods=("get", "put", "patch", "delete")),
    "lca-bom-line-list": Row("api_list", bom_line, methods=("get", "post")),
    "lca-bom-line-detail": Row("api_object", bom_line, methods=("get", "put", "patch", "delete")),
    "lca-supplier-footprint-list": Row("api_list", supplier_footprint, methods=("get", "post")),
    "lca-supplier-footprint-detail": Row("api_object", supplier_footprint, methods=("get", "put", "patch", "delete")),
    "lca-profile-list": Row("api_list", profile, methods=("get", "post")),
    "lca-profile-detail": Row("api_object", profile, methods=("get", "put", "patch", "delete")),
    "lca-footprint-list": Row("api_list", footprint),
    "lca-footprint-detail": Row("api_object", footprint),
    "lca-recalculation-list": Row("api_list", recalculation, methods=("get", "post")),
    "lca-recalculation-detail": Row("api_object", recalculation),
}

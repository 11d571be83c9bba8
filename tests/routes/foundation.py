"""Isolation rows of the foundation's routes."""

from __future__ import annotations

from typing import Any

from tests.factories import FacilityFactory
from tests.routes.rows import Row


def facility(tenant: Any) -> dict[str, Any]:
    return {"pk": FacilityFactory(organization=tenant.org, name="OWNER-SECRET-PLANT").pk}


def membership(tenant: Any) -> dict[str, Any]:
    return {"pk": tenant.org.memberships.get(user=tenant.owner).pk}


def company_prefix(tenant: Any) -> dict[str, Any]:
    from passports.models import CompanyPrefix

    return {"pk": CompanyPrefix.objects.filter(organization=tenant.org).first().pk}  # type: ignore[union-attr]


ROWS: dict[str, Row] = {
    "healthz": Row("public"),
    "readyz": Row("public"),
    "oauth2-token": Row("token", methods=("post",)),
    "schema": Row("public"),
    "swagger-ui": Row("public"),
    "redoc": Row("public"),
    "organization-current": Row("api_self"),
    "facility-list": Row("api_list", facility, methods=("get", "post")),
    "facility-detail": Row("api_object", facility, methods=("get", "put", "patch", "delete")),
    "membership-list": Row("api_list", membership),
    "membership-detail": Row("api_object", membership),
    # POST is for owners only (not API clients): passports/test_company_prefixes.py
    "company-prefix-list": Row("api_list", company_prefix),
    "company-prefix-detail": Row("api_object", company_prefix),
    "admin:*": Row("admin"),
    "set_language": Row("web_post", methods=("post",)),
    "home": Row("public"),
    "login": Row("public"),
    "logout": Row("web_post", methods=("post",)),
    "organization-switch": Row("web_post", methods=("post",)),
    "facility-list-page": Row("web_page", facility),
    "facility-create-page": Row("web_page", methods=("get", "post")),
    "facility-edit-page": Row("web_object", facility, methods=("get", "post")),
}

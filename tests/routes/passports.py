"""Isolation rows of the passports app's routes (products, passports, versions, validation, schemas)."""

from __future__ import annotations

from typing import Any

from tests.factories import ProductFactory, make_passport
from tests.routes.rows import Row


def product(tenant: Any) -> dict[str, Any]:
    return {"pk": ProductFactory(organization=tenant.org, name="OWNER-SECRET-PRODUCT").pk}


def passport(tenant: Any) -> dict[str, Any]:
    return {"pk": make_passport(tenant.org, name="OWNER-SECRET-PASSPORT").pk}


def version(tenant: Any) -> dict[str, Any]:
    return {**passport(tenant), "number": 1}


def schema(tenant: Any) -> dict[str, Any]:
    return {"category": "battery", "version": "1.0"}


ROWS: dict[str, Row] = {
    "product-list": Row("api_list", product, methods=("get", "post")),
    "product-detail": Row("api_object", product, methods=("get", "put", "patch", "delete")),
    "passport-list": Row("api_list", passport, methods=("get", "post")),
    "passport-detail": Row("api_object", passport, methods=("get", "patch", "delete")),
    "passport-versions": Row("api_object", passport, methods=("get", "post")),
    "passport-version-detail": Row("api_object", version),
    "passport-validation": Row("api_object", passport),
    "passport-publish": Row("api_object", passport, methods=("post",)),
    "passport-revoke": Row("api_object", passport, methods=("post",)),
    "validate": Row("api_list", methods=("post",)),
    "schema-list": Row("public"),
    "schema-detail": Row("public", schema),
}

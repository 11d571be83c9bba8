"""Isolation rows of the signing routes: the public resolver and trust documents, and the signing API."""

from __future__ import annotations

from typing import Any

from exporters.services.credentials import credential_uuid
from passports.identifiers import DigitalLink
from passports.services.passports import passport_publish
from tests.factories import ProductFactory, make_passport
from tests.routes.rows import Row


def _published(tenant: Any, **fields: Any) -> Any:
    passport = make_passport(tenant.org, name="OWNER-SECRET-PASSPORT", **fields)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


def _link_kwargs(passport: Any) -> dict[str, Any]:
    link = DigitalLink.parse(passport.identifier)
    kwargs: dict[str, Any] = {"gtin": link.gtin}
    if link.lot:
        kwargs["lot"] = link.lot
    if link.serial:
        kwargs["serial"] = link.serial
    return kwargs


def resolver_model(tenant: Any) -> dict[str, Any]:
    return _link_kwargs(_published(tenant))


def resolver_lot(tenant: Any) -> dict[str, Any]:
    product = ProductFactory(organization=tenant.org)
    _published(tenant, product=product)
    return _link_kwargs(_published(tenant, product=product, granularity="batch", lot="L-OWNER-1", data={}))


def resolver_serial(tenant: Any) -> dict[str, Any]:
    product = ProductFactory(organization=tenant.org)
    _published(tenant, product=product)
    return _link_kwargs(_published(tenant, product=product, granularity="item", serial="SN-OWNER-1", data={}))


def resolver_lot_serial(tenant: Any) -> dict[str, Any]:
    product = ProductFactory(organization=tenant.org)
    _published(tenant, product=product)
    item = _published(tenant, product=product, granularity="item", lot="L-OWNER-2", serial="SN-OWNER-2", data={})
    return _link_kwargs(item)


def org_slug(tenant: Any) -> dict[str, Any]:
    _published(tenant)
    return {"slug": tenant.org.slug}


def status_list(tenant: Any) -> dict[str, Any]:
    _published(tenant)
    return {"slug": tenant.org.slug, "purpose": "revocation"}


def status_list_numbered(tenant: Any) -> dict[str, Any]:
    # Number 1 through the numbered route: the same list as /status/revocation.
    return {**status_list(tenant), "number": 1}


def public_data(tenant: Any) -> dict[str, Any]:
    passport = _published(tenant)
    issued = passport.versions.get(status="published").issued_credential
    return {"slug": tenant.org.slug, "credential": credential_uuid(issued), "tier": "public"}


def passport_pk(tenant: Any) -> dict[str, Any]:
    return {"pk": _published(tenant).pk}


def version_number(tenant: Any) -> dict[str, Any]:
    return {"pk": _published(tenant).pk, "number": 1}


def context_version(tenant: Any) -> dict[str, Any]:
    """Our JSON-LD context belongs to no tenant: version 1 is served to everyone."""
    return {"version": 1}


ROWS: dict[str, Row] = {
    # Public by design: anyone holding a QR code or a credential reads these, whatever their organization.
    "resolver-gtin": Row("public", resolver_model),
    "resolver-lot": Row("public", resolver_lot),
    "resolver-serial": Row("public", resolver_serial),
    "resolver-lot-serial": Row("public", resolver_lot_serial),
    "did-document": Row("public", org_slug),
    "status-list": Row("public", status_list),
    "status-list-numbered": Row("public", status_list_numbered),
    "passport-data": Row("public", public_data),
    "passport-context": Row("public", context_version),
    # GET describes the verifier to anyone; POST is tested in tests/exporters/test_signing_api_django.py.
    "credential-verify": Row("public"),
    # The organization's own passports and keys.
    "passport-qr-svg": Row("api_object", passport_pk),
    "passport-qr-png": Row("api_object", passport_pk),
    "passport-export": Row("api_object", passport_pk),
    "passport-version-suspension": Row("api_object", version_number, methods=("post",)),
    "signing-key-list": Row("api_list", org_slug),
}

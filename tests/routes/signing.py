"""Isolation rows of the signing routes: the public resolver and trust documents, and the signing API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from exporters.services.credentials import credential_uuid
from passports.services.passports import passport_publish
from tests.factories import ProductFactory, make_passport
from tests.routes.rows import Row


def _published(tenant: Any, **fields: Any) -> Any:
    passport = make_passport(tenant.org, name="OWNER-SECRET-PASSPORT", **fields)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


def _tail(passport: Any) -> dict[str, Any]:
    return {"tail": urlsplit(passport.identifier).path.removeprefix("/01/")}


def resolver_item(tenant: Any) -> dict[str, Any]:
    """The most specific level: an item of a batch, below a published model passport."""
    product = ProductFactory(organization=tenant.org)
    _published(tenant, product=product)
    item = _published(tenant, product=product, granularity="item", lot="L-OWNER-2", serial="SN-OWNER-2", data={})
    return _tail(item)


def resolver_compressed(tenant: Any) -> dict[str, Any]:
    from gs1 import compress_gs1_digital_link

    passport = _published(tenant)
    return {"segment": urlsplit(compress_gs1_digital_link(passport.identifier)).path.strip("/")}


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
    "resolver": Row("public", resolver_item),
    "passport-page": Row("public", resolver_item),
    "resolver-compressed": Row("public", resolver_compressed),
    "gs1-resolver-description": Row("public"),
    "gs1-linkset-context": Row("public"),
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
    "public-address-page": Row("web_page", methods=("get", "post")),
}

"""Isolation rows of grants and the access log over the API (passports/api/access_views.py)."""

from __future__ import annotations

from typing import Any

from tests.routes.rows import Row
from tests.routes.web import grant, listed_access, listed_grant


def access_request(tenant: Any) -> dict[str, Any]:
    """A partner's pending request about the owner's published passport."""
    from passports.services.access_requests import access_request_create
    from passports.services.passports import passport_publish
    from tests.factories import OrganizationFactory, make_passport

    passport = make_passport(tenant.org, name="OWNER-SECRET-PLANT requested")
    passport_publish(passport=passport, by=tenant.owner)
    asking = OrganizationFactory(name="OWNER-SECRET-PLANT requester")
    made = access_request_create(requester=asking, passport=passport, purpose="OWNER-SECRET-PLANT why")
    return {"pk": made.pk}


def listed_request(tenant: Any) -> dict[str, Any]:
    access_request(tenant)
    return {}


def published_passport(tenant: Any) -> dict[str, Any]:
    from passports.services.passports import passport_publish
    from tests.factories import make_passport

    passport = make_passport(tenant.org, name="OWNER-SECRET-PLANT named operator")
    passport_publish(passport=passport, by=tenant.owner)
    return {"pk": passport.pk}


def listed_operator_link(tenant: Any) -> dict[str, Any]:
    """The owner's passport names another organization as its economic operator."""
    from tests.factories import OrganizationFactory

    OrganizationFactory(name="OWNER-SECRET-PLANT importer", eori="DE5512340000123")
    published_passport(tenant)
    return {}


ROWS: dict[str, Row] = {
    "operator-link-list": Row("api_list", listed_operator_link),
    "operator-links-match-page": Row("web_object", published_passport, methods=("post",)),
    "grant-list": Row("api_list", listed_grant),
    "grant-detail": Row("api_object", grant),
    "grant-revoke": Row("api_owner", grant, methods=("post",)),
    "access-log-list": Row("api_list", listed_access),
    "access-request-list": Row("api_list", listed_request),
    "access-request-detail": Row("api_object", access_request),
    "access-request-grant": Row("api_owner", access_request, methods=("post",)),
    "access-request-refuse": Row("api_owner", access_request, methods=("post",)),
    "access-request-new-page": Row("web_page", listed_request, methods=("get", "post")),
    "access-request-answer-page": Row("web_object", access_request, methods=("post",)),
}

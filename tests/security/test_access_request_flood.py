"""A request flood from one party is throttled (issue 14, "Bad input and attacks"): the DRF scope
``access_request`` counts one organization's requests over the API, before the service's stored limits."""

from __future__ import annotations

from typing import Any

import pytest

from passports.models import AccessRequest
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db

URL = "/api/v1/access-requests/"


def _published(tenant: Any, n: int) -> list[Any]:
    passports = [make_passport(tenant.org) for _ in range(n)]
    for passport in passports:
        passport_publish(passport=passport, by=tenant.owner)
    return passports


def test_one_partys_burst_is_throttled_per_organization(
    tenant: Any, other_tenant: Any, bearer_api: Any, login_api: Any, throttle_rates: Any
) -> None:
    first, second, third = _published(tenant, 3)
    client, person = bearer_api(other_tenant.org), login_api(other_tenant.owner)
    throttle_rates(access_request="2/min")
    ask = {"purpose": "Certified recycler"}
    assert client.post(URL, {**ask, "identifier": first.identifier}, format="json").status_code == 201
    assert person.post(URL, {**ask, "identifier": second.identifier}, format="json").status_code == 201
    refused = client.post(URL, {**ask, "identifier": third.identifier}, format="json")  # the same party
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert AccessRequest.objects.filter(requester=other_tenant.org).count() == 2  # nothing stored
    assert client.get(URL, {"direction": "sent"}).status_code == 200  # reading is not an access request
    # Another party keeps its own budget.
    other = login_api(tenant.owner)
    assert other.get(URL).status_code == 200


def test_the_stored_limit_still_answers_400_naming_it(
    tenant: Any, other_tenant: Any, login_api: Any, throttle_rates: Any
) -> None:
    """Under the throttle's rate, the service's per-owner limit of pending requests speaks (400, the field)."""
    passports = _published(tenant, 4)
    person = login_api(other_tenant.owner)
    throttle_rates(access_request="100/min")
    codes = [
        person.post(URL, {"identifier": p.identifier, "purpose": "Repairer"}, format="json").status_code
        for p in passports
    ]
    assert codes == [201, 201, 201, 400]

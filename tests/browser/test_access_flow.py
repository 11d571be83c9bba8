"""The access walk in a real browser: a partner asks for access on the public passport page, the owner grants
it with one click, the partner sees the restricted section, the owner revokes, the partner sees the public
page only, and the owner reads who read what in the access log. Screenshots in tests/artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from passports.models import AccessLogEntry, AccessRequest
from passports.services.passports import passport_publish
from tests.browser.conftest import log_in, screenshot
from tests.factories import make_passport

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RESTRICTED = "Detailed composition"  # the title of battery_materials, a legitimate-interest section


def test_request_grant_read_revoke_and_read_the_log(
    page: Any, browser: Any, live_server: Any, tenant: Any, other_tenant: Any
) -> None:
    url = live_server.url
    passport = make_passport(tenant.org)
    passport_publish(passport=passport, by=tenant.owner)
    public = f"{url}/dpp/{passport.identifier.split('://', 1)[1].split('/', 1)[1]}"

    log_in(page, live_server, other_tenant.viewer)  # the partner
    page.goto(public)
    assert RESTRICTED not in page.content()
    page.get_by_role("link", name="Request access to the restricted data").click()
    page.get_by_label("Who you are and why you need it").fill("Certified battery recycler; dismantling plan")
    screenshot(page, "access-1-request")
    page.get_by_role("button", name="Send request").click()
    assert page.get_by_text("Your request was sent").is_visible()
    assert AccessRequest.objects.get().status == "pending"

    owner_context = browser.new_context(viewport={"width": 1280, "height": 900})
    owner = owner_context.new_page()
    log_in(owner, live_server, tenant.owner)
    owner.goto(f"{url}/partners/")
    assert owner.get_by_text("Certified battery recycler").is_visible()
    screenshot(owner, "access-2-pending-request")
    owner.get_by_role("button", name="Grant", exact=True).click()
    assert owner.get_by_text(f"Access granted to {other_tenant.org.name}").is_visible()

    page.goto(public)
    assert RESTRICTED in page.content()
    screenshot(page, "access-3-partner-sees-restricted")

    owner.goto(f"{url}/partners/")
    owner.get_by_role("button", name=f"Revoke access of {other_tenant.org.name}").click()
    assert owner.get_by_text("revoked; it ends with their next request").is_visible()
    page.goto(public)
    assert RESTRICTED not in page.content()
    screenshot(page, "access-4-partner-public-again")

    owner.goto(f"{url}/partners/access-log/")
    assert owner.get_by_text(other_tenant.viewer.username).first.is_visible()
    screenshot(owner, "access-5-access-log")
    assert list(AccessLogEntry.objects.values_list("output", "tier")) == [("html", "legitimate_interest")]
    owner_context.close()

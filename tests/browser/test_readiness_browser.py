"""The readiness cockpit in a real browser: a compliance manager finds the drafts that block the battery
deadline, opens the conformance matrix of one, follows its next step to the editor; then the same in Korean
and at phone width. Screenshots go to ``tests/artifacts/``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.test_web_screens import showcase

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_from_the_deadline_to_the_missing_field(page: Any, live_server: Any, tenant: Any) -> None:
    made = showcase(tenant)
    url = live_server.url
    log_in(page, live_server, tenant.owner)
    page.goto(f"{url}/")
    # The dashboard's deadline links to the products it concerns that are not yet published.
    page.locator("a[href*='/readiness/?deadline=2027-02-18']").first.click()
    page.wait_for_url("**/readiness/?deadline=2027-02-18")
    rows = page.locator("table.readiness-matrix tbody tr")
    names = rows.locator("th").all_inner_texts()
    assert any("HBE-R229" in name for name in names), names
    assert not any("HBE-P96" in name for name in names), "a published product is not in the to-do view"
    screenshot(page, "readiness-deadline")

    page.goto(f"{url}/readiness/")
    page.locator("#f-status").select_option("invalid")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_url("**status=invalid**")
    row = page.locator("table.readiness-matrix tbody tr").filter(has_text="HBE-R229")
    assert row.count() == 1
    assert "Annex VI Part A(4)" in row.inner_text()  # the clause of the missing manufacturing date
    screenshot(page, "readiness-invalid")

    row.get_by_role("link", name="Conformance matrix").click()
    page.wait_for_url(f"**/passports/{made['draft'].pk}/conformance/")
    missing = page.locator("tr.field-missing[data-pointer='/general_product_information/manufacturing_date']")
    assert missing.count() == 1
    completeness = int(page.locator("#completeness").inner_text().rstrip("%"))
    assert 0 < completeness < 100
    screenshot(page, "conformance")

    page.goto(f"{url}/readiness/?status=invalid")
    page.locator("table.readiness-matrix tbody tr").filter(has_text="HBE-R229").get_by_role("link", name="Fix").click()
    page.wait_for_url(f"**/passports/{made['draft'].pk}/edit/")


def test_the_cockpit_in_korean_at_phone_width(page: Any, live_server: Any, tenant: Any) -> None:
    showcase(tenant)
    url = live_server.url
    log_in(page, live_server, tenant.owner)
    page.goto(f"{url}/")
    page.locator("#lang-select").select_option("ko")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    page.goto(f"{url}/readiness/")
    assert page.locator("h1").inner_text() == "준비 현황"
    assert page.get_by_role("link", name="적합성 매트릭스").count() >= 1
    screenshot(page, "readiness-ko")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/readiness/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the cockpit is {overflow}px wider than the phone"
    screenshot(page, "readiness-phone-ko", full_page=False)

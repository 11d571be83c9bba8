"""Bulk publishing in a real browser: a compliance manager filters the passport list to the draft item passports
of a production run (two pages), selects every page, sees on the confirmation page how many will be signed and
how many refused, confirms, and reads the finished job with its progress bar and the one refused item; then the
confirmation page in Korean. Screenshots go to ``tests/artifacts/``."""

from __future__ import annotations

from typing import Any

import pytest

from passports.models import BulkJob, Passport
from tests.browser.conftest import log_in, screenshot
from tests.factories import make_passport, make_published_passport

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _production_run(tenant: Any) -> tuple[Passport, Passport]:
    """A published model with 30 draft item passports (more than one page of the list), one of them invalid."""
    model = make_published_passport(tenant.org, name="HBE-P96 production run")
    for n in range(29):
        make_passport(tenant.org, granularity="item", product=model.product, serial=f"P96C{n:04d}", data={})
    broken = make_passport(
        tenant.org,
        granularity="item",
        product=model.product,
        serial="P96C9999",
        data={"carbon_footprint": {"battery_carbon_footprint": -1}},
    )
    return model, broken


def test_publish_every_page_of_a_filtered_list(page: Any, live_server: Any, tenant: Any) -> None:
    model, broken = _production_run(tenant)
    url = live_server.url
    log_in(page, live_server, tenant.editor)
    page.goto(f"{url}/passports/?granularity=item&status=draft")
    assert page.locator("table tbody tr").count() == 25  # one page of 30
    page.locator("#bulk-all-matching").check()
    screenshot(page, "bulk-select")
    page.locator("#bulk-publish").click()
    page.wait_for_url("**/bulk/*/")
    summary = page.locator(".confirm-summary").inner_text()
    assert "30 passports with a draft are selected." in summary, summary
    assert "29 validate now and will be signed and published; 1 has errors and will be refused." in summary
    assert not Passport.objects.filter(parent=model, status="published").exists()  # nothing signed yet
    screenshot(page, "bulk-confirm")

    page.locator("#bulk-confirm").click()
    page.wait_for_selector(".job-status.job-done")
    assert page.locator("progress.bar-job").get_attribute("value") == "100"
    counts = page.locator(".job-counts").inner_text()
    assert "30 / 30" in counts, counts
    refused = page.locator("table tbody tr")
    assert refused.count() == 1 and broken.identifier in refused.inner_text()
    screenshot(page, "bulk-done")
    job = BulkJob.objects.get()
    assert (job.status, job.succeeded, job.failed) == ("done", 29, 1)
    assert Passport.objects.filter(parent=model, status="published").count() == 29

    # The refused item links to its editor, where the error is fixed.
    refused.get_by_role("link").click()
    page.wait_for_url(f"**/passports/{broken.pk}/edit/")


def test_the_confirmation_in_korean(page: Any, live_server: Any, tenant: Any) -> None:
    _production_run(tenant)
    url = live_server.url
    log_in(page, live_server, tenant.editor)
    page.goto(f"{url}/")
    page.locator("#lang-select").select_option("ko")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    page.goto(f"{url}/passports/?granularity=item&status=draft")
    page.locator("#bulk-all-matching").check()
    page.locator("#bulk-publish").click()
    page.wait_for_url("**/bulk/*/")
    assert page.locator("h2").first.inner_text() == "실행 전에 확인하십시오"
    assert "초안이 있는 여권 30개를 선택했습니다." in page.locator(".confirm-summary").inner_text()
    screenshot(page, "bulk-confirm-ko")

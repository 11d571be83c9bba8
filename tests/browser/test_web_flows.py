"""What a person does in a real browser: log in, create a product and its passport, make a mistake, see it
beside the field, fix it, publish, download the report; upload a CSV and watch it; use the UI in Korean.

Each flow drives Debian's chromium through Playwright against the live server; the browser's console must
stay free of errors, so a Content-Security-Policy violation (an inline script or style) fails the test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from passports.models import ImportJob, Passport, PassportVersion, Product
from tests.browser.conftest import log_in, screenshot
from tests.factories import example_data, gtin_from

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests/factories.py UserFactory


def field(page: Any, pointer: str) -> Any:
    """The input of the passport form field named by a JSON Pointer."""
    return page.locator(f'[id="f{pointer}"]')


def field_box(page: Any, pointer: str) -> Any:
    return page.locator("div.sf-field", has=page.locator(f'label[for="f{pointer}"]'))


def test_create_a_product_and_passport_fix_a_mistake_and_publish(page: Any, live_server: Any, tenant: Any) -> None:
    url = live_server.url
    data = example_data("battery")
    gtin = data["general_product_information"]["gtin"]

    # Log in through the form.
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(tenant.editor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/")

    # A product, from the products page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Products").click()
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Name (English)").fill("HBE-P96 EV battery pack")
    page.get_by_label("GTIN").fill(gtin)
    page.get_by_label("Passport category").select_option("battery")
    page.get_by_label("CN code").fill("85076000")
    page.get_by_role("button", name="Create product").click()
    page.get_by_role("heading", name="HBE-P96 EV battery pack").wait_for()
    product = Product.objects.get(organization=tenant.org, gtin=gtin)

    # Its model passport: it starts with the product's GTIN.
    page.get_by_role("link", name="New passport").click()
    page.get_by_role("button", name="Create passport").click()
    page.wait_for_url(re.compile(r"/passports/\d+/edit/$"))
    assert field(page, "/general_product_information/gtin").input_value() == gtin
    passport = Passport.objects.get(product=product)

    # The rest of the data arrives as a colleague's import would leave it; then the person edits it here.
    version = passport.versions.get()
    PassportVersion.objects.filter(pk=version.pk).update(data=data, revision=version.revision + 1)
    page.reload()

    # A mistake: a decimal comma in the battery mass. Typing disables Publish until the draft is saved.
    mass = field(page, "/general_product_information/battery_mass")
    mass.fill("545,0")
    assert page.locator("[data-publish]").is_disabled()
    # A new row in a repeatable list, added from the keyboard.
    add = page.locator('[id="f/material_composition/critical_raw_materials"] [data-add-row]')
    add.focus()
    page.keyboard.press("Enter")
    added = page.locator('[id="f/material_composition/critical_raw_materials"] li.sf-row input').last
    assert added.evaluate("element => element === document.activeElement")
    page.keyboard.type("Bauxite")

    # "Check for errors" answers in place (HTMX) without saving...
    page.get_by_role("button", name="Check for errors").click()
    box = field_box(page, "/general_product_information/battery_mass")
    box.locator(".error-text").wait_for()
    assert "not saved yet" in page.locator(".report").inner_text()
    version.refresh_from_db()
    assert version.data["general_product_information"]["battery_mass"] != "545,0"
    screenshot(page, "editor-error-beside-field", full_page=False)

    # ...and "Save draft" keeps exactly what was typed, the mistake included, and shows it beside the field.
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    box = field_box(page, "/general_product_information/battery_mass")
    assert box.locator(".error-text").count() == 1
    assert field(page, "/general_product_information/battery_mass").get_attribute("aria-invalid") == "true"
    assert page.locator("[data-publish]").is_disabled()
    version.refresh_from_db()
    assert version.data["general_product_information"]["battery_mass"] == "545,0"
    assert "Bauxite" in version.data["material_composition"]["critical_raw_materials"]

    # The error summary links to the field.
    page.locator("#error-summary a").first.click()
    assert page.evaluate("location.hash") == "#f/general_product_information/battery_mass"

    # The fix, then publish.
    field(page, "/general_product_information/battery_mass").fill("545.0")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    assert page.locator(".report-ok").is_visible(), page.locator("#error-summary").inner_text()
    publish = page.locator("[data-publish]")
    assert publish.is_enabled()
    publish.click()
    page.wait_for_url(re.compile(rf"/passports/{passport.pk}/$"))
    assert Passport.objects.get(pk=passport.pk).status == "published"
    page.get_by_text("Version 1 is published.").wait_for()
    screenshot(page, "passport-published")

    # The compliance report, when the report endpoint is installed.
    report = page.get_by_role("link", name="Compliance report (PDF, English)")
    if report.count():
        with page.expect_download() as download:
            report.click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF-")


def test_upload_a_csv_watch_the_progress_and_open_the_error_report(page: Any, live_server: Any, tenant: Any) -> None:
    from passports.imports.services import import_job_create, import_job_run

    url = live_server.url
    log_in(page, live_server, tenant.editor)
    bad = gtin_from(77)[:-1] + str((int(gtin_from(77)[-1]) + 1) % 10)
    body = "gtin,name,category\n" + "".join(f"{gtin_from(n)},Pack {n},battery\n" for n in range(4))
    body += f"{bad},Broken pack,battery\n"

    page.goto(f"{url}/imports/")
    page.get_by_label("What the file holds").select_option("products")
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "partner-products.csv", "mimeType": "text/csv", "buffer": body.encode()}
    )
    page.get_by_label("Dry run (check only)").check()
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    page.locator(".job-status", has_text="Done").wait_for()
    assert page.get_by_role("cell", name=bad, exact=True).is_visible()
    screenshot(page, "import-dry-run")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report (CSV)").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert bad in report and report.startswith("row,column,value,message")

    # A job the worker has not finished: the page follows it without reloading.
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("big.csv", body.encode(), content_type="text/csv")
    job = import_job_create(
        org=tenant.org, by=tenant.editor, upload=upload, kind="products", chunk_rows=2, enqueue=False
    )
    page.goto(f"{url}/imports/{job.pk}/")
    page.evaluate("window.notReloaded = true")
    page.locator(".job-status", has_text="Queued").wait_for()
    import_job_run(job_id=job.pk, max_chunks=1)
    page.locator(".job-percent", has_text=re.compile(r"^[1-9]\d?%$")).wait_for()
    screenshot(page, "import-running", full_page=False)
    import_job_run(job_id=job.pk)
    page.locator(".job-status", has_text="Done").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert ImportJob.objects.get(pk=job.pk).status == "done"


def test_the_interface_in_korean(page: Any, live_server: Any, tenant: Any) -> None:
    from passports.services.passports import passport_publish
    from tests.factories import make_passport

    url = live_server.url
    broken = example_data("battery")
    del broken["general_product_information"]["manufacturing_date"]
    draft = make_passport(tenant.org, data=broken, name="HBE-R229 storage rack")
    passport_publish(passport=make_passport(tenant.org, name="HBE-P96 EV battery pack"))
    log_in(page, live_server, tenant.owner)
    page.goto(f"{url}/")
    page.locator("#lang-select").select_option("ko")  # switches at once (static/js/app.js)
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert page.get_by_role("heading", name="대시보드").is_visible()
    assert "2027년 2월 18일" in page.locator(".deadlines").inner_text()
    screenshot(page, "dashboard-ko")
    page.goto(f"{url}/passports/{draft.pk}/edit/")
    box = field_box(page, "/general_product_information/manufacturing_date")
    assert "제조일" in box.locator("label").inner_text()
    assert re.search("[\uac00-\ud7a3]", box.locator(".error-text").inner_text())
    assert page.get_by_role("button", name="임시 저장").is_visible()
    screenshot(page, "editor-ko", full_page=False)

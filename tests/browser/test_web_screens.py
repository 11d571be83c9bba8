"""A tour of the main pages with realistic data: each must render without browser errors, in English and
Korean and at phone width, and its screenshot is kept under ``tests/artifacts/`` for people to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from passports.models import Passport
from tests.browser.conftest import log_in, screenshot
from tests.factories import FacilityFactory, ProductFactory, example_data, make_passport

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def showcase(tenant: Any) -> dict[str, Passport]:
    """An exporter's week: published battery passports with items, a draft to fix, CBAM data, an import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from passports.imports.services import import_job_create, import_job_run
    from passports.services.passports import passport_create, passport_publish, passport_version_new
    from passports.services.tenants import api_client_create

    org = tenant.org
    plant = FacilityFactory(organization=org, name="Ochang Cell & Pack Plant", gln="8801234000024")
    ev = example_data("battery")
    pack = ProductFactory(
        organization=org,
        gtin=ev["general_product_information"]["gtin"],
        name="HBE-P96 NMC811 96 kWh EV battery pack",
        name_ko="HBE-P96 NMC811 96 kWh 전기차 배터리 팩",
        model_name="HBE-P96",
        brand="Hanbit",
        facility=plant,
    )
    model = make_passport(org, product=pack, data=ev)
    passport_publish(passport=model)
    changed = example_data("battery")
    changed["general_product_information"]["battery_mass"] = 548.5
    changed["carbon_footprint"]["absolute_carbon_footprint"] = 6790
    passport_version_new(passport=model, data=changed)
    passport_publish(passport=model)
    item = None
    for serial in ("P96A2603120417", "P96A2603120418", "P96A2603120419"):
        item = passport_create(
            org=org,
            product=pack,
            granularity="item",
            schema=model.schema,
            data={"general_product_information": {"product_identifier": f"HBE-{serial}"}},
            lot="L2603-12",
            serial=serial,
            base_url=settings.PLATFORM_BASE_URL,
        )
        passport_publish(passport=item)
    rack = example_data("battery", which=1)
    rack["general_product_information"].pop("manufacturing_date")
    rack["general_product_information"]["battery_mass"] = "1 180 kg"
    draft = make_passport(org, data=rack, name="HBE-R229 LFP energy storage rack")
    make_passport(org, category="textile", name="Organic cotton T-shirt")
    cbam = make_passport(org, category="cbam-installation", name="Hot-rolled steel coil (CBAM)")
    passport_publish(passport=cbam)
    body = "gtin,name,category\n8801234000031,LFP pack 48 V,battery\n8801234000040,Cell module,battery\n"
    body += "880123400004,Broken row,battery\n"
    upload = SimpleUploadedFile("partner-products.csv", body.encode(), content_type="text/csv")
    job = import_job_create(org=org, by=tenant.owner, upload=upload, kind="products", enqueue=False)
    import_job_run(job_id=job.pk)
    api_client_create(org=org, name="Rheinland ERP", scopes=["read"])
    from lca.computation import footprint_compute
    from lca.services import activity_create

    for stage, process, amount, gas in (
        ("raw_material", "Cathode active material (NMC811)", "3100", "CO2_fossil"),
        ("raw_material", "Anode graphite", "620", "CO2_fossil"),
        ("production", "Cell formation and ageing", "1450", "CO2_fossil"),
        ("production", "Electrolyte solvent losses", "0.8", "CH4_fossil"),
        ("distribution", "Sea freight Busan to Rotterdam", "210", "CO2_fossil"),
        ("end_of_life", "Recycling credit", "0", "CO2_fossil"),
    ):
        activity_create(org=org, product=pack, stage=stage, process=process, amount=amount, unit="kg", gas=gas)
    footprint_compute(product=pack)
    assert item is not None
    return {"model": model, "item": item, "draft": draft, "cbam": cbam}


def test_tour_of_the_main_pages(page: Any, live_server: Any, tenant: Any) -> None:
    made = showcase(tenant)
    url = live_server.url
    log_in(page, live_server, tenant.owner)
    pages = {
        "dashboard": "/",
        "products": "/products/",
        "product": f"/products/{made['model'].product_id}/",
        "passports": "/passports/",
        "passport": f"/passports/{made['model'].pk}/",
        "editor-draft": f"/passports/{made['draft'].pk}/edit/",
        "editor-item": f"/passports/{made['item'].pk}/edit/",
        "history": f"/passports/{made['model'].pk}/history/",
        "imports": "/imports/",
        "cbam": "/cbam/",
        "organization": "/organization/",
        "facilities": "/facilities/",
        "footprint": f"/products/{made['model'].product_id}/footprint/",
        "footprints": "/footprints/",
    }
    for name, path in pages.items():
        response = page.goto(url + path)
        assert response is not None and response.status == 200, path
        screenshot(page, name, full_page=not name.startswith("editor"))
    # The diff names what changed between the two published versions.
    page.goto(f"{url}/passports/{made['model'].pk}/history/?a=1&b=2")
    assert page.locator("tr.diff-changed").count() == 2
    screenshot(page, "history-diff")
    # An API client's secret, shown once.
    page.goto(f"{url}/organization/api-clients/")
    page.get_by_label("Name").fill("Customs broker")
    page.get_by_role("button", name="Create client").click()
    assert page.locator("#client-secret").inner_text().strip()
    screenshot(page, "api-clients")


def test_korean_and_phone_width(page: Any, live_server: Any, tenant: Any) -> None:
    made = showcase(tenant)
    url = live_server.url
    log_in(page, live_server, tenant.owner)
    page.goto(f"{url}/")
    page.locator("#lang-select").select_option("ko")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    for name, path in {
        "products-ko": "/products/",
        "editor-ko": f"/passports/{made['draft'].pk}/edit/",
        "imports-ko": "/imports/",
    }.items():
        page.goto(url + path)
        screenshot(page, name, full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in {"dashboard-phone-ko": "/", "editor-phone-ko": f"/passports/{made['draft'].pk}/edit/"}.items():
        page.goto(url + path)
        # Nothing but the tables may scroll sideways at phone width.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than the phone"
        screenshot(page, name, full_page=False)
    public = made["model"].identifier.split("://", 1)[1].split("/", 1)[1]
    response = page.goto(f"{url}/dpp/{public}")  # the resolver redirects to this page under PLATFORM_BASE_URL
    if response is not None and response.status == 200 and re.search(r"html", response.headers.get("content-type", "")):
        screenshot(page, "public-page-phone", full_page=False)

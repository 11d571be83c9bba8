"""Each passport carries its own identifiers (issue #16 part 4), however its data arrives: service, API, CSV import.

Item passports store only what differs from their model passport; before ``passports.services.identity`` every
item inherited the model's battery passport identifier, so three batteries claimed a fourth one's identity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from passports.identifiers import GS1_CSET82, DigitalLink, DigitalLinkError, gs1_check_digit
from passports.imports.services import import_job_create, import_job_run
from passports.models import CompanyPrefix, PassportVersion
from passports.selectors.passports import effective_data_of
from passports.services.passports import product_create
from passports.services.tenants import facility_create
from tests.factories import ProductFactory, example_data, gtin_from, make_passport
from tests.passports.test_imports_services import upload

IMPORTS = Path(__file__).resolve().parents[1] / "data" / "imports"
INFO = "general_product_information"


def _info(passport: Any) -> dict[str, Any]:
    return effective_data_of(passport.versions.get())[INFO]


# --- the URN the Battery Pass model needs is the Digital Link itself, read back exactly --------------------------

cset82 = st.text(alphabet=sorted(GS1_CSET82), min_size=1, max_size=20)


@given(
    body=st.integers(min_value=1, max_value=10**13 - 1),
    lot=st.none() | cset82,
    serial=st.none() | cset82,
)
def test_the_passport_urn_round_trips_and_fits_the_battery_pass_pattern(body: int, lot: str, serial: str) -> None:
    digits = f"{body:013d}"
    link = DigitalLink(gtin=digits + str(gs1_check_digit(digits)), lot=lot, serial=serial)
    urn = link.urn()
    assert urn.split(":")[0:2] == ["urn", "dpp"] and urn.count(":") == 2
    assert urn == urn.lower() and urn[8:].isalnum()  # ^urn:[a-z0-9]+:[a-z0-9]+$
    assert DigitalLink.from_urn(urn) == link


@pytest.mark.parametrize("bad", ["urn:dpp:", "urn:dpp:AAAA", "urn:other:abc", "urn:dpp:mfrgg", "urn:dpp:f4ydc"])
def test_a_urn_that_is_no_digital_link_is_refused(bad: str) -> None:
    with pytest.raises(DigitalLinkError):
        DigitalLink.from_urn(bad)


# --- the service: written on save, refused when naming another passport ------------------------------------------


@pytest.mark.django_db
def test_items_carry_their_own_identifiers_not_the_model_passports(tenant: Any) -> None:
    model = make_passport(tenant.org)
    assert _info(model)["battery_passport_identifier"] == model.identifier
    items = [
        make_passport(tenant.org, product=model.product, granularity="item", serial=serial, data={})
        for serial in ("S-1", "S-2")
    ]
    for item in items:
        info = _info(item)
        assert info["battery_passport_identifier"] == item.identifier != model.identifier
        assert info["product_identifier"] == DigitalLink.parse(item.identifier).element_string()
        # Stored in the item's own data, so the model passport's values never show through.
        assert item.versions.get().data[INFO]["battery_passport_identifier"] == item.identifier
    assert len({_info(p)["product_identifier"] for p in [model, *items]}) == 3


@pytest.mark.django_db
def test_the_same_key_under_another_host_is_the_same_identifier(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org, category="battery")
    data = example_data()
    data[INFO]["battery_passport_identifier"] = f"https://id.brand.example/01/{product.gtin.zfill(14)}"
    passport = make_passport(tenant.org, product=product, data=data)
    assert _info(passport)["battery_passport_identifier"] == passport.identifier


@pytest.mark.django_db
def test_an_identifier_of_another_passport_is_refused_naming_the_field(tenant: Any) -> None:
    model = make_passport(tenant.org)
    data = {INFO: {"battery_passport_identifier": model.identifier}}
    with pytest.raises(ValidationError) as refused:
        make_passport(tenant.org, product=model.product, granularity="item", serial="S-9", data=data)
    assert "/general_product_information/battery_passport_identifier" in refused.value.messages[0]
    copied = {INFO: {"product_identifier": _info(model)["product_identifier"]}}
    with pytest.raises(ValidationError) as taken:
        make_passport(tenant.org, product=model.product, granularity="item", serial="S-9", data=copied)
    assert "/general_product_information/product_identifier" in taken.value.messages[0]
    assert model.identifier in taken.value.messages[0]


@pytest.mark.django_db
def test_the_api_answers_400_naming_the_field(tenant: Any, login_api: Any) -> None:
    model = make_passport(tenant.org)
    item = make_passport(tenant.org, product=model.product, granularity="item", serial="S-1", data={})
    api = login_api(tenant.editor)
    etag = api.get(f"/api/v1/passports/{item.pk}/").headers["ETag"]
    wrong = {INFO: {"battery_passport_identifier": model.identifier}}
    response = api.patch(f"/api/v1/passports/{item.pk}/", {"data": wrong}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400, response.content
    [detail] = response.json()["error"]["details"]
    assert detail["pointer"] == "/data"
    assert detail["message"].startswith("/general_product_information/battery_passport_identifier: ")
    assert _info(item)["battery_passport_identifier"] == item.identifier  # nothing saved


@pytest.mark.django_db
def test_the_web_editor_refuses_without_losing_what_was_typed(tenant: Any, client: Any) -> None:
    model = make_passport(tenant.org)
    client.force_login(tenant.editor)
    other = f"https://id.brand.example/01/{gtin_from(999)}"
    response = client.post(
        f"/passports/{model.pk}/edit/",
        {"etag": model.versions.get().etag, f"/{INFO}/battery_passport_identifier": other},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "/general_product_information/battery_passport_identifier" in page
    assert other in page  # what was typed is still in the form
    assert _info(model)["battery_passport_identifier"] == model.identifier


# --- the CSV import judges rows by the same rules ----------------------------------------------------------------


@pytest.mark.django_db
def test_import_rows_naming_another_passport_are_rejected_with_the_field(tenant: Any) -> None:
    for n in range(3):
        ProductFactory(organization=tenant.org, category="battery", gtin=gtin_from(900 + n))
    text = (IMPORTS / "battery-decimal-comma.csv").read_bytes().decode("utf-8")
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    other = f"https://id.brand.example/01/{gtin_from(999)}"
    lines[1] = lines[1].replace(";;;", f";HBE-1;{other};", 1)  # another GTIN's passport identifier
    lines[2] = lines[2].replace(";;;", ";HBE-2;;", 1)
    lines[3] = lines[3].replace(";;;", ";HBE-2;;", 1)  # the unit identifier of the row above
    body = "\r\n".join(lines).encode("utf-8")
    job = import_job_create(
        org=tenant.org,
        by=tenant.owner,
        upload=upload(body, "battery.csv"),
        kind="battery",
        enqueue=False,
        mode="commit",
        policy="valid_rows",
    )
    job = import_job_run(job_id=job.pk)
    assert (job.rows_created, job.rows_rejected) == (1, 2)
    errors = {e.row: e for e in job.row_errors.filter(rule="passport_identity")}
    assert errors[2].pointer == "/general_product_information/battery_passport_identifier"
    assert errors[4].pointer == "/general_product_information/product_identifier"
    assert errors[4].message_ko and "HBE-2" in errors[4].message_en
    kept = PassportVersion.objects.get(passport__product__gtin=gtin_from(901))
    assert kept.data[INFO]["battery_passport_identifier"] == kept.passport.identifier


# --- GLN and GTIN of one organization never read as each other ---------------------------------------------------


@pytest.mark.django_db
def test_a_gln_that_is_a_products_gtin_is_refused_and_the_other_way_round(tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org, category="battery")
    thirteen = product.gtin.zfill(14)[1:]
    with pytest.raises(ValidationError) as facility:
        facility_create(org=tenant.org, name="Plant", country="KR", gln=thirteen)
    assert "gln" in facility.value.message_dict
    tenant.org.gln = gtin_from(777)[1:]
    tenant.org.save()
    CompanyPrefix.objects.create(organization=tenant.org, prefix=gtin_from(777)[1:13])
    with pytest.raises(ValidationError) as gtin:
        product_create(org=tenant.org, gtin=gtin_from(777), name="Pack", category="battery")
    assert "is a GLN of your organization" in gtin.value.message_dict["gtin"][0]

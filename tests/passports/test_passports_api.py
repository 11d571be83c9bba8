"""Passports over the API: the whole life of a passport, concurrency, filters, validation, schemas."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from passports.documents import content_hash
from passports.models import Passport, PassportVersion
from passports.models.passports import ImmutableVersionError
from passports.schema_files import example_files, load_schema
from tests.factories import ProductFactory, example_data, make_passport

pytestmark = pytest.mark.django_db


def _broken(data: dict[str, Any], category: str = "battery") -> tuple[dict[str, Any], str]:
    """The example without its first required top-level section, and the pointer that must be reported."""
    required = load_schema(category, "1.0")["required"]
    broken = copy.deepcopy(data)
    missing = next(key for key in required if key in broken)
    del broken[missing]
    return broken, f"/{missing}"


def test_full_life_of_a_passport(tenant: Any, login_api: Any) -> None:
    api = login_api(tenant.editor)
    product = api.post(
        "/api/v1/products/",
        {
            "gtin": "8801234567893",
            "name": "HB-E60 EV pack",
            "name_ko": "HB-E60 전기차 팩",
            "category": "battery",
            "cn_code": "85076000",
        },
    )
    assert product.status_code == 201, product.content
    good = example_data("battery")
    broken, pointer = _broken(good)
    created = api.post(
        "/api/v1/passports/",
        {"product": product.json()["id"], "granularity": "model", "schema": "battery/1.0", "data": broken},
    )
    assert created.status_code == 201, created.content
    passport = created.json()
    assert passport["identifier"].endswith("/01/08801234567893")
    assert passport["current_version"]["error_count"] >= 1
    pid = passport["id"]

    refused = api.post(f"/api/v1/passports/{pid}/publish")
    assert refused.status_code == 422
    details = refused.json()["error"]["details"]
    assert pointer in {d["pointer"] for d in details}
    assert all(d["message_ko"] and d["rule"] for d in details)

    etag = api.get(f"/api/v1/passports/{pid}/").headers["ETag"]
    fixed = api.patch(f"/api/v1/passports/{pid}/", {"data": good}, HTTP_IF_MATCH=etag)
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["current_version"]["error_count"] == 0

    published = api.post(f"/api/v1/passports/{pid}/publish")
    assert published.status_code == 200, published.content
    v1 = published.json()
    assert v1["status"] == "published"
    # The platform wrote the passport's own identifiers (passports.services.identity) into what it stores.
    own = {"battery_passport_identifier": passport["identifier"], "product_identifier": "(01)08801234567893"}
    stored = copy.deepcopy(good)
    stored["general_product_information"].update(own)
    assert v1["content_hash"] == content_hash(stored)

    edit = copy.deepcopy(good)
    edit["_note"] = "ignored by nobody"
    edit.pop("_note")
    new = api.post(f"/api/v1/passports/{pid}/versions", {})
    assert new.status_code == 201
    assert new.json()["number"] == 2
    changed = copy.deepcopy(good)
    first_section = next(iter(changed))
    changed[first_section] = copy.deepcopy(changed[first_section])
    assert (
        api.patch(f"/api/v1/passports/{pid}/", {"data": changed}, HTTP_IF_MATCH=new.headers["ETag"]).status_code == 200
    )
    assert api.post(f"/api/v1/passports/{pid}/publish").status_code == 200

    versions = api.get(f"/api/v1/passports/{pid}/versions").json()
    assert versions["count"] == 2
    assert [(v["number"], v["status"]) for v in versions["results"]] == [(2, "published"), (1, "superseded")]
    second_page = api.get(f"/api/v1/passports/{pid}/versions", {"page_size": 1, "page": 2}).json()
    assert [v["number"] for v in second_page["results"]] == [1]
    assert second_page["next"] is None
    assert api.get(f"/api/v1/passports/{pid}/versions", {"page": -1}).status_code == 400
    old = api.get(f"/api/v1/passports/{pid}/versions/1").json()
    assert old["content_hash"] == v1["content_hash"] == content_hash(old["data"])
    assert old["data"] == stored


def test_if_match_missing_is_428_and_stale_is_412(tenant: Any, login_api: Any) -> None:
    passport = make_passport(tenant.org)
    api = login_api(tenant.editor)
    url = f"/api/v1/passports/{passport.pk}/"
    data = example_data("battery")
    missing = api.patch(url, {"data": data})
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"
    etag = api.get(url).headers["ETag"]
    assert api.patch(url, {"data": data}, HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"data": data}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_published_version_cannot_be_patched(tenant: Any, login_api: Any) -> None:
    passport = make_passport(tenant.org)
    api = login_api(tenant.editor)
    assert api.post(f"/api/v1/passports/{passport.pk}/publish").status_code == 200
    etag = api.get(f"/api/v1/passports/{passport.pk}/").headers["ETag"]
    response = api.patch(f"/api/v1/passports/{passport.pk}/", {"data": {}}, HTTP_IF_MATCH=etag)
    assert response.status_code == 409


def test_published_data_is_immutable_even_below_the_services(tenant: Any) -> None:
    from passports.services.passports import passport_publish

    version = passport_publish(passport=make_passport(tenant.org))
    version.data = {"tampered": True}
    with pytest.raises(ImmutableVersionError):
        version.save()
    assert PassportVersion.objects.get(pk=version.pk).data != {"tampered": True}


def test_viewer_cannot_publish(tenant: Any, login_api: Any) -> None:
    passport = make_passport(tenant.org)
    assert login_api(tenant.viewer).post(f"/api/v1/passports/{passport.pk}/publish").status_code == 403


def test_item_passport_inherits_the_model_data(tenant: Any, login_api: Any) -> None:
    from passports.services.passports import passport_publish

    product = ProductFactory(organization=tenant.org)
    model = make_passport(tenant.org, product=product)
    passport_publish(passport=model)
    api = login_api(tenant.editor)
    response = api.post(
        "/api/v1/passports/",
        {
            "product": product.pk,
            "granularity": "item",
            "lot": "L2026-11",
            "serial": "SN000123",
            "schema": "battery/1.0",
            "parent": model.pk,
            "data": {},
        },
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["identifier"].endswith(f"/01/{product.gtin.zfill(14)}/10/L2026-11/21/SN000123")
    version = item["current_version"]
    # The item stores only its own identifiers, written from its Digital Link; everything else is the model's.
    own = {
        "battery_passport_identifier": item["identifier"],
        "product_identifier": f"(01){product.gtin.zfill(14)}(10)L2026-11(21)SN000123",
    }
    assert version["data"] == {"general_product_information": own}
    expected = example_data("battery")
    expected["general_product_information"].update(own)
    assert version["effective_data"] == expected
    assert version["base_version"] == 1


def test_granularity_rules(tenant: Any, login_api: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    api = login_api(tenant.editor)
    response = api.post(
        "/api/v1/passports/", {"product": product.pk, "granularity": "item", "schema": "battery/1.0", "data": {}}
    )
    assert response.status_code == 400
    assert "/serial" in {d["pointer"] for d in response.json()["error"]["details"]}


def test_cannot_use_another_organizations_product(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    theirs = ProductFactory(organization=other_tenant.org)
    response = login_api(tenant.editor).post(
        "/api/v1/passports/", {"product": theirs.pk, "granularity": "model", "schema": "battery/1.0", "data": {}}
    )
    assert response.status_code == 400
    assert "/product" in {d["pointer"] for d in response.json()["error"]["details"]}


def test_filters_and_search(tenant: Any, login_api: Any) -> None:
    from passports.services.passports import passport_publish

    battery = make_passport(tenant.org, name="Ochang pack")
    passport_publish(passport=battery)
    make_passport(tenant.org, category="steel", name="Pohang coil")
    api = login_api(tenant.viewer)

    def ids(query: str) -> set[int]:
        return {row["id"] for row in api.get(f"/api/v1/passports/{query}").json()["results"]}

    assert ids("?status=published") == {battery.pk}
    assert battery.pk not in ids("?schema=steel/1.0")
    assert ids("?schema=battery") == {battery.pk}
    assert ids("?search=Ochang") == {battery.pk}
    assert ids(f"?search={battery.product.gtin}") == {battery.pk}
    assert ids("?granularity=item") == set()


def test_list_query_count_does_not_grow(tenant: Any, login_api: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(15):
        make_passport(tenant.org)
    api = login_api(tenant.viewer)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/passports/?page_size=100")
    assert response.json()["count"] == 15


def test_validate_endpoint(tenant: Any, login_api: Any) -> None:
    api = login_api(tenant.viewer)
    good = json.loads(sorted(example_files("battery", "1.0"))[0].read_text(encoding="utf-8"))
    assert api.post("/api/v1/validate", {"schema": "battery/1.0", "data": good}).json() == {"valid": True, "errors": []}
    broken, pointer = _broken(good)
    report = api.post("/api/v1/validate", {"schema": "battery/1.0", "data": broken}, HTTP_ACCEPT_LANGUAGE="ko").json()
    assert report["valid"] is False
    error = next(e for e in report["errors"] if e["pointer"] == pointer)
    assert error["message"] == error["message_ko"]
    unknown = api.post("/api/v1/validate", {"schema": "battery/9.9", "data": {}})
    assert unknown.status_code == 400
    assert "/schema" in {d["pointer"] for d in unknown.json()["error"]["details"]}


def test_schemas_are_listed_and_served(api: Any, db: Any) -> None:
    listing = api.get("/api/v1/schemas/").json()
    keys = {row["key"] for row in listing["results"]}
    assert {"battery/1.0", "espr-core/1.0", "textile/1.0", "steel/1.0", "cbam-installation/1.0"} <= keys
    document = api.get("/api/v1/schemas/battery/1.0")
    assert document.status_code == 200
    assert document.json()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert api.get("/api/v1/schemas/battery/9.9").status_code == 404


def test_deleting_a_published_passport_is_refused(tenant: Any, login_api: Any) -> None:
    from passports.services.passports import passport_publish

    passport = make_passport(tenant.org)
    passport_publish(passport=passport)
    refused = login_api(tenant.owner).delete(f"/api/v1/passports/{passport.pk}/")
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "not_editable",
        "message": "A passport that was ever published (or has item passports) cannot be deleted.",
        "details": [],
    }
    assert Passport.objects.filter(pk=passport.pk).exists()


def test_a_draft_passport_is_deleted_with_its_drafts_and_a_product_only_without_passports(
    tenant: Any, login_api: Any
) -> None:
    passport = make_passport(tenant.org)
    api = login_api(tenant.owner)
    product_refused = api.delete(f"/api/v1/products/{passport.product_id}/")
    assert (product_refused.status_code, product_refused.json()["error"]["code"]) == (409, "not_editable")
    assert api.delete(f"/api/v1/passports/{passport.pk}/").status_code == 204
    assert not PassportVersion.objects.filter(passport_id=passport.pk).exists()
    assert api.delete(f"/api/v1/products/{passport.product_id}/").status_code == 204

"""The passport pages: editor (save, check, conflicts, inheritance), publishing, history, downloads, list."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.test.html import Element, parse_html
from django.urls import reverse

from passports.models import Passport, PassportVersion
from passports.schema_files import load_schema
from passports.selectors.passports import current_version, effective_data_of
from passports.services.passports import passport_create, passport_publish, passport_version_new
from passports.validation import validate
from passports.web.schema_forms import EMPTY_LIST_INPUT, build_form
from tests.factories import FacilityFactory, ProductFactory, example_data, make_passport, with_own_identifiers

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------
# Reading pages


def elements(node: Element | str, name: str | None = None) -> Iterator[Element]:
    if isinstance(node, str):
        return
    if name is None or node.name == name:
        yield node
    for child in node.children:
        yield from elements(child, name)


def attribute(element: Element, name: str) -> str | None:
    return next((value for key, value in element.attributes if key == name), None)


def has_attribute(element: Element, name: str) -> bool:
    return any(key == name for key, _value in element.attributes)


def text(node: Element | str) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text(child) for child in node.children)


def field_box(page: Element, dom_id: str) -> Element:
    """The ``div.sf-field`` whose label is for ``dom_id``: what a person sees as 'the field'."""
    for div in elements(page, "div"):
        if "sf-field" in (attribute(div, "class") or "").split() and any(
            attribute(label, "for") == dom_id for label in elements(div, "label")
        ):
            return div
    raise AssertionError(f"no field {dom_id}")


def form_post(data: dict[str, Any], schema: dict[str, Any], **extra: str) -> dict[str, list[str]]:
    """What the browser posts for a form showing ``data``: every input, as a dict of lists."""
    tree = build_form(schema, data)
    post: dict[str, list[str]] = {}

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            if node.kind in {"field", "raw"}:
                post.setdefault(node.pointer, []).append(node.value)
            if node.kind in {"rows", "list"} and node.declared_empty:
                post.setdefault(EMPTY_LIST_INPUT, []).append(node.pointer)
            walk(node.children)

    walk(tree.sections)
    for key, value in extra.items():
        post[key] = [value]
    return post


def battery_data() -> dict[str, Any]:
    return example_data("battery")


def message(data: dict[str, Any], pointer: str, lang: str = "en") -> str:
    """The validator's own message about ``pointer`` (the page must show that very text beside the field)."""
    schema = load_schema("battery", "1.0")
    issue = next(issue for issue in validate(schema, data) if issue.pointer == pointer)
    return issue.message_ko if lang == "ko" else issue.message_en


def edit_url(passport: Passport) -> str:
    return reverse("passport-edit-page", args=[passport.pk])


# --------------------------------------------------------------------------------------------------
# The editor


def test_each_error_is_shown_beside_its_field_and_publish_is_disabled(client: Client, tenant: Any) -> None:
    data = battery_data()
    del data["general_product_information"]["manufacturing_date"]
    data["general_product_information"]["battery_mass"] = -3
    passport = make_passport(tenant.org, data=data)
    client.force_login(tenant.editor)
    response = client.get(edit_url(passport))
    assert response.status_code == 200
    page = parse_html(response.content.decode())
    date_box = field_box(page, "f/general_product_information/manufacturing_date")
    assert message(data, "/general_product_information/manufacturing_date") in text(date_box)
    mass_box = field_box(page, "f/general_product_information/battery_mass")
    assert message(data, "/general_product_information/battery_mass") in text(mass_box)
    mass_input = next(i for i in elements(mass_box, "input"))
    assert attribute(mass_input, "aria-invalid") == "true"
    assert attribute(mass_input, "value") == "-3"
    # A field without a problem carries no message.
    assert "error" not in text(field_box(page, "f/general_product_information/battery_model")).lower()
    publish = next(b for b in elements(page, "button") if has_attribute(b, "data-publish"))
    assert has_attribute(publish, "disabled")


def test_saving_keeps_exactly_what_was_typed_and_counts_the_errors(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    version = current_version(passport)
    assert version is not None
    data = battery_data()
    data["general_product_information"]["battery_mass"] = "412,5"  # a decimal comma: not a JSON number
    client.force_login(tenant.editor)
    schema = version.schema.document
    response = client.post(edit_url(passport), form_post(data, schema, etag=version.etag, _action="save"))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.data == with_own_identifiers(data, passport)
    assert version.error_count == 1
    page = client.get(edit_url(passport)).content.decode()
    assert 'value="412,5"' in page
    assert "1 error is left to fix" in page


def test_checking_for_errors_saves_nothing(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    version = current_version(passport)
    assert version is not None
    before = copy.deepcopy(version.data)
    data = battery_data()
    del data["general_product_information"]["battery_model"]
    client.force_login(tenant.editor)
    response = client.post(
        edit_url(passport), form_post(data, version.schema.document, etag=version.etag, _action="validate")
    )
    assert response.status_code == 200
    assert message(data, "/general_product_information/battery_model") in response.content.decode()
    assert "not saved yet" in response.content.decode()
    version.refresh_from_db()
    assert version.data == before


def test_checking_through_htmx_returns_only_the_editor(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    version = current_version(passport)
    assert version is not None
    client.force_login(tenant.editor)
    response = client.post(
        edit_url(passport),
        form_post(battery_data(), version.schema.document, etag=version.etag, _action="validate"),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="editor" id="editor">')
    assert "<html" not in body


def test_a_stale_save_is_refused_and_the_typing_stays_on_the_page(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    version = current_version(passport)
    assert version is not None
    stale = version.etag
    client.force_login(tenant.editor)
    schema = version.schema.document
    first = battery_data()
    first["general_product_information"]["battery_model"] = "Saved by someone else"
    assert client.post(edit_url(passport), form_post(first, schema, etag=stale)).status_code == 302
    mine = battery_data()
    mine["general_product_information"]["battery_model"] = "My careful edit"
    response = client.post(edit_url(passport), form_post(mine, schema, etag=stale))
    assert response.status_code == 409
    assert 'value="My careful edit"' in response.content.decode()
    version.refresh_from_db()
    assert version.data["general_product_information"]["battery_model"] == "Saved by someone else"


def test_fix_then_publish(client: Client, tenant: Any) -> None:
    data = battery_data()
    del data["general_product_information"]["manufacturing_date"]
    passport = make_passport(tenant.org, data=data)
    client.force_login(tenant.editor)
    publish = reverse("passport-publish-page", args=[passport.pk])
    response = client.post(publish, follow=True)
    assert "Not published: 1 error must be fixed first." in response.content.decode()
    assert Passport.objects.get(pk=passport.pk).status == "draft"
    version = current_version(passport)
    assert version is not None
    fixed = battery_data()
    client.post(edit_url(passport), form_post(fixed, version.schema.document, etag=version.etag))
    page = parse_html(client.get(edit_url(passport)).content.decode())
    button = next(b for b in elements(page, "button") if has_attribute(b, "data-publish"))
    assert not has_attribute(button, "disabled")
    response = client.post(publish, follow=True)
    assert "Version 1 is published." in response.content.decode()
    version.refresh_from_db()
    assert version.status == PassportVersion.Status.PUBLISHED
    assert version.data == with_own_identifiers(fixed, passport)


def test_a_published_version_is_read_only_until_a_new_version_is_started(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport)
    client.force_login(tenant.editor)
    page = parse_html(client.get(edit_url(passport)).content.decode())
    body = next(f for f in elements(page, "fieldset") if "sf-body" in (attribute(f, "class") or ""))
    assert has_attribute(body, "disabled")
    version = current_version(passport)
    assert version is not None
    refused = client.post(edit_url(passport), form_post(battery_data(), version.schema.document, etag=version.etag))
    assert refused.status_code == 302
    client.post(reverse("passport-new-version-page", args=[passport.pk]))
    draft = current_version(passport)
    assert draft is not None
    assert (draft.number, draft.status) == (2, "draft")


def test_viewers_read_but_cannot_save_publish_or_start_versions(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    version = current_version(passport)
    assert version is not None
    client.force_login(tenant.viewer)
    page = client.get(edit_url(passport))
    assert page.status_code == 200
    assert "your role does not allow changes" in page.content.decode()
    assert "data-publish" not in page.content.decode()
    post = form_post(battery_data(), version.schema.document, etag=version.etag)
    assert client.post(edit_url(passport), post).status_code == 403
    assert client.post(reverse("passport-publish-page", args=[passport.pk])).status_code == 403
    assert client.post(reverse("passport-new-version-page", args=[passport.pk])).status_code == 403


def test_another_organizations_passport_is_not_found(client: Client, tenant: Any, other_tenant: Any) -> None:
    passport = make_passport(tenant.org)
    client.force_login(other_tenant.owner)
    for name in ("passport-detail-page", "passport-edit-page", "passport-history-page", "passport-json-page"):
        assert client.get(reverse(name, args=[passport.pk])).status_code == 404


def test_an_item_passport_shows_inherited_values_and_stores_only_what_differs(client: Client, tenant: Any) -> None:
    model = make_passport(tenant.org)
    passport_publish(passport=model)
    from django.conf import settings

    item = passport_create(
        org=tenant.org,
        product=model.product,
        granularity="item",
        schema=model.schema,
        data={},
        serial="SN0001",
        base_url=settings.PLATFORM_BASE_URL,
    )
    version = current_version(item)
    assert version is not None
    client.force_login(tenant.editor)
    page = parse_html(client.get(edit_url(item)).content.decode())
    assert "Inherited from the model passport" in text(field_box(page, "f/general_product_information/battery_model"))
    effective = effective_data_of(version)
    effective["general_product_information"]["product_identifier"] = "HBE-SN0001"
    client.post(edit_url(item), form_post(effective, version.schema.document, etag=version.etag))
    version.refresh_from_db()
    assert version.data == {
        "general_product_information": {
            "product_identifier": "HBE-SN0001",
            "battery_passport_identifier": item.identifier,
        }
    }
    page = parse_html(client.get(edit_url(item)).content.decode())
    own = field_box(page, "f/general_product_information/product_identifier")
    assert "Inherited" not in text(own)


def test_the_passport_identifier_is_its_digital_link_shown_locked(client: Client, tenant: Any) -> None:
    # Issue 17, item 3: the identifier is computed, not typed. An item shows its own Digital Link (never the
    # model passport's it would otherwise inherit), read-only, with the reason beside it.
    model = make_passport(tenant.org)
    passport_publish(passport=model)
    from django.conf import settings

    item = passport_create(
        org=tenant.org,
        product=model.product,
        granularity="item",
        schema=model.schema,
        data={},
        serial="SN0002",
        base_url=settings.PLATFORM_BASE_URL,
    )
    assert item.identifier != model.identifier
    client.force_login(tenant.editor)
    page = parse_html(client.get(edit_url(item)).content.decode())
    box = field_box(page, "f/general_product_information/battery_passport_identifier")
    field = next(elements(box, "input"))
    assert attribute(field, "value") == item.identifier
    assert has_attribute(field, "readonly")
    assert "f/general_product_information/battery_passport_identifier-locked" in (
        attribute(field, "aria-describedby") or ""
    )
    note = next(p for p in elements(box, "p") if attribute(p, "id") == attribute(field, "id") + "-locked")
    assert "the passport's Digital Link. It cannot be edited." in text(note)
    assert "Inherited" not in text(box)
    # Other fields stay free text.
    model_field = next(elements(field_box(page, "f/general_product_information/battery_model"), "input"))
    assert not has_attribute(model_field, "readonly")
    client.cookies["django_language"] = "ko"
    page = parse_html(client.get(edit_url(item), HTTP_ACCEPT_LANGUAGE="ko").content.decode())
    box = field_box(page, "f/general_product_information/battery_passport_identifier")
    assert "이 여권의 디지털 링크입니다. 수정할 수 없습니다." in text(box)


# --------------------------------------------------------------------------------------------------
# Creating passports, revoking, downloads, history


def test_a_new_model_passport_starts_with_the_products_facts(client: Client, tenant: Any) -> None:
    plant = FacilityFactory(organization=tenant.org, country="KR", address="45 Sandan-gil, Ochang")
    product = ProductFactory(organization=tenant.org, name="Cell pack", cn_code="85076000", facility=plant)
    client.force_login(tenant.editor)
    from passports.selectors.passports import schema_by_key

    schema = schema_by_key("battery/1.0")
    assert schema is not None
    response = client.post(
        reverse("passport-create-page", args=[product.pk]), {"schema": schema.pk, "granularity": "model"}
    )
    passport = Passport.objects.get(product=product)
    assert response.url == edit_url(passport)  # type: ignore[attr-defined]
    version = current_version(passport)
    assert version is not None
    info = version.data["general_product_information"]
    assert (info["gtin"], info["cn_code"], info["battery_model"]) == (product.gtin, "85076000", "Cell pack")
    # Data entered once (issue 17, item 3): the maker from the profile, the place from the facility, the
    # identifier the platform computed (written by passports.services.identity).
    assert info["manufacturer_information"]["name"] == tenant.org.name
    assert info["manufacturer_information"]["postal_address"]["address_country"] == tenant.org.country
    assert info["battery_passport_identifier"] == passport.identifier
    assert info["manufacturing_place"] == {"street_address": "45 Sandan-gil, Ochang", "address_country": "KR"}


def test_a_batch_passport_needs_a_lot(client: Client, tenant: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    client.force_login(tenant.editor)
    from passports.selectors.passports import schema_by_key

    schema = schema_by_key("battery/1.0")
    assert schema is not None
    response = client.post(
        reverse("passport-create-page", args=[product.pk]), {"schema": schema.pk, "granularity": "batch"}
    )
    assert response.status_code == 200
    assert "A batch passport needs a lot" in response.content.decode()
    assert not Passport.objects.filter(product=product).exists()


def test_only_owners_revoke(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport)
    url = reverse("passport-revoke-page", args=[passport.pk])
    client.force_login(tenant.editor)
    assert client.post(url, {"version": 1, "reason": "wrong mass"}).status_code == 403
    client.force_login(tenant.owner)
    client.post(url, {"version": 1, "reason": "wrong mass"})
    version = PassportVersion.objects.get(passport=passport, number=1)
    assert (version.status, version.revocation_reason) == ("revoked", "wrong mass")


def test_json_download_is_the_effective_data(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    client.force_login(tenant.viewer)
    response = client.get(reverse("passport-json-page", args=[passport.pk]) + "?version=1")
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content) == with_own_identifiers(battery_data(), passport)


def test_downloads_offer_the_report_only_once_published(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    client.force_login(tenant.viewer)
    detail = reverse("passport-detail-page", args=[passport.pk])
    assert "report.pdf" not in client.get(detail).content.decode()
    passport_publish(passport=passport)
    page = client.get(detail).content.decode()
    report = reverse("passport-report-pdf", kwargs={"pk": passport.pk})
    assert f"{report}?version=1&amp;lang=ko" in page


def test_history_shows_the_field_by_field_difference(client: Client, tenant: Any) -> None:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport)
    changed = battery_data()
    changed["general_product_information"]["battery_mass"] = 999
    del changed["general_product_information"]["cn_code"]
    passport_version_new(passport=passport, data=changed)
    client.force_login(tenant.viewer)
    response = client.get(reverse("passport-history-page", args=[passport.pk]) + "?a=1&b=2")
    page = parse_html(response.content.decode())
    rows = {
        text(next(elements(row, "th"))): row
        for row in elements(page, "tr")
        if (attribute(row, "class") or "").startswith("diff-")
    }
    assert len(rows) == 2
    mass = next(row for title, row in rows.items() if "/general_product_information/battery_mass" in title)
    old_mass = battery_data()["general_product_information"]["battery_mass"]
    assert attribute(mass, "class") == "diff-changed"
    assert text(next(elements(mass, "del"))).strip() == json.dumps(old_mass)
    assert text(next(elements(mass, "ins"))).strip() == "999"
    removed = next(row for title, row in rows.items() if "/general_product_information/cn_code" in title)
    assert attribute(removed, "class") == "diff-removed"


# --------------------------------------------------------------------------------------------------
# The list


def test_the_list_filters_searches_and_pages(client: Client, tenant: Any, other_tenant: Any) -> None:
    make_passport(tenant.org, name="Findable pack")
    for _ in range(3):
        make_passport(tenant.org, category="textile")
    make_passport(other_tenant.org, name="Their pack")
    client.force_login(tenant.viewer)
    url = reverse("passport-list-page")
    page = client.get(url).content.decode()
    assert "Findable pack" in page
    assert "Their pack" not in page
    found = client.get(url, {"q": "Findable"}).content.decode()
    assert "Findable pack" in found
    textile = client.get(url, {"schema": "textile"}).content.decode()
    assert "Findable pack" not in textile
    assert "3 results" in textile


def test_the_list_does_not_query_per_row(client: Client, tenant: Any, django_assert_max_num_queries: Any) -> None:
    client.force_login(tenant.viewer)
    url = reverse("passport-list-page")
    make_passport(tenant.org)
    client.get(url)  # warm the session and the schema registry
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    few_queries = len(few.captured_queries)
    for _ in range(12):
        make_passport(tenant.org)
    with django_assert_max_num_queries(few_queries):
        response = client.get(url)
    assert "13 results" in response.content.decode()


def test_typed_markup_is_shown_as_text_never_run(client: Client, tenant: Any) -> None:
    data = battery_data()
    data["general_product_information"]["battery_model"] = '"><script>alert(1)</script>'
    data["general_product_information"]["colour"] = {"note": "</textarea><img src=x onerror=alert(1)>"}
    passport = make_passport(tenant.org, data=data)
    client.force_login(tenant.viewer)
    html = client.get(edit_url(passport)).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;" in html

"""Published data is frozen at publication, inherited data included (issue 21, item 1).

A batch or item passport stores only what differs from its model passport. Before this rule, publishing an item
whose model passport had never been published made the item inherit the model's *draft*: editing that draft
changed the published item's public data, and its credential then failed verification with ``data_mismatch``.
Now a published version inherits only from a published model version; publishing under a draft model is refused
(409 ``parent_not_published``) unless the caller asks to publish the model first.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from exporters.credentials import verification
from passports.models import Passport, PassportVersion
from passports.models.passports import ImmutableVersionError
from passports.selectors.passports import effective_data_of
from passports.services.passports import (
    ParentNotPublishedError,
    passport_draft_update,
    passport_publish,
    passport_version_new,
)
from tests.factories import ProductFactory, example_data, make_passport, with_own_identifiers

pytestmark = pytest.mark.django_db


def _model_and_item(org: Any) -> tuple[Passport, Passport]:
    """A model passport left in draft, and an item passport of the same product that inherits everything."""
    product = ProductFactory(organization=org)
    model = make_passport(org, product=product)
    item = make_passport(org, product=product, granularity="item", serial="SN0001", data={})
    assert item.parent_id == model.pk
    return model, item


def _changed(data: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["general_product_information"]["battery_model"] = "changed after the item was published"
    return changed


def test_an_item_under_a_draft_model_is_not_published(tenant: Any) -> None:
    model, item = _model_and_item(tenant.org)
    with pytest.raises(ParentNotPublishedError) as refused:
        passport_publish(passport=item)
    assert refused.value.parent.pk == model.pk
    assert item.versions.get().status == PassportVersion.Status.DRAFT
    assert model.versions.get().status == PassportVersion.Status.DRAFT


def test_publishing_the_model_first_by_choice_freezes_the_item(tenant: Any) -> None:
    model, item = _model_and_item(tenant.org)
    published = passport_publish(passport=item, publish_parent=True)
    model_version = model.versions.get()
    assert model_version.status == PassportVersion.Status.PUBLISHED
    assert published.base_version_id == model_version.pk
    frozen = effective_data_of(published)
    assert frozen == with_own_identifiers(example_data("battery"), item)

    # The model's owner now edits the model: a new draft, which the published item must not see.
    draft = passport_version_new(passport=model)
    passport_draft_update(version=draft, data=_changed(draft.data), if_match="*")
    published.refresh_from_db()
    assert effective_data_of(published) == frozen
    verification._served_digest.cache_clear()
    report = verification.verify_token(published.issued_credential.jws)
    assert report.valid, report.errors


def test_a_published_version_never_points_at_a_draft(tenant: Any) -> None:
    """Below the services: a published version whose base is a draft is refused at save."""
    model, item = _model_and_item(tenant.org)
    passport_publish(passport=model)
    published = passport_publish(passport=item)
    draft = passport_version_new(passport=model)
    published.base_version = draft
    with pytest.raises(ImmutableVersionError):
        published.save()


def test_the_api_answers_409_parent_not_published(tenant: Any, login_api: Any) -> None:
    model, item = _model_and_item(tenant.org)
    api = login_api(tenant.editor)
    refused = api.post(f"/api/v1/passports/{item.pk}/publish")
    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert error["code"] == "parent_not_published"
    assert error["details"] == [
        {"pointer": "/parent", "code": "parent_not_published", "message": error["details"][0]["message"]}
    ]
    assert str(model.pk) in error["message"] or model.identifier in error["message"]
    assert item.versions.get().status == PassportVersion.Status.DRAFT

    both = api.post(f"/api/v1/passports/{item.pk}/publish?publish_parent=true")
    assert both.status_code == 200, both.content
    assert both.json()["status"] == "published"
    assert model.versions.get().status == PassportVersion.Status.PUBLISHED


def test_publish_parent_refuses_an_invalid_model_and_names_it(tenant: Any, login_api: Any) -> None:
    product = ProductFactory(organization=tenant.org)
    make_passport(tenant.org, product=product, data={})
    item = make_passport(tenant.org, product=product, granularity="item", serial="SN0002", data=example_data())
    response = login_api(tenant.editor).post(f"/api/v1/passports/{item.pk}/publish?publish_parent=true")
    assert response.status_code == 422, response.content
    assert "model passport" in response.json()["error"]["message"]
    assert not PassportVersion.objects.filter(status=PassportVersion.Status.PUBLISHED).exists()


def test_the_web_page_offers_to_publish_the_model_first(tenant: Any, client: Any) -> None:
    model, item = _model_and_item(tenant.org)
    client.force_login(tenant.editor)
    refused = client.post(f"/passports/{item.pk}/publish/", follow=True)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "model passport" in page
    assert 'name="publish_parent"' in page
    assert item.versions.get().status == PassportVersion.Status.DRAFT
    client.post(f"/passports/{item.pk}/publish/", {"publish_parent": "1"})
    assert item.versions.get().status == PassportVersion.Status.PUBLISHED
    assert model.versions.get().status == PassportVersion.Status.PUBLISHED

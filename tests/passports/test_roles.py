"""One role rule for web and API (passports/roles.py): revoking a passport and suspending its credential are
for owners on both; an editor is refused on both, an owner allowed on both."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from passports.models import Membership
from passports.roles import ACTION_ROLES, member_may
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tenant: Any) -> Any:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


def test_editors_cannot_revoke_or_suspend_through_the_api_either(tenant: Any, published: Any, login_api: Any) -> None:
    editor, owner = login_api(tenant.editor), login_api(tenant.owner)
    revoke = f"/api/v1/passports/{published.pk}/revoke"
    suspend = f"/api/v1/passports/{published.pk}/versions/1/suspension"
    assert editor.post(revoke, {"version": 1, "reason": "x"}, format="json").status_code == 403
    assert editor.post(suspend, {"suspended": True}, format="json").status_code == 403
    web = Client()
    web.force_login(tenant.editor)
    assert web.post(reverse("passport-revoke-page", args=[published.pk]), {"reason": "x"}).status_code == 403
    assert owner.post(suspend, {"suspended": True}, format="json").status_code == 200
    assert owner.post(revoke, {"version": 1, "reason": "wrong data"}, format="json").status_code == 200


def test_the_table_names_a_role_for_every_guarded_action() -> None:
    roles = {role for role, _label in Membership.Role.choices}
    assert set(ACTION_ROLES.values()) <= roles
    owner, editor = Membership(role="owner"), Membership(role="editor")
    for action in ACTION_ROLES:
        assert member_may(owner, action)
        assert not member_may(editor, action)
    assert not member_may(owner, "no.such.action")

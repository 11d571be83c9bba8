"""Web pages of the foundation: landing, login and logout, dashboard, admin, language switch."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from passports.demo import DEMO_PASSWORD
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_landing_page_for_anonymous(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Digital Product Passports" in response.content.decode()


def test_demo_login_reaches_the_dashboard() -> None:
    call_command("seed_demo", verbosity=0)
    client = Client()
    response = client.post("/login/", {"username": "hanbit-owner", "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hanbit Energy Solutions" in html
    assert "Dashboard" in html


def test_demo_rows_fit_their_columns() -> None:
    """SQLite does not enforce column lengths; PostgreSQL does. The demo must pass the model checks so it
    loads on both (a CN code printed with spaces once broke it on PostgreSQL only)."""
    from passports.models import Facility, Organization, Product

    call_command("seed_demo", verbosity=0)
    checked = 0
    for model in (Organization, Facility, Product):
        for row in model.objects.all():
            row.full_clean(validate_unique=False, validate_constraints=False)
            checked += 1
    assert checked > 10


def test_wrong_password_shows_an_error(client: Client, tenant: Any) -> None:
    response = client.post("/login/", {"username": tenant.owner.username, "password": "nope"})
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()


def test_logout_needs_post(client: Client, tenant: Any) -> None:
    client.force_login(tenant.owner)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/facilities/").status_code == 302  # back to login


def test_korean_ui(client: Client, tenant: Any) -> None:
    client.force_login(tenant.owner)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="ko"' in html


def test_switch_organization_only_to_own(client: Client, tenant: Any, other_tenant: Any) -> None:
    second = OrganizationFactory(name="Second Org")
    MembershipFactory(user=tenant.owner, organization=second)
    client.force_login(tenant.owner)
    client.post("/organization/switch/", {"organization": str(other_tenant.org.pk)})
    assert tenant.org.name in client.get("/").content.decode()
    client.post("/organization/switch/", {"organization": str(second.pk)})
    assert "Second Org" in client.get("/").content.decode()


def test_facilities_page_shows_only_own(client: Client, tenant: Any, other_tenant: Any) -> None:
    from tests.factories import FacilityFactory

    FacilityFactory(organization=tenant.org, name="Mine Plant")
    FacilityFactory(organization=other_tenant.org, name="Their Plant")
    client.force_login(tenant.viewer)
    html = client.get("/facilities/").content.decode()
    assert "Mine Plant" in html
    assert "Their Plant" not in html


def test_admin_lists_every_model(admin_client: Client) -> None:
    for path in ("organization", "membership", "facility", "apiclient"):
        assert admin_client.get(f"/admin/passports/{path}/").status_code == 200


def test_login_lockout_after_repeated_failures(client: Client, tenant: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": tenant.owner.username, "password": "wrong"})
    response = client.post("/login/", {"username": tenant.owner.username, "password": "pw-for-tests-1"})
    assert response.status_code == 429

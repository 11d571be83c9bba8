"""Retention (passports/retention.py, passports/models/retention.py): the end date, and no deletion before it.

ESPR Art. 9 to 11: published passport data stays available for the product's expected lifetime, even after
the operator leaves. Every way to delete is tried: model ``delete``, ``QuerySet.delete``, a related manager,
the admin, the API, and (on PostgreSQL) raw SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from passports.models import ApiClient, Membership, Passport, PassportVersion
from passports.models.retention import RetentionError
from passports.retention import (
    DEFAULT_LIFETIME_YEARS,
    add_years,
    lifetime_years,
    organization_offboard,
    retention_end,
)
from passports.services.passports import passport_publish, passport_version_new
from tests.conftest import token_request
from tests.factories import ProductFactory, make_passport

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


# --- the end date (plain) ---------------------------------------------------------------------------


def test_the_product_lifetime_wins_then_the_schema_then_the_default() -> None:
    published = dt.date(2026, 5, 14)
    assert retention_end(published, 8, 15) == dt.date(2034, 5, 14)  # 2026 + 8
    assert retention_end(published, None, 15) == dt.date(2041, 5, 14)  # the battery schema's 15 years
    assert retention_end(published, None, None) == dt.date(2036, 5, 14)  # 2026 + 10
    assert DEFAULT_LIFETIME_YEARS == 10


@pytest.mark.parametrize("bad", [0, -3, "15", 2.5, True, None])
def test_a_schema_lifetime_that_is_not_a_positive_whole_number_is_ignored(bad: Any) -> None:
    assert lifetime_years(None, bad) == DEFAULT_LIFETIME_YEARS


def test_29_february_lands_on_28_february_in_a_common_year() -> None:
    assert add_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)
    assert add_years(dt.date(2028, 2, 29), 4) == dt.date(2032, 2, 29)


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), years=st.integers(1, 60))
def test_the_end_is_the_same_day_of_year_or_the_day_before_at_the_end_of_february(day: dt.date, years: int) -> None:
    end = add_years(day, years)
    assert end.year == day.year + years
    assert (end.month, end.day) == (day.month, day.day) or (day.month, day.day, end.day) == (2, 29, 28)


# --- set at publication ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publication_sets_the_end_from_the_product_lifetime(tenant: Any) -> None:
    product: Any = ProductFactory(organization=tenant.org, expected_lifetime_years=12)
    passport = make_passport(tenant.org, product=product)
    version = passport_publish(passport=passport)
    passport.refresh_from_db()
    assert version.published_at is not None
    assert passport.retain_until == add_years(version.published_at.date(), 12)


@pytest.mark.django_db
def test_without_a_product_lifetime_the_schema_category_default_applies(tenant: Any) -> None:
    passport = make_passport(tenant.org)  # battery: the schema says x-expected-lifetime-years = 15
    assert passport.schema.document["x-expected-lifetime-years"] == 15
    version = passport_publish(passport=passport)
    passport.refresh_from_db()
    assert version.published_at is not None
    assert passport.retain_until == add_years(version.published_at.date(), 15)


@pytest.mark.django_db
def test_republishing_counts_from_the_first_publication_and_never_moves_the_end_earlier(tenant: Any) -> None:
    passport = make_passport(tenant.org, category="textile")
    assert passport.schema.document["x-expected-lifetime-years"] == 5
    first = passport_publish(passport=passport)
    passport.refresh_from_db()
    expected = add_years(first.published_at.date(), 5)  # type: ignore[union-attr]
    assert passport.retain_until == expected
    passport_version_new(passport=passport)
    passport_publish(passport=passport)
    passport.refresh_from_db()
    assert passport.retain_until == expected


# --- no deletion before the end ----------------------------------------------------------------------


@pytest.fixture
def published(tenant: Any) -> Passport:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport)
    passport.refresh_from_db()
    return passport


@pytest.mark.django_db
def test_model_delete_is_refused(published: Passport) -> None:
    with pytest.raises(RetentionError):
        published.delete()
    with pytest.raises(RetentionError):
        published.versions.get().delete()
    assert Passport.objects.filter(pk=published.pk).exists()


@pytest.mark.django_db
def test_queryset_and_related_manager_delete_are_refused(published: Passport) -> None:
    with pytest.raises(RetentionError):
        PassportVersion.objects.filter(passport=published).delete()
    with pytest.raises(RetentionError):
        published.versions.all().delete()
    with pytest.raises(RetentionError):
        Passport.objects.filter(pk=published.pk).delete()
    assert published.versions.count() == 1


@pytest.mark.django_db
def test_superseded_and_revoked_versions_are_kept_too(tenant: Any, published: Passport) -> None:
    passport_version_new(passport=published)
    passport_publish(passport=published)
    superseded = published.versions.get(number=1)
    assert superseded.status == "superseded"
    with pytest.raises(RetentionError):
        superseded.delete()


@pytest.mark.django_db
def test_drafts_and_never_published_passports_can_still_be_deleted(tenant: Any, published: Passport) -> None:
    draft = passport_version_new(passport=published)
    draft.delete()
    never = make_passport(tenant.org)
    never.versions.all().delete()
    never.delete()
    assert not Passport.objects.filter(pk=never.pk).exists()


@pytest.mark.django_db
def test_after_the_end_date_published_data_may_go(published: Passport) -> None:
    Passport.objects.filter(pk=published.pk).update(retain_until=dt.date(2000, 1, 1))
    published.refresh_from_db()
    assert not Passport.objects.filter(pk=published.pk).retained().exists()
    # Credentials protect their version by a foreign key of their own; that is signing's rule, not retention's.
    apps.get_model("exporters", "IssuedCredential").objects.filter(version__passport=published).delete()
    published.versions.all().delete()
    published.delete()
    assert not Passport.objects.filter(pk=published.pk).exists()


@pytest.mark.django_db
def test_the_admin_offers_no_delete_for_a_retained_passport(admin_user: Any, published: Passport) -> None:
    passport_admin = site._registry[Passport]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert passport_admin.has_delete_permission(request, published) is False
    assert passport_admin.has_delete_permission(request, make_passport(published.organization)) is True
    assert "delete_selected" not in passport_admin.get_actions(request)
    assert site._registry[PassportVersion].has_delete_permission(request, published.versions.get()) is False


@pytest.mark.django_db
def test_the_admin_delete_page_refuses(admin_client: Any, published: Passport) -> None:
    response = admin_client.post(f"/admin/passports/passport/{published.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Passport.objects.filter(pk=published.pk).exists()


@pytest.mark.django_db
def test_the_api_refuses_to_delete_a_published_passport(tenant: Any, login_api: Any, published: Passport) -> None:
    response = login_api(tenant.owner).delete(f"/api/v1/passports/{published.pk}")
    assert response.status_code == 409
    assert Passport.objects.filter(pk=published.pk).exists()


@on_postgresql
@pytest.mark.django_db
def test_postgresql_refuses_raw_deletes_before_the_end(published: Passport) -> None:
    version = published.versions.get()
    with pytest.raises(DatabaseError, match="kept until"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM passports_passportversion WHERE id = %s", [version.pk])
    with pytest.raises(DatabaseError, match="kept until"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM passports_passport WHERE id = %s", [published.pk])
    assert PassportVersion.objects.filter(pk=version.pk).exists()


@on_postgresql
@pytest.mark.django_db
def test_postgresql_lets_raw_deletes_through_after_the_end(published: Passport) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE passports_passport SET retain_until = '2000-01-01' WHERE id = %s", [published.pk])
        version_ids = list(published.versions.values_list("pk", flat=True))
        cursor.execute("DELETE FROM exporters_issuedcredential WHERE version_id = ANY(%s)", [version_ids])
        cursor.execute("DELETE FROM passports_passportversion WHERE passport_id = %s", [published.pk])
    assert not PassportVersion.objects.filter(passport=published).exists()


# --- offboarding -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offboarding_closes_access_and_keeps_what_was_published(
    tenant: Any, other_tenant: Any, published: Passport, make_credentials: Any, login_api: Any
) -> None:
    credentials = make_credentials(tenant.org)
    Membership.objects.create(user=tenant.viewer, organization=other_tenant.org, role="viewer")
    result = organization_offboard(org=tenant.org, by=tenant.owner)
    tenant.org.refresh_from_db()
    assert tenant.org.is_active is False
    assert (result.users_deactivated, result.clients_revoked, result.passports_kept) == (2, 1, 1)
    tenant.owner.refresh_from_db()
    tenant.viewer.refresh_from_db()
    assert tenant.owner.is_active is False
    assert tenant.viewer.is_active is True  # still belongs to another, active organization
    assert ApiClient.objects.get(pk=credentials.client.pk).revoked_at is not None
    assert token_request(credentials.basic()).status_code in {400, 401}  # no token for a revoked client
    # Nothing published went anywhere: the passport, its version and its end date stay.
    published.refresh_from_db()
    assert published.versions.get().status == "published"
    assert published.retain_until is not None
    with pytest.raises(RetentionError):
        published.delete()
    # And it still resolves and verifies for anyone: the QR code's URI, the issuer's keys, the status lists.
    anyone = Client()
    assert anyone.get(urlsplit(published.identifier).path).status_code == 307  # to the passport page
    assert anyone.get("/dpp" + urlsplit(published.identifier).path).status_code == 200
    assert anyone.get(f"/orgs/{tenant.org.slug}/did.json").status_code == 200
    assert anyone.get(f"/orgs/{tenant.org.slug}/status/revocation").status_code == 200

"""The dashboard and the smaller pages: readiness figures, regulatory dates, CBAM data, facilities."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from passports.deadlines import DEADLINES, deadline_statuses
from passports.services.passports import passport_publish
from tests.factories import FacilityFactory, ProductFactory, example_data, make_passport

pytestmark = pytest.mark.django_db


def test_regulatory_dates_count_down_and_name_the_products_they_concern() -> None:
    rows = deadline_statuses(dt.date(2026, 11, 26), {"battery": 3, "textile": 1})
    battery = next(row for row in rows if row.deadline.legal.startswith("Regulation (EU) 2023/1542"))
    assert battery.deadline.date == dt.date(2027, 2, 18)
    assert battery.days == 84  # 4 days left in November, 31 in December, 31 in January, 18 in February
    assert battery.product_count == 3
    # Upcoming first (soonest first), then those already in force (most recent first).
    assert [row.in_force for row in rows] == sorted(row.in_force for row in rows)
    assert rows[0].deadline.date == dt.date(2027, 2, 18)
    assert len(rows) == len(DEADLINES)


def test_dashboard_shows_status_counts_and_drafts_to_fix(client: Client, tenant: Any, other_tenant: Any) -> None:
    broken = example_data("battery")
    del broken["general_product_information"]["battery_model"]
    make_passport(tenant.org, data=broken, name="Broken pack")
    passport_publish(passport=make_passport(tenant.org))
    make_passport(other_tenant.org, data=broken, name="Their broken pack")
    client.force_login(tenant.viewer)
    html = client.get(reverse("home")).content.decode()
    assert "Broken pack" in html
    assert "Their broken pack" not in html
    assert "50%" in html  # one of two passports published
    assert 'value="1" class="bar bar-published"' in html.replace('max="2" ', "")
    assert "Feb. 18, 2027" in html


def test_dashboard_in_korean_formats_dates_the_korean_way(client: Client, tenant: Any) -> None:
    client.force_login(tenant.viewer)
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "2027년 2월 18일" in html


def test_dashboard_does_not_query_per_passport(client: Client, tenant: Any, django_assert_max_num_queries: Any) -> None:
    client.force_login(tenant.owner)
    broken = example_data("battery")
    del broken["general_product_information"]["battery_model"]
    make_passport(tenant.org, data=broken)
    client.get(reverse("home"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("home"))
    few_queries = len(few.captured_queries)
    for _ in range(6):
        make_passport(tenant.org, data=broken)
    with django_assert_max_num_queries(few_queries):
        client.get(reverse("home"))


def test_cbam_page_lists_installations_from_their_data(
    client: Client, tenant: Any, django_assert_max_num_queries: Any
) -> None:
    data = example_data("cbam-installation")
    make_passport(tenant.org, category="cbam-installation", data=data)
    make_passport(tenant.org)  # a battery passport is not CBAM data
    client.force_login(tenant.viewer)
    url = reverse("cbam-page")
    html = client.get(url).content.decode()
    assert data["installation"]["name"] in html
    assert data["reporting_period"]["start_date"] in html
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    few_queries = len(few.captured_queries)
    for _ in range(5):
        make_passport(tenant.org, category="cbam-installation", data=data)
    with django_assert_max_num_queries(few_queries):
        client.get(url)


def test_facilities_page_lists_only_own(client: Client, tenant: Any, other_tenant: Any) -> None:
    FacilityFactory(organization=tenant.org, name="Ochang plant")
    FacilityFactory(organization=other_tenant.org, name="Their plant")
    ProductFactory(organization=tenant.org)
    client.force_login(tenant.viewer)
    html = client.get(reverse("facility-list-page")).content.decode()
    assert "Ochang plant" in html and "Their plant" not in html


def test_a_person_without_organization_sees_a_notice_and_no_data(client: Client, db: Any) -> None:
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="loner"))
    assert "You do not belong to an organization yet" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("product-list-page")).status_code == 403

"""Nobody gives itself an access tier: the attack of issue 14, replayed on the demo world.

The EU importer's owner opened its own "API clients" page, created a client with the "legitimate interest"
and "authority" boxes ticked, and with that client's token read the Korean maker's restricted battery data
through the public resolver (``GET /01/<gtin>``, ``Accept: application/json``). Nobody at the maker was
asked. Whatever the importer ticks or asks for, its reads of the maker's passports answer the public tier.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from exporters.services.credentials import tier_data
from passports.models import Grant, Passport
from tests.conftest import token_request

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-world")]

# What the attack read: fields above the public tier of Hanbit's published battery passport. (The issue also
# names 08801234000031, a passport of an older demo; today's demo publishes this one model with both tiers.)
GTIN = "08801234000017"
ATTACKED = (
    ("material_composition", "battery_materials"),  # legitimate interest (Annex XIII point 2)
    ("labeling", "result_of_test_report"),  # notified bodies, market surveillance, the Commission (point 3)
)


@pytest.fixture(scope="module")
def demo_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """``seed_demo`` once for the module; everything it wrote is rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _credentials(html: str) -> tuple[str, str] | None:
    client_id = re.search(r'<code class="secret" id="client-id">([^<]+)</code>', html)
    secret = re.search(r'<code class="secret" id="client-secret">([^<]+)</code>', html)
    return (client_id.group(1), secret.group(1)) if client_id and secret else None


def _token(client_id: str, secret: str, scope: str | None) -> str | None:
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = token_request(basic, **({"scope": scope} if scope else {}))
    return response.json()["access_token"] if response.status_code == 200 else None


def _passport(gtin: str) -> Passport:
    return Passport.objects.select_related("organization").get(identifier__endswith=f"/01/{gtin}")


def test_the_importers_self_ticked_client_reads_public_data_only(demo_world: None) -> None:
    # The demo's own grant from Hanbit to the importer is what makes the importer entitled; without it (as in
    # the attack) nothing the importer does for itself may take its place.
    Grant.objects.filter(grantee_organization__slug="rheinland-battery").update(revoked_at=timezone.now())
    importer = Client()
    importer.force_login(get_user_model().objects.get(username="rheinland-owner"))
    page = reverse("api-client-list-page")
    ticked = importer.post(page, {"name": "Self-service", "scopes": ["read", "legitimate_interest", "authority"]})
    created = _credentials(ticked.content.decode())
    if created is None:  # the boxes are refused: make the client the page does allow
        created = _credentials(importer.post(page, {"name": "Self-service", "scopes": ["read"]}).content.decode())
    assert created is not None
    # Ask for the tiers as scopes too; a refused request falls back to the client's default scopes.
    token = _token(*created, "read legitimate_interest authority") or _token(*created, None)
    assert token is not None
    attacker = APIClient()
    attacker.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    version = _passport(GTIN).versions.get(status="published")
    full = tier_data(version, "authority")
    assert all(restricted in full[section] for section, restricted in ATTACKED), "the demo holds what was read"
    response = attacker.get(f"/01/{GTIN}", HTTP_ACCEPT="application/json")
    while response.status_code in {301, 302, 307, 308}:  # the resolver's default link, query string kept
        response = attacker.get(response["Location"], HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = json.loads(response.content)
    for section, restricted in ATTACKED:
        assert restricted not in data.get(section, {}), f"{section}/{restricted} leaked"
    assert data == tier_data(version, "public")


def test_the_api_clients_page_offers_no_tier_to_tick(demo_world: None) -> None:
    importer = Client()
    importer.force_login(get_user_model().objects.get(username="rheinland-owner"))
    html = importer.get(reverse("api-client-list-page")).content.decode()
    assert 'value="legitimate_interest"' not in html
    assert 'value="authority"' not in html


def test_the_demo_grant_gives_the_importer_the_legitimate_interest_tier_and_no_more(demo_world: None) -> None:
    importer = APIClient()
    importer.force_login(get_user_model().objects.get(username="rheinland-owner"))
    Grant.objects.filter(grantee_organization__slug="rheinland-battery").update(revoked_at=None)
    response = importer.get(f"/01/{GTIN}", HTTP_ACCEPT="application/json")
    while response.status_code in {301, 302, 307, 308}:
        response = importer.get(response["Location"], HTTP_ACCEPT="application/json")
    data = json.loads(response.content)
    assert "battery_materials" in data["material_composition"]
    assert "result_of_test_report" not in data["labeling"]


def test_the_demo_shows_a_verified_authority_and_a_filled_access_log(demo_world: None) -> None:
    from passports.access import tier_for, viewer_of_user
    from passports.models import AccessLogEntry, AuthorityStatus

    inspector = get_user_model().objects.get(username="msa-inspector")
    status = AuthorityStatus.objects.current().get(organization__slug="msa-nrw-demo")
    assert (status.kind, status.member_state, status.verified_by.is_staff) == ("market_surveillance", "DE", True)
    assert tier_for(viewer_of_user(inspector), _passport(GTIN)) == "authority"
    logged = AccessLogEntry.objects.filter(organization__slug="hanbit-energy")
    assert {(e.basis, e.tier, e.output == "pact") for e in logged} == {
        ("grant", "legitimate_interest", False),
        ("authority", "authority", False),
        ("grant", "legitimate_interest", True),  # the importer's PACT request, answered with Hanbit's footprints
    }
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert AccessLogEntry.objects.filter(organization__slug="hanbit-energy").count() == logged.count()


def test_the_demo_importer_named_by_the_textile_passports_sees_them(demo_world: None) -> None:
    """seed_demo's economic operator (issue 14 item 6): Lage Landen, named by EORI, sees them without a grant."""
    from passports.access import access_for, viewer_of_user
    from passports.models import OperatorLink

    person = get_user_model().objects.get(username="lagelanden-owner")
    links = OperatorLink.objects.filter(operator__slug="lagelanden-fashion").select_related("passport")
    assert links and {link.identifier for link in links} == {"NL859876543"}
    for link in links:
        access = access_for(viewer_of_user(person), link.passport)
        assert (access.tier, access.basis) == ("legitimate_interest", "operator")
    assert not Grant.objects.filter(grantee_organization__slug="lagelanden-fashion").exists()

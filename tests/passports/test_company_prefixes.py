"""GTINs cannot be squatted: GS1 Company Prefix claims, contest, staff verification (issue 21, item 2).

The attack replayed: a tenant published a passport under another company's GTIN, the resolver served it, and
the real owner was then told the identifier "exists already".
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from passports import identifiers
from passports.models import AuditEvent, CompanyPrefix, Passport, PassportVersion
from passports.prefixes import GtinStanding, gtin_standing, standing_from
from passports.services.prefixes import contested_claims, prefix_claim, prefix_verify

pytestmark = pytest.mark.django_db

#: A GS1 Company Prefix nobody in the suite holds, and a GTIN-13 under it.
PREFIX = "8809999"
GTIN = PREFIX + "00001" + str(identifiers.gs1_check_digit(PREFIX + "00001"))


def _product(api: Any, gtin: str = GTIN) -> Any:
    return api.post(
        "/api/v1/products/",
        {"gtin": gtin, "name": "Pack", "name_ko": "팩", "category": "battery", "cn_code": "85076000"},
    )


def _publish(api: Any, product_id: int) -> dict[str, Any]:
    from tests.factories import example_data

    created = api.post(
        "/api/v1/passports/",
        {"product": product_id, "granularity": "model", "schema": "battery/1.0", "data": example_data()},
    )
    assert created.status_code == 201, created.content
    published = api.post(f"/api/v1/passports/{created.json()['id']}/publish")
    assert published.status_code == 200, published.content
    return created.json()


@pytest.fixture
def staff() -> Any:
    return get_user_model().objects.create_user("gs1-desk", is_staff=True)


def test_the_rule() -> None:
    a, b = 1, 2
    assert standing_from([]) == GtinStanding(None, contested=False, claimant_ids=frozenset())
    assert standing_from([(a, "claimed")]).owner_id == a
    contested = standing_from([(a, "claimed"), (b, "claimed")])
    assert (contested.owner_id, contested.contested) == (None, True)
    assert standing_from([(a, "claimed"), (b, "verified")]).owner_id == b
    assert standing_from([(a, "rejected"), (b, "claimed")]).owner_id == b


def test_a_gtin_outside_every_prefix_of_the_organization_is_refused(other_tenant: Any, login_api: Any) -> None:
    response = _product(login_api(other_tenant.owner))
    assert response.status_code == 400
    detail = response.json()["error"]["details"][0]
    assert detail["pointer"] == "/gtin"
    assert "GS1 Company Prefix" in detail["message"]


def test_squatting_is_frozen_by_the_owners_claim_and_undone_by_staff(
    tenant: Any, other_tenant: Any, login_api: Any, client: Any, staff: Any
) -> None:
    squatter, owner = login_api(other_tenant.owner), login_api(tenant.owner)
    # The squatter claims the prefix first (nothing checks a claim) and publishes under it: served.
    assert squatter.post("/api/v1/company-prefixes/", {"prefix": PREFIX}).status_code == 201
    product = _product(squatter)
    assert product.status_code == 201, product.content
    squatted = _publish(squatter, product.json()["id"])
    path = f"/01/{GTIN.zfill(14)}"
    assert client.get(path).status_code == 307

    # The real owner claims its prefix: both claims are contested, the GTIN is frozen for everybody.
    claimed = owner.post("/api/v1/company-prefixes/", {"prefix": PREFIX[:6]})
    assert claimed.status_code == 201, claimed.content
    mine = {row["prefix"]: row for row in owner.get("/api/v1/company-prefixes/").json()["results"]}
    assert mine[PREFIX[:6]]["contested"] is True
    assert client.get(path).status_code == 404
    frozen = _product(owner)
    assert frozen.status_code == 400
    assert "frozen" in frozen.json()["error"]["details"][0]["message"]
    assert {c.prefix for c in contested_claims()} >= {PREFIX, PREFIX[:6]}

    # Staff verify the owner's claim, with evidence, through the command: audited in the owner's chain.
    out = StringIO()
    call_command(
        "company_prefix",
        "verify",
        "--org",
        tenant.org.slug,
        "--prefix",
        PREFIX[:6],
        "--evidence",
        "GS1 Korea licence record 2026-0412",
        "--by",
        staff.username,
        stdout=out,
    )
    assert "verified" in out.getvalue()
    event = AuditEvent.objects.get(organization=tenant.org, action="company_prefix.verified")
    assert event.details["evidence"] == "GS1 Korea licence record 2026-0412"
    assert gtin_standing(GTIN).owner_id == tenant.org.pk

    # The squatter's passport is revoked and its identifier freed; the owner publishes under the same GTIN.
    old = Passport.objects.get(pk=squatted["id"])
    assert old.identifier.endswith(f"#displaced-{old.pk}")
    assert old.versions.get().status == PassportVersion.Status.REVOKED
    assert AuditEvent.objects.filter(organization=other_tenant.org, action="passport.displaced").exists()
    product = _product(owner)
    assert product.status_code == 201, product.content
    ours = _publish(owner, product.json()["id"])
    assert ours["identifier"] == squatted["identifier"]
    assert client.get(path).status_code == 307
    page = client.get(f"/dpp{path}")
    assert page.status_code == 200
    assert tenant.org.name in page.content.decode()


def test_only_staff_decide_and_only_with_evidence(tenant: Any, other_tenant: Any, staff: Any) -> None:
    claim = prefix_claim(org=tenant.org, prefix=PREFIX, by=tenant.owner)
    with pytest.raises(PermissionDenied):
        prefix_verify(claim=claim, evidence="trust me", by=tenant.owner)
    with pytest.raises(ValidationError) as refused:
        prefix_verify(claim=claim, evidence=" ", by=staff)
    assert "evidence" in refused.value.message_dict
    with pytest.raises(CommandError):
        call_command("company_prefix", "verify", "--org", tenant.org.slug, "--prefix", PREFIX, "--by", "nobody")
    prefix_verify(claim=claim, evidence="GEPIR lookup", by=staff)
    rival = prefix_claim(org=other_tenant.org, prefix=PREFIX + "1", by=other_tenant.owner)
    with pytest.raises(ValidationError):
        prefix_verify(claim=rival, evidence="a letter", by=staff)


@pytest.mark.parametrize("prefix", ["123", "1234567890123", "88a1234", ""])
def test_malformed_prefixes_name_the_field(tenant: Any, login_api: Any, prefix: str) -> None:
    response = login_api(tenant.owner).post("/api/v1/company-prefixes/", {"prefix": prefix})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["pointer"] == "/prefix"


def test_only_owners_claim(tenant: Any, login_api: Any) -> None:
    assert login_api(tenant.editor).post("/api/v1/company-prefixes/", {"prefix": PREFIX}).status_code == 403
    assert not CompanyPrefix.objects.filter(prefix=PREFIX).exists()


def test_the_import_refuses_a_gtin_outside_the_organizations_prefixes(other_tenant: Any) -> None:
    from tests.passports.test_imports_services import products_csv, run

    job = run(other_tenant, products_csv([(1, "squatted")]), mode="commit", policy="valid_rows")
    assert job.rows_created == 0
    error = job.row_errors.get()
    assert (error.pointer, error.rule) == ("/gtin", "gtin_prefix_not_held")
    assert "GS1 Company Prefix" in error.message_en
    assert error.message_ko and error.message_ko != error.message_en

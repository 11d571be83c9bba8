"""The Digital Link resolver and the trust documents: negotiation, versions, tiers, languages, data links."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from pyld import jsonld
from rest_framework.test import APIClient

from exporters.credentials.document_loader import pyld_loader
from exporters.credentials.statuslist import StatusBitstring
from exporters.credentials.vc import decode_credential
from passports.services.grants import grant_create, grant_revoke
from passports.services.passports import passport_publish, passport_revoke, passport_version_new
from tests.exporters.linked_data import sentinel_terms
from tests.factories import ProductFactory, example_data, make_passport, with_own_identifiers

pytestmark = pytest.mark.django_db


def path_of(passport: Any) -> str:
    return urlsplit(passport.identifier).path


def fetch(client: APIClient, url: str, data: dict[str, str] | None = None, **headers: Any) -> Any:
    """GET ``url``, following redirects as a browser does: keeping the Location's query string, which Django's
    test client drops on a 307 (it re-sends the first request's data instead)."""
    response = client.get(url, data, **headers)
    chain = []
    while response.status_code in (301, 302, 307, 308):
        chain.append((response["Location"], response.status_code))
        response = client.get(response["Location"], **headers)
    response.redirect_chain = chain
    return response


def published(tenant: Any, **fields: Any) -> Any:
    passport = make_passport(tenant.org, **fields)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


def test_a_browser_gets_the_public_page_with_who_signed_it(tenant: Any) -> None:
    passport = published(tenant)
    response = fetch(APIClient(), path_of(passport), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert tenant.org.name in page
    assert f"did:web:localhost%3A8000:orgs:{tenant.org.slug}" in page
    assert "The digital signature checks out" in page
    assert "Carbon footprint" in page  # a section titled by the schema
    assert 'id="material_composition"' in page  # anchors the credential links to
    assert "data:image/svg+xml;base64," in page  # the QR code made at publication
    assert response.redirect_chain == [(f"http://localhost:8000/dpp{path_of(passport)}", 307)]
    assert 'rel="linkset"' in response["Link"]
    assert "Accept-Language" in response["Vary"]


def test_content_negotiation_serves_each_form_of_the_same_version(tenant: Any) -> None:
    passport = published(tenant)
    version = passport.versions.get(status="published")
    issued = version.issued_credential
    client = APIClient()
    signed = fetch(client, path_of(passport), HTTP_ACCEPT="application/vc+jwt")
    assert signed["Content-Type"] == "application/vc+jwt"
    assert signed.content.decode() == issued.jws
    linked = fetch(client, path_of(passport), HTTP_ACCEPT="application/ld+json")
    assert linked["Content-Type"] == "application/ld+json"
    assert json.loads(linked.content) == issued.credential == decode_credential(issued.jws)
    for request in ({"HTTP_ACCEPT": "application/linkset+json"}, {"data": {"linkType": "all"}}):
        linkset = fetch(client, path_of(passport), **request)
        assert linkset["Content-Type"] == "application/linkset+json"
        assert linkset.status_code == 200
        (context,) = json.loads(linkset.content)["linkset"]
        assert context["anchor"] == passport.identifier
        assert [t["type"] for t in context["describedby"]] == [
            "application/ld+json",
            "application/vc+jwt",
            "application/json",
        ]
        assert context["alternate"][0]["href"].endswith(f"/api/v1/passports/{passport.pk}/report.pdf?version=1")
    data = fetch(client, path_of(passport), HTTP_ACCEPT="application/json")
    assert data["Content-Type"] == "application/json"
    assert "battery_materials" not in json.loads(data.content)["material_composition"]
    assert fetch(client, path_of(passport), {"format": "vc-jwt"}).content.decode() == issued.jws
    redirect = client.get(path_of(passport), {"linkType": "describedby"}, HTTP_ACCEPT="application/vc+jwt")
    assert redirect.status_code == 307
    assert redirect["Location"].endswith("format=vc-jwt")


@pytest.mark.parametrize(
    ("granularity", "lot", "serial", "suffix"),
    [
        ("batch", "L2603-12", "", "/10/L2603-12"),
        ("item", "", "P96A2603120417", "/21/P96A2603120417"),
        ("item", "L2603-12", "P96A2603120418", "/10/L2603-12/21/P96A2603120418"),
    ],
)
def test_all_digital_link_forms_resolve(tenant: Any, granularity: str, lot: str, serial: str, suffix: str) -> None:
    product = ProductFactory(organization=tenant.org)
    model = published(tenant, product=product)
    unit = published(tenant, product=product, granularity=granularity, lot=lot, serial=serial, data={})
    assert path_of(unit) == path_of(model) + suffix
    signed = fetch(APIClient(), path_of(unit), HTTP_ACCEPT="application/vc+jwt")
    assert signed.status_code == 200
    subject = decode_credential(signed.content.decode())["credentialSubject"]
    assert subject["granularityLevel"] == granularity
    assert subject["product"].get("serialNumber", "") == serial
    # A GTIN-13 in the link is the same product as its 14-digit form (GS1 Digital Link normalises it).
    short = path_of(unit).replace("/01/0", "/01/", 1)
    assert fetch(APIClient(), short, HTTP_ACCEPT="application/vc+jwt").content == signed.content


def test_drafts_and_unknown_identifiers_answer_404(tenant: Any) -> None:
    draft = make_passport(tenant.org)
    client = APIClient()
    assert fetch(client, path_of(draft)).status_code == 404
    assert client.get("/01/08800000000015").status_code == 404  # valid GTIN, no passport
    assert client.get("/01/12345").status_code == 400  # not a GTIN: a syntax error (GS1 resolver 1.0)


def test_superseded_versions_say_so_and_link_to_the_latest(tenant: Any) -> None:
    passport = published(tenant)
    passport_version_new(passport=passport, by=tenant.owner)
    passport_publish(passport=passport, by=tenant.owner)
    client = APIClient()
    latest = fetch(client, path_of(passport), HTTP_ACCEPT="application/ld+json")
    assert latest.json()["id"] == passport.versions.get(number=2).issued_credential.credential_id
    old = fetch(client, path_of(passport), {"version": "1"})
    page = old.content.decode()
    assert "This is an earlier version of the passport." in page
    assert 'href="?version=2"' in page
    old_signed = fetch(client, path_of(passport), {"version": "1", "format": "vc-jwt"})
    assert old_signed.content.decode() == passport.versions.get(number=1).issued_credential.jws
    assert fetch(client, path_of(passport), {"version": "9"}).status_code == 404


def test_a_revoked_passport_shows_that_it_is_revoked(tenant: Any) -> None:
    passport = published(tenant)
    passport_revoke(version=passport.versions.get(number=1), reason="data error", by=tenant.owner)
    page = fetch(APIClient(), path_of(passport)).content.decode()
    assert "has been revoked by its issuer" in page
    assert "the issuer has revoked this passport" in page


def test_tiers_anonymous_outsider_and_the_owners_people(
    tenant: Any, other_tenant: Any, bearer_api: Any, login_api: Any
) -> None:
    passport = published(tenant)
    path = path_of(passport)

    def data_as(client: APIClient) -> dict[str, Any]:
        response = fetch(client, path, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        return json.loads(response.content)

    public = data_as(APIClient())
    reader = data_as(bearer_api(other_tenant.org, ("read",)))
    outsider = data_as(login_api(other_tenant.owner))
    member = data_as(login_api(tenant.viewer))
    own_client = data_as(bearer_api(tenant.org, ("read",)))
    assert "battery_materials" not in public["material_composition"]
    assert "result_of_test_report" not in public["labeling"]
    assert reader == public == outsider  # another organization's client or person: public only, without a grant
    # the owner's people and clients see all of their data
    assert member == own_client == with_own_identifiers(example_data("battery"), passport)
    page = fetch(login_api(tenant.viewer), path).content.decode()
    assert "Detailed composition" in page  # battery_materials' title, a legitimate-interest field
    assert "Detailed composition" not in fetch(APIClient(), path).content.decode()


def test_a_grantee_reads_the_legitimate_interest_tier_until_the_grant_is_revoked(
    tenant: Any, other_tenant: Any, bearer_api: Any, login_api: Any
) -> None:
    passport = published(tenant)
    path = path_of(passport)
    partner_client, partner_person = bearer_api(other_tenant.org, ("read",)), login_api(other_tenant.viewer)
    grant = grant_create(
        grantor=tenant.org, by=tenant.owner, grantee_organization=other_tenant.org,
        rights=["legitimate_interest"], purpose="Second-life assessment",
    )  # fmt: skip
    for caller in (partner_client, partner_person):
        data = json.loads(fetch(caller, path, HTTP_ACCEPT="application/json").content)
        assert "battery_materials" in data["material_composition"]
        assert "result_of_test_report" not in data["labeling"]  # authorities only: no grant gives it
    assert "Detailed composition" in fetch(partner_person, path).content.decode()
    grant_revoke(grant=grant, by=tenant.owner)
    for caller in (partner_client, partner_person):  # the very next request: no cached tier
        data = json.loads(fetch(caller, path, HTTP_ACCEPT="application/json").content)
        assert "battery_materials" not in data["material_composition"]
    assert "Detailed composition" not in fetch(partner_person, path).content.decode()


def test_the_public_page_speaks_korean_when_asked(tenant: Any) -> None:
    passport = published(tenant)
    page = fetch(APIClient(), path_of(passport), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<html lang="ko">' in page
    assert "EU 배터리 여권" in page  # the schema's Korean title (x-title-ko)
    assert "전기차 배터리 팩" in page  # the product's Korean name
    english = fetch(APIClient(), path_of(passport), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english
    assert "EU battery passport" in english


def test_data_links_serve_exactly_the_signed_bytes_to_those_entitled(
    tenant: Any, other_tenant: Any, bearer_api: Any
) -> None:
    passport = published(tenant)
    issued = passport.versions.get(number=1).issued_credential
    resources = {r["id"].rsplit("/", 1)[1]: r for r in issued.credential["relatedResource"]}
    anonymous = APIClient()
    outsider = bearer_api(other_tenant.org, ("read",))
    own = bearer_api(tenant.org, ("read",))
    for name, client, expected in [
        ("public.json", anonymous, 200),
        ("legitimate_interest.json", anonymous, 401),
        ("legitimate_interest.json", outsider, 403),
        ("authority.json", outsider, 403),
        ("legitimate_interest.json", own, 200),
        ("authority.json", own, 200),
    ]:
        url = urlsplit(resources[name]["id"]).path
        response = client.get(url)
        assert response.status_code == expected, (name, expected)
        if expected == 200:
            digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
            assert resources[name]["digestSRI"] == f"sha256-{digest}"


def test_did_document_and_status_list_are_public_and_current(tenant: Any) -> None:
    passport = published(tenant)
    issued = passport.versions.get(number=1).issued_credential
    client = APIClient()
    document = client.get(f"/orgs/{tenant.org.slug}/did.json")
    assert document["Access-Control-Allow-Origin"] == "*"
    assert [m["id"] for m in document.json()["verificationMethod"]] == [issued.kid]
    assert client.get("/orgs/no-such-org/did.json").status_code == 404
    entry = next(e for e in issued.credential["credentialStatus"] if e["statusPurpose"] == "revocation")
    url = urlsplit(entry["statusListCredential"]).path
    signed = client.get(url)
    assert signed["Content-Type"] == "application/vc+jwt"
    listed = client.get(url, HTTP_ACCEPT="application/json").json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = StatusBitstring.decode(listed["credentialSubject"]["encodedList"])
    assert len(bits) == 131072
    assert not bits.get(int(entry["statusListIndex"]))
    passport_revoke(version=passport.versions.get(number=1), reason="test", by=tenant.owner)
    after = StatusBitstring.decode(
        client.get(url, HTTP_ACCEPT="application/json").json()["credentialSubject"]["encodedList"]
    )
    assert after.get(int(entry["statusListIndex"]))
    assert client.get(f"/orgs/{tenant.org.slug}/status/revocation/2").status_code == 404


def test_the_served_json_ld_expands_offline_with_the_shipped_contexts(tenant: Any) -> None:
    passport = published(tenant)
    credential = fetch(APIClient(), path_of(passport), HTTP_ACCEPT="application/ld+json").json()
    loader = pyld_loader(settings.PLATFORM_BASE_URL)
    (expanded,) = jsonld.expand(credential, {"documentLoader": loader})
    assert "https://www.w3.org/2018/credentials#VerifiableCredential" in expanded["@type"]
    assert expanded["@id"] == credential["id"]
    # Every term is defined by a shipped context: nothing is dropped by expansion.
    assert sentinel_terms(credential, loader) == set()
    issuer = expanded["https://www.w3.org/2018/credentials#issuer"][0]
    assert issuer["@id"] == credential["issuer"]["id"]
    assert "https://www.w3.org/2018/credentials#credentialStatus" in expanded

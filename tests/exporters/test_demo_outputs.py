"""Every output of every demo passport, checked as an outside verifier would, on the world ``seed_demo`` builds.

The demo is seeded once for the module (inside a transaction rolled back at the end) and every test reads it:
the credentials expand with pyld using only shipped contexts and lose no term.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from exporters.credentials.document_loader import pyld_loader
from exporters.models import IssuedCredential
from tests.exporters.linked_data import sentinel_terms, statement_count

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-world")]


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


@pytest.fixture
def credentials(demo_world: None) -> list[IssuedCredential]:
    issued = list(IssuedCredential.objects.select_related("version__passport").order_by("pk"))
    assert len(issued) >= 12, "the demo publishes passports of every shipped schema"
    return issued


def test_every_demo_credential_expands_with_shipped_contexts_and_loses_no_term(
    credentials: list[IssuedCredential],
) -> None:
    """pyld with only the shipped W3C, UNTP and passport contexts; a sentinel @vocab catches any undefined term."""
    loader = pyld_loader(settings.PLATFORM_BASE_URL)
    for issued in credentials:
        credential = issued.credential
        assert sentinel_terms(credential, loader) == set(), issued.version.passport.identifier
        assert statement_count(credential, loader) > 80
        for link in credential["credentialSubject"]["product"].get("furtherInformation", []):
            assert link["linkType"].startswith("https://"), "UNTP link types are full URIs"


def test_every_output_of_every_demo_passport_names_the_same_identifiers(demo_world: None) -> None:
    """Issue #16 part 4: one identity per passport in its data, credential, Battery Pass, linkset and QR code.

    Each published demo passport's Digital Link must be what its credential names as the product, what its QR code
    encodes (decoded with zxing-cpp), the linkset's anchor and, for batteries, the data's passport identifier and
    the Battery Pass URN read back; every battery's unit identifier is its own; the issuer's identifiers are its
    organization's and none of them is one of its products' GTINs.
    """
    import json

    from PIL import Image
    from rest_framework.test import APIClient

    from exporters.formats.batterypass import to_battery_pass
    from exporters.resolver.carriers import qr_code_for
    from exporters.selectors import credential_of
    from passports.identifiers import DigitalLink
    from passports.models import Passport, PassportVersion, Product
    from passports.selectors.passports import effective_data_of

    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR codes")
    client = APIClient()
    versions = PassportVersion.objects.filter(status=PassportVersion.Status.PUBLISHED).select_related(
        "passport__product", "passport__organization", "schema"
    )
    units: dict[str, str] = {}
    checked = 0
    for version in versions:
        passport: Passport = version.passport
        link = DigitalLink.parse(passport.identifier)
        issued = credential_of(version)
        assert issued is not None, passport.identifier
        product = issued.credential["credentialSubject"]["product"]
        assert product["id"] == passport.identifier
        assert product["registeredId"].zfill(14) == link.gtin
        assert product.get("serialNumber") == (passport.serial or None)
        assert product.get("batchNumber") == (passport.lot or None)
        org = passport.organization
        gtins = {p.gtin.zfill(14) for p in Product.objects.filter(organization=org)}
        aliases = issued.credential["issuer"].get("issuerAlsoKnownAs", [])
        assert {a["registeredId"] for a in aliases} == {value for value in (org.lei, org.gln) if value}
        assert not {a["registeredId"].zfill(14) for a in aliases} & gtins, "an issuer identifier is a GTIN"

        [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(bytes(qr_code_for(passport).png))))
        assert decoded.text == passport.identifier
        linkset = client.get(link.path(), {"linkType": "linkset"})
        assert linkset.status_code == 200, passport.identifier
        assert json.loads(linkset.content)["linkset"][0]["anchor"] == passport.identifier

        if version.schema.category == "battery":
            info = effective_data_of(version)["general_product_information"]
            assert info["battery_passport_identifier"] == passport.identifier
            unit = info["product_identifier"]
            assert units.setdefault(unit, passport.identifier) == passport.identifier, f"{unit} is shared"
            exported = to_battery_pass(effective_data_of(version), identifier=passport.identifier)
            general = exported.submodels["GeneralProductInformation"]
            assert DigitalLink.from_urn(general["batteryPassportIdentifier"]).same_key(link)
            assert general["productIdentifier"] == unit
            if passport.granularity == Passport.Granularity.ITEM:
                assert unit == link.element_string(), "an item's identifier comes from its own Digital Link"
        checked += 1
    assert checked >= 12
    assert len(units) >= 4, "the demo battery model and its three items each have their own identifier"


def test_the_demo_battery_exports_to_battery_pass_as_completely_as_the_model_allows(demo_world: None) -> None:
    """Issue #16 part 5, over HTTP as the maker's owner: the demo battery and its items are on battery schema 1.1;
    each sub-model is checked against the published schema and the filled share of its attributes is counted."""
    import json

    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from passports.models import Passport
    from tests.exporters.test_batterypass import UNEXPRESSIBLE, errors_of, unfilled_in

    client = APIClient()
    client.force_login(get_user_model().objects.get(username="hanbit-owner"))
    batteries = Passport.objects.filter(schema__category="battery", versions__status="published").distinct()
    assert {p.schema.version for p in batteries} == {"1.1"}
    assert batteries.filter(granularity="item").count() >= 3
    for passport in batteries:
        response = client.get(f"/api/v1/passports/{passport.pk}/export", {"format": "batterypass"})
        assert response.status_code == 200, passport.identifier
        submodels = json.loads(response.content)["submodels"]
        for name, document in submodels.items():
            assert errors_of(name, document) == UNEXPRESSIBLE.get(name, []), (passport.identifier, name)
        total, unfilled = unfilled_in(submodels)
        assert (total - len(unfilled)) / total >= 0.90, (passport.identifier, unfilled)

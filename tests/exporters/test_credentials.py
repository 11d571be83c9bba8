"""Passport credentials: UNTP DPP v0.6 shape, input checks, VC-JOSE payload, credential verification."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from exporters.credentials.keys import generate_key, public_jwk
from exporters.credentials.signing import VerificationError, VerificationErrorCode, sign_compact
from exporters.credentials.statuslist import StatusBitstring, build_status_list_credential, check_status
from exporters.credentials.vc import (
    CircularityScorecard,
    Classification,
    ConformityClaim,
    ContextRef,
    CredentialInputError,
    EmissionsScorecard,
    Facility,
    IssuerInfo,
    Link,
    MaterialProvenance,
    PartyRef,
    PassportCredentialInput,
    ProductInfo,
    RegulationRef,
    StandardRef,
    StatusEntry,
    build_credential,
    canonical_json,
    canonical_sha256,
    credential_payload,
    decode_credential,
    verify_credential,
)
from passports.identifiers import is_valid_gtin

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
UNTP_SCHEMA = REFERENCE / "untp" / "untp-dpp-schema.json"

HOST = "dpp.example.com"
ISSUER_DID = f"did:web:{HOST}:orgs:hanbit-energy"
ISSUED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

EU_COMMISSION = PartyRef("https://commission.europa.eu/", "European Commission")
CN_SCHEME = "https://ec.europa.eu/taxation_customs/dds2/taric/"
BATTERY_REGULATION = RegulationRef(
    id="https://eur-lex.europa.eu/eli/reg/2023/1542/oj",
    name="Regulation (EU) 2023/1542 concerning batteries and waste batteries",
    jurisdiction_country=None,
    administered_by=EU_COMMISSION,
    effective_date="2023-08-17",
)


def _cn(code: str, name: str) -> Classification:
    return Classification(
        id=f"{CN_SCHEME}measures.jsp?Taric={code}",
        code=code,
        name=name,
        scheme_id=CN_SCHEME,
        scheme_name="Combined Nomenclature (CN)",
    )


def _with_data(base: dict[str, Any], data: dict[str, Any], slug: str) -> dict[str, Any]:
    base.update(
        passport_data=data,
        passport_data_sha256=canonical_sha256(data),
        passport_data_url=f"https://{HOST}/passports/{slug}/versions/1/data.json",
    )
    return base


def battery_model_input(**changes: Any) -> PassportCredentialInput:
    """An EV battery model passport (Battery Regulation (EU) 2023/1542, Annex XIII)."""
    # GTIN-13 8801234567893: body 880123456789, weights 3,1,3,... from the right:
    # 9*3+8+7*3+6+5*3+4+3*3+2+1*3+0+8*3+8 = 127, check digit (10 - 7) % 10 = 3.
    # GLN 8801234000017: 1*3+0+0+0+0+4+3*3+2+1*3+0+8*3+8 = 53, check digit 7.
    data = {"nominalCapacityKWh": 75.2, "chemistry": "NMC811", "massKg": 412.5}
    fields: dict[str, Any] = {
        "credential_id": "urn:uuid:8d0c2bbd-51c1-4f5b-9b7a-0e0f5a4b1c2d",
        "issuer": IssuerInfo(
            did=ISSUER_DID,
            name="Hanbit Energy Co., Ltd.",
            identifiers=[PartyRef("https://lei.info/5299000J2N45DDNE4Y28", "Hanbit Energy", "5299000J2N45DDNE4Y28")],
        ),
        "valid_from": ISSUED,
        "valid_until": ISSUED + timedelta(days=3650),
        "product": ProductInfo(
            id="https://id.gs1.org/01/08801234567893",
            name="EV battery module 75 kWh",
            granularity="model",
            gtin="8801234567893",
            manufacturer=PartyRef("https://id.gs1.org/417/8801234000000", "Hanbit Energy Co., Ltd."),
            facility=Facility(name="Cheongju cell plant", country="KR", gln="8801234000017"),
            description="Lithium-ion traction battery module, NMC811",
            categories=[_cn("85076000", "Lithium-ion accumulators")],
            country_of_production="KR",
            further_information=[Link("https://dpp.example.com/p/ev75", "Public passport page")],
        ),
        "conformity_claims": [
            ConformityClaim(
                id="https://dpp.example.com/claims/ev75/carbon-footprint",
                topic="environment.emissions",
                conformance=True,
                description="Carbon footprint declaration (Art. 7)",
                regulation=BATTERY_REGULATION,
                assessment_date="2025-02-14",
                evidence_url="https://dpp.example.com/evidence/ev75-cfp.pdf",
                evidence_sha256="a" * 64,
            )
        ],
        "emissions": EmissionsScorecard(
            carbon_footprint=61.3,
            declared_unit="KWH",
            operational_scope="CradleToGate",
            primary_sourced_ratio=0.42,
            reporting_standard=StandardRef(
                id="https://www.iso.org/standard/71206.html",
                name="ISO 14067:2018",
                issuing_party=PartyRef("https://www.iso.org/", "ISO"),
                issue_date="2018-08-01",
            ),
        ),
        "circularity": CircularityScorecard(
            recycled_content=0.12,
            recyclable_content=0.9,
            recycling_information=Link("https://dpp.example.com/p/ev75/recycling", "Dismantling guide"),
        ),
        "materials": [
            MaterialProvenance("Lithium", origin_country="CL", mass_fraction=0.02, recycled_mass_fraction=0.06),
            MaterialProvenance(
                "Cobalt",
                origin_country="CD",
                mass_fraction=0.03,
                hazardous=True,
                mass_kg=12.4,
                safety_information=Link("https://dpp.example.com/sds/cobalt", "Safety data sheet"),
            ),
        ],
        "status": [
            StatusEntry(f"https://{HOST}/status/revocation/1", 94567, "revocation"),
            StatusEntry(f"https://{HOST}/status/suspension/1", 1209, "suspension"),
        ],
    }
    _with_data(fields, data, "ev75")
    fields.update(changes)
    return PassportCredentialInput(**fields)


def battery_item_input(**changes: Any) -> PassportCredentialInput:
    """One serialised battery: item granularity needs a serial number in the Digital Link."""
    base = battery_model_input()
    product = dataclasses.replace(
        base.product,
        id="https://id.gs1.org/01/08801234567893/21/SN-2025-000417",
        granularity="item",
        serial_number="SN-2025-000417",
        production_date="2025-02-20",
    )
    return dataclasses.replace(base, product=product, credential_id=f"https://{HOST}/credentials/417", **changes)


def steel_batch_input(**changes: Any) -> PassportCredentialInput:
    """A batch of hot-rolled coil exported to the EU (CBAM goods, CN 7208)."""
    # GTIN-13 4006381333931: 3*3+9+3*3+3+3*3+1+8*3+3+6*3+0+0+4 = 89, check digit 1.
    # GLN 4006381000017: 1*3+0+0+0+0+1+8*3+3+6*3+0+0+4 = 53, check digit 7.
    data = {"steelGrade": "S355JR", "specificEmbeddedEmissions": {"direct": 1.71, "indirect": 0.18}}
    fields: dict[str, Any] = {
        "credential_id": "urn:uuid:0b9a6a3e-7d1c-4a51-8d7e-2f6c1b0a9e44",
        "issuer": IssuerInfo(did=f"did:web:{HOST}:orgs:pohang-coil", name="Pohang Coil Works"),
        "valid_from": ISSUED,
        "product": ProductInfo(
            id="https://id.gs1.org/01/04006381333931/10/HRC-25-0815",
            name="Hot-rolled coil S355JR 3 mm",
            granularity="batch",
            gtin="4006381333931",
            batch_number="HRC-25-0815",
            manufacturer=PartyRef("https://id.gs1.org/417/4006381000000", "Pohang Coil Works"),
            facility=Facility(name="Pohang hot strip mill", country="KR", gln="4006381000017"),
            categories=[_cn("72083900", "Flat-rolled iron or non-alloy steel, hot-rolled, < 3 mm")],
            production_date="2025-02-11",
        ),
        "conformity_claims": [
            ConformityClaim(
                id="https://dpp.example.com/claims/hrc-25-0815/cbam",
                topic="environment.emissions",
                conformance=True,
                regulation=RegulationRef(
                    id="https://eur-lex.europa.eu/eli/reg/2023/956/oj",
                    name="Regulation (EU) 2023/956 (CBAM)",
                    jurisdiction_country=None,
                    administered_by=EU_COMMISSION,
                ),
            )
        ],
        "emissions": EmissionsScorecard(1890.0, "TNE", "CradleToGate", 0.85),
        "materials": [MaterialProvenance("Iron ore", origin_country="AU", mass_fraction=0.78)],
    }
    _with_data(fields, data, "hrc-25-0815")
    fields.update(changes)
    return PassportCredentialInput(**fields)


def textile_input(**changes: Any) -> PassportCredentialInput:
    """A cotton shirt model, data linked but not attached."""
    # GTIN-14 09506000134352: 5*3+3+4*3+3+1*3+0+0+0+6*3+0+5*3+9+0 = 78, check digit 2.
    data = {"fibreComposition": [{"fibre": "cotton", "share": 0.95}, {"fibre": "elastane", "share": 0.05}]}
    fields: dict[str, Any] = {
        "credential_id": "urn:uuid:5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "issuer": IssuerInfo(did=f"did:web:{HOST}%3A8443:orgs:saigon-weave", name="Saigon Weave JSC"),
        "valid_from": ISSUED,
        "product": ProductInfo(
            id="https://id.gs1.org/01/09506000134352",
            name="Oxford shirt, slim fit",
            granularity="model",
            gtin="09506000134352",
            manufacturer=PartyRef("https://saigon-weave.example/", "Saigon Weave JSC"),
            facility=Facility(
                name="Ho Chi Minh City sewing plant", country="VN", id="https://facilities.example.org/vn/017"
            ),
            categories=[_cn("62052000", "Men's or boys' shirts of cotton")],
        ),
        "conformity_claims": [
            ConformityClaim(
                id="https://dpp.example.com/claims/oxford/oeko",
                topic="social.safety",
                conformance=False,
                description="Harmful substances test, failed on one dye lot",
                standard=StandardRef(
                    id="https://www.oeko-tex.com/en/our-standards/oeko-tex-standard-100",
                    name="OEKO-TEX STANDARD 100",
                    issuing_party=PartyRef("https://www.oeko-tex.com/", "OEKO-TEX Service GmbH"),
                ),
            )
        ],
        "circularity": CircularityScorecard(recycled_content=0.0, recyclable_content=0.6, utility_factor=1.0),
        "materials": [
            MaterialProvenance("Cotton", origin_country="IN", mass_fraction=0.95),
            MaterialProvenance("Elastane", origin_country="CN", mass_fraction=0.05),
        ],
    }
    _with_data(fields, data, "oxford")
    fields["passport_data"] = None  # linked by URL and digest only
    fields.update(changes)
    return PassportCredentialInput(**fields)


SAMPLES = {
    "battery-model": battery_model_input,
    "battery-item": battery_item_input,
    "steel-batch": steel_batch_input,
    "textile-model": textile_input,
}


@pytest.fixture(scope="module")
def untp_validator() -> Any:
    if not UNTP_SCHEMA.is_file():
        pytest.skip(f"UNTP reference schema not found at {UNTP_SCHEMA} (shared/ is a sibling of the repo)")
    from jsonschema import Draft202012Validator

    schema = json.loads(UNTP_SCHEMA.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_built_credential_validates_against_the_untp_schema(sample: str, untp_validator: Any) -> None:
    credential = build_credential(SAMPLES[sample]())
    errors = [(list(error.absolute_path), error.message) for error in untp_validator.iter_errors(credential)]
    assert errors == []
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://test.uncefact.org/vocabulary/untp/dpp/working/",
    ]
    assert {"VerifiableCredential", "DigitalProductPassport"} <= set(credential["type"])


def test_schema_check_is_not_vacuous(untp_validator: Any) -> None:
    # The same validator must refuse a credential with a wrong granularity and an issuer without name.
    credential = build_credential(battery_model_input())
    credential["credentialSubject"]["granularityLevel"] = "pallet"
    del credential["issuer"]["name"]
    paths = sorted(tuple(error.absolute_path) for error in untp_validator.iter_errors(credential))
    assert paths == [("credentialSubject", "granularityLevel"), ("issuer",)]


def test_credential_carries_the_passport_facts() -> None:
    credential = build_credential(battery_item_input())
    subject = credential["credentialSubject"]
    product = subject["product"]
    assert credential["issuer"]["id"] == ISSUER_DID
    assert credential["validFrom"] == "2025-03-01T09:30:00Z"
    assert credential["validUntil"] == "2035-02-27T09:30:00Z"  # 3650 days include two 29 Februaries
    assert subject["granularityLevel"] == "item"
    assert product["id"] == "https://id.gs1.org/01/08801234567893/21/SN-2025-000417"
    assert product["serialNumber"] == "SN-2025-000417"
    assert product["producedAtFacility"]["id"] == "https://id.gs1.org/414/8801234000017"
    assert product["producedAtFacility"]["countryOfOperation"] == "KR"
    assert product["productCategory"][0]["code"] == "85076000"
    assert product["characteristics"] == {"nominalCapacityKWh": 75.2, "chemistry": "NMC811", "massKg": 412.5}
    claim = subject["conformityClaim"][0]
    assert claim["conformance"] is True
    assert claim["conformityTopic"] == "environment.emissions"
    assert claim["referenceRegulation"]["administeredBy"]["name"] == "European Commission"
    assert claim["conformityEvidence"]["hashMethod"] == "SHA-256"
    assert subject["emissionsScorecard"] == {
        "carbonFootprint": 61.3,
        "declaredUnit": "KWH",
        "operationalScope": "CradleToGate",
        "primarySourcedRatio": 0.42,
        "reportingStandard": {
            "type": ["Standard"],
            "id": "https://www.iso.org/standard/71206.html",
            "name": "ISO 14067:2018",
            "issuingParty": {"id": "https://www.iso.org/", "name": "ISO"},
            "issueDate": "2018-08-01",
        },
    }
    cobalt = subject["materialsProvenance"][1]
    assert cobalt["mass"] == {"value": 12.4, "unit": "KGM"}
    assert cobalt["materialSafetyInformation"]["linkURL"] == "https://dpp.example.com/sds/cobalt"
    assert credential["credentialStatus"][0] == {
        "id": f"https://{HOST}/status/revocation/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": f"https://{HOST}/status/revocation/1",
    }


def test_passport_data_is_linked_with_an_sri_digest() -> None:
    inp = textile_input()
    credential = build_credential(inp)
    assert "characteristics" not in credential["credentialSubject"]["product"]
    (resource,) = credential["relatedResource"]
    assert resource["id"] == inp.passport_data_url
    assert resource["mediaType"] == "application/json"
    digest = base64.b64decode(resource["digestSRI"].removeprefix("sha256-"))
    assert digest.hex() == inp.passport_data_sha256


def test_digest_sri_of_a_known_hash() -> None:
    # SHA-256 of zero bytes is e3b0c442...b855; its base64 is the well-known 47DEQpj8...uFU=.
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    credential = build_credential(textile_input(passport_data_sha256=empty))
    assert credential["relatedResource"][0]["digestSRI"] == "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(
        [0.1, 1890.0, 1e21, 1e-7, 1e16, -0.0, 5e-324, 1.7976931348623157e308, 2.0**53, 5.645393825271497e16]
    )
    | st.text(),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(value=json_values)
def test_fast_canonical_json_equals_the_rfc8785_reference(value: Any) -> None:
    """Differential test: our C-backed canonicaliser and the reference package print the same bytes."""
    assert canonical_json(value) == rfc8785.dumps(value)


def test_canonical_json_refuses_what_rfc8785_refuses() -> None:
    for value in (2**60, {1: "a"}, float("nan")):
        with pytest.raises((TypeError, ValueError, rfc8785.CanonicalizationError)):
            canonical_json(value)


def test_canonical_sha256_hashes_rfc8785_json() -> None:
    # RFC 8785 sorts members and drops whitespace: {"b": 1, "a": "x"} -> {"a":"x","b":1}.
    expected = hashlib.sha256(b'{"a":"x","b":1}').hexdigest()
    assert canonical_sha256({"b": 1, "a": "x"}) == expected


@pytest.mark.parametrize(
    ("gtin", "ok"),
    [
        ("4006381333931", True),  # check digit worked out in steel_batch_input
        ("4006381333932", False),
        ("09506000134352", True),
        ("96385074", True),
        ("123", False),
        ("40063813339x1", False),
        ("00000000", False),  # all zeros: GS1 never issues it (the one GTIN check refuses it)
    ],
)
def test_gtin_check_digit(gtin: str, ok: bool) -> None:
    # GTIN-8 96385074: body 9638507 read from the right with weights 3,1,3,...:
    # 7*3 + 0 + 5*3 + 8 + 3*3 + 6 + 9*3 = 21+0+15+8+9+6+27 = 86, check digit (10 - 6) % 10 = 4.
    assert is_valid_gtin(gtin) is ok


def test_input_problems_are_all_reported_with_their_field() -> None:
    base = battery_item_input()
    bad_product = dataclasses.replace(base.product, gtin="8801234567890", serial_number=None)
    bad_material = MaterialProvenance("Nickel", origin_country="kr", hazardous=True, mass_fraction=1.5)
    inp = dataclasses.replace(
        base,
        credential_id="12345",
        product=bad_product,
        materials=[bad_material],
        valid_until=ISSUED - timedelta(days=1),
        passport_data_sha256="0" * 64,
    )
    with pytest.raises(CredentialInputError) as caught:
        build_credential(inp)
    paths = {path for path, _ in caught.value.problems}
    assert paths == {
        "credential_id",
        "valid_until",
        "product.gtin",
        "product.serial_number",
        "materials[0].origin_country",
        "materials[0].mass_fraction",
        "materials[0].safety_information",
        "passport_data",
    }


def test_link_types_are_full_uris_and_contexts_carry_digests() -> None:
    """UNTP compares linkType as text, so a prefixed name (gs1:pip) means nothing outside our code."""
    base = battery_model_input()
    short = dataclasses.replace(base.product, further_information=[Link(base.product.id, "Passport", "gs1:pip")])
    context = ContextRef("https://dpp.example.com/ns/passport/v1", "sha256-not-base64")
    with pytest.raises(CredentialInputError) as caught:
        build_credential(dataclasses.replace(base, product=short, contexts=[context]))
    assert {path for path, _ in caught.value.problems} == {
        "product.further_information[0].link_type",
        "contexts[0].digest_sri",
    }
    full = dataclasses.replace(
        base.product, further_information=[Link(base.product.id, "Passport", "https://gs1.org/voc/pip")]
    )
    digest = "sha256-" + base64.b64encode(b"0" * 32).decode()
    credential = build_credential(
        dataclasses.replace(base, product=full, contexts=[dataclasses.replace(context, digest_sri=digest)])
    )
    assert credential["credentialSubject"]["product"]["furtherInformation"][0]["linkType"] == "https://gs1.org/voc/pip"
    assert credential["@context"][-1] == context.url
    assert credential["relatedResource"][-1] == {
        "id": context.url,
        "mediaType": "application/ld+json",
        "digestSRI": digest,
    }


def test_naive_datetimes_and_keyword_clashes_are_refused() -> None:
    inp = battery_model_input(valid_from=datetime(2025, 3, 1, 9, 30))
    with pytest.raises(CredentialInputError) as caught:
        build_credential(inp)
    assert ("valid_from", "must be timezone-aware") in caught.value.problems
    data = {"@context": "x", "type": "y", "fine": 1}
    with pytest.raises(CredentialInputError, match="JSON-LD keywords"):
        build_credential(battery_model_input(passport_data=data, passport_data_sha256=canonical_sha256(data)))


def test_payload_is_the_canonical_credential_without_jwt_claims() -> None:
    credential = build_credential(steel_batch_input())
    payload = credential_payload(credential)
    assert json.loads(payload) == credential
    assert list(json.loads(payload)) == sorted(credential)
    assert not {"iss", "iat", "exp", "nbf", "vc"} & set(json.loads(payload))
    with pytest.raises(ValueError, match="wrappers"):
        credential_payload({"vc": credential})


def test_payload_bytes_follow_rfc8785() -> None:
    # RFC 8785: members sorted by code unit, no whitespace, numbers as ECMAScript prints them
    # (1890.0 -> 1890, 1e21 -> 1e+21), non-ASCII left as UTF-8.
    payload = credential_payload({"b": 1890.0, "a": [1e21, 0.1], "c": "\u00e9"})
    assert payload == b'{"a":[1e+21,0.1],"b":1890,"c":"\xc3\xa9"}'


@pytest.fixture(scope="module")
def issuer_key() -> Any:
    return generate_key()


def _sign(credential: dict[str, Any], key: Any, kid: str, **header: Any) -> str:
    return sign_compact(credential_payload(credential), key, kid, **header)


def _resolver(key: Any, kid: str) -> Any:
    jwk = public_jwk(key, kid)
    return lambda asked: jwk if asked == kid else None


def test_verify_credential_round_trip(issuer_key: Any) -> None:
    credential = build_credential(battery_model_input())
    kid = f"{ISSUER_DID}#{issuer_key.thumbprint}"
    token = _sign(credential, issuer_key, kid)
    verified = verify_credential(token, _resolver(issuer_key, kid), now=ISSUED + timedelta(days=1))
    assert verified.credential == credential
    assert verified.jws.header == {"alg": "EdDSA", "kid": kid, "typ": "vc+jwt"}
    assert decode_credential(token) == credential


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (ISSUED - timedelta(seconds=1), VerificationErrorCode.NOT_YET_VALID),
        (ISSUED + timedelta(days=3650, seconds=1), VerificationErrorCode.EXPIRED),
        (datetime(2040, 1, 1, tzinfo=UTC), VerificationErrorCode.EXPIRED),
    ],
)
def test_credential_outside_its_validity_period_is_refused(issuer_key: Any, now: datetime, code: str) -> None:
    kid = f"{ISSUER_DID}#k1"
    token = _sign(build_credential(battery_model_input()), issuer_key, kid)
    with pytest.raises(VerificationError) as caught:
        verify_credential(token, _resolver(issuer_key, kid), now=now)
    assert caught.value.code == code


def test_validity_bounds_are_inclusive(issuer_key: Any) -> None:
    kid = f"{ISSUER_DID}#k1"
    token = _sign(build_credential(battery_model_input()), issuer_key, kid)
    for now in (ISSUED, ISSUED + timedelta(days=3650)):
        assert verify_credential(token, _resolver(issuer_key, kid), now=now).credential["id"]


def test_jwt_exp_claim_from_another_issuer_is_honoured(issuer_key: Any) -> None:
    kid = f"{ISSUER_DID}#k1"
    credential = build_credential(battery_model_input()) | {"exp": int(ISSUED.timestamp()) + 60}
    token = _sign(credential, issuer_key, kid)
    assert verify_credential(token, _resolver(issuer_key, kid), now=ISSUED + timedelta(seconds=59))
    with pytest.raises(VerificationError) as caught:
        verify_credential(token, _resolver(issuer_key, kid), now=ISSUED + timedelta(seconds=60))
    assert caught.value.code == VerificationErrorCode.EXPIRED


def test_key_of_another_organisation_cannot_vouch_for_an_issuer(issuer_key: Any) -> None:
    other_kid = f"did:web:{HOST}:orgs:someone-else#k1"
    token = _sign(build_credential(battery_model_input()), issuer_key, other_kid)
    with pytest.raises(VerificationError) as caught:
        verify_credential(token, _resolver(issuer_key, other_kid), now=ISSUED)
    assert caught.value.code == VerificationErrorCode.ISSUER_MISMATCH


def test_wrong_media_type_and_non_credentials_are_refused(issuer_key: Any) -> None:
    kid = f"{ISSUER_DID}#k1"
    credential = build_credential(battery_model_input())
    token = _sign(credential, issuer_key, kid, typ="JWT")
    with pytest.raises(VerificationError) as caught:
        verify_credential(token, _resolver(issuer_key, kid), now=ISSUED)
    assert caught.value.code == VerificationErrorCode.WRONG_TYPE
    for payload in (b"[1, 2]", b"not json", json.dumps(credential | {"@context": ["x"]}).encode()):
        token = sign_compact(payload, issuer_key, kid)
        with pytest.raises(VerificationError) as caught:
            verify_credential(token, _resolver(issuer_key, kid), now=ISSUED)
        assert caught.value.code == VerificationErrorCode.INVALID_CREDENTIAL


def test_revoked_credential_is_found_in_its_status_list() -> None:
    credential = build_credential(battery_model_input())
    revocation_entry = credential["credentialStatus"][0]
    bits = StatusBitstring()
    status_list = build_status_list_credential(
        revocation_entry["statusListCredential"], ISSUER_DID, "revocation", bits.encode(), ISSUED
    )
    assert check_status(revocation_entry, status_list) is False
    bits.set(94567)
    status_list["credentialSubject"]["encodedList"] = bits.encode()
    assert check_status(revocation_entry, status_list) is True

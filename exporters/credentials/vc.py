"""Passport credentials: a W3C Verifiable Credential 2.0 shaped as a UNTP Digital Product Passport v0.6.

`build_credential` turns a `PassportCredentialInput` (plain data, filled by the publish service) into
the unsigned credential; `credential_payload` gives the bytes to sign; `verify_credential` checks a
signed one, including its validity period.

How it is secured (W3C VC-JOSE-COSE, section 3.1.1): the credential JSON itself is the JWS payload,
``typ`` is ``vc+jwt`` (media type ``application/vc+jwt``). We add no JWT registered claims (``iss``,
``iat``, ``exp``, ``nbf``): VC-JOSE-COSE makes them optional, and they would restate ``issuer``,
``validFrom`` and ``validUntil`` with a risk of the two disagreeing. The credential's own properties are
the single source of truth; `verify_credential` still honours ``exp``/``nbf`` if another issuer's
token carries them. The payload is RFC 8785 canonical JSON, so the same credential always signs the
same bytes.

Where the passport data goes: the UNTP schema has no slot for a whole passport, so the data is
*linked* with the VC 2.0 ``relatedResource`` property (URL, media type and ``digestSRI`` of the RFC 8785
canonical JSON, so a verifier can fetch the data and check it against the signed digest), and may be
*attached* in ``credentialSubject.product.characteristics``, UNTP's extension point for product-specific
characteristics.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

from core.canonical_json import canonical_json, canonical_sha256
from exporters.credentials.signing import (
    DEFAULT_ALLOWED_ALGS,
    VerificationError,
    VerificationErrorCode,
    VerifiedJWS,
    verify_compact,
)
from exporters.credentials.statuslist import StatusPurpose, status_list_entry, utc_timestamp
from passports.identifiers import is_valid_gln, is_valid_gtin

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
UNTP_DPP_CONTEXT: Final = "https://test.uncefact.org/vocabulary/untp/dpp/working/"
CREDENTIAL_TYPES: Final = ("VerifiableCredential", "DigitalProductPassport")
MEDIA_TYPE: Final = "application/vc+jwt"
JWS_TYP: Final = "vc+jwt"

GS1_GTIN_SCHEME: Final = {"type": ["IdentifierScheme"], "id": "https://id.gs1.org/01/", "name": "GS1 GTIN"}
GS1_GLN_SCHEME: Final = {"type": ["IdentifierScheme"], "id": "https://id.gs1.org/414/", "name": "GS1 GLN"}

Granularity = Literal["model", "batch", "item"]
OperationalScope = Literal["None", "CradleToGate", "CradleToGrave"]
#: UNTP v0.6 conformity topics (the ``conformityTopic`` enumeration of the schema).
CONFORMITY_TOPICS: Final = frozenset(
    {
        "environment.energy", "environment.emissions", "environment.water", "environment.waste",
        "environment.deforestation", "environment.biodiversity", "circularity.content",
        "circularity.design", "social.labour", "social.rights", "social.community", "social.safety",
        "governance.ethics", "governance.compliance", "governance.transparency",
    }
)  # fmt: skip

_DID_WEB_ORG: Final = re.compile(r"did:web:[a-z0-9.-]+(?:%3A[0-9]{1,5})?(?::[A-Za-z0-9._~%-]+)*")
_URN_UUID: Final = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Links in a credential are https, except on the loopback interface: a development server (our default
#: ``PLATFORM_BASE_URL`` is ``http://127.0.0.1:8000``) has no certificate, and a loopback URL can only ever
#: reach the verifier's own machine, so plain http there exposes nothing to a network attacker.
_HTTPS_URL: Final = re.compile(
    r"https://[^\s/?#]+[^\s]*|http://(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]{1,5})?(?:[/?#][^\s]*)?"
)
_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
_SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
_SRI_SHA256: Final = re.compile(r"sha256-[A-Za-z0-9+/]{43}=")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_DIGITS: Final = re.compile(r"[0-9]+")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class CredentialInputError(ValueError):
    """The input cannot make a valid passport credential. ``problems`` lists every issue found, each
    as ``(field path, message)``, so a form or an import can show them all at once."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyRef:
    """An organisation named by a URI (e.g. a GS1 Digital Link for a GLN, an LEI record URL)."""

    id: str
    name: str
    registered_id: str | None = None


@dataclass(frozen=True)
class Classification:
    """A code in a classification scheme, e.g. a CN (Combined Nomenclature) code for customs."""

    id: str
    code: str
    name: str
    scheme_id: str
    scheme_name: str


@dataclass(frozen=True)
class Facility:
    """The manufacturing facility. Its ``id`` defaults to the GS1 Digital Link of the GLN."""

    name: str
    country: str
    gln: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Link:
    """A UNTP link. ``link_type`` is a full URI (e.g. ``https://gs1.org/voc/pip``): a verifier compares it as
    text, so a prefixed name like ``gs1:pip`` would mean nothing outside our code."""

    url: str
    name: str
    link_type: str | None = None


@dataclass(frozen=True)
class ContextRef:
    """A JSON-LD context the credential depends on, with the SRI digest of the file the issuer expanded it with.

    VC 2.0 section 5.3 (integrity of related resources): listing a context in ``relatedResource`` with its
    ``digestSRI`` lets a verifier notice that the document now served at that URL is not the one the issuer
    used (UNTP's ``working`` context changes over time; ours is served by whoever runs the platform)."""

    url: str
    digest_sri: str


@dataclass(frozen=True)
class ProductInfo:
    """The product the passport describes. ``id`` is its GS1 Digital Link URI."""

    id: str
    name: str
    granularity: Granularity
    gtin: str
    manufacturer: PartyRef
    facility: Facility
    description: str | None = None
    serial_number: str | None = None
    batch_number: str | None = None
    categories: Sequence[Classification] = ()
    production_date: str | None = None
    country_of_production: str | None = None
    image: Link | None = None
    further_information: Sequence[Link] = ()


@dataclass(frozen=True)
class StandardRef:
    id: str
    name: str
    issuing_party: PartyRef
    issue_date: str | None = None


@dataclass(frozen=True)
class RegulationRef:
    """A regulation, e.g. Regulation (EU) 2023/1542 administered by the European Commission."""

    id: str
    name: str
    jurisdiction_country: str | None
    administered_by: PartyRef
    effective_date: str | None = None


@dataclass(frozen=True)
class ConformityClaim:
    """A claim of conformity with a regulation and/or standard. ``conformance`` says whether the
    product conforms (UNTP's DPP schema has no such flag; it is our extension, allowed by the schema)."""

    id: str
    topic: str
    conformance: bool
    description: str | None = None
    regulation: RegulationRef | None = None
    standard: StandardRef | None = None
    assessment_date: str | None = None
    evidence_url: str | None = None
    evidence_sha256: str | None = None


@dataclass(frozen=True)
class EmissionsScorecard:
    """Carbon footprint per declared unit, in kg CO2e (Battery Regulation (EU) 2023/1542, Art. 7)."""

    carbon_footprint: float
    declared_unit: str  # UN/ECE Recommendation 20 code: KGM, EA, KWH, ...
    operational_scope: OperationalScope
    primary_sourced_ratio: float
    reporting_standard: StandardRef | None = None


@dataclass(frozen=True)
class CircularityScorecard:
    recycled_content: float | None = None
    recyclable_content: float | None = None
    utility_factor: float | None = None
    material_circularity_indicator: float | None = None
    recycling_information: Link | None = None
    repair_information: Link | None = None


@dataclass(frozen=True)
class MaterialProvenance:
    name: str
    origin_country: str | None = None
    mass_fraction: float | None = None
    recycled_mass_fraction: float | None = None
    hazardous: bool | None = None
    material_type: Classification | None = None
    mass_kg: float | None = None
    safety_information: Link | None = None


@dataclass(frozen=True)
class StatusEntry:
    status_list_credential: str
    index: int
    purpose: StatusPurpose


@dataclass(frozen=True)
class IssuerInfo:
    """The issuing organisation: its did:web, name and registered identifiers (EORI, LEI, VAT...)."""

    did: str
    name: str
    identifiers: Sequence[PartyRef] = ()


@dataclass(frozen=True)
class PassportCredentialInput:
    """Everything `build_credential` needs; plain data, no database objects.

    ``passport_data_sha256`` is the SHA-256 (hex) of the RFC 8785 canonical JSON of the passport
    data, served at ``passport_data_url``; ``passport_data`` is attached only when given.
    """

    credential_id: str
    issuer: IssuerInfo
    valid_from: datetime
    product: ProductInfo
    passport_data_url: str
    passport_data_sha256: str
    valid_until: datetime | None = None
    conformity_claims: Sequence[ConformityClaim] = ()
    emissions: EmissionsScorecard | None = None
    circularity: CircularityScorecard | None = None
    materials: Sequence[MaterialProvenance] = ()
    passport_data: Mapping[str, Any] | None = None
    status: Sequence[StatusEntry] = field(default_factory=tuple)
    #: Contexts beside VC 2.0 whose digests the credential records; any not yet in ``@context`` (ours, which
    #: defines the passport data's terms) is appended to it, after the UNTP context.
    contexts: Sequence[ContextRef] = ()


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def uri(self, path: str, value: str | None, *, required: bool = True) -> None:
        if value is None:
            if required:
                self.add(path, "is required")
        elif not _URI.fullmatch(value):
            self.add(path, f"{value!r} is not a URI")

    def https(self, path: str, value: str | None) -> None:
        if value is not None and not _HTTPS_URL.fullmatch(value):
            self.add(path, f"{value!r} is not an https URL")

    def ratio(self, path: str, value: float | None) -> None:
        if value is not None and not (isinstance(value, int | float) and 0 <= value <= 1):
            self.add(path, "must be a number between 0 and 1")

    def country(self, path: str, value: str | None) -> None:
        if value is not None and not _COUNTRY.fullmatch(value):
            self.add(path, f"{value!r} is not an ISO 3166-1 alpha-2 code")

    def date(self, path: str, value: str | None) -> None:
        if value is None:
            return
        if not _DATE.fullmatch(value):
            self.add(path, f"{value!r} is not a date (YYYY-MM-DD)")
            return
        try:
            date.fromisoformat(value)
        except ValueError:
            self.add(path, f"{value!r} is not a date (YYYY-MM-DD)")


def _check_issuer_and_validity(inp: PassportCredentialInput, problems: _Problems) -> None:
    if not (_URN_UUID.fullmatch(inp.credential_id) or _HTTPS_URL.fullmatch(inp.credential_id)):
        problems.add("credential_id", "must be urn:uuid:<lower-case uuid> or an https URL")
    if not _DID_WEB_ORG.fullmatch(inp.issuer.did) or ":orgs:" not in inp.issuer.did:
        problems.add("issuer.did", "must be did:web:<host>:orgs:<slug>")
    if not inp.issuer.name.strip():
        problems.add("issuer.name", "is required")
    for i, ident in enumerate(inp.issuer.identifiers):
        problems.uri(f"issuer.identifiers[{i}].id", ident.id)
    aware = True
    for name, moment in (("valid_from", inp.valid_from), ("valid_until", inp.valid_until)):
        if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
            problems.add(name, "must be timezone-aware")
            aware = False
    if aware and inp.valid_until is not None and inp.valid_until <= inp.valid_from:
        problems.add("valid_until", "must be after valid_from")


def _check_product(product: ProductInfo, problems: _Problems) -> None:
    problems.https("product.id", product.id)
    if product.granularity not in ("model", "batch", "item"):
        problems.add("product.granularity", "must be model, batch or item")
    if not is_valid_gtin(product.gtin):
        problems.add("product.gtin", f"{product.gtin!r} is not a GTIN with a valid check digit")
    elif f"/01/{product.gtin.zfill(14)}" not in product.id:
        problems.add("product.id", "GS1 Digital Link must carry the GTIN as /01/<14 digits>")
    if product.granularity == "item" and not product.serial_number:
        problems.add("product.serial_number", "is required for an item-level passport")
    if product.granularity == "batch" and not product.batch_number:
        problems.add("product.batch_number", "is required for a batch-level passport")
    problems.uri("product.manufacturer.id", product.manufacturer.id)
    problems.country("product.facility.country", product.facility.country)
    if product.facility.gln is not None and not is_valid_gln(product.facility.gln):
        problems.add("product.facility.gln", "is not a 13-digit GLN with a valid check digit")
    if product.facility.id is None and product.facility.gln is None:
        problems.add("product.facility", "needs an id or a GLN")
    problems.uri("product.facility.id", product.facility.id, required=False)
    problems.country("product.country_of_production", product.country_of_production)
    problems.date("product.production_date", product.production_date)
    for i, category in enumerate(product.categories):
        problems.uri(f"product.categories[{i}].id", category.id)
        problems.uri(f"product.categories[{i}].scheme_id", category.scheme_id)


def _links_of(inp: PassportCredentialInput) -> list[tuple[str, Link | None]]:
    product = inp.product
    links: list[tuple[str, Link | None]] = [("product.image", product.image)]
    links += [(f"product.further_information[{i}]", link) for i, link in enumerate(product.further_information)]
    if inp.circularity is not None:
        links += [
            ("circularity.recycling_information", inp.circularity.recycling_information),
            ("circularity.repair_information", inp.circularity.repair_information),
        ]
    links += [(f"materials[{i}].safety_information", m.safety_information) for i, m in enumerate(inp.materials)]
    return links


def _check_links(inp: PassportCredentialInput, problems: _Problems) -> None:
    for path, link in _links_of(inp):
        if link is None:
            continue
        problems.uri(f"{path}.url", link.url)
        if link.link_type is not None and not link.link_type.startswith(("https://", "http://")):
            problems.add(f"{path}.link_type", f"{link.link_type!r} is not a full URI (e.g. https://gs1.org/voc/pip)")


def _check_contexts(contexts: Sequence[ContextRef], problems: _Problems) -> None:
    for i, context in enumerate(contexts):
        problems.https(f"contexts[{i}].url", context.url)
        if context.url == VC_V2_CONTEXT:
            problems.add(f"contexts[{i}].url", "the VC 2.0 base context is always first and never re-listed")
        if not _SRI_SHA256.fullmatch(context.digest_sri):
            problems.add(f"contexts[{i}].digest_sri", "must be sha256-<base64 of 32 bytes> (W3C SRI)")


def _check_claims(claims: Sequence[ConformityClaim], problems: _Problems) -> None:
    for i, claim in enumerate(claims):
        path = f"conformity_claims[{i}]"
        problems.uri(f"{path}.id", claim.id)
        if claim.topic not in CONFORMITY_TOPICS:
            problems.add(f"{path}.topic", f"{claim.topic!r} is not a UNTP conformity topic")
        if claim.regulation is None and claim.standard is None:
            problems.add(path, "names neither a regulation nor a standard")
        if claim.regulation is not None:
            problems.uri(f"{path}.regulation.id", claim.regulation.id)
            problems.country(f"{path}.regulation.jurisdiction_country", claim.regulation.jurisdiction_country)
        if claim.standard is not None:
            problems.uri(f"{path}.standard.id", claim.standard.id)
        problems.date(f"{path}.assessment_date", claim.assessment_date)
        problems.https(f"{path}.evidence_url", claim.evidence_url)
        if claim.evidence_sha256 is not None and not _SHA256_HEX.fullmatch(claim.evidence_sha256):
            problems.add(f"{path}.evidence_sha256", "must be 64 lower-case hex digits")


def _check_scorecards(inp: PassportCredentialInput, problems: _Problems) -> None:
    if inp.emissions is not None:
        if inp.emissions.carbon_footprint < 0:
            problems.add("emissions.carbon_footprint", "cannot be negative")
        problems.ratio("emissions.primary_sourced_ratio", inp.emissions.primary_sourced_ratio)
        if inp.emissions.operational_scope not in ("None", "CradleToGate", "CradleToGrave"):
            problems.add("emissions.operational_scope", "must be None, CradleToGate or CradleToGrave")
    if inp.circularity is not None:
        problems.ratio("circularity.recycled_content", inp.circularity.recycled_content)
        problems.ratio("circularity.recyclable_content", inp.circularity.recyclable_content)
    for i, material in enumerate(inp.materials):
        path = f"materials[{i}]"
        problems.country(f"{path}.origin_country", material.origin_country)
        problems.ratio(f"{path}.mass_fraction", material.mass_fraction)
        problems.ratio(f"{path}.recycled_mass_fraction", material.recycled_mass_fraction)
        if material.hazardous and material.safety_information is None:
            # UNTP v0.6 Material.hazardous: "If true then the materialSafetyInformation property
            # must be present".
            problems.add(f"{path}.safety_information", "is required when the material is hazardous")


def _check_data_and_status(inp: PassportCredentialInput, problems: _Problems) -> None:
    problems.https("passport_data_url", inp.passport_data_url)
    if not _SHA256_HEX.fullmatch(inp.passport_data_sha256):
        problems.add("passport_data_sha256", "must be 64 lower-case hex digits")
    elif inp.passport_data is not None and canonical_sha256(inp.passport_data) != inp.passport_data_sha256:
        problems.add("passport_data", "does not hash to passport_data_sha256 (RFC 8785 canonical JSON)")
    if inp.passport_data is not None:
        clashing = sorted(key for key in inp.passport_data if key.startswith("@") or key in ("id", "type"))
        if clashing:
            problems.add("passport_data", f"top-level keys {clashing} would be read as JSON-LD keywords")
    for i, entry in enumerate(inp.status):
        problems.https(f"status[{i}].status_list_credential", entry.status_list_credential)
        if entry.purpose not in ("revocation", "suspension"):
            problems.add(f"status[{i}].purpose", "must be revocation or suspension")
        if isinstance(entry.index, bool) or not isinstance(entry.index, int) or entry.index < 0:
            problems.add(f"status[{i}].index", "must be a non-negative integer")


def _check_input(inp: PassportCredentialInput) -> None:
    problems = _Problems()
    _check_issuer_and_validity(inp, problems)
    _check_product(inp.product, problems)
    _check_claims(inp.conformity_claims, problems)
    _check_scorecards(inp, problems)
    _check_data_and_status(inp, problems)
    _check_links(inp, problems)
    _check_contexts(inp.contexts, problems)
    if problems.items:
        raise CredentialInputError(problems.items)


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------


def _compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """Drop absent optional members: the schema forbids ``null`` where it expects a value."""
    return {key: value for key, value in mapping.items() if value is not None and value != []}


def _party(party: PartyRef) -> dict[str, Any]:
    return _compact({"id": party.id, "name": party.name, "registeredId": party.registered_id})


def _link(link: Link | None) -> dict[str, Any] | None:
    if link is None:
        return None
    return _compact({"linkURL": link.url, "linkName": link.name, "linkType": link.link_type})


def _classification(item: Classification) -> dict[str, Any]:
    return {
        "type": ["Classification"],
        "id": item.id,
        "code": item.code,
        "name": item.name,
        "schemeID": item.scheme_id,
        "schemeName": item.scheme_name,
    }


def _standard(standard: StandardRef | None) -> dict[str, Any] | None:
    if standard is None:
        return None
    return _compact(
        {
            "type": ["Standard"],
            "id": standard.id,
            "name": standard.name,
            "issuingParty": _party(standard.issuing_party),
            "issueDate": standard.issue_date,
        }
    )


def _regulation(regulation: RegulationRef | None) -> dict[str, Any] | None:
    if regulation is None:
        return None
    return _compact(
        {
            "type": ["Regulation"],
            "id": regulation.id,
            "name": regulation.name,
            "jurisdictionCountry": regulation.jurisdiction_country,
            "administeredBy": _party(regulation.administered_by),
            "effectiveDate": regulation.effective_date,
        }
    )


def _claim(claim: ConformityClaim) -> dict[str, Any]:
    evidence = None
    if claim.evidence_url is not None:
        evidence = _compact(
            {
                "linkURL": claim.evidence_url,
                "linkName": "Conformity evidence",
                "hashDigest": claim.evidence_sha256,
                "hashMethod": "SHA-256" if claim.evidence_sha256 else None,
            }
        )
    return _compact(
        {
            "type": ["Claim", "Declaration"],
            "id": claim.id,
            "description": claim.description,
            "referenceRegulation": _regulation(claim.regulation),
            "referenceStandard": _standard(claim.standard),
            "assessmentDate": claim.assessment_date,
            "conformityTopic": claim.topic,
            "conformance": claim.conformance,
            "conformityEvidence": evidence,
        }
    )


def _facility(facility: Facility) -> dict[str, Any]:
    facility_id = facility.id or f"https://id.gs1.org/414/{facility.gln}"
    return _compact(
        {
            "type": ["Facility"],
            "id": facility_id,
            "name": facility.name,
            "registeredId": facility.gln,
            "idScheme": dict(GS1_GLN_SCHEME) if facility.gln else None,
            "countryOfOperation": facility.country,
        }
    )


def _product(product: ProductInfo, characteristics: Mapping[str, Any] | None) -> dict[str, Any]:
    return _compact(
        {
            "type": ["Product"],
            "id": product.id,
            "name": product.name,
            "registeredId": product.gtin,
            "idScheme": dict(GS1_GTIN_SCHEME),
            "description": product.description,
            "serialNumber": product.serial_number,
            "batchNumber": product.batch_number,
            "productCategory": [_classification(item) for item in product.categories],
            "producedByParty": _party(product.manufacturer),
            "producedAtFacility": _facility(product.facility),
            "productionDate": product.production_date,
            "countryOfProduction": product.country_of_production,
            "productImage": _link(product.image),
            "furtherInformation": [_link(link) for link in product.further_information],
            "characteristics": dict(characteristics) if characteristics is not None else None,
        }
    )


def _emissions(scorecard: EmissionsScorecard | None) -> dict[str, Any] | None:
    if scorecard is None:
        return None
    return _compact(
        {
            "carbonFootprint": scorecard.carbon_footprint,
            "declaredUnit": scorecard.declared_unit,
            "operationalScope": scorecard.operational_scope,
            "primarySourcedRatio": scorecard.primary_sourced_ratio,
            "reportingStandard": _standard(scorecard.reporting_standard),
        }
    )


def _circularity(scorecard: CircularityScorecard | None) -> dict[str, Any] | None:
    if scorecard is None:
        return None
    return _compact(
        {
            "recycledContent": scorecard.recycled_content,
            "recyclableContent": scorecard.recyclable_content,
            "utilityFactor": scorecard.utility_factor,
            "materialCircularityIndicator": scorecard.material_circularity_indicator,
            "recyclingInformation": _link(scorecard.recycling_information),
            "repairInformation": _link(scorecard.repair_information),
        }
    )


def _material(material: MaterialProvenance) -> dict[str, Any]:
    return _compact(
        {
            "name": material.name,
            "originCountry": material.origin_country,
            "materialType": _classification(material.material_type) if material.material_type else None,
            "massFraction": material.mass_fraction,
            "mass": {"value": material.mass_kg, "unit": "KGM"} if material.mass_kg is not None else None,
            "recycledMassFraction": material.recycled_mass_fraction,
            "hazardous": material.hazardous,
            "materialSafetyInformation": _link(material.safety_information),
        }
    )


def _digest_sri(sha256_hex: str) -> str:
    """Subresource Integrity form of a SHA-256 (W3C SRI 3.1: algorithm, dash, base64 digest)."""
    return "sha256-" + base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")


def build_credential(inp: PassportCredentialInput) -> dict[str, Any]:
    """The unsigned passport credential; raises `CredentialInputError` listing every problem."""
    _check_input(inp)
    subject = _compact(
        {
            "type": ["ProductPassport"],
            "product": _product(inp.product, inp.passport_data),
            "granularityLevel": inp.product.granularity,
            "conformityClaim": [_claim(claim) for claim in inp.conformity_claims],
            "emissionsScorecard": _emissions(inp.emissions),
            "circularityScorecard": _circularity(inp.circularity),
            "materialsProvenance": [_material(material) for material in inp.materials],
        }
    )
    issuer = _compact(
        {
            "type": ["CredentialIssuer"],
            "id": inp.issuer.did,
            "name": inp.issuer.name,
            "issuerAlsoKnownAs": [_party(ident) for ident in inp.issuer.identifiers],
        }
    )
    contexts = [VC_V2_CONTEXT, UNTP_DPP_CONTEXT]
    contexts += [ref.url for ref in inp.contexts if ref.url not in contexts]
    credential: dict[str, Any] = {
        "@context": contexts,
        "type": list(CREDENTIAL_TYPES),
        "id": inp.credential_id,
        "issuer": issuer,
        "validFrom": utc_timestamp(inp.valid_from),
    }
    if inp.valid_until is not None:
        credential["validUntil"] = utc_timestamp(inp.valid_until)
    credential["credentialSubject"] = subject
    if inp.status:
        credential["credentialStatus"] = [
            status_list_entry(entry.status_list_credential, entry.index, entry.purpose) for entry in inp.status
        ]
    credential["relatedResource"] = [
        {
            "id": inp.passport_data_url,
            "mediaType": "application/json",
            "digestSRI": _digest_sri(inp.passport_data_sha256),
        }
    ]
    credential["relatedResource"] += [
        {"id": ref.url, "mediaType": "application/ld+json", "digestSRI": ref.digest_sri} for ref in inp.contexts
    ]
    return credential


def credential_payload(cred: Mapping[str, Any]) -> bytes:
    """The JWS payload for VC-JOSE-COSE: the credential itself as RFC 8785 canonical JSON.

    No ``iss``/``iat``/``exp`` are added (see the module docstring). A ``vc`` or ``vp`` member is
    refused: VC-JOSE-COSE forbids the VC-JWT 1.1 wrapping.
    """
    if "vc" in cred or "vp" in cred:
        raise ValueError("VC-JOSE-COSE secures the credential itself; 'vc'/'vp' wrappers are not allowed")
    return canonical_json(dict(cred))


def _payload_segment(token: str) -> bytes:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise VerificationError(VerificationErrorCode.MALFORMED, "a compact JWS has three parts")
    segment = parts[1]
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise VerificationError(VerificationErrorCode.MALFORMED, "payload is not base64url") from None


def _credential_from_payload(payload: bytes) -> dict[str, Any]:
    try:
        credential = json.loads(payload)
    except (UnicodeDecodeError, ValueError):
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, "payload is not JSON") from None
    if not isinstance(credential, dict):
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, "payload is not a JSON object")
    return credential


def decode_credential(token: str) -> dict[str, Any]:
    """The credential inside a token, WITHOUT checking the signature.

    For a verifier's first step (reading the issuer to know which DID document to fetch) and for
    display next to a verification result; never trust its content before `verify_credential`.
    """
    return _credential_from_payload(_payload_segment(token))


@dataclass(frozen=True)
class VerifiedCredential:
    credential: dict[str, Any]
    jws: VerifiedJWS


def _parse_xsd_datetime(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, f"{name} is not a string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, f"{name} is not a dateTime") from None
    if moment.tzinfo is None:
        # VC 2.0 4.9: dateTimeStamp values carry a time zone; without one the instant is ambiguous.
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, f"{name} has no time zone")
    return moment


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, "credential has no issuer id")
    return issuer_id


def verify_credential(
    token: str,
    resolve_key: Callable[[str], dict[str, Any] | None],
    now: datetime | None = None,
    allowed_algs: Collection[str] = DEFAULT_ALLOWED_ALGS,
) -> VerifiedCredential:
    """Verify the JWS, then the credential: its media type, shape, issuer-key binding and validity.

    - ``typ``, when present, must be ``vc+jwt`` (VC-JOSE-COSE 3.1.1);
    - the payload must be a VC 2.0 credential (first ``@context`` and ``VerifiableCredential`` type);
    - the ``kid`` must be a key of the issuer: ``<issuer DID>#...``, so one organisation's key can
      never vouch for a credential claiming another issuer;
    - ``now`` must lie within ``validFrom``..``validUntil`` (VC 2.0 4.9), and within ``nbf``..``exp``
      when a token carries them.
    Status (revocation/suspension) is checked apart, with `exporters.credentials.statuslist.check_status`,
    because it needs the status list credential fetched and verified first.
    """
    verified = verify_compact(token, resolve_key, allowed_algs)
    typ = verified.header.get("typ")
    if typ is not None and typ != JWS_TYP:
        raise VerificationError(VerificationErrorCode.WRONG_TYPE, f"typ {typ!r} is not {JWS_TYP}")
    credential = _credential_from_payload(verified.payload)
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2_CONTEXT:
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, "first @context must be VC 2.0")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise VerificationError(VerificationErrorCode.INVALID_CREDENTIAL, "type lacks VerifiableCredential")
    issuer_id = _issuer_id(credential)
    if not verified.kid.startswith(issuer_id + "#"):
        raise VerificationError(
            VerificationErrorCode.ISSUER_MISMATCH,
            f"key {verified.kid!r} does not belong to issuer {issuer_id!r}",
        )

    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if "validFrom" in credential and moment < _parse_xsd_datetime(credential["validFrom"], "validFrom"):
        raise VerificationError(VerificationErrorCode.NOT_YET_VALID, "credential is not valid yet (validFrom)")
    if "validUntil" in credential and moment > _parse_xsd_datetime(credential["validUntil"], "validUntil"):
        raise VerificationError(VerificationErrorCode.EXPIRED, "credential has expired (validUntil)")
    timestamp = moment.timestamp()
    nbf, exp = credential.get("nbf"), credential.get("exp")
    if isinstance(nbf, int | float) and not isinstance(nbf, bool) and timestamp < nbf:
        raise VerificationError(VerificationErrorCode.NOT_YET_VALID, "token is not valid yet (nbf)")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and timestamp >= exp:
        raise VerificationError(VerificationErrorCode.EXPIRED, "token has expired (exp)")
    return VerifiedCredential(credential=credential, jws=verified)

"""From passport data to a UNTP Digital Product Passport credential: one mapping per schema we ship.

The credential is public (anyone who scans the QR code may fetch it), so it is built only from the public
tier of the data (``passports.tiers.render_for_tier``); the other tiers are linked by digest, never copied.
Each schema's facts land where UNTP v0.6 puts them:

- battery (Regulation (EU) 2023/1542): the carbon footprint declaration (Art. 7) becomes the emissions
  scorecard per kWh, the recycled shares of Art. 8 become recycled fractions of those materials, hazardous
  substances (Annex VI Part A(8)) and critical raw materials become materials provenance, end-of-life
  information (Art. 74) the circularity links, and the Art. 7, Art. 52 and declaration-of-conformity documents
  become conformity claims with their evidence links;
- steel: specific embedded emissions (t CO2e/t, CBAM) become the scorecard in kg CO2e per tonne, the scrap
  share the recycled content, the metallic input mix the materials;
- textile (ESPR, Regulation (EU) No 1007/2011): fibre composition becomes materials, the recycled content share
  the circularity scorecard;
- espr-core: substances of concern (ESPR Art. 7(5)) become hazardous materials, repair and recycling
  documents the circularity links;
- cbam-installation: the installation is the facility; its emissions are not public data, so the credential
  claims only that the Annex IV communication exists (for parties with a legitimate interest).

What the data does not say is left out rather than guessed, with two exceptions the UNTP schema forces:
``primarySourcedRatio`` is required but none of our schemas records it, so it is 0 (no share of primary data is
claimed); and a facility needs an id, so one without a GLN is named by a fragment of the issuer's DID.
Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from exporters.credentials.vc import (
    CircularityScorecard,
    Classification,
    ConformityClaim,
    ContextRef,
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
    canonical_sha256,
)
from exporters.resolver.linkset import GS1_PIP
from passports.identifiers import is_valid_gln, is_valid_lei

CN_SCHEME = "https://ec.europa.eu/taxation_customs/dds2/taric/"
EU_COMMISSION = PartyRef("https://commission.europa.eu/", "European Commission")
BATTERY_REGULATION = RegulationRef(
    id="https://eur-lex.europa.eu/eli/reg/2023/1542/oj",
    name="Regulation (EU) 2023/1542 concerning batteries and waste batteries",
    jurisdiction_country=None,
    administered_by=EU_COMMISSION,
    effective_date="2023-08-17",
)
ESPR = RegulationRef(
    id="https://eur-lex.europa.eu/eli/reg/2024/1781/oj",
    name="Regulation (EU) 2024/1781 (Ecodesign for Sustainable Products Regulation)",
    jurisdiction_country=None,
    administered_by=EU_COMMISSION,
    effective_date="2024-07-18",
)
CBAM = RegulationRef(
    id="https://eur-lex.europa.eu/eli/reg/2023/956/oj",
    name="Regulation (EU) 2023/956 (Carbon Border Adjustment Mechanism)",
    jurisdiction_country=None,
    administered_by=EU_COMMISSION,
    effective_date="2023-05-17",
)
TEXTILE_LABELLING = RegulationRef(
    id="https://eur-lex.europa.eu/eli/reg/2011/1007/oj",
    name="Regulation (EU) No 1007/2011 on textile fibre names and labelling",
    jurisdiction_country=None,
    administered_by=EU_COMMISSION,
)
ISO_14067 = StandardRef(
    id="https://www.iso.org/standard/71206.html",
    name="ISO 14067:2018",
    issuing_party=PartyRef("https://www.iso.org/", "ISO"),
    issue_date="2018-08-01",
)


@dataclass(frozen=True)
class FacilityFacts:
    """The site a product comes from, as the platform knows it (``Facility`` row)."""

    name: str
    country: str
    gln: str | None = None
    key: str | None = None  # a stable local name (e.g. the row id) used when there is no GLN


@dataclass(frozen=True)
class PassportFacts:
    """What the platform knows about a passport version besides its data; filled by the issuing service."""

    category: str
    identifier: str  # the GS1 Digital Link URI, also the public page
    granularity: str
    gtin: str
    product_name: str
    issuer: IssuerInfo
    issuer_country: str
    credential_id: str
    valid_from: datetime
    data_url: str
    public_data: Mapping[str, Any]
    schema: Mapping[str, Any] = field(default_factory=dict)
    lot: str | None = None
    serial: str | None = None
    product_description: str | None = None
    cn_code: str | None = None
    facility: FacilityFacts | None = None
    status: Sequence[StatusEntry] = ()
    contexts: Sequence[ContextRef] = ()


@dataclass
class _Parts:
    """What a category mapping contributes to the credential."""

    manufacturer: Mapping[str, Any] | None = None
    production_date: str | None = None
    country_of_production: str | None = None
    facility: Facility | None = None
    claims: list[ConformityClaim] = field(default_factory=list)
    emissions: EmissionsScorecard | None = None
    circularity: CircularityScorecard | None = None
    materials: list[MaterialProvenance] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Small readers
# --------------------------------------------------------------------------------------------------


def _at(data: Mapping[str, Any], *path: str) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _share(percent: Any) -> float | None:
    """A percentage (0-100) as the 0-1 fraction UNTP uses, rounded to hide float noise (12.5 % -> 0.125)."""
    value = _number(percent)
    return None if value is None or not 0 <= value <= 100 else round(value / 100, 10)


def _web_url(value: Any) -> str | None:
    """An https URL without whitespace, or None: credentials link only to what a verifier can fetch safely."""
    text = _text(value)
    if text is None or not text.startswith("https://") or any(ch.isspace() for ch in text):
        return None
    return text


def _date(value: Any) -> str | None:
    """The calendar date (YYYY-MM-DD) a date or date-time value starts with, if it is a real date."""
    text = _text(value)
    if text is None or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def _link(value: Any, name: str, link_type: str | None = None) -> Link | None:
    url = _web_url(value)
    return Link(url, name, link_type) if url else None


def _legal(schema: Mapping[str, Any], *path: str) -> str | None:
    node: Any = schema
    for key in path:
        node = _at(node, "properties", key)
    return _text(_at(node, "x-legal")) if isinstance(node, Mapping) else None


def cn_classification(code: str) -> Classification:
    """A CN code (Council Regulation (EEC) No 2658/87) as a UNTP classification, linked to TARIC."""
    return Classification(
        id=f"{CN_SCHEME}measures.jsp?Taric={code}",
        code=code,
        name=f"CN {code[:4]} {code[4:6]} {code[6:]}".strip(),
        scheme_id=CN_SCHEME,
        scheme_name="Combined Nomenclature (CN)",
    )


def party_from(node: Mapping[str, Any] | None, fallback: PartyRef) -> PartyRef:
    """An economic operator of the data as a UNTP party, named by the best URI its identifier gives.

    A GLN becomes its GS1 Digital Link (``/417/``), an LEI its GLEIF record; otherwise the operator's https
    web address, else the issuer (for the manufacturer, the issuer itself in most passports).
    """
    if not isinstance(node, Mapping) or not _text(node.get("name")):
        return fallback
    identifier = _text(node.get("identifier"))
    if identifier and is_valid_gln(identifier):
        uri = f"https://id.gs1.org/417/{identifier}"
    elif identifier and is_valid_lei(identifier):
        uri = f"https://search.gleif.org/#/record/{identifier}"
    else:
        uri = _web_url(node.get("web_address")) or fallback.id
    return PartyRef(uri, str(node["name"]).strip(), identifier)


def _country(value: Any) -> str | None:
    text = _text(value)
    return text if text is not None and len(text) == 2 and text.isascii() and text.isupper() else None


def _claim(facts: PassportFacts, slug: str, **fields: Any) -> ConformityClaim:
    return ConformityClaim(id=f"{facts.identifier}#claim-{slug}", **fields)


def _declaration_of_conformity(
    facts: PassportFacts, regulation: RegulationRef, url: Any, issued: Any = None
) -> ConformityClaim | None:
    evidence = _web_url(url)
    if evidence is None:
        return None
    return _claim(
        facts,
        "declaration-of-conformity",
        topic="governance.compliance",
        conformance=True,
        description="EU declaration of conformity drawn up by the manufacturer",
        regulation=regulation,
        assessment_date=_date(issued),
        evidence_url=evidence,
    )


def _page_anchor(facts: PassportFacts, section: str, name: str) -> Link:
    return Link(f"{facts.identifier}#{section}", name)


# --------------------------------------------------------------------------------------------------
# Per schema
# --------------------------------------------------------------------------------------------------


def _battery(facts: PassportFacts, data: Mapping[str, Any]) -> _Parts:
    info = _at(data, "general_product_information") or {}
    place = _at(info, "manufacturing_place") or {}
    parts = _Parts(
        manufacturer=_at(info, "manufacturer_information"),
        production_date=_date(info.get("manufacturing_date")),
        country_of_production=_country(place.get("address_country")),
    )
    if _country(place.get("address_country")) and facts.facility is None:
        locality = _text(place.get("address_locality")) or _text(place.get("address_country"))
        parts.facility = Facility(
            name=f"Manufacturing place, {locality}",
            country=str(place["address_country"]),
            id=f"{facts.issuer.did}#manufacturing-place",
        )
    footprint = _at(data, "carbon_footprint") or {}
    total = _number(_at(footprint, "carbon_footprint_per_lifecycle_stage", "total"))
    if total is not None and total >= 0:
        parts.emissions = EmissionsScorecard(
            carbon_footprint=total,
            declared_unit="KWH",  # Annex II: per kWh of total energy over the service life; UN/ECE Rec. 20 code
            operational_scope="CradleToGrave",  # Annex II covers raw materials to end of life, use phase excluded
            primary_sourced_ratio=0.0,
        )
        performance_class = _text(footprint.get("carbon_footprint_performance_class"))
        parts.claims.append(
            _claim(
                facts,
                "carbon-footprint",
                topic="environment.emissions",
                conformance=True,
                description=(
                    "Carbon footprint declaration"
                    + (f", performance class {performance_class}" if performance_class else "")
                    + f" ({_legal(facts.schema, 'carbon_footprint') or 'Art. 7'})"
                ),
                regulation=BATTERY_REGULATION,
                evidence_url=_web_url(footprint.get("carbon_footprint_study")),
            )
        )
    due_diligence = _web_url(_at(data, "supply_chain_due_diligence", "supply_chain_due_diligence_report"))
    if due_diligence:
        parts.claims.append(
            _claim(
                facts,
                "due-diligence",
                topic="social.rights",
                conformance=True,
                description=(
                    "Supply chain due diligence report "
                    f"({_legal(facts.schema, 'supply_chain_due_diligence') or 'Art. 52(3)'})"
                ),
                regulation=BATTERY_REGULATION,
                evidence_url=due_diligence,
            )
        )
    declaration = _declaration_of_conformity(
        facts, BATTERY_REGULATION, _at(data, "labeling", "declaration_of_conformity")
    )
    if declaration is not None:
        parts.claims.append(declaration)
    parts.materials = _battery_materials(facts, data)
    end_of_life = _at(data, "circularity", "end_of_life_information") or {}
    # Art. 8 shares are per material (share of recycled cobalt in the cobalt...), not a share of the battery,
    # so they go on the materials; the scorecard's recycledContent would claim a whole-product fraction.
    parts.circularity = CircularityScorecard(
        recycling_information=_link(end_of_life.get("separate_collection"), "Separate collection (Art. 74)")
        or _link(end_of_life.get("information_on_collection"), "Collection and take-back"),
    )
    return parts


def _battery_materials(facts: PassportFacts, data: Mapping[str, Any]) -> list[MaterialProvenance]:
    by_name: dict[str, MaterialProvenance] = {}
    composition = _at(data, "material_composition") or {}
    for name in composition.get("critical_raw_materials") or []:
        if _text(name):
            by_name.setdefault(str(name).strip().lower(), MaterialProvenance(str(name).strip()))
    for entry in _at(data, "circularity", "recycled_content") or []:
        name = _text(_at(entry, "recycled_material"))
        pre, post = _share(_at(entry, "pre_consumer_share")), _share(_at(entry, "post_consumer_share"))
        if name is None or pre is None or post is None:
            continue
        known = by_name.get(name.lower())
        recycled = round(min(pre + post, 1.0), 10)
        by_name[name.lower()] = MaterialProvenance(
            known.name if known else name.capitalize(), recycled_mass_fraction=recycled
        )
    materials = list(by_name.values())
    for substance in composition.get("hazardous_substances") or []:
        name = _text(_at(substance, "hazardous_substance_name"))
        if name is None:
            continue
        materials.append(
            MaterialProvenance(
                name,
                mass_fraction=_share(_at(substance, "hazardous_substance_concentration")),
                hazardous=True,
                safety_information=_page_anchor(facts, "material_composition", "Hazard information in the passport"),
            )
        )
    return materials


def _espr_product(facts: PassportFacts, data: Mapping[str, Any], regulation: RegulationRef) -> _Parts:
    """The parts every ESPR-shaped schema (espr-core, textile, steel) shares."""
    identification = _at(data, "product_identification") or {}
    parts = _Parts(
        manufacturer=_at(data, "manufacturer"),
        production_date=_date(identification.get("manufacturing_date")),
        country_of_production=_country(identification.get("country_of_origin")),
    )
    doc = _at(data, "compliance", "declaration_of_conformity") or {}
    declaration = _declaration_of_conformity(facts, regulation, doc.get("document_url"), doc.get("issue_date"))
    if declaration is not None:
        parts.claims.append(declaration)
    instructions = _at(data, "instructions_for_use") or {}
    end_of_life = _at(data, "end_of_life") or {}
    recycling = _link(end_of_life.get("recycling_instructions"), "Recycling instructions")
    repair = _link(instructions.get("repair_information"), "Repair and maintenance")
    if recycling or repair:
        parts.circularity = CircularityScorecard(recycling_information=recycling, repair_information=repair)
    for substance in _at(data, "substances_of_concern") or []:
        name = _text(_at(substance, "substance_name"))
        if name is None:
            continue
        safety = _link(_at(substance, "safe_use_instructions"), "Safe use instructions")
        parts.materials.append(
            MaterialProvenance(
                name,
                mass_fraction=_share(_at(substance, "concentration")),
                hazardous=True,
                safety_information=safety or _page_anchor(facts, "substances_of_concern", "Substances of concern"),
            )
        )
    return parts


def _espr_core(facts: PassportFacts, data: Mapping[str, Any]) -> _Parts:
    return _espr_product(facts, data, ESPR)


def _textile(facts: PassportFacts, data: Mapping[str, Any]) -> _Parts:
    parts = _espr_product(facts, data, ESPR)
    recycled = _share(_at(data, "recycled_content", "recycled_content_share"))
    if recycled is not None:
        circularity = parts.circularity or CircularityScorecard()
        parts.circularity = CircularityScorecard(
            recycled_content=recycled,
            recycling_information=circularity.recycling_information,
            repair_information=circularity.repair_information,
        )
    components = _at(data, "fibre_composition") or []
    # The composition of the main part describes the product; a padded jacket lists its parts separately.
    main = next(
        (c for c in components if _at(c, "component") in ("whole_product", "main_fabric", "outer_shell")),
        components[0] if components else None,
    )
    fibres = (_at(main, "fibres") or []) if isinstance(main, Mapping) else []
    for fibre in fibres:
        name = _text(_at(fibre, "fibre_name"))
        if name is None:
            continue
        fraction = _share(_at(fibre, "share_percent"))
        is_recycled = _at(fibre, "recycled")
        parts.materials.append(
            MaterialProvenance(
                name.replace("_", " ").capitalize(),
                mass_fraction=fraction,
                recycled_mass_fraction=(1.0 if is_recycled else 0.0) if isinstance(is_recycled, bool) else None,
            )
        )
    if components:
        parts.claims.append(
            _claim(
                facts,
                "fibre-composition",
                topic="governance.transparency",
                conformance=True,
                description="Fibre composition declared with the fibre names of Regulation (EU) No 1007/2011",
                regulation=TEXTILE_LABELLING,
            )
        )
    return parts


def _steel(facts: PassportFacts, data: Mapping[str, Any]) -> _Parts:
    parts = _espr_product(facts, data, ESPR)
    emissions = _at(data, "embedded_emissions") or {}
    total = _number(_at(emissions, "specific_embedded_emissions", "total"))
    if total is not None and total >= 0:
        method = _text(emissions.get("methodology"))
        parts.emissions = EmissionsScorecard(
            carbon_footprint=round(total * 1000, 6),  # t CO2e per tonne -> kg CO2e per tonne
            declared_unit="TNE",
            operational_scope="CradleToGate",  # embedded emissions stop at the installation's gate
            primary_sourced_ratio=0.0,
            reporting_standard=ISO_14067 if method == "iso_14067" else None,
        )
        if method in ("cbam_actual", "cbam_default"):
            kind = "actual data" if method == "cbam_actual" else "default values"
            parts.claims.append(
                _claim(
                    facts,
                    "cbam-embedded-emissions",
                    topic="environment.emissions",
                    conformance=True,
                    description=f"Specific embedded emissions determined under the CBAM rules ({kind})",
                    regulation=CBAM,
                )
            )
    scrap = _share(_at(data, "production", "scrap_share", "total"))
    if scrap is not None:
        circularity = parts.circularity or CircularityScorecard()
        parts.circularity = CircularityScorecard(
            recycled_content=scrap,
            recycling_information=circularity.recycling_information,
            repair_information=circularity.repair_information,
        )
    for entry in _at(data, "production", "metallic_input_mix") or []:
        name = _text(_at(entry, "input"))
        if name is None:
            continue
        parts.materials.append(
            MaterialProvenance(
                name.replace("_", " ").capitalize(),
                mass_fraction=_share(_at(entry, "share_percent")),
                recycled_mass_fraction=1.0 if name.endswith("_scrap") else 0.0,
            )
        )
    return parts


def _cbam_installation(facts: PassportFacts, data: Mapping[str, Any]) -> _Parts:
    installation = _at(data, "installation") or {}
    country = _country(_at(installation, "address", "address_country"))
    parts = _Parts(manufacturer=_at(data, "operator"), country_of_production=country)
    name = _text(installation.get("name"))
    key = _text(installation.get("installation_identifier"))
    if name and country and facts.facility is None:
        fragment = "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in key or "installation")
        parts.facility = Facility(name=name, country=country, id=f"{facts.issuer.did}#installation-{fragment}")
    parts.claims.append(
        _claim(
            facts,
            "cbam-communication",
            topic="environment.emissions",
            conformance=True,
            description=(
                "Installation emissions communicated as Implementing Regulation (EU) 2023/1773, Annex IV asks; "
                "the figures are available to parties with a legitimate interest"
            ),
            regulation=CBAM,
        )
    )
    return parts


MAPPINGS: dict[str, Callable[[PassportFacts, Mapping[str, Any]], _Parts]] = {
    "battery": _battery,
    "steel": _steel,
    "textile": _textile,
    "espr-core": _espr_core,
    "cbam-installation": _cbam_installation,
}


# --------------------------------------------------------------------------------------------------
# The input
# --------------------------------------------------------------------------------------------------


def _facility(facts: PassportFacts, parts: _Parts, manufacturer: PartyRef) -> Facility:
    if facts.facility is not None:
        known = facts.facility
        gln = known.gln if known.gln and is_valid_gln(known.gln) else None
        local = f"{facts.issuer.did}#facility-{known.key}" if known.key else f"{facts.issuer.did}#facility"
        return Facility(name=known.name, country=known.country, gln=gln, id=None if gln else local)
    if parts.facility is not None:
        return parts.facility
    country = parts.country_of_production or facts.issuer_country
    return Facility(name=manufacturer.name, country=country, id=f"{facts.issuer.did}#manufacturing-site")


def credential_input(facts: PassportFacts) -> PassportCredentialInput:
    """The credential input of one passport version, from its facts and its public-tier data."""
    data = facts.public_data
    mapping = MAPPINGS.get(facts.category, _espr_core)
    parts = mapping(facts, data)
    issuer_party = PartyRef(facts.issuer.did, facts.issuer.name)
    manufacturer = party_from(parts.manufacturer, issuer_party)
    product = ProductInfo(
        id=facts.identifier,
        name=facts.product_name,
        granularity=facts.granularity,  # type: ignore[arg-type]  # model/batch/item, checked by the builder
        gtin=facts.gtin,
        manufacturer=manufacturer,
        facility=_facility(facts, parts, manufacturer),
        description=facts.product_description or None,
        serial_number=facts.serial or None,
        batch_number=facts.lot or None,
        categories=[cn_classification(facts.cn_code)] if facts.cn_code else [],
        production_date=parts.production_date,
        country_of_production=parts.country_of_production,
        further_information=[Link(facts.identifier, "Product passport", GS1_PIP)],
    )
    return PassportCredentialInput(
        credential_id=facts.credential_id,
        issuer=facts.issuer,
        valid_from=facts.valid_from,
        product=product,
        passport_data_url=facts.data_url,
        passport_data_sha256=canonical_sha256(dict(data)),
        conformity_claims=parts.claims,
        emissions=parts.emissions,
        circularity=parts.circularity,
        materials=parts.materials,
        passport_data=dict(data),
        status=list(facts.status),
        contexts=list(facts.contexts),
    )

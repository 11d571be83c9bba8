"""Our footprints as PACT ``ProductFootprint`` documents (Technical Specifications v2.3 and v3.0), and back.

Plain Python: no Django. One ``PactRecord`` holds what we declare independently of the spec version; ``to_v2``
and ``to_v3`` render it in each version's data model, ``read_document`` reads a partner's document of either
version into the few numbers a buyer's footprint needs (``ReceivedFootprint``).

Decimals travel as strings (PACT v2 §4.1.1 and v3 ``Decimal``: ``^[+-]?\\d+(\\.\\d+)?$``, no exponent) so
no float rounding creeps in between two companies' systems.

Versioning differs between the two specifications: v2 keeps a ``version`` counter and lists the ids a
footprint replaces in ``precedingPfIds``; v3 drops ``version`` and gives each change a new id, the old one
turning ``Deprecated``. We do both at once: every change is a new record with a new id, ``version`` one
higher, the replaced ids in ``precedingPfIds``, and the replaced record deprecated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from uuid import UUID

from lca.pact.geography import is_subdivision

V2_SPEC_VERSION: Final = "2.3.0"
V3_SPEC_VERSION: Final = "3.0.0"
ACTIVE: Final = "Active"
DEPRECATED: Final = "Deprecated"

# Our units (pint spellings, as entered in lca) and the PACT declared units they are. v2.3 knows the first
# seven only; "piece" and "hour" came with v3.0, so such a footprint has no v2 document.
PACT_UNITS: Final[dict[str, str]] = {
    "kg": "kilogram",
    "L": "liter",
    "m**3": "cubic meter",
    "kWh": "kilowatt hour",
    "MJ": "megajoule",
    "t.km": "ton kilometer",
    "m**2": "square meter",
    "piece": "piece",
    "h": "hour",
}
OUR_UNITS: Final[dict[str, str]] = {pact: ours for ours, pact in PACT_UNITS.items()}
V2_UNITS: Final = frozenset(
    ["liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter"]
)
# v2 lists the standards by their old names (``crossSectoralStandardsUsed``, deprecated in 2.3 yet required).
V2_STANDARDS: Final = {"ISO14067": "ISO Standard 14067", "GHGP-Product": "GHG Protocol Product standard"}
_DECIMAL: Final = re.compile(r"^[+-]?\d+(\.\d+)?$")
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")


class PactMappingError(ValueError):
    """A value cannot be said in the PACT data model (or a received document is not a footprint we can use)."""


def decimal_text(value: Decimal | float | int) -> str:
    """A PACT decimal string: fixed-point, no exponent, no trailing zeros (``0.000012``, ``1630``, ``-1.5``)."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    if not number.is_finite():
        raise PactMappingError(f"{value!r} is not a finite number.")
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", "+0", ""}:
        text = "0"
    return text


def parse_decimal(text: Any, *, what: str) -> Decimal:
    """A PACT decimal string (v3) or JSON number (some v2 fields) as a ``Decimal``; anything else is refused."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise PactMappingError(f"{what}: expected a decimal string, got {text!r}.")
    if isinstance(text, str) and not _DECIMAL.match(text):
        raise PactMappingError(f"{what}: {text!r} is not a decimal string.")
    try:
        return Decimal(str(text))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already rules this out
        raise PactMappingError(f"{what}: {text!r} is not a number.") from exc


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, to the second, as the specification's examples write it."""
    if moment.tzinfo is None:
        raise PactMappingError("timestamps must carry a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class PactFacts:
    """What a company declares about one product's footprint, whatever the spec version.

    Amounts are kg CO2e per ``unit_amount`` ``declared_unit`` (our unit spelling, see ``PACT_UNITS``), the
    headline ``pcf_excluding_biogenic`` being our footprint total without biogenic CO2. ``biogenic_uptake``
    is zero or negative (CO2 taken up by biomass, kg CO2e), ``primary_data_share`` a percentage.
    """

    company_name: str
    company_ids: tuple[str, ...]
    product_ids: tuple[str, ...]
    product_name: str
    product_description: str
    classifications: tuple[str, ...]
    cpc_code: str
    declared_unit: str
    unit_amount: Decimal
    mass_kg_per_declared_unit: Decimal
    pcf_excluding_biogenic: Decimal
    pcf_including_biogenic: Decimal
    fossil_ghg: Decimal
    luc_ghg: Decimal
    biogenic_uptake: Decimal
    fossil_carbon_content: Decimal
    biogenic_carbon_content: Decimal
    primary_data_share: Decimal | None
    gwp: str
    geography_country: str | None
    reference_period_start: datetime
    reference_period_end: datetime
    boundary: str = ""
    comment: str = ""
    standards: tuple[str, ...] = ("ISO14067", "GHGP-Product")
    # ISO 3166-2 code when the footprint is declared for a part of ``geography_country`` (a plant's province).
    geography_subdivision: str | None = None

    def check(self) -> None:
        """Refuse what neither version can carry, before anything is stored."""
        if self.declared_unit not in PACT_UNITS:
            raise PactMappingError(f"Declared unit {self.declared_unit!r} has no PACT equivalent.")
        if not self.product_ids or not self.company_ids:
            raise PactMappingError("A footprint needs at least one product id and one company id (URNs).")
        for urn in (*self.product_ids, *self.company_ids, *self.classifications):
            if not urn.lower().startswith("urn:"):
                raise PactMappingError(f"{urn!r} is not a URN.")
        if self.unit_amount <= 0 or self.mass_kg_per_declared_unit < 0:
            raise PactMappingError("The declared unit amount must be positive and the mass not negative.")
        if self.pcf_excluding_biogenic < 0 or self.fossil_ghg < 0 or self.luc_ghg < 0:
            raise PactMappingError("PACT footprints excluding biogenic uptake are never negative.")
        if self.biogenic_uptake > 0:
            raise PactMappingError("Biogenic CO2 uptake is zero or negative.")
        if self.geography_country is not None and not _COUNTRY.match(self.geography_country):
            raise PactMappingError(f"{self.geography_country!r} is not an ISO 3166-1 alpha-2 code.")
        if self.geography_subdivision is not None and not (
            is_subdivision(self.geography_subdivision)
            and self.geography_subdivision.startswith(f"{self.geography_country}-")
        ):
            raise PactMappingError(
                f"{self.geography_subdivision!r} is not an ISO 3166-2 subdivision of {self.geography_country}."
            )
        if not self.company_name or not self.product_name:
            raise PactMappingError("Company and product names are required.")

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form, for storage next to the rendered documents."""
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, Decimal):
                out[name] = decimal_text(value)
            elif isinstance(value, datetime):
                out[name] = value.isoformat()
            elif isinstance(value, tuple):
                out[name] = list(value)
            else:
                out[name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PactFacts:
        values: dict[str, Any] = {}
        for name, kind in cls.__annotations__.items():
            if name not in data:
                continue
            value = data[name]
            if "Decimal" in kind and value is not None:
                value = Decimal(value)
            elif kind == "datetime":
                value = datetime.fromisoformat(value)
            elif kind.startswith("tuple"):
                value = tuple(value)
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class PactRecord:
    """One ProductFootprint: the facts plus its identity, lifecycle and validity period."""

    id: UUID
    facts: PactFacts
    created: datetime
    version: int = 0
    preceding_ids: tuple[UUID, ...] = ()
    status: str = ACTIVE
    status_comment: str = ""
    updated: datetime | None = None
    validity_start: datetime | None = None
    validity_end: datetime | None = None
    extensions: tuple[dict[str, Any], ...] = field(default=())


def _common(record: PactRecord, spec_version: str) -> dict[str, Any]:
    facts = record.facts
    doc: dict[str, Any] = {"id": str(record.id), "specVersion": spec_version}
    if record.preceding_ids:
        doc["precedingPfIds"] = [str(pf_id) for pf_id in record.preceding_ids]
    if spec_version == V2_SPEC_VERSION:
        doc["version"] = record.version
    doc["created"] = timestamp(record.created)
    if record.updated is not None and spec_version == V2_SPEC_VERSION:
        doc["updated"] = timestamp(record.updated)
    doc["status"] = record.status
    if record.status_comment and spec_version == V2_SPEC_VERSION:
        doc["statusComment"] = record.status_comment
    if record.validity_start is not None:
        doc["validityPeriodStart"] = timestamp(record.validity_start)
    if record.validity_end is not None:
        doc["validityPeriodEnd"] = timestamp(record.validity_end)
    doc["companyName"] = facts.company_name
    doc["companyIds"] = list(dict.fromkeys(facts.company_ids))
    doc["productDescription"] = facts.product_description
    doc["productIds"] = list(dict.fromkeys(facts.product_ids))
    if facts.classifications:
        doc["productClassifications"] = list(dict.fromkeys(facts.classifications))
    return doc


def to_v2(record: PactRecord) -> dict[str, Any]:
    """The record as a v2.3 ProductFootprint; ``PactMappingError`` when v2 cannot say it (a per-piece unit)."""
    facts = record.facts
    facts.check()
    unit = PACT_UNITS[facts.declared_unit]
    if unit not in V2_UNITS:
        raise PactMappingError(f"PACT v2 has no declared unit {unit!r}.")
    if not facts.cpc_code:
        raise PactMappingError("PACT v2 needs the product's UN CPC code.")
    doc = _common(record, V2_SPEC_VERSION)
    doc["productCategoryCpc"] = facts.cpc_code
    doc["productNameCompany"] = facts.product_name
    doc["comment"] = facts.comment
    pcf: dict[str, Any] = {
        "declaredUnit": unit,
        "unitaryProductAmount": decimal_text(facts.unit_amount),
        "productMassPerDeclaredUnit": decimal_text(facts.mass_kg_per_declared_unit),
        "pCfExcludingBiogenic": decimal_text(facts.pcf_excluding_biogenic),
        "pCfIncludingBiogenic": decimal_text(facts.pcf_including_biogenic),
        "fossilGhgEmissions": decimal_text(facts.fossil_ghg),
        "fossilCarbonContent": decimal_text(facts.fossil_carbon_content),
        "biogenicCarbonContent": decimal_text(facts.biogenic_carbon_content),
        "dLucGhgEmissions": decimal_text(facts.luc_ghg),
        "biogenicCarbonWithdrawal": decimal_text(facts.biogenic_uptake),
        "characterizationFactors": facts.gwp if facts.gwp in {"AR5", "AR6"} else "AR6",
        "ipccCharacterizationFactorsSources": [facts.gwp],
        "crossSectoralStandardsUsed": [V2_STANDARDS[s] for s in facts.standards if s in V2_STANDARDS]
        or ["ISO Standard 14067"],
        "crossSectoralStandards": list(facts.standards),
        "boundaryProcessesDescription": facts.boundary,
        "referencePeriodStart": timestamp(facts.reference_period_start),
        "referencePeriodEnd": timestamp(facts.reference_period_end),
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "",
        "packagingEmissionsIncluded": False,
    }
    pcf.update(_geography(facts))
    if facts.primary_data_share is not None:
        pcf["primaryDataShare"] = float(facts.primary_data_share)
    doc["pcf"] = pcf
    if record.extensions:
        doc["extensions"] = list(record.extensions)
    return doc


def _geography(facts: PactFacts) -> dict[str, str]:
    """The one geography property the footprint's granularity allows: v2.3 and v3.0 (CarbonFootprint,
    "Geography") make the subdivision, country and region properties mutually exclusive."""
    if facts.geography_subdivision:
        return {"geographyCountrySubdivision": facts.geography_subdivision}
    if facts.geography_country:
        return {"geographyCountry": facts.geography_country}
    return {}


def to_v3(record: PactRecord) -> dict[str, Any]:
    """The record as a v3.0 ProductFootprint."""
    facts = record.facts
    facts.check()
    doc = _common(record, V3_SPEC_VERSION)
    doc["productNameCompany"] = facts.product_name
    if facts.comment:
        doc["comment"] = facts.comment
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": PACT_UNITS[facts.declared_unit],
        "declaredUnitAmount": decimal_text(facts.unit_amount),
        "productMassPerDeclaredUnit": decimal_text(facts.mass_kg_per_declared_unit),
        "referencePeriodStart": timestamp(facts.reference_period_start),
        "referencePeriodEnd": timestamp(facts.reference_period_end),
        "pcfExcludingBiogenicUptake": decimal_text(facts.pcf_excluding_biogenic),
        "pcfIncludingBiogenicUptake": decimal_text(facts.pcf_including_biogenic),
        "fossilGhgEmissions": decimal_text(facts.fossil_ghg),
        "fossilCarbonContent": decimal_text(facts.fossil_carbon_content),
        "biogenicCarbonContent": decimal_text(facts.biogenic_carbon_content),
        "landUseChangeGhgEmissions": decimal_text(facts.luc_ghg),
        "biogenicCO2Uptake": decimal_text(facts.biogenic_uptake),
        "ipccCharacterizationFactors": [facts.gwp],
        "crossSectoralStandards": list(facts.standards),
        "exemptedEmissionsPercent": "0",
        "packagingEmissionsIncluded": False,
    }
    if facts.boundary:
        pcf["boundaryProcessesDescription"] = facts.boundary
    pcf.update(_geography(facts))
    if facts.primary_data_share is not None:
        pcf["primaryDataShare"] = decimal_text(facts.primary_data_share)
    doc["pcf"] = pcf
    if record.extensions:
        doc["extensions"] = list(record.extensions)
    return doc


@dataclass(frozen=True)
class ReceivedFootprint:
    """A partner's footprint as a buyer uses it: kg CO2e per one of our ``declared_unit`` (pint spelling)."""

    pf_id: str
    spec_version: str
    status: str
    product_ids: tuple[str, ...]
    company_name: str
    declared_unit: str
    kg_co2e_per_unit: Decimal
    luc_kg_co2e_per_unit: Decimal
    biogenic_co2_kg_per_unit: Decimal
    gwp: str
    valid_from: datetime | None
    valid_until: datetime | None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PactMappingError(f"{value!r} is not an RFC 3339 date-time.") from exc


def read_document(doc: dict[str, Any]) -> ReceivedFootprint:
    """Read a v2.x or v3.x ProductFootprint into per-unit amounts (v3 amounts are per ``declaredUnitAmount``)."""
    try:
        spec_version = str(doc["specVersion"])
        pcf = doc["pcf"]
        major = spec_version.split(".", 1)[0]
        if major == "2":
            unit = pcf["declaredUnit"]
            # v2: amounts are per one declared unit already.
            per = Decimal(1)
            total = parse_decimal(pcf["pCfExcludingBiogenic"], what="pCfExcludingBiogenic")
            luc = parse_decimal(pcf.get("dLucGhgEmissions", "0"), what="dLucGhgEmissions")
            uptake = parse_decimal(pcf.get("biogenicCarbonWithdrawal", "0"), what="biogenicCarbonWithdrawal")
            gwps = pcf.get("ipccCharacterizationFactorsSources") or [pcf.get("characterizationFactors", "AR6")]
        elif major == "3":
            unit = pcf["declaredUnitOfMeasurement"]
            per = parse_decimal(pcf["declaredUnitAmount"], what="declaredUnitAmount")
            total = parse_decimal(pcf["pcfExcludingBiogenicUptake"], what="pcfExcludingBiogenicUptake")
            luc = parse_decimal(pcf.get("landUseChangeGhgEmissions", "0"), what="landUseChangeGhgEmissions")
            uptake = parse_decimal(pcf.get("biogenicCO2Uptake", "0"), what="biogenicCO2Uptake")
            gwps = pcf["ipccCharacterizationFactors"]
        else:
            raise PactMappingError(f"Unsupported PACT specVersion {spec_version!r}.")
        ours = OUR_UNITS.get(unit)
        if ours is None:
            raise PactMappingError(f"Unknown declared unit {unit!r}.")
        if per <= 0:
            raise PactMappingError("The declared unit amount must be positive.")
        luc = min(luc, total)  # a partner's land-use change part never exceeds its total
        return ReceivedFootprint(
            pf_id=str(doc["id"]),
            spec_version=spec_version,
            status=str(doc["status"]),
            product_ids=tuple(str(p) for p in doc["productIds"]),
            company_name=str(doc.get("companyName", "")),
            declared_unit=ours,
            kg_co2e_per_unit=total / per,
            luc_kg_co2e_per_unit=luc / per,
            biogenic_co2_kg_per_unit=uptake / per,
            gwp=str(gwps[0]),
            valid_from=_moment(doc.get("validityPeriodStart")),
            valid_until=_moment(doc.get("validityPeriodEnd")),
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise PactMappingError(f"Not a PACT ProductFootprint: missing or malformed {exc}.") from exc


GTIN_LENGTHS: Final = (8, 12, 13, 14)


def gtin_spellings(gtin: str) -> list[str]:
    """The ways one GTIN can be written: its 14-digit form and each shorter length its leading zeros allow."""
    full = gtin.zfill(14)
    return [
        full[14 - length :] for length in sorted(GTIN_LENGTHS, reverse=True) if full[: 14 - length].strip("0") == ""
    ]


def gtin_urn(gtin: str) -> str:
    """The URN form of a GTIN used in ``productIds`` (``urn:gtin:`` as in the specification's examples)."""
    return f"urn:gtin:{gtin}"


def urn_match_key(urn: str) -> str:
    """The form of a URN that matching compares: lower-cased, and a GTIN in its 14-digit form.

    GS1 General Specifications §3 (AI 01): GTIN-8, -12 and -13 are the same number right-justified in 14
    digits, so ``urn:gtin:8801234000017`` and ``urn:gtin:08801234000017`` name one product. Partners write
    either (the Digital Link and EPCIS world carries 14 digits, catalogues often 13), and a request that
    names the product in the other spelling must still find its footprint.
    """
    key = urn.strip().lower()
    if key.startswith("urn:gtin:"):
        digits = key[len("urn:gtin:") :]
        if digits.isdigit() and len(digits) in GTIN_LENGTHS:
            return "urn:gtin:" + digits.zfill(14)
    return key


def gtins_of(product_ids: tuple[str, ...]) -> list[str]:
    """Every spelling of the GTINs named by ``urn:gtin:`` product ids (case-insensitive scheme), in order:
    products are stored with the GTIN as their owner entered it, 13 or 14 digits."""
    out: list[str] = []
    for urn in product_ids:
        key = urn_match_key(urn)
        digits = key.removeprefix("urn:gtin:")
        if key.startswith("urn:gtin:") and digits.isdigit():
            out.extend(spelling for spelling in gtin_spellings(digits) if spelling not in out)
    return out

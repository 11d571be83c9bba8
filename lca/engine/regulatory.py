"""Regulatory figures derived from a footprint: battery carbon footprint per kWh and its performance class,
and CBAM specific embedded emissions.

Plain functions over dataclasses, no Django: the numbers that go on a passport or into a CBAM report are
computed here and tested by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = [
    "BATTERY_STAGE_NAMES",
    "ILLUSTRATIVE_CLASS_BOUNDARIES",
    "BatteryFootprint",
    "CbamPrecursor",
    "CbamProductionProcess",
    "SpecificEmbeddedEmissions",
    "battery_carbon_footprint",
    "performance_class",
    "specific_embedded_emissions",
]

# Regulation (EU) 2023/1542, Annex II: the life cycle stages a battery carbon footprint covers, keyed by the
# stage names of the footprint engine. The use stage is excluded from the declared figure because it is not
# under the manufacturer's influence; it is reported apart when a graph models it.
BATTERY_STAGE_NAMES: Final = MappingProxyType(
    {
        "raw_material": "raw material acquisition and pre-processing",
        "production": "main product production",
        "distribution": "distribution",
        "end_of_life": "end of life and recycling",
    }
)

# ILLUSTRATIVE ONLY. Article 7(2) of Regulation (EU) 2023/1542 empowers the Commission to set the carbon
# footprint performance classes by delegated act; until that act applies these upper bounds (kg CO2e per kWh
# of total energy over the service life, class A best) merely exercise the code and are not regulatory
# values. Pass the adopted table as ``boundaries``.
ILLUSTRATIVE_CLASS_BOUNDARIES: Final[tuple[tuple[str, float], ...]] = (
    ("A", 0.05),
    ("B", 0.075),
    ("C", 0.10),
    ("D", 0.15),
    ("E", math.inf),
)


@dataclass(frozen=True, slots=True)
class BatteryFootprint:
    """Battery carbon footprint declared per functional unit (kg CO2e per kWh over the service life)."""

    total_energy_kwh: float
    kg_co2e_per_kwh: float
    by_stage_kg_co2e_per_kwh: dict[str, float]
    excluded_use_stage_kg_co2e: float
    performance_class: str
    class_boundaries_illustrative: bool
    formula: str = (
        "CF_per_kWh = (sum of life cycle stage emissions except use) / E_total, "
        "E_total = rated energy (kWh) x expected full equivalent cycles x usable fraction"
    )


def performance_class(
    kg_co2e_per_kwh: float, boundaries: Sequence[tuple[str, float]] = ILLUSTRATIVE_CLASS_BOUNDARIES
) -> str:
    """The first class whose upper bound (inclusive) is not exceeded; boundaries must ascend."""
    if not math.isfinite(kg_co2e_per_kwh):
        raise ValueError(f"footprint per kWh must be finite, got {kg_co2e_per_kwh!r}")
    bounds = [bound for _, bound in boundaries]
    if not bounds or bounds != sorted(bounds):
        raise ValueError("class boundaries must be a non-empty list in ascending order")
    for name, upper in boundaries:
        if kg_co2e_per_kwh <= upper:
            return name
    raise ValueError(f"{kg_co2e_per_kwh} kg CO2e/kWh exceeds the last class boundary {bounds[-1]}")


def battery_carbon_footprint(
    by_stage_kg_co2e: Mapping[str, float],
    *,
    rated_energy_kwh: float,
    full_equivalent_cycles: float,
    usable_fraction: float = 1.0,
    boundaries: Sequence[tuple[str, float]] = ILLUSTRATIVE_CLASS_BOUNDARIES,
) -> BatteryFootprint:
    """Carbon footprint of a battery per kWh of total energy provided over its service life.

    Regulation (EU) 2023/1542, Article 7 and Annex II: the functional unit is one kWh of the total energy
    provided by the battery over its service life; the stages are raw material acquisition and
    pre-processing, main product production, distribution, and end of life and recycling (use excluded).
    We compute the total energy as ``rated_energy_kwh x full_equivalent_cycles x usable_fraction`` (the
    manufacturer's expected number of full equivalent charge-discharge cycles over the service life, and
    the share of the rated energy usable per cycle, 1 unless declared lower). The delegated act on the
    calculation method governs where it defines these terms more precisely.

    ``by_stage_kg_co2e`` is the footprint of one battery per stage (``FootprintResult.by_stage``); stages
    other than the four above and ``use`` (e.g. ``unassigned``) are refused rather than dropped silently.
    """
    for name, value in (("rated_energy_kwh", rated_energy_kwh), ("full_equivalent_cycles", full_equivalent_cycles)):
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not 0 < usable_fraction <= 1:
        raise ValueError(f"usable_fraction must lie in (0, 1], got {usable_fraction!r}")
    unknown = set(by_stage_kg_co2e) - set(BATTERY_STAGE_NAMES) - {"use"}
    if unknown:
        raise ValueError(
            f"stages {sorted(unknown)} are not battery life cycle stages (Annex II); give every "
            "process of the battery graph one of: " + ", ".join(BATTERY_STAGE_NAMES)
        )
    total_energy = rated_energy_kwh * full_equivalent_cycles * usable_fraction
    per_stage = {stage: by_stage_kg_co2e.get(stage, 0.0) / total_energy for stage in BATTERY_STAGE_NAMES}
    per_kwh = sum(per_stage.values())
    return BatteryFootprint(
        total_energy_kwh=total_energy,
        kg_co2e_per_kwh=per_kwh,
        by_stage_kg_co2e_per_kwh=per_stage,
        excluded_use_stage_kg_co2e=by_stage_kg_co2e.get("use", 0.0),
        performance_class=performance_class(per_kwh, boundaries),
        class_boundaries_illustrative=boundaries is ILLUSTRATIVE_CLASS_BOUNDARIES,
    )


@dataclass(frozen=True, slots=True)
class CbamPrecursor:
    """A relevant precursor consumed in the production process: mass (t) and its own SEE (t CO2e/t)."""

    name: str
    mass_t: float
    see_direct: float
    see_indirect: float = 0.0


@dataclass(frozen=True, slots=True)
class CbamProductionProcess:
    """One production process of an installation in one reporting period (all emissions in t CO2e).

    Implementing Regulation (EU) 2023/1773, Annex III: attributed direct emissions are the process's direct
    emissions plus measurable heat imported minus heat exported, plus waste gases imported minus exported
    (corrected), minus emissions from electricity produced and exported; attributed indirect emissions are
    the emissions of the electricity consumed (MWh x t CO2/MWh).
    """

    installation: str
    reporting_period: str
    good: str
    activity_level_t: float
    direct_emissions_t: float
    heat_imported_t: float = 0.0
    heat_exported_t: float = 0.0
    waste_gas_imported_t: float = 0.0
    waste_gas_exported_t: float = 0.0
    electricity_exported_t: float = 0.0
    electricity_consumed_mwh: float = 0.0
    electricity_factor_t_per_mwh: float = 0.0
    precursors: tuple[CbamPrecursor, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class SpecificEmbeddedEmissions:
    """Specific embedded emissions of a good (t CO2e per t) with the terms that make them up."""

    installation: str
    reporting_period: str
    good: str
    attributed_direct_t: float
    attributed_indirect_t: float
    precursors_direct_t: float
    precursors_indirect_t: float
    see_direct: float
    see_indirect: float
    see_total: float


def specific_embedded_emissions(process: CbamProductionProcess) -> SpecificEmbeddedEmissions:
    """SEE of the good of one production process, Implementing Regulation (EU) 2023/1773, Annex III:

    ``SEE_direct = (AttrEm_direct + EE_InpMat_direct) / AL`` and
    ``SEE_indirect = (AttrEm_indirect + EE_InpMat_indirect) / AL``, with
    ``EE_InpMat = sum(M_i x SEE_i)`` over the relevant precursors consumed and ``AL`` the activity level
    (tonnes of the good produced in the reporting period).
    """
    if not math.isfinite(process.activity_level_t) or process.activity_level_t <= 0:
        raise ValueError(f"activity level must be positive tonnes, got {process.activity_level_t!r}")
    for precursor in process.precursors:
        if precursor.mass_t < 0 or precursor.see_direct < 0 or precursor.see_indirect < 0:
            raise ValueError(f"precursor {precursor.name!r}: mass and SEE must not be negative")
    attributed_direct = (
        process.direct_emissions_t
        + process.heat_imported_t
        - process.heat_exported_t
        + process.waste_gas_imported_t
        - process.waste_gas_exported_t
        - process.electricity_exported_t
    )
    attributed_indirect = process.electricity_consumed_mwh * process.electricity_factor_t_per_mwh
    precursors_direct = sum(p.mass_t * p.see_direct for p in process.precursors)
    precursors_indirect = sum(p.mass_t * p.see_indirect for p in process.precursors)
    see_direct = (attributed_direct + precursors_direct) / process.activity_level_t
    see_indirect = (attributed_indirect + precursors_indirect) / process.activity_level_t
    return SpecificEmbeddedEmissions(
        installation=process.installation,
        reporting_period=process.reporting_period,
        good=process.good,
        attributed_direct_t=attributed_direct,
        attributed_indirect_t=attributed_indirect,
        precursors_direct_t=precursors_direct,
        precursors_indirect_t=precursors_indirect,
        see_direct=see_direct,
        see_indirect=see_indirect,
        see_total=see_direct + see_indirect,
    )

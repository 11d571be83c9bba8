"""Global warming potentials (100-year) used to characterise greenhouse gases into CO2 equivalents.

Two sets ship:

* ``AR6`` (default): IPCC Sixth Assessment Report, Working Group I, Chapter 7, Table 7.15 (with the
  per-gas values in Table 7.SM.7): CH4 of fossil origin 29.8, CH4 of non-fossil origin 27.0, N2O 273.
  The fossil value is higher because fossil methane oxidises to CO2 that was not recently taken from
  the atmosphere.
* ``AR5``: IPCC Fifth Assessment Report, Working Group I, Chapter 8, Table 8.7, GWP100 *without*
  climate-carbon feedbacks: CH4 28, N2O 265. AR5 also gives 34 and 298 with climate-carbon feedbacks and
  notes (Table 8.A.1) a GWP100 of 30 for fossil methane; we use 28 for both fossil and biogenic methane,
  as the GHG Protocol, the PACT Technical Specifications and the UK conversion factors do when they cite
  AR5. A caller that needs the feedback variant declares its own ``GwpSet``.

CO2 of every origin has a GWP of 1 by definition. Biogenic CO2 is characterised with 1 too but kept out
of the headline total, which is reported "excluding biogenic CO2" (PACT ``pCfExcludingBiogenic``);
land-use-change CO2 counts in the headline total and is also reported apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = ["AR5", "AR6", "DEFAULT_GWP", "GASES", "GWP_SETS", "GwpSet", "gwp_set"]

# Gas keys accepted in process emissions and carried by emission factors. "CO2e_other" is an amount that a
# source gives only as CO2e; it is added as it is, whatever GWP set the graph declares.
GASES: Final[tuple[str, ...]] = (
    "CO2_fossil",
    "CO2_biogenic",
    "CO2_luc",
    "CH4_fossil",
    "CH4_biogenic",
    "N2O",
    "CO2e_other",
)


@dataclass(frozen=True, slots=True)
class GwpSet:
    """A named set of 100-year global warming potentials, with the publication it comes from."""

    name: str
    ch4_fossil: float
    ch4_biogenic: float
    n2o: float
    citation: str

    def factor(self, gas: str) -> float:
        """kg CO2e per kg of ``gas``; CO2 of any origin and ready-made CO2e amounts count 1:1."""
        match gas:
            case "CO2_fossil" | "CO2_biogenic" | "CO2_luc" | "CO2e_other":
                return 1.0
            case "CH4_fossil":
                return self.ch4_fossil
            case "CH4_biogenic":
                return self.ch4_biogenic
            case "N2O":
                return self.n2o
        raise KeyError(f"unknown gas {gas!r}; expected one of {', '.join(GASES)}")

    def factors(self) -> tuple[float, ...]:
        """Characterisation factors in the order of ``GASES``."""
        return tuple(self.factor(gas) for gas in GASES)


AR6: Final = GwpSet(
    name="AR6",
    ch4_fossil=29.8,
    ch4_biogenic=27.0,
    n2o=273.0,
    citation="IPCC AR6 WG1 (2021), Chapter 7, Table 7.15 and Table 7.SM.7, GWP100",
)
AR5: Final = GwpSet(
    name="AR5",
    ch4_fossil=28.0,
    ch4_biogenic=28.0,
    n2o=265.0,
    citation="IPCC AR5 WG1 (2013), Chapter 8, Table 8.7, GWP100 without climate-carbon feedbacks",
)
DEFAULT_GWP: Final = AR6
GWP_SETS: Final = MappingProxyType({"AR6": AR6, "AR5": AR5})


def gwp_set(name: str | None) -> GwpSet:
    """The GWP set called ``name`` (AR6 when None); KeyError for an unknown name."""
    if name is None:
        return DEFAULT_GWP
    key = name.strip().upper()
    if key not in GWP_SETS:
        raise KeyError(f"unknown GWP set {name!r}; expected one of {', '.join(GWP_SETS)}")
    return GWP_SETS[key]

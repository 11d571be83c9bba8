"""The open starter dataset of emission factors: ``emission_factors.csv`` beside this module, with
``SOURCES.md`` citing every source and licence, read through the engine's CSV reader (``lca.engine.factors``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from lca.engine.factors import FactorRow, read_factor_csv

__all__ = ["STARTER_CSV", "load_starter_factors"]

STARTER_CSV: Final = Path(__file__).with_name("emission_factors.csv")


def load_starter_factors() -> dict[str, FactorRow]:
    """The shipped open dataset, keyed by factor id."""
    return {row.id: row for row in read_factor_csv(STARTER_CSV)}

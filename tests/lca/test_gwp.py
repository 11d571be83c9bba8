"""GWP100 sets: the values the engine characterises with, and their citations."""

from __future__ import annotations

import pytest

from lca.engine.gwp import AR5, AR6, DEFAULT_GWP, GASES, gwp_set


def test_ar6_values_from_wg1_table_7_15() -> None:
    assert (AR6.factor("CH4_fossil"), AR6.factor("CH4_biogenic"), AR6.factor("N2O")) == (29.8, 27.0, 273.0)
    assert "Table 7.15" in AR6.citation


def test_ar5_values_from_wg1_table_8_7_without_feedbacks() -> None:
    assert (AR5.factor("CH4_fossil"), AR5.factor("CH4_biogenic"), AR5.factor("N2O")) == (28.0, 28.0, 265.0)
    assert "Table 8.7" in AR5.citation


def test_co2_of_every_origin_and_ready_made_co2e_count_one_to_one() -> None:
    for name in ("CO2_fossil", "CO2_biogenic", "CO2_luc", "CO2e_other"):
        assert AR6.factor(name) == AR5.factor(name) == 1.0
    assert len(AR6.factors()) == len(GASES)


def test_lookup_by_name() -> None:
    assert gwp_set(None) is DEFAULT_GWP is AR6
    assert gwp_set(" ar5 ") is AR5
    with pytest.raises(KeyError):
        gwp_set("SAR")
    with pytest.raises(KeyError):
        AR6.factor("SF6")

"""Templates: their header is read back by the import, and their example row rebuilds the example exactly."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from passports.imports.columns import build_record, resolve_headers
from passports.imports.formats import NumberFormat, detect_encoding, is_comment
from passports.imports.kinds import kinds
from passports.imports.templates import LANGUAGES, template_csv, template_rows, template_xlsx

KINDS = sorted(kinds())


def test_every_kind_of_the_brief_is_offered() -> None:
    assert {"products", "battery", "espr-core", "textile", "steel", "cbam-installation"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_template_round_trips_the_example(kind: str, language: str) -> None:
    found = kinds()[kind]
    data = template_csv(found, language)
    assert detect_encoding(data, complete=True).bom == 3  # so Excel shows Korean headers correctly
    header, example = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    header_map = resolve_headers(header, found.tree)
    assert header_map.unknown == []
    assert header_map.duplicates == []
    assert is_comment(example)  # uploading the template unchanged imports nothing
    example[0] = example[0].removeprefix("#").strip()
    built = build_record([(2, example)], header_map, found.tree, NumberFormat("."))
    assert built.issues == []
    assert built.data == found.examples[0]


@pytest.mark.parametrize("kind", ["products", "battery", "textile"])
def test_xlsx_template_has_the_same_header_and_describes_every_column(kind: str) -> None:
    found = kinds()[kind]
    workbook = load_workbook(io.BytesIO(template_xlsx(found, "ko")))
    data, fields, _lists = workbook.worksheets
    header, _example = template_rows(found, "ko")
    assert [cell.value for cell in data[1]] == header
    assert data.column_dimensions["A"].number_format == "@"  # GTIN column keeps its leading zero
    assert fields.max_row == len(header) + 1
    keys = [row[1] for row in fields.iter_rows(min_row=2, values_only=True)]
    assert keys == [
        found.tree.header(resolved.path, "key") for _, _, resolved in resolve_headers(header, found.tree).columns
    ]


def test_repeated_groups_get_as_many_numbered_columns_as_the_examples_use() -> None:
    header, _ = template_rows(kinds()["battery"], "key")
    assert "material_composition.battery_materials.7.battery_material_mass" in header
    assert "material_composition.battery_materials.8.battery_material_mass" not in header
    korean, _ = template_rows(kinds()["battery"], "ko")
    assert "소재 및 구성 / 상세 구성 7 / 소재 질량" in korean


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        template_rows(kinds()["products"], "de")


def test_xlsx_field_sheet_describes_columns_in_the_templates_language() -> None:
    """The Korean template explains each column with the schema's Korean help text, the English one in
    English; an array's item fields find their help through the schema's ``items``."""
    found = kinds()["battery"]

    def described(language: str) -> dict[str, str]:
        fields = load_workbook(io.BytesIO(template_xlsx(found, language))).worksheets[1]
        return {row[1]: row[8] for row in fields.iter_rows(min_row=2, values_only=True)}

    korean, english = described("ko"), described("en")
    mass = "general_product_information.battery_mass"
    assert english[mass] == "Weight of the battery."
    assert korean[mass] == "배터리의 무게."
    material = "material_composition.battery_materials.1.battery_material_mass"
    assert english[material] and korean[material] and korean[material] != english[material]
    untranslated = [key for key, text in korean.items() if text and text == english[key]]
    assert not untranslated, untranslated


def _validations(sheet: Any) -> dict[str, str]:
    """Column letter → the list formula of its drop-down."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = validation.formula1
    return found


def _list_values(workbook: Any, formula: str) -> list[str]:
    sheet_name, cells = formula.rsplit("!", 1)
    sheet = workbook[sheet_name.strip("'")]
    return [cell.value for row in sheet[cells.replace("$", "")] for cell in row]


def test_korean_template_offers_korean_drop_downs_for_enumerations_and_categories() -> None:
    from openpyxl.utils import get_column_letter

    for kind, key, expected in [
        ("battery", "general_product_information.battery_category", ["경량 운송수단 (lmt)", "전기차 (ev)"]),
        ("products", "category", ["배터리 (battery)"]),
    ]:
        found = kinds()[kind]
        workbook = load_workbook(io.BytesIO(template_xlsx(found, "ko")))
        data, _fields, lists = workbook.worksheets
        assert lists.sheet_state == "hidden"
        keys, _ = template_rows(found, "key")
        letter = get_column_letter(keys.index(key) + 1)
        formula = _validations(data)[letter]
        values = _list_values(workbook, formula)
        assert all(value in values for value in expected), values
        example = data[f"{letter}2"].value
        assert example in values  # the example row is written as the drop-down writes it
        gtin = get_column_letter(keys.index("gtin") + 1)
        assert gtin not in _validations(data)  # free columns have no list


def test_english_template_drop_downs_offer_the_codes() -> None:
    found = kinds()["products"]
    workbook = load_workbook(io.BytesIO(template_xlsx(found, "en")))
    keys, _ = template_rows(found, "key")
    from openpyxl.utils import get_column_letter

    formula = _validations(workbook.worksheets[0])[get_column_letter(keys.index("category") + 1)]
    assert "battery" in _list_values(workbook, formula)
    assert "textile" in _list_values(workbook, formula)

"""The column convention: dotted keys, numbered groups, one row per item, English and Korean titles."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from passports.imports.columns import (
    CellError,
    ColumnTree,
    Node,
    build_record,
    convert,
    pointer_to_key,
    resolve_headers,
)
from passports.imports.formats import NumberFormat
from passports.schema_files import iter_schema_files, load_schema

SCHEMAS = [(category, version) for category, version, _ in iter_schema_files()]
POINT, COMMA = NumberFormat("."), NumberFormat(",")
FULL_WIDTH = "".join(chr(ord(ch) + 0xFEE0) for ch in "carbon_footprint")  # as some Korean IMEs type it


def _tree(category: str) -> ColumnTree:
    return ColumnTree.from_schema(load_schema(category, "1.0"), [Node("gtin", "GTIN", "GTIN")])


def _concrete(path: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(2 if step is None else step for step in path)


@pytest.mark.parametrize(("category", "version"), SCHEMAS)
def test_every_field_is_named_back_by_its_key_and_both_titles(category: str, version: str) -> None:
    """Titles are unique among siblings, so an English or Korean header finds exactly its field."""
    tree = ColumnTree.from_schema(load_schema(category, version))
    leaves = tree.leaves()
    assert len(leaves) > 20
    for path, leaf in leaves:
        concrete = _concrete(path)
        for language in ("key", "en", "ko"):
            header = tree.header(concrete, language)
            resolved = tree.resolve(header)
            assert resolved is not None, (language, header)
            assert resolved.leaf is leaf
            assert resolved.path == concrete, (language, header)


def test_headers_read_case_space_width_and_nfd_insensitively() -> None:
    tree = _tree("battery")
    expected = ("carbon_footprint", "carbon_footprint_per_lifecycle_stage", "raw_material")
    for header in [
        "carbon_footprint.carbon_footprint_per_lifecycle_stage.raw_material",
        "Carbon footprint / Carbon footprint per lifecycle stage / Raw material acquisition and pre-processing",
        "  carbon FOOTPRINT  /carbon footprint per lifecycle stage /  raw material acquisition and pre-processing",
        "Carbon footprint > Carbon footprint per lifecycle stage \u203a Raw material acquisition and pre-processing",
        "탄소발자국 / 수명주기 단계별 탄소발자국 / 원료 획득 및 전처리",
        unicodedata.normalize("NFD", "탄소발자국 / 수명주기 단계별 탄소발자국 / 원료 획득 및 전처리"),
        FULL_WIDTH + ".carbon_footprint_per_lifecycle_stage.raw_material",
    ]:
        resolved = tree.resolve(header)
        assert resolved is not None, header
        assert resolved.path == expected


def test_numbered_groups_in_every_spelling() -> None:
    tree = _tree("battery")
    expected = ("circularity", "recycled_content", 3, "recycled_material")
    for header in [
        "circularity.recycled_content.3.recycled_material",
        "circularity.recycled_content[3].recycled_material",
        "Circularity / Recycled content 3 / Material",
        "Circularity / Recycled content #3 / Material",
        "순환성 / 재활용 원료 함량 3 / 소재",
    ]:
        resolved = tree.resolve(header)
        assert resolved is not None, header
        assert resolved.path == expected
    scalar = tree.resolve("material_composition.critical_raw_materials.2")
    assert scalar is not None
    assert scalar.path == ("material_composition", "critical_raw_materials", 2)


def test_a_group_without_number_is_one_item_per_row() -> None:
    tree = _tree("textile")
    resolved = tree.resolve("fibre_composition.fibres.2.share_percent")
    per_row = tree.resolve("fibre_composition.component")
    assert resolved is not None
    assert per_row is not None
    assert per_row.per_row
    assert per_row.path == ("fibre_composition", None, "component")
    assert per_row.key == "fibre_composition.component"


@pytest.mark.parametrize(
    "header",
    [
        "carbon_footprint",  # a group, not a field
        "carbon_footprint.declared_unit.1",  # a number on a field that is not a list
        "circularity.recycled_content.0.recycled_material",  # items count from 1
        "Circularity / Nothing like this",
        "",
    ],
)
def test_headers_that_name_no_field(header: str) -> None:
    assert _tree("battery").resolve(header) is None


def test_header_rows_report_unknown_doubled_and_ignored_columns() -> None:
    tree = _tree("battery")
    headers = ["gtin", "GTIN", "Artikelnummer", "carbon_footprint.declared_unit", None, "Notiz"]
    found = resolve_headers(headers, tree, {"Notiz": "", "artikelnummer": "carbon_footprint.carbon_footprint_study"})
    assert [(index, header) for index, header, _ in found.columns] == [
        (0, "gtin"),
        (2, "Artikelnummer"),
        (3, "carbon_footprint.declared_unit"),
    ]
    assert found.duplicates == ["gtin = GTIN"]
    assert found.ignored == ["Notiz"]
    assert found.unknown == []


def _record(headers: list[str], rows: list[list[Any]], tree: ColumnTree, numbers: NumberFormat = POINT) -> Any:
    header_map = resolve_headers(headers, tree)
    assert not header_map.unknown
    return build_record(list(enumerate(rows, start=2)), header_map, tree, numbers)


def test_numbered_items_with_a_gap_are_compacted_and_pointers_map_back() -> None:
    tree = _tree("battery")
    built = _record(
        [
            "gtin",
            "circularity.recycled_content.1.recycled_material",
            "circularity.recycled_content.3.recycled_material",
            "circularity.recycled_content.3.pre_consumer_share",
        ],
        [["08801234567893", "cobalt", "lithium", "abc"]],
        tree,
    )
    assert built.data == {
        "gtin": "08801234567893",
        "circularity": {"recycled_content": [{"recycled_material": "cobalt"}, {"recycled_material": "lithium"}]},
    }
    # "abc" is not a number: reported under the pointer the item has in the record (position 1)
    assert [(i.pointer, i.rule) for i in built.issues] == [
        ("/circularity/recycled_content/1/pre_consumer_share", "cell_format")
    ]
    assert built.cell_of["/circularity/recycled_content/1/pre_consumer_share"] == (
        2,
        "circularity.recycled_content.3.pre_consumer_share",
        "abc",
    )
    assert pointer_to_key("/circularity/recycled_content/1/recycled_material", built.numbers_of) == (
        "circularity.recycled_content.3.recycled_material"
    )
    assert pointer_to_key("/goods/0/cn_code") == "goods.1.cn_code"


def test_one_row_per_item_fills_items_and_refuses_conflicting_values() -> None:
    tree = _tree("textile")
    headers = [
        "gtin",
        "textile_product.colour",
        "fibre_composition.component",
        "fibre_composition.fibres.1.share_percent",
    ]
    built = _record(
        headers,
        [
            ["08801234567893", "navy", "outer_shell", "100"],
            ["08801234567893", "", "lining", "100"],
            ["08801234567893", "black", "padding", "85,5"],
        ],
        tree,
        COMMA,
    )
    assert built.data["fibre_composition"] == [
        {"component": "outer_shell", "fibres": [{"share_percent": 100}]},
        {"component": "lining", "fibres": [{"share_percent": 100}]},
        {"component": "padding", "fibres": [{"share_percent": 85.5}]},
    ]
    assert built.data["textile_product"] == {"colour": "navy"}
    assert [(i.pointer, i.rule) for i in built.issues] == [("/textile_product/colour", "row_conflict")]
    assert "row 2" in built.issues[0].message_en
    assert built.row_of["/fibre_composition/2"] == 4
    assert built.first_row == 2


def test_cells_convert_by_field_type() -> None:
    number = Node("n", "N", "N", type="number")
    integer = Node("i", "I", "I", type="integer")
    flag = Node("b", "B", "B", type="boolean")
    text = Node("t", "T", "T")
    titles = ("Field", "항목")
    assert convert("1.234,5", number, COMMA, titles) == 1234.5
    assert convert(12.0, integer, POINT, titles) == 12
    assert convert("12", number, POINT, titles) == 12
    for word in ("true", "Yes", "1", "예", "WAHR", "vrai"):
        assert convert(word, flag, POINT, titles) is True
    for word in ("false", "no", "0", "아니오", "FALSCH"):
        assert convert(word, flag, POINT, titles) is False
    assert convert(8801234567893, text, POINT, titles) == "8801234567893"
    assert convert(8801234567893.0, text, POINT, titles) == "8801234567893"
    assert convert("=SUM(A1:A3)", text, POINT, titles) == "=SUM(A1:A3)"
    for value, node in [("1.5", number), ("12.5", integer), ("maybe", flag), (True, number)]:
        with pytest.raises(CellError) as caught:
            convert(value, node, COMMA if value == "1.5" else POINT, titles)
        assert caught.value.message_ko
    with pytest.raises(CellError, match=r"decimal comma"):
        convert("1.5", number, COMMA, titles)


def test_a_list_is_declared_empty_in_its_own_column_never_by_omission() -> None:
    """ESPR asks for the substances of concern even when there are none: "none" must be said."""
    tree = _tree("espr-core")
    for cell in ("none", "없음", "0", "[]"):
        built = _record(["gtin", "substances_of_concern"], [["08801234567893", cell]], tree)
        assert built.data["substances_of_concern"] == []
    omitted = _record(["gtin", "substances_of_concern"], [["08801234567893", ""]], tree)
    assert "substances_of_concern" not in omitted.data
    as_json = _record(["gtin", "Substances of concern"], [["08801234567893", '[{"substance_name": "Lead"}]']], tree)
    assert as_json.data["substances_of_concern"] == [{"substance_name": "Lead"}]
    both = _record(
        ["gtin", "substances_of_concern", "substances_of_concern.1.substance_name"],
        [["08801234567893", "none", "Lead"]],
        tree,
    )
    assert [issue.rule for issue in both.issues] == ["row_conflict"]
    wrong = _record(["gtin", "substances_of_concern"], [["08801234567893", "some"]], tree)
    assert [(issue.pointer, issue.rule) for issue in wrong.issues] == [("/substances_of_concern", "cell_format")]

"""Templates to fill in: a CSV or XLSX file whose header row comes from the kind's columns.

The header is written in the language asked for: dotted keys (``key``), English titles (``en``) or Korean
titles (``ko``); the import reads all three back. Repeated groups get as many numbered columns as the
shipped examples use (at least one); a required group also gets a column of its own, where "none" says
that it is empty (a list left out and a list declared empty are not the same thing).

The second row is an example taken from a shipped example, marked as a comment (its first cell starts
with ``#``) so that uploading the template unchanged imports nothing. The XLSX template adds a sheet
describing every column (type, required, unit, allowed values) and formats text columns as text, so
Excel keeps a GTIN's leading zero and never turns it into ``8.80123E+12``. Columns of allowed values
(enumerations, the product category) get a drop-down (data validation list on a hidden sheet); in the
Korean template it offers Korean names with the code (``전기차 (ev)``, ``배터리 (battery)``), which the
import reads back as the code (``passports.imports.values``), and the example row is written the same way.

Plain Python (openpyxl), no Django.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from passports.enum_labels import enum_label_ko
from passports.imports.columns import ColumnTree, Node, Step
from passports.imports.values import categories, category_label

if TYPE_CHECKING:
    from passports.imports.kinds import Kind

LANGUAGES = ("en", "ko", "key")


def template_columns(kind: Kind) -> list[tuple[tuple[Step, ...], Node]]:
    """The concrete columns of a template: every field, repeated groups numbered as in the examples."""
    return list(_expand(kind.tree.root, (), list(kind.examples)))


def _expand(node: Node, path: tuple[Step, ...], examples: list[Any]) -> Iterator[tuple[tuple[Step, ...], Node]]:
    if node.item is not None:
        lists = [value for value in examples if isinstance(value, list)]
        if node.item.children and (node.required or any(not value for value in lists)):
            yield path, node  # where "none" is said of a list that is empty
        count = max([len(value) for value in lists] + [1])
        for number in range(1, count + 1):
            items = [value[number - 1] for value in lists if len(value) >= number]
            yield from _expand(node.item, (*path, number), items)
    elif node.children:
        for name, child in node.children.items():
            yield from _expand(child, (*path, name), [value.get(name) for value in examples if isinstance(value, dict)])
    else:
        yield path, node


def template_rows(kind: Kind, language: str) -> tuple[list[str], list[Any]]:
    """The header row in ``language`` and the example row (its first cell marked with ``#``)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    columns = template_columns(kind)
    header = [kind.tree.header(path, language) for path, _ in columns]
    example_data = kind.examples[0] if kind.examples else {}
    example = [_value_at(example_data, path) for path, _ in columns]
    if language == "ko":
        example = [_korean_choice(leaf, value) for (_, leaf), value in zip(columns, example, strict=True)]
    if example:
        example[0] = f"# {'' if example[0] is None else example[0]}".rstrip()
    return header, example


def choices(leaf: Node, language: str) -> list[str]:
    """The values a column's drop-down offers: enumeration codes or categories, named in Korean with the
    code in the Korean template; empty for a column that takes any value."""
    if leaf.check == "category":
        return [category_label(c) if language == "ko" else c for c in categories()]
    if leaf.enum and all(isinstance(option, str) for option in leaf.enum):
        return [enum_label_ko(option) if language == "ko" else str(option) for option in leaf.enum]
    return []


def _korean_choice(leaf: Node, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if leaf.check == "category":
        return category_label(value)
    if leaf.enum and value in leaf.enum:
        return enum_label_ko(value)
    return value


def _value_at(data: Any, path: Sequence[Step]) -> Any:
    node = data
    for step in path:
        if isinstance(step, int):
            node = node[step - 1] if isinstance(node, list) and len(node) >= step else None
        elif isinstance(node, dict):
            node = node.get(step)
        else:
            node = None
    if isinstance(node, list) and not node:
        return "none"
    return None if isinstance(node, dict | list) else node


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def template_csv(kind: Kind, language: str) -> bytes:
    """The CSV template, UTF-8 with a byte order mark so that Excel opens Korean text correctly.

    Written with plain ``csv``, not ``core.spreadsheet_csv``: the template is a form to fill in and upload
    again, and its example row must import as written (``test_csv_template_round_trips_the_example``); the
    spreadsheet writer would put an apostrophe before values such as a phone number ``+82 ...``. The cells
    are our own header titles and example values, never text a user entered.
    """
    header, example = template_rows(kind, language)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow([_text(value) for value in example])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


_FIELD_SHEET_HEADER = {
    "en": ["Column", "Key", "Title (English)", "Title (Korean)", "Type", "Required", "Unit", "Allowed values", "Notes"],
    "ko": ["열", "키", "제목(영어)", "제목(한국어)", "유형", "필수", "단위", "허용 값", "설명"],
}


DROP_DOWN_ROWS = 5000  # rows of the data sheet that offer the drop-downs


def template_xlsx(kind: Kind, language: str) -> bytes:
    """The XLSX template: a data sheet (header, example, drop-downs), a sheet describing every column and a
    hidden sheet of the drop-downs' values."""
    from openpyxl import Workbook  # noqa: PLC0415  # 0.2 s to load, XLSX only
    from openpyxl.styles import Font  # noqa: PLC0415  # 0.2 s to load, XLSX only
    from openpyxl.utils import get_column_letter  # noqa: PLC0415  # 0.2 s to load, XLSX only

    header, example = template_rows(kind, language)
    columns = template_columns(kind)
    korean = language == "ko"
    workbook = Workbook()
    data = workbook.worksheets[0]
    data.title = "데이터" if korean else "Data"
    data.append(header)
    data.append(example)
    data.freeze_panes = "A2"
    for index, ((_, leaf), title) in enumerate(zip(columns, header, strict=True), start=1):
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = min(max(len(title), 12) + 2, 60)
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True)
        data.cell(row=2, column=index).font = Font(italic=True, color="808080")
        if leaf.type == "string":
            data.column_dimensions[letter].number_format = "@"  # keep leading zeros of GTINs and codes
    fields = workbook.create_sheet("항목 설명" if korean else "Fields")
    fields.append(_FIELD_SHEET_HEADER["ko" if korean else "en"])
    for cell in fields[1]:
        cell.font = Font(bold=True)
    for index, (path, leaf) in enumerate(columns, start=1):
        fields.append(_field_row(kind.tree, index, path, leaf, korean=korean))
    _drop_downs(workbook, data, columns, language)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _drop_downs(workbook: Any, data: Any, columns: list[tuple[tuple[Step, ...], Node]], language: str) -> None:
    """A list validation on every column of allowed values, its values on a hidden sheet (a list written in
    the formula itself is limited to 255 characters). A value typed outside the list only warns: the code
    itself (``ev``) is accepted too, and anything else is reported by the import with the allowed values."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415  # 0.2 s to load, XLSX only
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415  # 0.2 s to load, XLSX only

    korean = language == "ko"
    lists = workbook.create_sheet("목록" if korean else "Lists")
    lists.sheet_state = "hidden"
    ranges: dict[tuple[str, ...], str] = {}
    for index, (_, leaf) in enumerate(columns, start=1):
        options = tuple(choices(leaf, language))
        if not options:
            continue
        if options not in ranges:
            column = get_column_letter(len(ranges) + 1)
            for row, option in enumerate(options, start=1):
                lists[f"{column}{row}"] = option
            ranges[options] = f"'{lists.title}'!${column}$1:${column}${len(options)}"
        validation = DataValidation(
            type="list",
            formula1=ranges[options],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="목록에 없는 값" if korean else "Not in the list",
            error=(
                "목록에서 고르십시오. 괄호 안의 코드(예: ev)만 입력해도 됩니다."
                if korean
                else "Choose a value from the list (the code alone is accepted too)."
            ),
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{DROP_DOWN_ROWS + 1}")
        data.add_data_validation(validation)


def _field_row(tree: ColumnTree, index: int, path: tuple[Step, ...], leaf: Node, *, korean: bool) -> list[Any]:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415  # 0.2 s to load, XLSX only

    kind = leaf.type + (f" ({leaf.format})" if leaf.format else "")
    required = ("예" if korean else "yes") if leaf.required else ""
    allowed = ", ".join(str(value) for value in leaf.enum) if leaf.enum else ""
    return [
        get_column_letter(index),
        tree.header(path, "key"),
        tree.header(path, "en"),
        tree.header(path, "ko"),
        kind,
        required,
        leaf.unit or "",
        allowed,
        ((korean and leaf.description_ko) or leaf.description)[:500],
    ]

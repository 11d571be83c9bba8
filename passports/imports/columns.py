"""The column convention: how a flat row of cells maps onto a kind's fields, nested ones included.

One convention for every kind, derived from the JSON Schema for passports (or from a flat field list for
model rows), so a schema change needs no import change:

- a nested field is a dotted key: ``carbon_footprint.carbon_footprint_per_lifecycle_stage.raw_material``;
- a repeated group is numbered from 1: ``circularity.recycled_content.2.recycled_material`` (and a list of
  plain values: ``material_composition.critical_raw_materials.1``);
- or, leaving the number out (``circularity.recycled_content.recycled_material``), one row per item: the
  rows that follow with the same natural key add one item each;
- the header may also give the schema titles, English (``title``) or Korean (``x-title-ko``), joined by
  `` / ``: ``Circularity / Recycled content 2 / Material`` or ``순환성 / 재활용 원료 함량 2 / 소재``.

Cells become JSON values by the field's type (numbers in the file's own decimal convention); a cell that
does not convert is reported under the field's JSON Pointer, never guessed at. Plain Python, no Django.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.pointers import pointer_of, pointer_token, pointer_tokens
from passports.imports.formats import NumberFormat, parse_decimal, parse_number
from passports.imports.values import CellError, read_category, read_code, read_date, read_enum
from passports.schema_translations import Translation, translated_description, translations_for
from passports.validation import Issue
from passports.validation.wording import korean_particle

Step = str | int | None  # a member name, an item number (1-based), or None: the item of this row


@dataclass
class Node:
    """One field of the tree: an object (``children``), a list (``item``) or a value (a leaf)."""

    name: str
    title_en: str
    title_ko: str
    type: str = "string"
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    unit: str | None = None
    required: bool = False
    description: str = ""
    description_ko: str = ""
    check: str | None = None  # a digit code checked beyond its pattern (x-check: gtin, gln, cn_code), or category
    children: dict[str, Node] = field(default_factory=dict)
    item: Node | None = None

    @property
    def is_leaf(self) -> bool:
        return self.item is None and not self.children


@dataclass(frozen=True)
class Resolved:
    """A header resolved to a field: the leaf, and the concrete path to it (item numbers or ``None``)."""

    leaf: Node
    path: tuple[Step, ...]

    @property
    def key(self) -> str:
        return ".".join(str(step) for step in self.path if step is not None)

    @property
    def per_row(self) -> bool:
        return None in self.path


class ColumnTree:
    """The fields of one kind as a tree, and the ways of naming them in a header row."""

    def __init__(self, root: Node) -> None:
        self.root = root

    # ----------------------------------------------------------------------------------------------
    # From schemas and field lists

    @classmethod
    def from_schema(cls, schema: Mapping[str, Any], extra: Sequence[Node] = ()) -> ColumnTree:
        """The tree of a JSON Schema's properties (objects, arrays through ``items``), ``extra`` first."""
        root = Node("", str(schema.get("title", "")), str(schema.get("x-title-ko", schema.get("title", ""))), "object")
        for node in extra:
            root.children[node.name] = node
        korean = translations_for(schema, "ko")
        for name, child in _schema_children(schema, "", korean):
            root.children[name] = child
        return cls(root)

    @classmethod
    def flat(cls, fields: Sequence[Node]) -> ColumnTree:
        return cls(Node("", "", "", "object", children={node.name: node for node in fields}))

    @property
    def is_flat(self) -> bool:
        return all(child.is_leaf for child in self.root.children.values())

    def leaves(self) -> list[tuple[tuple[Step, ...], Node]]:
        """Every leaf with its path, array steps as ``None``, in schema order."""
        found: list[tuple[tuple[Step, ...], Node]] = []
        _collect_leaves(self.root, (), found)
        return found

    # ----------------------------------------------------------------------------------------------
    # Headers

    def resolve(self, header: str) -> Resolved | None:
        """The field a header names, as a dotted key, an English title path or a Korean one; else None."""
        text = _normal(header)
        if not text:
            return None
        dotted = re.sub(r"\[(\d+)\]", r".\1", text)
        if " " not in dotted.strip():
            found = self._walk(dotted.split("."), "key")
            if found is not None:
                return found
        segments = _TITLE_SEPARATOR.split(text)
        return self._walk(segments, "en") or self._walk(segments, "ko")

    def _walk(self, segments: list[str], language: str) -> Resolved | None:
        node, index = self.root, 0
        path: list[Step] = []
        while index < len(segments):
            child, number = _match_child(node, segments[index], language)
            if child is None:
                return None
            path.append(child.name)
            node = child
            index += 1
            if node.item is not None:
                if language == "key" and number is None and index < len(segments) and segments[index].isdigit():
                    number = int(segments[index])
                    index += 1
                if number is None and index == len(segments) and node.item.children:
                    return Resolved(node, tuple(path))  # the list itself: "none", or its items as JSON
                if number is not None and number < 1:
                    return None
                path.append(number)
                node = node.item
            elif number is not None:
                return None
        if not node.is_leaf or node is self.root:
            return None
        return Resolved(node, tuple(path))

    def header(self, path: Sequence[Step], language: str) -> str:
        """The header of a concrete path: the dotted key (``language="key"``) or the title path."""
        if language == "key":
            return ".".join(str(step) for step in path if step is not None)
        titles: list[str] = []
        node = self.root
        for step in path:
            if isinstance(step, str):
                node = node.children[step]
                titles.append(node.title_ko if language == "ko" else node.title_en)
            else:
                if step is not None and node.item is not None and titles:
                    titles[-1] = f"{titles[-1]} {step}"
                node = node.item if node.item is not None else node
        return " / ".join(titles)

    def node_at(self, path: Sequence[str | int]) -> Node | None:
        """The node describing a data path (JSON Pointer tokens, array positions 0-based), if any."""
        node: Node | None = self.root
        for step in path:
            if node is None:
                return None
            node = node.item if isinstance(step, int) else node.children.get(step)
        return node


# " / " as our templates write it (a space on one side is enough: "UN/LOCODE" is one title); also the
# arrows people use for a path (U+203A, U+00BB and ">").
_TITLE_SEPARATOR = re.compile("\\s+/\\s*|\\s*/\\s+|\\s*[\u203a>\u00bb]\\s*")
_NUMBERED = re.compile(r"^(.*?)\s*(?:#|no\.\s*|\(|\[)?(\d+)[)\]]?$")


def _normal(text: str) -> str:
    """Headers compare case-, width- and space-insensitively, and NFC/NFD Hangul alike (macOS writes NFD)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _match_child(node: Node, segment: str, language: str) -> tuple[Node | None, int | None]:
    def named(text: str) -> Node | None:
        for child in node.children.values():
            label = child.name if language == "key" else (child.title_ko if language == "ko" else child.title_en)
            if _normal(label) == text:
                return child
        return None

    found = named(segment)
    if found is not None or language == "key":
        return found, None
    numbered = _NUMBERED.match(segment)
    if numbered is None:
        return None, None
    found = named(numbered.group(1).strip())
    if found is None or found.item is None:
        return None, None
    return found, int(numbered.group(2))


def _schema_children(
    schema: Mapping[str, Any], pointer: str, korean: Mapping[str, Translation]
) -> Iterable[tuple[str, Node]]:
    """The properties of a schema node at ``pointer`` (the schema's own JSON Pointer, which keys the Korean
    help text of ``passports/schemas/i18n/ko/``)."""
    required = set(schema.get("required", []))
    for name, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, Mapping):
            at = f"{pointer}/properties/{pointer_token(name)}"
            yield name, _schema_node(name, sub, required=name in required, pointer=at, korean=korean)


def _schema_node(
    name: str, schema: Mapping[str, Any], *, required: bool, pointer: str, korean: Mapping[str, Translation]
) -> Node:
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    title = str(schema.get("title") or name)
    node = Node(
        name=name,
        title_en=title,
        title_ko=str(schema.get("x-title-ko") or title),
        type=str(kind),
        format=schema.get("format"),
        enum=tuple(schema["enum"]) if isinstance(schema.get("enum"), list) else None,
        unit=schema.get("x-unit"),
        required=required,
        description=str(schema.get("description") or ""),
        description_ko=translated_description(korean, pointer, schema.get("description")) or "",
        check=schema.get("x-check") if isinstance(schema.get("x-check"), str) else None,
    )
    if kind == "object":
        node.children = dict(_schema_children(schema, pointer, korean))
    elif kind == "array":
        items = schema.get("items")
        node.item = _schema_node(
            "", items if isinstance(items, Mapping) else {}, required=False, pointer=f"{pointer}/items", korean=korean
        )
        node.item.title_en, node.item.title_ko = node.title_en, node.title_ko
    return node


def _collect_leaves(node: Node, path: tuple[Step, ...], found: list[tuple[tuple[Step, ...], Node]]) -> None:
    if node.item is not None:
        _collect_leaves(node.item, (*path, None), found)
        return
    if node.is_leaf and path:
        found.append((path, node))
        return
    for name, child in node.children.items():
        _collect_leaves(child, (*path, name), found)


# --------------------------------------------------------------------------------------------------
# Header rows


@dataclass
class HeaderMap:
    """A file's header row resolved against a kind: which cell feeds which field, and what did not match."""

    columns: list[tuple[int, str, Resolved]]
    unknown: list[str]
    duplicates: list[str]
    ignored: list[str]
    readers: dict[str, list[tuple[int, str, Callable[[Any], Any]]]] = field(default_factory=dict, repr=False)

    @property
    def per_row(self) -> bool:
        return any(resolved.per_row for _, _, resolved in self.columns)

    def column_keys(self) -> set[str]:
        return {resolved.key for _, _, resolved in self.columns}

    def header_of_key(self) -> dict[str, str]:
        return {resolved.key: header for _, header, resolved in self.columns}


# The column the error workbook adds (``passports.imports.workbook``): ignored when the fixed file comes back.
REPORT_HEADERS = {"en": "Errors (ignored on upload)", "ko": "오류(올릴 때 무시됨)"}
_REPORT_HEADERS = {_normal(header): "" for header in REPORT_HEADERS.values()}


def resolve_headers(headers: Sequence[Any], tree: ColumnTree, mapping: Mapping[str, str] | None = None) -> HeaderMap:
    """Resolve each header cell: a saved mapping first (header → key, or ``""`` to ignore), then by name.
    The error workbook's own column is always ignored."""
    saved = {**_REPORT_HEADERS, **{_normal(str(k)): v for k, v in (mapping or {}).items()}}
    columns: list[tuple[int, str, Resolved]] = []
    unknown: list[str] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for index, cell in enumerate(headers):
        header = "" if cell is None else str(cell).strip()
        if not header:
            continue
        target = saved.get(_normal(header))
        if target == "":
            ignored.append(header)
            continue
        resolved = tree.resolve(target if target is not None else header)
        if resolved is None:
            unknown.append(header)
            continue
        if resolved.key in seen:
            duplicates.append(f"{seen[resolved.key]} = {header}")
            continue
        seen[resolved.key] = header
        columns.append((index, header, resolved))
    return HeaderMap(columns, unknown, duplicates, ignored)


# --------------------------------------------------------------------------------------------------
# Cells to values


# English and Korean words, and TRUE/FALSE as localised Excel writes them in CSV (de, fr, es, it, nl).
_TRUE = {"true", "yes", "y", "1", "t", "예", "네", "참", "wahr", "vrai", "verdadero", "vero", "waar"}
_FALSE = {"false", "no", "n", "0", "f", "아니오", "아니요", "거짓", "falsch", "faux", "falso", "onwaar"}
_WORDS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def convert(value: Any, leaf: Node, numbers: NumberFormat, title: tuple[str, str]) -> Any:
    """The JSON value of one non-empty cell for ``leaf``; ``CellError`` when the cell cannot be that type.

    Text stays text, exactly as entered (a leading ``=`` included: nothing is ever evaluated). XLSX cells
    arrive typed: numbers typed into a text field (a GTIN) become their digits, dates ISO 8601. What a
    spreadsheet does to codes, dates and categories is undone or reported by ``passports.imports.values``.
    """
    kind = leaf.type
    if kind in ("number", "integer"):
        return _number(value, numbers, integer=kind == "integer", title=title)
    if kind == "boolean":
        return _boolean(value, title)
    if kind == "array":
        return _list(value, title)
    if kind == "decimal":
        return _decimal(value, numbers, title)
    text = _text(value)
    normalise = normaliser(leaf)
    return normalise(text, title) if normalise is not None and isinstance(text, str) else text


_CODES = ("gtin", "gln", "cn_code")


def normaliser(leaf: Node) -> Callable[[str, tuple[str, str]], str] | None:
    """How a text column's cells are normalised before they are judged, if they are: digit codes refused
    when a spreadsheet destroyed their digits, categories and enumeration values as their codes (from the
    Korean drop-downs of our templates too), dates written as ISO 8601."""
    if leaf.type != "string":
        return None
    if leaf.check in _CODES:
        check = leaf.check
        return lambda text, title: read_code(text, check, title=title)
    if leaf.check == "category":
        return lambda text, title: read_category(text, title=title)
    if leaf.enum and any(isinstance(option, str) for option in leaf.enum):
        options = leaf.enum
        return lambda text, _title: read_enum(text, options)
    if leaf.format == "date":
        return lambda text, title: read_date(text, title=title)
    return None


def _decimal(value: Any, numbers: NumberFormat, title: tuple[str, str]) -> Decimal:
    if isinstance(value, bool):
        raise _not_number(str(value), numbers, title)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the digits Excel showed, not the binary expansion
    try:
        return parse_decimal(str(value), numbers)
    except (ValueError, ArithmeticError):
        raise _not_number(str(value), numbers, title) from None


_NONE = {"none", "0", "[]", "-", "없음", "해당 없음", "n/a"}


def _list(value: Any, title: tuple[str, str]) -> list[Any]:
    """A cell for a whole list: "none" (없음, 0, []) for a list declared empty, or its items as JSON.

    A required list with no item is not the same as a list left out: ESPR asks for the substances of
    concern even when there are none, so "none" must be said, and this column is where it is said.
    """
    text = str(value).strip()
    if _normal(text) in _NONE:
        return []
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, list):
        raise CellError(
            f"{title[0]} takes 'none' (or 0, []) when there is none, or the items as a JSON list; not '{text}'.",
            f"{title[1]}에는 해당 항목이 없으면 '없음'(또는 0, [])을, 있으면 JSON 목록을 입력합니다('{text}').",
        )
    return parsed


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _number(value: Any, numbers: NumberFormat, *, integer: bool, title: tuple[str, str]) -> int | float:
    if isinstance(value, bool):
        raise _not_number(str(value), numbers, title)
    if isinstance(value, int | float):
        number: int | float = value
    else:
        try:
            number = parse_number(str(value), numbers)
        except ValueError:
            raise _not_number(str(value), numbers, title) from None
    if integer and isinstance(number, float):
        if not number.is_integer():
            raise CellError(
                f"{title[0]} must be a whole number; {value} is not.",
                f"{title[1]}에는 정수를 입력해야 합니다({value}).",
            )
        number = int(number)
    return number


def _not_number(text: str, numbers: NumberFormat, title: tuple[str, str]) -> CellError:
    style_en, style_ko = numbers.describe()
    return CellError(
        f"{title[0]}: '{text}' is not a number as this file writes numbers ({style_en}).",
        f"{title[1]}: {korean_particle(repr(text), '은', '는')} 이 파일의 숫자 형식({style_ko})에 "
        "맞는 숫자가 아닙니다.",
    )


def _boolean(value: Any, title: tuple[str, str]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    text = _normal(text)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(
        f"{title[0]} must be true or false (yes/no, 1/0); '{value}' is neither.",
        f"{title[1]}에는 참 또는 거짓(예/아니오, 1/0)을 입력해야 합니다('{value}').",
    )


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------------------------------
# Rows to records


@dataclass
class Built:
    """The record built from one row (or one group of rows), and where each part of it came from."""

    data: dict[str, Any]
    issues: list[Issue]
    row_of: dict[str, int]  # JSON Pointer (and every prefix of it) → the row it came from
    cell_of: dict[str, tuple[int, str, Any]]  # JSON Pointer of a leaf → (row, header, cell as given)
    numbers_of: dict[str, list[int]]  # JSON Pointer of an array → the item numbers its items carried
    first_row: int
    cells: Sequence[Any] = ()  # a flat record's row, read for its error report only when it has one
    header_map: HeaderMap | None = None

    def cell(self, pointer: str) -> tuple[int, str, Any] | None:
        """The (row, header, cell) a field came from, if a cell gave it."""
        found = self.cell_of.get(pointer)
        if found is None and self.header_map is not None:
            key = pointer[1:]
            for index, header, resolved in self.header_map.columns:
                if resolved.key == key and index < len(self.cells) and not is_empty(self.cells[index]):
                    return self.first_row, header, self.cells[index]
        return found


class _Items(dict[int, Any]):
    """An array while it is being filled: item number → item, numbers from the header or the row."""


def build_flat(row_number: int, cells: Sequence[Any], header_map: HeaderMap, numbers: NumberFormat) -> Built:
    """A record of a flat kind (no groups): ``{key: value}`` for each non-empty cell, the fast path for large
    files. Where each value came from is worked out only for a record that has an error to report."""
    data: dict[str, Any] = {}
    issues: list[Issue] = []
    width = len(cells)
    for index, name, read in flat_readers(header_map, numbers):
        if index >= width:
            continue
        cell = cells[index]
        if cell is None or cell == "":
            continue
        if cell.__class__ is str:
            cell = cell.strip()
            if not cell:
                continue
        try:
            data[name] = read(cell)
        except CellError as exc:
            issues.append(Issue(f"/{name}", "cell_format", exc.message_en, exc.message_ko, None))
    return Built(data, issues, {}, {}, {}, row_number, cells, header_map)


def flat_readers(header_map: HeaderMap, numbers: NumberFormat) -> list[tuple[int, str, Callable[[Any], Any]]]:
    """Per column of a flat file, a reader specialised to its type and the file's number convention,
    made once per header map: a million rows do not decide a million times how to read a cell."""
    found = header_map.readers.get(numbers.decimal)
    if found is None:
        found = [
            (index, resolved.leaf.name, _reader(resolved.leaf, numbers)) for index, _, resolved in header_map.columns
        ]
        header_map.readers[numbers.decimal] = found
    return found


def _reader(leaf: Node, numbers: NumberFormat) -> Callable[[Any], Any]:
    title = (leaf.title_en, leaf.title_ko)
    point = numbers.decimal == "."

    def general(cell: Any) -> Any:
        return convert(cell, leaf, numbers, title)

    if leaf.type == "string":
        normalise = normaliser(leaf)
        if normalise is not None:
            return lambda cell: normalise(cell, title) if cell.__class__ is str else general(cell)
        return lambda cell: cell if cell.__class__ is str else general(cell)
    if leaf.type == "decimal":

        def decimal(cell: Any) -> Any:
            if point and cell.__class__ is str and _PLAIN_DECIMAL.fullmatch(cell):
                return Decimal(cell)
            return general(cell)

        return decimal
    if leaf.type == "boolean":

        def boolean(cell: Any) -> Any:
            if cell.__class__ is str:
                found = _WORDS.get(cell.lower())
                if found is not None:
                    return found
            return general(cell)

        return boolean
    if leaf.type == "integer":
        return lambda cell: int(cell) if cell.__class__ is str and cell.isdigit() and cell.isascii() else general(cell)
    return general


_PLAIN_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")


def build_record(
    rows: Sequence[tuple[int, Sequence[Any]]], header_map: HeaderMap, tree: ColumnTree, numbers: NumberFormat
) -> Built:
    """Build one record from rows that share a natural key (one row unless the file has one row per item).

    Row ``k`` of the group (from 1) fills item ``k`` of every array whose header has no item number. A
    field outside such arrays takes its first non-empty value; a different value in a later row of the
    group is an error, not a silent overwrite.
    """
    root: dict[str, Any] = {}
    built = Built(root, [], {}, {}, {}, rows[0][0])
    origins: dict[str, tuple[int, str, Any]] = {}
    for position, (row_number, cells) in enumerate(rows, start=1):
        for index, header, resolved in header_map.columns:
            cell = cells[index] if index < len(cells) else None
            if is_empty(cell):
                continue
            if isinstance(cell, str):
                cell = cell.strip()
            concrete = tuple(position if step is None else step for step in resolved.path)
            try:
                value = convert(cell, resolved.leaf, numbers, _titles(tree, concrete))
            except CellError as exc:
                pointer = _provisional_pointer(concrete)
                built.issues.append(Issue(pointer, "cell_format", exc.message_en, exc.message_ko, None))
                origins[pointer] = (row_number, header, cell)
                continue
            conflict = _place(root, concrete, value)
            pointer = _provisional_pointer(concrete)
            if conflict:
                built.issues.append(_conflict_issue(tree, concrete, origins.get(pointer), row_number))
                continue
            origins[pointer] = (row_number, header, cell)
    built.data = _finish(root, "", built.numbers_of)
    _renumber(built, origins)
    return built


def _titles(tree: ColumnTree, path: Sequence[Step]) -> tuple[str, str]:
    return tree.header(path, "en"), tree.header(path, "ko")


def _provisional_pointer(path: Sequence[Step]) -> str:
    """A pointer with item numbers (1-based, as in the header) still in place of array positions."""
    return pointer_of(step for step in path if step is not None)


def _place(root: dict[str, Any], path: Sequence[Step], value: Any) -> bool:
    """Put ``value`` at ``path``, creating objects and item maps; True if a different value is there."""
    node: Any = root
    for position, step in enumerate(path[:-1]):
        if step not in node:
            node[step] = _Items() if isinstance(path[position + 1], int) else {}
        node = node[step]
        if not isinstance(node, dict):
            return True  # items given for a list that another column declared whole
    last = path[-1]
    if last in node and node[last] != value:
        return True
    node[last] = value
    return False


def _finish(node: Any, pointer: str, numbers_of: dict[str, list[int]]) -> Any:
    if isinstance(node, _Items):
        order = sorted(node)
        numbers_of[pointer] = order
        return [_finish(node[number], f"{pointer}/{position}", numbers_of) for position, number in enumerate(order)]
    if isinstance(node, dict):
        return {key: _finish(value, f"{pointer}/{pointer_token(key)}", numbers_of) for key, value in node.items()}
    return node


def _renumber(built: Built, origins: dict[str, tuple[int, str, Any]]) -> None:
    """Turn item numbers into array positions in every pointer (items 1 and 3 become positions 0 and 1)."""
    position_of = {
        (array, number): position
        for array, numbers in built.numbers_of.items()
        for position, number in enumerate(numbers)
    }
    renamed: dict[str, str] = {}
    for provisional in origins:
        renamed[provisional] = _pointer_with_positions(provisional, position_of)
    for issue_index, issue in enumerate(built.issues):
        new = renamed.get(issue.pointer, issue.pointer)
        built.issues[issue_index] = Issue(new, issue.rule, issue.message_en, issue.message_ko, issue.legal)
    for provisional, origin in origins.items():
        pointer = renamed[provisional]
        built.cell_of[pointer] = origin
        prefix = pointer
        while prefix:
            built.row_of.setdefault(prefix, origin[0])
            prefix = prefix.rsplit("/", 1)[0]


def _pointer_with_positions(pointer: str, position_of: Mapping[tuple[str, int], int]) -> str:
    done = ""
    for token in pointer.split("/")[1:]:
        if token.isdigit() and (done, int(token)) in position_of:
            done = f"{done}/{position_of[(done, int(token))]}"
        else:
            done = f"{done}/{token}"
    return done


def _conflict_issue(tree: ColumnTree, path: Sequence[Step], first: tuple[int, str, Any] | None, row: int) -> Issue:
    en, ko = _titles(tree, path)
    earlier = first[0] if first else row
    return Issue(
        _provisional_pointer(path),
        "row_conflict",
        f"{en} differs from the value in row {earlier} for the same record; give it once or give the same value.",
        f"{ko}의 값이 같은 레코드의 {earlier}행 값과 다릅니다. 한 번만 입력하거나 같은 값을 입력하십시오.",
        None,
    )


def pointer_to_key(pointer: str, numbers_of: Mapping[str, list[int]] | None = None) -> str:
    """The dotted column key of a JSON Pointer: ``/goods/0/cn_code`` → ``goods.1.cn_code``.

    With ``numbers_of`` (from ``build_record``) the item numbers are the ones the file used.
    """
    tokens = pointer_tokens(pointer)
    parts: list[str] = []
    done = ""
    for token in tokens:
        if token.isdigit() and numbers_of is not None and done in numbers_of and int(token) < len(numbers_of[done]):
            parts.append(str(numbers_of[done][int(token)]))
        elif token.isdigit():
            parts.append(str(int(token) + 1))
        else:
            parts.append(token)
        done = f"{done}/{pointer_token(token) if not token.isdigit() else token}"
    return ".".join(parts)

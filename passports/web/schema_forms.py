"""The passport editor's form, generated from the passport's JSON Schema (Draft 2020-12), and read back.

One source of truth (DESIGN.md): the same schema that validates a passport lays out its form. ``build_form``
turns the schema and the data into a tree of ``FormNode``s: each top-level member is a section, nested
objects are groups, arrays of objects are repeatable groups (rows), arrays of values are repeatable single
inputs, enums are selects, booleans a yes / no / unset select, and each field carries its title in the
user's language (``title`` / ``x-title-ko``), its unit (``x-unit``), its access tier (``x-access``), its
legal source (``x-legal``) and its description as help text (Korean help comes from the translations kept
beside the schema, ``passports.schema_translations``, since a published schema file may not change).
Validation ``Issue``s are attached to the node their JSON Pointer names, so each message shows beside the
exact field it is about.

``parse_form`` reads the POSTed inputs back into JSON. Each input is named by its field's RFC 6901 JSON
Pointer (``/general_product_information/battery_mass``), rows by their index; rows are taken in index order
and renumbered from 0, so rows removed in the browser leave no holes. Nothing the user typed is lost: a
number that is not a number is kept as the text typed (validation then says so, beside the field), a value
outside an enum is kept and still offered in the select, and members the schema does not describe are shown
as raw JSON so the user can correct or remove them. Empty inputs mean "not given": the member is left out.

Plain Python with no Django imports, so it is tested alone; the templates under
``templates/passports/schema_form/`` draw the tree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.pointers import pointer_of, pointer_token, pointer_tokens
from passports.schema_translations import Translation, translated_description, translations_for
from passports.validation import Issue
from passports.validation.pointers import PathPart

__all__ = [
    "EMPTY_LIST_INPUT",
    "FormNode",
    "FormTree",
    "build_form",
    "parse_form",
    "placeholder_token",
]

_MISSING: Any = object()
# The checkbox "none" of a list posts the list's pointer under this name: the empty list, stated on purpose.
EMPTY_LIST_INPUT = "_none"
# JSON numbers as people type them: an optional sign, digits with an optional fraction, an optional exponent.
# Anything else (a decimal comma, a unit typed into the field, a thousands separator) stays text, so the
# validator reports it instead of the form guessing.
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
# Values longer than this, or with a line break, get a text area: a one-line input would drop line breaks.
_TEXTAREA_FROM = 90
_TIER_DEFAULT = "public"


def placeholder_token(depth: int) -> str:
    """The stand-in for a row index in a blank row template; the browser script replaces it on 'add'."""
    return f"__i{depth}__"


@dataclass
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass
class FormNode:
    """One element of the generated form: a section, a group, a repeatable group, a row or a field.

    ``kind`` is ``object`` (a group of fields; a section at the top), ``rows`` (an array of objects),
    ``list`` (an array of single values), ``row`` (one item of either), ``field`` (one input) or ``raw``
    (JSON the schema does not describe, shown as text so nothing is lost). ``widget`` says which input a
    field gets. ``value`` is the text to put in the input.
    """

    kind: str
    path: tuple[PathPart, ...]
    title: str
    help: str = ""
    unit: str = ""
    tier: str = _TIER_DEFAULT
    legal: str = ""
    required: bool = False
    widget: str = "text"
    value: str = ""
    placeholder: str = ""
    choices: list[Choice] = field(default_factory=list)
    children: list[FormNode] = field(default_factory=list)
    blank: FormNode | None = None
    errors: list[str] = field(default_factory=list)
    inherited: bool = False
    depth: int = 0
    index: int = 0
    min_items: int = 0
    declared_empty: bool = False
    compact: bool = False
    locked: bool = False

    @property
    def pointer(self) -> str:
        return pointer_of(self.path)

    @property
    def dom_id(self) -> str:
        """An HTML id: ``f`` and the pointer (ids may hold any character but spaces, HTML §3.2.6)."""
        return "f" + self.pointer.replace(" ", "%20")

    @property
    def is_template(self) -> bool:
        return any(isinstance(part, str) and part.startswith("__i") and part.endswith("__") for part in self.path)

    @property
    def error_total(self) -> int:
        """Errors on this node and everything inside it (section badges in the table of contents)."""
        return len(self.errors) + sum(child.error_total for child in self.children)

    @property
    def next_index(self) -> int:
        return len(self.children)


@dataclass
class FormTree:
    """The whole form: its sections, and the issues no rendered field could take (shown at the top)."""

    sections: list[FormNode]
    general_errors: list[str]
    issues: list[tuple[str, str, str]]  # (dom id of the field shown, field title, message) for the summary

    @property
    def error_count(self) -> int:
        return len(self.issues)


# --------------------------------------------------------------------------------------------------
# Building the form


@dataclass
class _Context:
    lang: str
    base: Any
    own: Any
    schema: Mapping[str, Any] = field(default_factory=dict)
    translations: Mapping[str, Translation] = field(default_factory=dict)
    locked: Mapping[str, str] = field(default_factory=dict)


def build_form(
    schema: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    issues: Iterable[Issue] = (),
    lang: str = "en",
    base: Mapping[str, Any] | None = None,
    own: Mapping[str, Any] | None = None,
    locked: Mapping[str, str] | None = None,
) -> FormTree:
    """Lay out the form for ``data`` (the effective data) under ``schema``.

    For a batch or item passport, ``base`` is the model passport's effective data and ``own`` the overrides
    stored with the item: fields whose value comes from ``base`` and that ``own`` does not override are
    marked ``inherited``. ``issues`` are attached to the field their pointer names, or to the nearest
    ancestor shown; those about the whole document go to ``general_errors``.

    ``locked`` (``{JSON Pointer: value}``) names the fields the platform writes itself on every save, such as
    the passport identifier (``passports.services.identity``): they show that value, read-only, whatever the
    data holds, so nobody types an identifier the save would overwrite or refuse.
    """
    by_pointer: dict[str, list[str]] = {}
    for issue in issues:
        by_pointer.setdefault(issue.pointer, []).append(issue.message_ko if lang == "ko" else issue.message_en)
    context = _Context(
        lang=lang,
        base=base if base is not None else _MISSING,
        own=own,
        schema=schema,
        translations=translations_for(schema, lang),
        locked=locked or {},
    )
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    sections: list[FormNode] = []
    for name, child in properties.items():
        if isinstance(child, Mapping):
            sections.append(_node(child, (name,), data.get(name, _MISSING), name in required, context, depth=0))
    unknown = [name for name in data if name not in properties]
    if unknown:
        title = "스키마에 없는 항목" if lang == "ko" else "Fields not in the schema"
        extra = FormNode(kind="object", path=(), title=title)
        extra.children = [_raw((name,), data[name], context) for name in unknown]
        sections.append(extra)
    general, summary = _attach_issues(sections, by_pointer)
    return FormTree(sections=sections, general_errors=general, issues=summary)


def _texts(node: Mapping[str, Any], path: tuple[PathPart, ...], context: _Context) -> tuple[str, str]:
    """The field's title and help text in the user's language; English where no translation fits."""
    title = node.get("title")
    title_ko = node.get("x-title-ko")
    fallback = str(path[-1]).replace("_", " ").capitalize() if path else ""
    chosen = title_ko if context.lang == "ko" and isinstance(title_ko, str) else title
    description = node.get("description")
    help_text = description if isinstance(description, str) else ""
    if help_text and context.translations:
        pointer = _schema_pointer(context.schema, path)
        if pointer is not None:
            help_text = translated_description(context.translations, pointer, help_text) or help_text
    return (chosen if isinstance(chosen, str) else fallback), help_text


def _schema_pointer(schema: Mapping[str, Any], path: tuple[PathPart, ...]) -> str | None:
    """The JSON Pointer of the schema node that describes ``path`` (rows and templates both go to ``items``).

    Walked the way the form is built: an array's members are its rows, an object's its properties; ``None``
    where the schema does not describe the path.
    """
    node, pointer = schema, ""
    for part in path:
        if _type_of(node) == "array":
            node, pointer = _items_of(node), pointer + "/items"
            continue
        properties = node.get("properties")
        child = properties.get(part) if isinstance(properties, Mapping) and isinstance(part, str) else None
        if not isinstance(child, Mapping):
            return None
        node, pointer = child, f"{pointer}/properties/{pointer_token(part)}"
    return pointer


def _type_of(node: Mapping[str, Any]) -> str:
    declared = node.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "string")
    if isinstance(declared, str):
        return declared
    if isinstance(node.get("properties"), Mapping):
        return "object"
    if isinstance(node.get("items"), Mapping):
        return "array"
    return "string"


def _items_of(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    items = schema.get("items")
    return items if isinstance(items, Mapping) else {}


def _node(
    schema: Mapping[str, Any],
    path: tuple[PathPart, ...],
    value: Any,
    required: bool,
    context: _Context,
    *,
    depth: int,
) -> FormNode:
    kind = _type_of(schema)
    if kind == "object" and isinstance(schema.get("properties"), Mapping):
        if value is not _MISSING and not isinstance(value, Mapping):
            return _raw(path, value, context, schema=schema, required=required)
        return _object(schema, path, value if value is not _MISSING else {}, required, context, depth=depth)
    if kind == "array":
        if value is not _MISSING and not isinstance(value, list):
            return _raw(path, value, context, schema=schema, required=required)
        return _array(schema, path, value, required, context, depth=depth)
    if kind == "object":
        # An object the schema leaves open: edited as JSON.
        return _raw(path, value, context, schema=schema, required=required)
    return _field(schema, path, value, required, context)


def _decorate(node: FormNode, schema: Mapping[str, Any], context: _Context) -> FormNode:
    node.title, node.help = _texts(schema, node.path, context)
    tier = schema.get("x-access")
    node.tier = tier if isinstance(tier, str) else _TIER_DEFAULT
    legal = schema.get("x-legal")
    node.legal = legal if isinstance(legal, str) else ""
    unit = schema.get("x-unit")
    node.unit = unit if isinstance(unit, str) else ""
    return node


def _object(
    schema: Mapping[str, Any],
    path: tuple[PathPart, ...],
    value: Mapping[str, Any],
    required: bool,
    context: _Context,
    *,
    depth: int,
) -> FormNode:
    node = _decorate(FormNode(kind="object", path=path, title="", required=required, depth=depth), schema, context)
    needed = set(schema.get("required", []))
    properties = schema["properties"]
    for name, child in properties.items():
        if isinstance(child, Mapping):
            node.children.append(
                _node(child, (*path, name), value.get(name, _MISSING), name in needed, context, depth=depth)
            )
    for name in value:
        if name not in properties:
            node.children.append(_raw((*path, name), value[name], context))
    return node


def _array(
    schema: Mapping[str, Any],
    path: tuple[PathPart, ...],
    value: list[Any] | Any,
    required: bool,
    context: _Context,
    *,
    depth: int,
) -> FormNode:
    """An array: its rows, and a blank row as the template the browser copies when a row is added."""
    items = _items_of(schema)
    of_objects = _type_of(items) == "object" and isinstance(items.get("properties"), Mapping)
    min_items = schema.get("minItems")
    node = _decorate(
        FormNode(
            kind="rows" if of_objects else "list",
            path=path,
            title="",
            required=required,
            depth=depth,
            min_items=min_items if isinstance(min_items, int) else 0,
        ),
        schema,
        context,
    )
    node.unit = items.get("x-unit", node.unit) if isinstance(items.get("x-unit"), str) else node.unit
    rows = list(value) if isinstance(value, list) else []
    node.declared_empty = value == []
    if not rows and (required or node.min_items) and not node.declared_empty:
        # A required list starts with one blank row, so there is somewhere to type at once.
        rows = [_MISSING]
    for index, item in enumerate(rows):
        node.children.append(_row(items, node, (*path, index), item, context, index=index))
    node.blank = _row(items, node, (*path, placeholder_token(depth)), _MISSING, context, index=-1)
    return node


def _row(
    items: Mapping[str, Any],
    array: FormNode,
    path: tuple[PathPart, ...],
    item: Any,
    context: _Context,
    *,
    index: int,
) -> FormNode:
    inner = _node(items, path, item, False, context, depth=array.depth + 1)
    if not isinstance(items.get("title"), str):
        # Items rarely carry a title of their own: name them after their list ("Battery materials").
        inner.title = array.title
    if inner.kind == "object":
        inner.kind = "row"
    else:
        # One value per row: the list's legend already names it, so the input's label is for screen readers.
        inner.compact = True
        inner = FormNode(kind="row", path=path, title=inner.title, children=[inner], depth=array.depth + 1)
    inner.index = index
    return inner


def _lookup(data: Any, path: Iterable[PathPart]) -> Any:
    node = data
    for part in path:
        in_object = isinstance(node, Mapping) and isinstance(part, str) and part in node
        in_array = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_object or in_array):
            return _MISSING
        node = node[part]
    return node


def _is_inherited(path: tuple[PathPart, ...], context: _Context) -> bool:
    """A value shown from the model passport that the item's own overrides do not replace.

    Overrides are RFC 7396 merge patches: objects merge member by member, arrays replace whole. So a field
    is the item's own as soon as the patch holds any value (or an array) on the way down to it.
    """
    if context.base is _MISSING or _lookup(context.base, path) is _MISSING:
        return False
    own: Any = context.own if context.own is not None else {}
    for part in path:
        if isinstance(own, Mapping) and isinstance(part, str):
            if part not in own:
                return True
            own = own[part]
            if not isinstance(own, Mapping):
                return False
        else:
            return False
    return False


def _field(
    schema: Mapping[str, Any], path: tuple[PathPart, ...], value: Any, required: bool, context: _Context
) -> FormNode:
    node = _decorate(FormNode(kind="field", path=path, title="", required=required), schema, context)
    node.value = _as_text(value)
    node.inherited = value is not _MISSING and _is_inherited(path, context)
    written = context.locked.get(node.pointer)
    if written is not None:
        node.value, node.locked, node.inherited = written, True, False
    kind = _type_of(schema)
    enum = schema.get("enum")
    if isinstance(enum, list):
        node.widget = "select"
        node.choices = _enum_choices(enum, value)
    elif kind == "boolean":
        node.widget = "boolean"
        yes, no = ("예", "아니요") if context.lang == "ko" else ("Yes", "No")
        node.choices = [Choice("true", yes, value is True), Choice("false", no, value is False)]
        if value is not _MISSING and not isinstance(value, bool):
            node.choices.append(Choice(node.value, node.value, True))
    elif kind in {"number", "integer"}:
        node.widget = kind
        node.placeholder = _number_hint(schema)
    else:
        node.widget = _string_widget(schema, node.value)
        if node.widget == "text" and schema.get("format") == "date-time":
            node.placeholder = "2026-05-04T09:00:00+09:00"
    return node


def _number_hint(schema: Mapping[str, Any]) -> str:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(low, int | float) and isinstance(high, int | float):
        return f"{low:g} to {high:g}"
    return ""


def _string_widget(schema: Mapping[str, Any], text: str) -> str:
    if "\n" in text or len(text) > _TEXTAREA_FROM:
        return "textarea"
    fmt = schema.get("format")
    if fmt == "date":
        # A browser date input empties a value it cannot read; keep what was typed in a text input instead.
        return "date" if not text or _is_iso_date(text) else "text"
    if fmt == "email":
        return "email"
    if fmt == "uri":
        return "url"
    return "text"


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _enum_choices(enum: list[Any], value: Any) -> list[Choice]:
    choices = [Choice(_as_text(option), _as_text(option), option == value and value is not _MISSING) for option in enum]
    if value is not _MISSING and value not in enum:
        # Keep a value outside the list visible and selected, so saving again does not silently drop it.
        choices.append(Choice(_as_text(value), _as_text(value), True))
    return choices


def _raw(
    path: tuple[PathPart, ...],
    value: Any,
    context: _Context,
    *,
    schema: Mapping[str, Any] | None = None,
    required: bool = False,
) -> FormNode:
    node = FormNode(kind="raw", path=path, title="", required=required, widget="json")
    if schema is not None:
        _decorate(node, schema, context)
    else:
        node.title = str(path[-1]) if path else ""
    node.value = "" if value is _MISSING else json.dumps(value, ensure_ascii=False, indent=2)
    return node


def _as_text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def _walk(nodes: Iterable[FormNode]) -> Iterator[FormNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _attach_issues(
    sections: list[FormNode], by_pointer: dict[str, list[str]]
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Put each message on the node its pointer names, else on the nearest ancestor that is shown."""
    shown = {node.pointer: node for node in _walk(sections) if node.path}
    general: list[str] = []
    summary: list[tuple[str, str, str]] = []
    for pointer, messages in by_pointer.items():
        tokens = pointer_tokens(pointer)
        target: FormNode | None = None
        for length in range(len(tokens), 0, -1):
            target = shown.get(pointer_of(tokens[:length]))
            if target is not None:
                break
        if target is None:
            general.extend(messages)
            summary.extend(("", "", message) for message in messages)
            continue
        target.errors.extend(messages)
        summary.extend((target.dom_id, target.title, message) for message in messages)
    return general, summary


# --------------------------------------------------------------------------------------------------
# Reading the form back


def parse_form(schema: Mapping[str, Any], fields: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Build the passport JSON from ``(input name, value)`` pairs; only names that are JSON Pointers count.

    Values are converted by the schema type at their pointer: numbers that parse become numbers, ``true`` /
    ``false`` become booleans for boolean fields, and raw JSON fields are parsed as JSON. Text that does not
    convert is kept as typed. Members come out in schema order; rows in index order, renumbered from 0;
    empty inputs, rows and groups are left out.
    """
    trie: dict[str, Any] = {}
    for name, raw in fields:
        if name == EMPTY_LIST_INPUT and raw.startswith("/"):
            tokens, key, value = pointer_tokens(raw), _EMPTY, "1"
        elif name.startswith("/"):
            tokens, key, value = pointer_tokens(name), _LEAF, raw
        else:
            continue
        if any(token.startswith("__i") and token.endswith("__") for token in tokens):
            continue  # an input of a blank row template
        _insert(trie, tokens, key, value)
    built = _read_object(schema, trie)
    return built if isinstance(built, dict) else {}


# Keys of the parse trie that no JSON member can collide with (member names never hold a NUL here: the
# pointer tokens come from input names, and a NUL in an input name is not something a form sends).
_LEAF = "\x00value"
_EMPTY = "\x00empty"


def _insert(trie: dict[str, Any], tokens: list[str], key: str, value: str) -> None:
    node = trie
    for token in tokens:
        child = node.get(token)
        if not isinstance(child, dict):
            child = {}
            node[token] = child
        node = child
    node[key] = value


def _read(schema: Mapping[str, Any], trie: dict[str, Any]) -> Any:
    kind = _type_of(schema)
    if _LEAF in trie and (kind in {"object", "array"} or not schema):
        # Shown as raw JSON: the schema expects a structure but the data held something else.
        return _read_json(trie[_LEAF])
    if kind == "object" and isinstance(schema.get("properties"), Mapping):
        return _read_object(schema, trie)
    if kind == "array":
        return _read_array(_items_of(schema), trie)
    if _LEAF not in trie:
        return _read_unknown(trie)
    return _convert(schema, trie[_LEAF])


def _read_object(schema: Mapping[str, Any], trie: dict[str, Any]) -> Any:
    properties = schema.get("properties", {})
    result: dict[str, Any] = {}
    for name, child in properties.items():
        if name in trie and isinstance(child, Mapping):
            value = _read(child, trie[name])
            if value is not _MISSING:
                result[name] = value
    for name, sub in trie.items():
        if name not in {_LEAF, _EMPTY} and name not in properties:
            value = _read_unknown(sub)
            if value is not _MISSING:
                result[name] = value
    return result if result else _MISSING


def _read_array(items: Mapping[str, Any], trie: dict[str, Any]) -> Any:
    indexes = sorted((int(token), token) for token in trie if token.isdigit())
    result = [value for _n, token in indexes if (value := _read(items, trie[token])) is not _MISSING]
    # No rows: an explicit "none" (the empty list, e.g. no substances of concern) or simply not given.
    return result if result or _EMPTY in trie else _MISSING


def _read_unknown(trie: dict[str, Any]) -> Any:
    """Inputs the schema does not describe: raw JSON fields the form showed for unknown members."""
    if _LEAF in trie:
        return _read_json(trie[_LEAF])
    result = {
        name: value
        for name, sub in trie.items()
        if name != _EMPTY and isinstance(sub, dict) and (value := _read_unknown(sub)) is not _MISSING
    }
    return result if result else _MISSING


def _read_json(raw: str) -> Any:
    text = raw.strip()
    if not text:
        return _MISSING
    try:
        return json.loads(text)
    except ValueError:
        return text


def _convert(schema: Mapping[str, Any], raw: str) -> Any:
    text = raw.strip()
    if not text:
        return _MISSING
    kind = _type_of(schema)
    enum = schema.get("enum")
    if isinstance(enum, list) and text not in enum:
        # An enum of numbers or booleans: the select sent the JSON text of the option.
        for option in enum:
            if not isinstance(option, str) and _as_text(option) == text:
                return option
    if kind in {"number", "integer"} and _NUMBER.match(text):
        if not any(mark in text for mark in ".eE"):
            return int(text)
        number = float(text)
        if math.isfinite(number):
            return number
    if kind == "boolean" and text in {"true", "false"}:
        return text == "true"
    # Text areas send Windows line breaks; store the line breaks people see.
    return raw.replace("\r\n", "\n").strip()

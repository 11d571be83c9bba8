"""Passport data laid out for the public page: sections and rows named by the schema's titles.

The page shows what the schema describes and nothing else (the data is already rendered for the viewer's tier
by ``passports.tiers.render_for_tier``): each object is a section titled with the schema's ``title`` (or
``x-title-ko`` on Korean pages), each value a row with its unit, each item of a list of objects a numbered
sub-section. Top-level sections carry the member name as anchor, so a credential can link to
``<passport URL>#material_composition``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from exporters.reports.fields import format_value
from exporters.reports.labels import Lang


@dataclass
class Row:
    label: str
    value: str
    link: str | None = None


@dataclass
class Section:
    title: str
    anchor: str = ""
    rows: list[Row] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def _title(node: Mapping[str, Any], name: str, lang: Lang) -> str:
    korean = node.get("x-title-ko")
    if lang == "ko" and isinstance(korean, str) and korean:
        return korean
    title = node.get("title")
    return title if isinstance(title, str) and title else name.replace("_", " ").capitalize()


def _is_object(node: Mapping[str, Any]) -> bool:
    return isinstance(node.get("properties"), Mapping)


def _item_schema(node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    items = node.get("items")
    return items if isinstance(items, Mapping) and _is_object(items) else None


def _row(node: Mapping[str, Any], name: str, value: Any, lang: Lang) -> Row:
    unit = node.get("x-unit") if isinstance(node.get("x-unit"), str) else None
    text = format_value(value, unit, lang)
    link = value if isinstance(value, str) and value.startswith("https://") and " " not in value else None
    return Row(_title(node, name, lang), text, link)


def _section(node: Mapping[str, Any], value: Mapping[str, Any], title: str, anchor: str, lang: Lang) -> Section:
    section = Section(title=title, anchor=anchor)
    for name, child in node["properties"].items():
        if name not in value or not isinstance(child, Mapping):
            continue
        member = value[name]
        if _is_object(child) and isinstance(member, Mapping):
            section.sections.append(_section(child, member, _title(child, name, lang), "", lang))
        elif (items := _item_schema(child)) is not None and isinstance(member, list):
            label = _title(child, name, lang)
            for number, item in enumerate(member, start=1):
                if isinstance(item, Mapping):
                    section.sections.append(_section(items, item, f"{label} {number}", "", lang))
        elif member not in (None, "", []):
            section.rows.append(_row(child, name, member, lang))
    return section


def data_sections(schema: Mapping[str, Any], data: Mapping[str, Any], lang: Lang) -> list[Section]:
    """The top-level sections of ``data`` in schema order; top-level values outside objects form one section."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return []
    sections: list[Section] = []
    loose = Section(title=_title(schema, "", lang), anchor="general")
    for name, child in properties.items():
        if name not in data or not isinstance(child, Mapping):
            continue
        value = data[name]
        if _is_object(child) and isinstance(value, Mapping):
            sections.append(_section(child, value, _title(child, name, lang), name, lang))
        elif (items := _item_schema(child)) is not None and isinstance(value, list):
            wrapper = Section(title=_title(child, name, lang), anchor=name)
            for number, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    wrapper.sections.append(_section(items, item, f"{wrapper.title} {number}", "", lang))
            if wrapper.sections:
                sections.append(wrapper)
        elif value not in (None, "", []):
            loose.rows.append(_row(child, name, value, lang))
    return ([loose] if loose.rows else []) + sections

"""The CBAM communication as JSON and XML files, each checked against the schema we publish for it.

``schemas/cbam-communication-1.0.schema.json`` (JSON Schema 2020-12) is the one description of the format;
the XML form mirrors it member for member (objects become elements with child elements of the same names,
arrays an element holding one singular-named element per item) and ``schemas/cbam-communication-1.0.xsd``
describes it for XML tools. Every file we write is validated before it leaves: the JSON directly, the XML
by reading it back through the same JSON Schema, so the two forms cannot drift apart.
Plain Python, no Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET  # the stdlib's customary short name

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
JSON_SCHEMA_PATH = SCHEMA_DIR / "cbam-communication-1.0.schema.json"
XSD_PATH = SCHEMA_DIR / "cbam-communication-1.0.xsd"
NAMESPACE = "urn:dpp-platform:cbam-communication:1.0"
ROOT = "cbam_communication"
ITEM_NAMES = {
    "goods": "good",
    "precursors": "precursor",
    "qualifying_parameters": "qualifying_parameter",
    "carbon_price_due": "carbon_price",
    "goods_without_default": "cn_code",
    "monitoring_approaches": "monitoring_approach",
}


class CommunicationInvalidError(ValueError):
    """A communication we built does not match our published schema; ``problems`` say where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(JSON_SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json_schema(), format_checker=FormatChecker())


def schema_problems(document: Any) -> list[str]:
    """Every way ``document`` departs from the JSON Schema, as "/pointer: message" lines (empty when valid)."""
    problems = []
    for error in _validator().iter_errors(document):
        pointer = "".join(f"/{part}" for part in error.absolute_path)
        problems.append(f"{pointer or '/'}: {error.message}")
    return sorted(problems)


def check_communication(document: Any) -> None:
    problems = schema_problems(document)
    if problems:
        raise CommunicationInvalidError(problems)


def to_json(document: Mapping[str, Any]) -> bytes:
    """The communication as UTF-8 JSON (Korean text kept readable), validated first."""
    check_communication(document)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if isinstance(value, Mapping):
        for key, member in value.items():
            if member is not None:
                _append(element, key, member)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_NAMES[name], item)
    else:
        element.text = _text(value)


def to_xml(document: Mapping[str, Any]) -> bytes:
    """The communication as XML in our namespace, validated by reading it back through the JSON Schema."""
    check_communication(document)
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}{ROOT}")
    for key, value in document.items():
        if value is not None:
            _append(root, key, value)
    ET.indent(root)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    if from_xml(xml) != document:
        raise CommunicationInvalidError(["the XML does not read back to the same communication"])
    return xml


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = json_schema()["$defs"][reference.removeprefix("#/$defs/")]
        return resolved
    return node


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _typed(text: str, node: Mapping[str, Any]) -> Any:
    kind = node.get("type")
    if kind == "integer":
        return int(text)
    if kind == "number":
        return int(text) if text.lstrip("-").isdigit() else float(text)
    if kind == "boolean":
        return text == "true"
    return text


def _read(element: ET.Element, node: Mapping[str, Any]) -> Any:
    node = _resolve(node)
    if node.get("type") == "object":
        properties = node.get("properties", {})
        return {_local(child.tag): _read(child, properties.get(_local(child.tag), {})) for child in element}
    if node.get("type") == "array":
        return [_read(child, node.get("items", {})) for child in element]
    return _typed(element.text or "", node)


def from_xml(xml: bytes) -> dict[str, Any]:
    """Read a communication back from our XML, typing each value as the JSON Schema says."""
    # Our own output, or a file an operator hands back; the stdlib parser expands no external entities.
    root = ET.fromstring(xml)  # noqa: S314
    if root.tag != f"{{{NAMESPACE}}}{ROOT}":
        raise ValueError(f"not a CBAM communication: root element {root.tag}")
    document: dict[str, Any] = _read(root, json_schema())
    return document

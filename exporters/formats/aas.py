"""A passport version as an Asset Administration Shell (AAS v3.0), built with the Eclipse BaSyx Python SDK.

Catena-X partners and many EU battery-passport systems exchange AAS, not W3C credentials. The shell describes the
passport's product: its ``globalAssetId`` is the passport's GS1 Digital Link (the identifier the QR code, the
credential and the resolver carry), and its specific asset ids are the same GTIN, batch, serial and, for
batteries, the unit identifier and the Battery Pass URN (``DigitalLink.urn``): one identity in every output.

Submodels: a battery passport gives one submodel per Battery Pass 1.2.0 sub-model, from the same mapping as the
Battery Pass export (``exporters.formats.batterypass``), each with the consortium's SAMM aspect URN as its semantic
id. The IDTA battery passport submodel templates (IDTA 02035) derive from that model but are not shipped here, so the
semantic ids are the Battery Pass URNs they cite. Other passports give one submodel holding their data as it is.
What the Battery Pass model could not hold is kept in a ``NotMapped`` collection, never dropped.

JSON objects become collections, arrays lists, and numbers, booleans and strings typed properties; a JSON member
name that is no valid idShort (AAS Part 1, Constraint AASd-002: a letter first, then letters, digits, ``_``, ``-``)
is written with ``_`` for each other character and an ``x`` in front when it starts with no letter.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from basyx.aas import model
from basyx.aas.adapter import aasx
from basyx.aas.adapter.json import write_aas_json_file

from exporters.formats.batterypass import SUBMODELS, VERSION, to_battery_pass
from passports.identifiers import DigitalLink

AASX_MEDIA_TYPE = "application/asset-administration-shell-package+xml"
SAMM_URN = "urn:samm:io.BatteryPass.{name}:" + VERSION + "#{name}"
_ID_SHORT_OTHER = re.compile(r"[^A-Za-z0-9_-]")


def id_short(name: str) -> str:
    """``name`` as an idShort (Constraint AASd-002); unchanged when it already is one."""
    text = _ID_SHORT_OTHER.sub("_", name) or "x"
    if not text[0].isalpha():
        text = "x" + text
    if text.endswith("-"):
        text += "_"
    return text


def _reference(value: str) -> model.ExternalReference:
    return model.ExternalReference((model.Key(model.KeyTypes.GLOBAL_REFERENCE, value),))


def _value_type(value: Any) -> type:
    if isinstance(value, bool):
        return bool
    if isinstance(value, int):
        return model.datatypes.Long
    if isinstance(value, float):
        return float
    return str


def _property(name: str | None, value: Any) -> model.Property:
    kind = _value_type(value)
    return model.Property(id_short=name, value_type=kind, value=kind(value) if kind is not str else str(value))


def _element(name: str | None, value: Any) -> model.SubmodelElement | None:
    """One JSON value as a submodel element; ``name`` is None inside a list (AASd-120: list items have no idShort)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        children = [_element(id_short(str(key)), member) for key, member in value.items()]
        return model.SubmodelElementCollection(id_short=name, value=[c for c in children if c is not None])
    if isinstance(value, list):
        return _list(name, [item for item in value if item is not None])
    return _property(name, value)


def _list(name: str | None, values: list[Any]) -> model.SubmodelElementList[Any]:
    """A JSON array as a list of one element type (AASd-108/109): typed properties, else collections."""
    items = [element for element in (_element(None, item) for item in values) if element is not None]
    if items and all(isinstance(item, model.Property) for item in items):
        kinds = {item.value_type for item in items if isinstance(item, model.Property)}
        if len(kinds) > 1:  # mixed scalars: each as text, so the list keeps one value type
            items = [_property(None, str(item)) for item in values]
            kinds = {str}
        return model.SubmodelElementList(
            id_short=name, type_value_list_element=model.Property, value_type_list_element=kinds.pop(), value=items
        )
    collections = [item if isinstance(item, model.SubmodelElementCollection) else _wrap(item) for item in items]
    return model.SubmodelElementList(
        id_short=name, type_value_list_element=model.SubmodelElementCollection, value=collections
    )


def _wrap(item: model.SubmodelElement) -> model.SubmodelElementCollection:
    """A list of collections holding a nested list: the inner list goes into a collection of its own."""
    item.id_short = "value"
    return model.SubmodelElementCollection(id_short=None, value=[item])


def _submodel(submodel_id: str, name: str, content: Mapping[str, Any], semantic: str | None) -> model.Submodel:
    elements = [_element(id_short(str(key)), value) for key, value in content.items()]
    return model.Submodel(
        id_=submodel_id,
        id_short=id_short(name),
        semantic_id=_reference(semantic) if semantic else None,
        submodel_element=[e for e in elements if e is not None],
    )


def passport_shell(
    *, identifier: str, category: str, granularity: str, version: int, data: Mapping[str, Any]
) -> model.DictIdentifiableStore[model.Identifiable]:
    """The shell and submodels of one passport version (``data``: the tier's view of it) in one object store."""
    link = DigitalLink.parse(identifier)
    specific = [model.SpecificAssetId(name="gtin", value=link.gtin)]
    if link.lot is not None:
        specific.append(model.SpecificAssetId(name="batchId", value=link.lot))
    if link.serial is not None:
        specific.append(model.SpecificAssetId(name="serialNumber", value=link.serial))
    submodels: list[model.Submodel] = []
    if category == "battery":
        exported = to_battery_pass(data, identifier=identifier)
        info = exported.submodels["GeneralProductInformation"]
        urn = info["batteryPassportIdentifier"]
        specific.append(model.SpecificAssetId(name="batteryPassportIdentifier", value=urn))
        if isinstance(info.get("productIdentifier"), str):
            specific.append(model.SpecificAssetId(name="productIdentifier", value=info["productIdentifier"]))
        for name in SUBMODELS:
            submodels.append(
                _submodel(f"{identifier}/aas/{name}", name, exported.submodels[name], SAMM_URN.format(name=name))
            )
        if exported.not_mapped:
            not_mapped = [{"pointer": item.pointer, "reason": item.reason} for item in exported.not_mapped]
            submodels.append(_submodel(f"{identifier}/aas/NotMapped", "NotMapped", {"items": not_mapped}, None))
    else:
        submodels.append(_submodel(f"{identifier}/aas/PassportData", "PassportData", data, None))
    shell = model.AssetAdministrationShell(
        id_=f"{identifier}/aas",
        id_short=id_short(f"Passport_{link.gtin}"),
        administration=model.AdministrativeInformation(version=str(version)),
        asset_information=model.AssetInformation(
            asset_kind=model.AssetKind.TYPE if granularity == "model" else model.AssetKind.INSTANCE,
            global_asset_id=identifier,
            specific_asset_id=specific,
        ),
        submodel={model.ModelReference.from_referable(submodel) for submodel in submodels},
    )
    return model.DictIdentifiableStore([shell, *submodels])


def shell_json(store: model.DictIdentifiableStore[model.Identifiable]) -> bytes:
    """The AAS JSON serialisation (AAS Part 2 environment: shells, submodels, concept descriptions)."""
    buffer = io.StringIO()
    write_aas_json_file(buffer, store)
    return buffer.getvalue().encode("utf-8")


def shell_aasx(store: model.DictIdentifiableStore[model.Identifiable]) -> bytes:
    """The AASX package (AAS Part 5, OPC container) holding the same environment as JSON."""
    buffer = io.BytesIO()
    shells = [item.id for item in store if isinstance(item, model.AssetAdministrationShell)]
    with aasx.AASXWriter(buffer, failsafe=False) as writer:
        writer.write_aas(shells, store, aasx.DictSupplementaryFileContainer(), write_json=True)
    return buffer.getvalue()

"""What we require of a partner's PACT answers before using them: the parts of the v2.3 and v3.0
``ProductFootprint`` models a buyer's footprint reads, as JSON Schema (written for this purpose from the
specifications' field tables; the full OpenAPI files are checked against our own output in the tests).
"""

from __future__ import annotations

from typing import Any, Final

import jsonschema_rs

DECIMAL: Final = {"type": "string", "pattern": r"^[+-]?\d+(\.\d+)?$"}
NON_NEGATIVE: Final = {"type": "string", "pattern": r"^[+]?\d+(\.\d+)?$"}
URN_LIST: Final = {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[uU][rR][nN]:"}}
COMMON: Final = {
    "id": {"type": "string", "format": "uuid"},
    "specVersion": {"type": "string"},
    "status": {"enum": ["Active", "Deprecated"]},
    "companyName": {"type": "string", "minLength": 1},
    "companyIds": URN_LIST,
    "productIds": URN_LIST,
}

PRODUCT_FOOTPRINT: Final[dict[str, dict[str, Any]]] = {
    "2": {
        "type": "object",
        "required": ["id", "specVersion", "version", "status", "companyName", "companyIds", "productIds", "pcf"],
        "properties": {
            **COMMON,
            "specVersion": {"type": "string", "pattern": r"^2\.\d+\.\d+"},
            "version": {"type": "integer", "minimum": 0},
            "pcf": {
                "type": "object",
                "required": ["declaredUnit", "unitaryProductAmount", "pCfExcludingBiogenic"],
                "properties": {
                    "declaredUnit": {"type": "string"},
                    "unitaryProductAmount": DECIMAL,
                    "pCfExcludingBiogenic": NON_NEGATIVE,
                    "dLucGhgEmissions": NON_NEGATIVE,
                    "biogenicCarbonWithdrawal": DECIMAL,
                },
            },
        },
    },
    "3": {
        "type": "object",
        "required": ["id", "specVersion", "status", "companyName", "companyIds", "productIds", "pcf"],
        "properties": {
            **COMMON,
            "specVersion": {"type": "string", "pattern": r"^3\.\d+\.\d+"},
            "pcf": {
                "type": "object",
                "required": [
                    "declaredUnitOfMeasurement",
                    "declaredUnitAmount",
                    "pcfExcludingBiogenicUptake",
                    "ipccCharacterizationFactors",
                ],
                "properties": {
                    "declaredUnitOfMeasurement": {"type": "string"},
                    "declaredUnitAmount": NON_NEGATIVE,
                    "pcfExcludingBiogenicUptake": DECIMAL,
                    "landUseChangeGhgEmissions": NON_NEGATIVE,
                    "biogenicCO2Uptake": DECIMAL,
                    "ipccCharacterizationFactors": {"type": "array", "minItems": 1},
                },
            },
        },
    },
}


class ContractError(ValueError):
    """A partner's answer we cannot use; the message names the JSON Pointer and the rule."""


_validators: dict[str, Any] = {}


def _validator(version: str) -> Any:
    if version not in _validators:
        data: dict[str, Any] = {"type": "array", "items": PRODUCT_FOOTPRINT[version]}
        schema = {"type": "object", "required": ["data"], "properties": {"data": data}}
        _validators[version] = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return _validators[version]


def check_list_body(body: Any, *, version: str) -> None:
    """Raise ``ContractError`` unless ``body`` is ``{"data": [ProductFootprint...]}`` of that version."""
    errors = list(_validator(version).iter_errors(body))
    if errors:
        first = errors[0]
        pointer = "/" + "/".join(str(p) for p in first.instance_path)
        raise ContractError(f"{pointer}: {first.message}")

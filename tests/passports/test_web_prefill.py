"""A new model passport starts with the product record's facts (``passports.web.prefill``); no database."""

from __future__ import annotations

from passports.schema_files import load_schema
from passports.web.prefill import product_prefill


def test_the_battery_schema_gets_gtin_cn_code_and_model() -> None:
    draft = product_prefill(
        load_schema("battery", "1.0"),
        {"gtin": "08801234000017", "cn_code": "85076000", "battery_model": "P96", "product_name": "unused"},
    )
    assert draft == {
        "general_product_information": {"gtin": "08801234000017", "battery_model": "P96", "cn_code": "85076000"}
    }


def test_espr_schemas_get_the_product_name_and_empty_facts_are_skipped() -> None:
    draft = product_prefill(load_schema("textile", "1.0"), {"gtin": "", "product_name": "Organic T-shirt"})
    assert draft == {"product_identification": {"product_name": "Organic T-shirt"}}


def test_arrays_are_never_filled() -> None:
    schema = {
        "type": "object",
        "properties": {
            "rows": {"type": "array", "items": {"type": "object", "properties": {"gtin": {"type": "string"}}}}
        },
    }
    assert product_prefill(schema, {"gtin": "1"}) == {}

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


class _Org:
    name, country, address, website = "Hanbit Energy", "KR", "123 Ochang-ro, Cheongju", "https://hanbit.example"
    gln, lei, kr_brn, eori = "", "5493001KJTIIGC8Y1R12", "1234567890", ""


class _Plant:
    country, address = "KR", "45 Sandan-gil, Ochang"


def test_the_manufacturer_comes_from_the_profile_and_the_place_from_the_facility() -> None:
    from passports.web.prefill import maker_facts

    link = "https://dpp.example/01/08801234000017"
    facts = maker_facts(organization=_Org(), facility=_Plant(), identifier=link)
    info = product_prefill(load_schema("battery", "1.0"), facts)["general_product_information"]
    assert info["manufacturer_information"] == {
        "identifier": "5493001KJTIIGC8Y1R12",  # the LEI: the profile has no GLN
        "name": "Hanbit Energy",
        "postal_address": {"street_address": "123 Ochang-ro, Cheongju", "address_country": "KR"},
        "web_address": "https://hanbit.example",
    }
    assert info["manufacturing_place"] == {"street_address": "45 Sandan-gil, Ochang", "address_country": "KR"}
    assert "battery_passport_identifier" not in info  # written on save by passports.services.identity
    textile = product_prefill(load_schema("textile", "1.0"), facts)
    assert textile["manufacturer"]["name"] == "Hanbit Energy"
    assert textile["product_identification"]["unique_product_identifier"] == link


def test_without_a_facility_or_an_address_nothing_is_made_up() -> None:
    from passports.web.prefill import maker_facts

    org = _Org()
    org.address = ""
    info = product_prefill(load_schema("battery", "1.0"), maker_facts(organization=org, facility=None, identifier=""))[
        "general_product_information"
    ]
    assert "manufacturing_place" not in info
    assert info["manufacturer_information"]["postal_address"] == {"address_country": "KR"}

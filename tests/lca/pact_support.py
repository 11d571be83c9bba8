"""Shared by the PACT tests: the published OpenAPI files as validators, and footprints made through the
services."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lca.pact.mapping import PactFacts
from lca.pact.models import PactFootprint
from lca.pact.services import facts_for_product, pact_footprint_publish
from passports.models import Organization, Product
from tests.factories import ProductFactory

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "pact"


def reference(version: str) -> Path:
    folder = REFERENCE / f"v{version}"
    if not (folder / "openapi.yaml").exists():
        pytest.skip(f"the PACT v{version} reference files are not in {REFERENCE} (the shared/ sibling folder)")
    return folder


@functools.cache
def _spec(version: str) -> dict[str, Any]:
    return yaml.safe_load((reference(version) / "openapi.yaml").read_text())


def validator(version: str, pointer: str) -> jsonschema.Draft202012Validator:
    """A validator for the schema at ``pointer`` in the version's OpenAPI file, its $refs resolved there."""
    registry = Registry().with_resource("urn:pact-spec", Resource.from_contents(_spec(version), DRAFT202012))
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:pact-spec#{pointer}"}, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def response_pointer(version: str, path: str, method: str, status: int) -> str | None:
    """JSON Pointer of the response body schema the specification declares, None if it declares none."""
    spec = _spec(version)
    response = spec["paths"][path][method]["responses"][str(status)]
    while "$ref" in response:
        target: Any = spec
        for part in response["$ref"].lstrip("#/").split("/"):
            target = target[part]
        if "content" not in target and "$ref" not in target:
            return None
        if "content" in target:
            pointer = response["$ref"].lstrip("#") + "/content/application~1json/schema"
            return pointer
        response = target
    if "content" not in response:
        return None
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/{method}/responses/{status}/content/application~1json/schema"


def assert_conforms(version: str, path: str, method: str, response: Any) -> Any:
    """The response's status is one the specification lists and its body matches the declared schema."""
    spec = _spec(version)
    assert str(response.status_code) in spec["paths"][path][method]["responses"], response.status_code
    pointer = response_pointer(version, path, method, response.status_code)
    if pointer is None:
        assert response.content == b""
        return None
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(version, pointer).iter_errors(body)]
    assert not errors, errors
    return body


def make_facts(product: Product, *, total: str = "12.5", unit: str = "kg", cpc: str = "46410") -> PactFacts:
    return facts_for_product(
        product=product,
        declared_unit=unit,
        pcf_excluding_biogenic=Decimal(total),
        pcf_including_biogenic=Decimal(total) - Decimal("0.5"),
        luc_ghg=Decimal("0.25"),
        primary_data_share=Decimal("40"),
        cpc_code=cpc,
        reference_period=(datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)),
    )


def publish(org: Organization, product: Product | None = None, **options: Any) -> PactFootprint:
    product = product or ProductFactory(organization=org)
    return pact_footprint_publish(org=org, product=product, facts=make_facts(product, **options))

"""The column-by-column activity import against a row-by-row oracle, on 10,000 generated rows with faults.

The import judges a chunk column by column (``lca.imports.ActivityRows.plan_chunk``): cells converted by
vectorised kernels, field rules by masks or once per distinct value, lookups by hash joins, cross-field rules
once per combination. The oracle below does what that replaces, one row at a time and in the plainest way:
each cell through ``columns.convert``, each value through its model field's ``clean``, each product and factor
looked up by its text, each surviving row through ``lca.services.activity_check`` on an ``ActivityData``
instance, and natural keys counted in a dictionary. Both must accept the same rows, store the same values
and say the same words (English and Korean) about the same cells of the same rows.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation

from lca.imports import ACTIVITY_NODES
from passports.imports.columns import CellError, convert
from passports.imports.formats import NumberFormat
from passports.imports.services import import_job_create, import_job_run
from passports.models import Product
from tests.factories import ProductFactory, gtin_from

lca_models = pytest.importorskip("lca.models", reason="the LCA app's models are not installed")
lca_services = pytest.importorskip("lca.services", reason="the LCA app's services are not installed")

pytestmark = pytest.mark.django_db

ROWS = 10_000
FIELDS = [node.name for node in ACTIVITY_NODES]
FACTOR = "electricity-grid-kr-2021"  # shared open dataset, per kWh
# The fields an activity row sets, and what a row without the cell gets.
SET_FIELDS = ("stage", "process", "amount", "unit", "gas", "primary", "dq_technology", "dq_geography", "dq_time",
              "notes")  # fmt: skip
DEFAULTS: dict[str, Any] = {"amount": None, "primary": False, "dq_technology": None, "dq_geography": None,
                            "dq_time": None}  # fmt: skip
RULE_POINTERS = {"product": "/gtin", "upstream_product": "/upstream_gtin", "factor": "/factor"}

# Cells that break a row (or only look as if they might), by column.
FAULTS: dict[str, list[str]] = {
    "gtin": ["", "08800000000999", "OTHER", "8.80123E+12", " PACK "],
    "stage": ["use_phase", "", " production ", "PRODUCTION"],
    "process": ["", "x" * 201, "  "],
    "amount": ["-1", "abc", "0.0000000000001", "", "1e3", "+2", " 3.25 ", "12345678901234567", "1,234.5", "1.2.3"],
    "unit": ["kgg", "", "kg", "MWh", "m**2"],
    "factor": ["no-such-factor", ""],
    "upstream_gtin": ["CELL", "OTHER", "08800000000999"],
    "gas": ["CO2_fossil", "SF9", "N2O"],
    "primary": ["maybe", "yes", "TRUE", "0", ""],
    "dq_technology": ["", "4", "x", "0", "2.5"],
    "dq_geography": ["", "3"],
    "dq_time": ["", "-1"],
    "notes": ["a\tb", 'say "hi", then', "y" * 20, "=1+1"],
}


def _rows(rng: random.Random, gtins: dict[str, str]) -> list[list[str]]:
    """Valid rows of the three kinds of source, a few processes (so keys repeat: updates), and faults in about
    a third of them, one to three cells each."""
    rows = []
    for n in range(ROWS):
        source = rng.choice(("factor", "factor", "gas", "upstream"))
        row = {
            "gtin": gtins["PACK"],
            "stage": rng.choice(("raw_material", "production", "distribution")),
            "process": f"process {rng.randrange(40)}",
            "amount": f"{rng.randrange(0, 10**6) / 1000:.3f}",
            "unit": {"factor": "kWh", "gas": "kg", "upstream": "piece"}[source],
            "factor": FACTOR if source == "factor" else "",
            "upstream_gtin": gtins["CELL"] if source == "upstream" else "",
            "gas": "CO2_fossil" if source == "gas" else "",
            "primary": rng.choice(("true", "false", "")),
            "dq_technology": "",
            "dq_geography": "",
            "dq_time": "",
            "notes": f"row {n}",
        }
        if rng.random() < 0.5:
            row.update(dq_technology=str(rng.randint(1, 3)), dq_geography=str(rng.randint(1, 3)), dq_time="1")
        if rng.random() < 0.35:
            for name in rng.sample(sorted(FAULTS), rng.randint(1, 3)):
                cell = rng.choice(FAULTS[name])
                row[name] = gtins.get(cell.strip(), cell) if name in ("gtin", "upstream_gtin") else cell
        rows.append([row[name] for name in FIELDS])
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    writer.writerows(rows)
    return out.getvalue().encode()


# --------------------------------------------------------------------------------------------------
# The oracle: one row at a time


def _messages(exc: ValidationError) -> tuple[str, str]:
    texts = []
    for language in ("en", "ko"):
        with translation.override(language):
            texts.append(" ".join(str(message) for message in exc.messages))
    return texts[0], texts[1]


def _unknown_product(pointer: str, gtin: str) -> tuple[str, str, str, str]:
    if not gtin:
        return pointer, "required", "A product GTIN is required.", "제품 GTIN은 필수 항목입니다."
    return (
        pointer,
        "unknown_product",
        f"No product with GTIN {gtin} in your organization; import or create the product first.",
        f"조직에 GTIN {gtin} 제품이 없습니다. 먼저 제품을 가져오거나 등록하십시오.",
    )


def _unknown_factor(key: str) -> tuple[str, str, str, str]:
    return (
        "/factor",
        "unknown_factor",
        f"No emission factor with id {key} among the shared factors and your organization's own.",
        f"공용 배출계수와 조직의 배출계수 가운데 ID가 {key}인 배출계수가 없습니다.",
    )


class Oracle:
    """Row-by-row judgement of activity rows: the verdict, the issues and the stored values of a file."""

    def __init__(self, org: Any) -> None:
        self.org = org
        self.products = {product.gtin: product for product in Product.objects.filter(organization=org)}
        self.factors = {factor.key: factor for factor in lca_models.EmissionFactor.objects.visible_to(org)}
        self.numbers = NumberFormat(".")
        self.nodes = {node.name: node for node in ACTIVITY_NODES}

    def row(self, cells: list[str]) -> tuple[dict[str, Any] | None, list[tuple[str, str, str, str]]]:
        """(the row's values, or None when rejected; its issues as (pointer, rule, English, Korean))."""
        issues: list[tuple[str, str, str, str]] = []
        given: dict[str, Any] = {}
        unreadable: set[str] = set()
        for name, cell in zip(FIELDS, cells, strict=True):
            text = cell.strip()
            if not text:
                continue
            node = self.nodes[name]
            try:
                given[name] = convert(text, node, self.numbers, (node.title_en, node.title_ko))
            except CellError as exc:
                issues.append((f"/{name}", "cell_format", exc.message_en, exc.message_ko))
                unreadable.add(name)
        values: dict[str, Any] = {}
        for name in SET_FIELDS:
            if name in unreadable:
                continue
            field = lca_models.ActivityData._meta.get_field(name)
            try:
                values[name] = field.clean(given.get(name, DEFAULTS.get(name, "")), None)
            except ValidationError as exc:
                issues.append((f"/{name}", "invalid", *_messages(exc)))
        product = self.products.get(given.get("gtin", ""))
        if product is None and "gtin" not in unreadable:
            issues.append(_unknown_product("/gtin", given.get("gtin", "")))
        upstream = self.products.get(given["upstream_gtin"]) if "upstream_gtin" in given else None
        if "upstream_gtin" in given and upstream is None:
            issues.append(_unknown_product("/upstream_gtin", given["upstream_gtin"]))
        factor = self.factors.get(given["factor"]) if "factor" in given else None
        if "factor" in given and factor is None:
            issues.append(_unknown_factor(given["factor"]))
        if issues:
            return None, issues
        activity = lca_models.ActivityData(
            organization=self.org, product=product, upstream_product=upstream, factor=factor, **values
        )
        try:
            lca_services.activity_check(activity)
        except ValidationError as exc:
            for name, texts in exc.message_dict.items():
                text = " ".join(texts)
                issues.append((RULE_POINTERS.get(name, f"/{name}"), "invalid", text, text))
            return None, issues
        return {"product_id": product.pk, "upstream_product_id": upstream.pk if upstream else None,
                "factor_id": factor.pk if factor else None, **values}, []  # fmt: skip

    def file(self, rows: list[list[str]]) -> tuple[dict[tuple[Any, ...], tuple[Any, ...]], int, list[Any]]:
        """(stored values by natural key, rows accepted, sorted issues as (row, pointer, rule, en, ko))."""
        stored: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        accepted = 0
        issues = []
        for number, cells in enumerate(rows, start=2):
            values, found = self.row(cells)
            issues += [(number, *issue) for issue in found]
            if values is None:
                continue
            accepted += 1
            stored[_key(values)] = _stored(values)
        return stored, accepted, sorted(issues)


def _key(values: dict[str, Any]) -> tuple[Any, ...]:
    names = ("product_id", "stage", "process", "factor_id", "upstream_product_id", "gas")
    return tuple(values[name] for name in names)


def _stored(values: dict[str, Any]) -> tuple[Any, ...]:
    names = ("amount", "unit", "primary", "dq_technology", "dq_geography", "dq_time", "notes")
    return tuple(Decimal(values[name]) if name == "amount" else values[name] for name in names)


# --------------------------------------------------------------------------------------------------


def test_ten_thousand_rows_with_faults_are_judged_as_the_row_by_row_oracle_judges_them(
    tenant: Any, other_tenant: Any
) -> None:
    pack = ProductFactory(organization=tenant.org, gtin=gtin_from(1))
    cell = ProductFactory(organization=tenant.org, gtin=gtin_from(2))
    other = ProductFactory(organization=other_tenant.org, gtin=gtin_from(3))
    rows = _rows(random.Random(20261207), {"PACK": pack.gtin, "CELL": cell.gtin, "OTHER": other.gtin})
    stored, accepted, issues = Oracle(tenant.org).file(rows)
    assert 4_000 < accepted < ROWS - 2_000  # the faults hit a good share of rows, and many rows pass

    job = import_job_create(
        org=tenant.org, by=tenant.owner, upload=ContentFile(_csv(rows), name="activity.csv"), kind="activity-data",
        mode="commit", policy="valid_rows", chunk_rows=1_000, enqueue=False,
    )  # fmt: skip
    job = import_job_run(job_id=job.pk)

    found = sorted(job.row_errors.values_list("row", "pointer", "rule", "message_en", "message_ko"))
    assert found == issues
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (
        len(stored),
        accepted - len(stored),
        ROWS - accepted,
    )
    written = lca_models.ActivityData.objects.filter(organization=tenant.org)
    assert {_key(row): _stored(row) for row in written.values()} == stored

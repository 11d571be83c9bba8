"""Activity data and bill-of-materials lines, imported with the LCA app's own rules.

Loaded only where the LCA app provides ``ActivityData`` and ``BomLine`` (``kinds._lca_kinds``): the import
layer sits above both apps, like the web and API layers, so ``passports`` proper never depends on ``lca``.

The checks are the ones ``lca.services.activity_create`` and ``bom_line_create`` make, through the same
code: every field through its model field's ``clean`` (choices, units pint can read, non-negative amounts
with at most 12 decimals, ratings 1 to 3), then the cross-field rules of ``lca.services`` (one source of
emissions, a unit the factor can convert, all three ratings or none, a component of the same
organization). What differs is speed, for files of a million rows: a field's verdict on a value is
remembered (validators are functions of the value alone), no model instance is made per row, and new rows
go to PostgreSQL with ``COPY`` (``bulk_create`` elsewhere).

Natural keys: an activity is its product, stage, process and source (factor, upstream product or gas);
a bill-of-materials line is its product, component and stage (the model's unique constraint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone, translation

from lca.models import ActivityData, BomLine, EmissionFactor
from lca.services import _check_activity, _check_bom_line
from passports.imports.columns import Built, ColumnTree, Node
from passports.imports.rows import CREATE, REJECT, UPDATE, Outcome, RunContext, gtin_key, gtin_spellings
from passports.models import Product
from passports.validation import Issue

MEMO_LIMIT = 100_000


class FieldCleaner:
    """``clean`` of one model field, its verdict on each distinct value remembered.

    A value either cleans to the same result or fails with the same messages every time (the validators of
    these fields read nothing but the value), so the second row with ``kWh`` costs a dictionary lookup.
    Amounts, nearly all distinct, skip the memory and run the field's validators directly.
    """

    def __init__(self, field: models.Field[Any, Any], *, remember: bool = True) -> None:
        self.field = field
        self.remember = remember
        self.memo: dict[Any, tuple[Any, tuple[str, str] | None]] = {}

    def __call__(self, value: Any) -> tuple[Any, tuple[str, str] | None]:
        if self.remember:
            found = self.memo.get(value)
            if found is not None:
                return found
        if not self.remember and isinstance(value, Decimal):
            try:
                self.field.run_validators(value)
            except ValidationError as exc:
                return None, _messages(exc)
            return value, None
        try:
            verdict: tuple[Any, tuple[str, str] | None] = (self.field.clean(value, None), None)
        except ValidationError as exc:
            verdict = (None, _messages(exc))
        if self.remember and len(self.memo) < MEMO_LIMIT:
            self.memo[value] = verdict
        return verdict


def _messages(exc: ValidationError) -> tuple[str, str]:
    texts = []
    for language in ("en", "ko"):
        with translation.override(language):
            texts.append(" ".join(str(message) for message in exc.messages))
    return texts[0], texts[1]


def _rule_issues(exc: ValidationError, pointer_of: dict[str, str]) -> list[Issue]:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return [
        Issue(pointer_of.get(name, f"/{name}"), "invalid", " ".join(texts), " ".join(texts), None)
        for name, texts in found.items()
    ]


def _no_product(pointer: str, gtin: str) -> Issue:
    if not gtin:
        return Issue(pointer, "required", "A product GTIN is required.", "제품 GTIN은 필수 항목입니다.", None)
    return Issue(
        pointer,
        "unknown_product",
        f"No product with GTIN {gtin} in your organization; import or create the product first.",
        f"조직에 GTIN {gtin} 제품이 없습니다. 먼저 제품을 가져오거나 등록하십시오.",
        None,
    )


def _products(ctx: RunContext, records: list[Built], *names: str) -> dict[str, Product]:
    wanted = gtin_spellings(str(r.data[name]) for r in records for name in names if r.data.get(name))
    found = Product.objects.filter(organization=ctx.org, gtin__in=wanted).only("id", "gtin", "organization_id")
    return {gtin_key(product.gtin): product for product in found}


def _cleaners(ctx: RunContext, model: type[models.Model], names: Iterable[str], exact: set[str]) -> dict[str, Any]:
    key = f"cleaners:{model._meta.label}"
    if key not in ctx.cache:
        ctx.cache[key] = {
            name: FieldCleaner(model._meta.get_field(name), remember=name not in exact)  # type: ignore[arg-type]
            for name in names
        }
    return ctx.cache[key]


def _copy_or_bulk_create(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows: PostgreSQL ``COPY`` (four times ``bulk_create``'s speed), ``bulk_create`` elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(_column(model, name)) for name in columns)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name} has no column")
    return column


# --------------------------------------------------------------------------------------------------
# Activity data


ACTIVITY_NODES: tuple[Node, ...] = (
    Node("gtin", "Product GTIN", "제품 GTIN", required=True),
    Node("stage", "Lifecycle stage", "수명주기 단계", required=True, description="raw_material, production, ..."),
    Node("process", "Process", "공정", required=True, description="e.g. cell formation"),
    Node("amount", "Amount per declared unit", "선언 단위당 양", type="decimal", required=True),
    Node("unit", "Unit", "단위", required=True, description="kg, kWh, t.km, m**2, piece ..."),
    Node("factor", "Emission factor id", "배출계수 ID", description="one of factor, upstream product or gas"),
    Node("upstream_gtin", "Upstream product GTIN", "상위 제품 GTIN"),
    Node("gas", "Direct emission of", "직접 배출 가스", description="CO2_fossil, CH4_fossil, N2O, ..."),
    Node("primary", "Primary data", "1차 데이터", type="boolean"),
    Node("dq_technology", "Technology rating", "기술 대표성 등급", type="integer", description="1 best to 3"),
    Node("dq_geography", "Geography rating", "지리 대표성 등급", type="integer", description="1 best to 3"),
    Node("dq_time", "Time rating", "시간 대표성 등급", type="integer", description="1 best to 3"),
    Node("notes", "Notes", "비고"),
)

ACTIVITY_EXAMPLE: dict[str, Any] = {
    "gtin": "08801234567893",
    "stage": "production",
    "process": "cell formation",
    "amount": Decimal("12.5"),
    "unit": "kWh",
    "factor": "electricity-grid-kr-2021",
    "primary": True,
    "dq_technology": 1,
    "dq_geography": 1,
    "dq_time": 2,
    "notes": "계량기 실측값",
}

_ACTIVITY_FIELDS = (
    "stage",
    "process",
    "amount",
    "unit",
    "gas",
    "primary",
    "dq_technology",
    "dq_geography",
    "dq_time",
    "notes",
)
_ACTIVITY_UPDATABLE = ("amount", "unit", "primary", "dq_technology", "dq_geography", "dq_time", "notes")
_ACTIVITY_POINTERS = {"product": "/gtin", "upstream_product": "/upstream_gtin", "factor": "/factor"}
_ACTIVITY_COLUMNS = [
    "organization_id",
    "product_id",
    "stage",
    "process",
    "amount",
    "unit",
    "factor_id",
    "upstream_product_id",
    "gas",
    "primary",
    "dq_technology",
    "dq_geography",
    "dq_time",
    "notes",
    "created_at",
    "updated_at",
]


class ActivityRows:
    """Activity data by product, stage, process and source; new rows copied in, known ones updated."""

    def plan(self, ctx: RunContext, records: list[Built]) -> tuple[list[Outcome], Any]:
        cleaners = _cleaners(ctx, ActivityData, _ACTIVITY_FIELDS, exact={"amount"})
        factors = self._factors(ctx)
        products = _products(ctx, records, "gtin", "upstream_gtin")
        existing = self._existing(ctx, products.values())
        outcomes: list[Outcome] = []
        creates: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        updates: dict[int, dict[str, Any]] = {}
        now = timezone.now()
        for record in records:
            values, issues = self._values(ctx, record, cleaners, factors, products)
            if issues:
                outcomes.append(Outcome(record, REJECT, _shown(record), issues))
                continue
            key = (values["product"].pk, values["stage"], values["process"], values["factor_id"],
                   values["upstream_id"], values["gas"])  # fmt: skip
            stored = existing.get(key)
            known = stored is not None or key in creates or key in ctx.virtual
            if stored is not None:
                updates[stored] = {name: values[name] for name in _ACTIVITY_UPDATABLE if name in values}
            elif not ctx.write:
                ctx.virtual[key] = True
            else:
                creates[key] = self._row(ctx, values, now)
            outcomes.append(Outcome(record, UPDATE if known else CREATE, _shown(record)))
        return outcomes, (list(creates.values()), updates)

    def apply(self, ctx: RunContext, payload: Any) -> None:
        creates, updates = payload
        _copy_or_bulk_create(ActivityData, _ACTIVITY_COLUMNS, creates)
        if updates:
            now = timezone.now()
            fields = sorted({name for change in updates.values() for name in change})
            rows = [ActivityData(pk=pk, updated_at=now, **change) for pk, change in updates.items()]
            ActivityData.objects.bulk_update(rows, [*fields, "updated_at"], batch_size=1000)

    def _factors(self, ctx: RunContext) -> dict[str, EmissionFactor]:
        if "factors" not in ctx.cache:
            found: dict[str, EmissionFactor] = {}
            for factor in EmissionFactor.objects.visible_to(ctx.org).order_by("organization_id"):
                if factor.key not in found or factor.organization_id is not None:
                    found[factor.key] = factor  # the organization's own factor wins over the shared one
            ctx.cache["factors"] = found
        return ctx.cache["factors"]

    def _existing(self, ctx: RunContext, products: Iterable[Product]) -> dict[tuple[Any, ...], int]:
        rows = ActivityData.objects.filter(organization=ctx.org, product__in=list(products)).values_list(
            "product_id", "stage", "process", "factor_id", "upstream_product_id", "gas", "pk"
        )
        return {tuple(row[:6]): row[6] for row in rows}

    def _values(
        self,
        ctx: RunContext,
        record: Built,
        cleaners: dict[str, FieldCleaner],
        factors: dict[str, EmissionFactor],
        products: dict[str, Product],
    ) -> tuple[dict[str, Any], list[Issue]]:
        data = record.data
        issues = list(record.issues)
        failed = {issue.pointer for issue in issues}
        values: dict[str, Any] = {}
        for name in _ACTIVITY_FIELDS:
            given = name in data or name in ctx.header_keys or name in _REQUIRED_OR_DEFAULTED
            if f"/{name}" in failed or not given:
                continue
            value, error = cleaners[name](data.get(name, _ACTIVITY_DEFAULTS.get(name, "")))
            if error is not None:
                issues.append(Issue(f"/{name}", "invalid", error[0], error[1], None))
            values[name] = value
        gtin = gtin_key(str(data.get("gtin") or ""))
        product = products.get(gtin)
        if product is None:
            issues.append(_no_product("/gtin", gtin))
        upstream = None
        if data.get("upstream_gtin"):
            upstream = products.get(gtin_key(str(data["upstream_gtin"])))
            if upstream is None:
                issues.append(_no_product("/upstream_gtin", str(data["upstream_gtin"])))
        factor = None
        if data.get("factor"):
            factor = factors.get(str(data["factor"]))
            if factor is None:
                issues.append(_unknown_factor(str(data["factor"])))
        if issues:
            return values, issues
        values.update(product=product, upstream=upstream, factor=factor)
        values["factor_id"] = factor.pk if factor else None
        values["upstream_id"] = upstream.pk if upstream else None
        return values, self._rules(ctx, values)

    def _rules(self, ctx: RunContext, values: dict[str, Any]) -> list[Issue]:
        """``lca.services._check_activity`` on the row, its verdict remembered per combination it reads."""
        factor, upstream = values["factor"], values["upstream"]
        signature = (
            values["product"].organization_id,
            upstream.organization_id if upstream else None,
            factor.pk if factor else None,
            values["gas"],
            values["unit"],
            values.get("dq_technology"),
            values.get("dq_geography"),
            values.get("dq_time"),
        )
        memo = ctx.cache.setdefault("activity_rules", {})
        if signature not in memo:
            candidate = SimpleNamespace(
                organization=ctx.org,
                organization_id=ctx.org.pk,
                product=values["product"],
                upstream_product=upstream,
                factor=factor,
                unit=values["unit"],
                gas=values["gas"],
                dq_technology=values.get("dq_technology"),
                dq_geography=values.get("dq_geography"),
                dq_time=values.get("dq_time"),
            )
            try:
                _check_activity(candidate)  # type: ignore[arg-type]
                memo[signature] = []
            except ValidationError as exc:
                memo[signature] = _rule_issues(exc, _ACTIVITY_POINTERS)
        return list(memo[signature])

    def _row(self, ctx: RunContext, values: dict[str, Any], now: dt.datetime) -> tuple[Any, ...]:
        return (
            ctx.org.pk,
            values["product"].pk,
            values["stage"],
            values["process"],
            values["amount"],
            values["unit"],
            values["factor_id"],
            values["upstream_id"],
            values["gas"],
            values.get("primary", False),
            values.get("dq_technology"),
            values.get("dq_geography"),
            values.get("dq_time"),
            values.get("notes", ""),
            now,
            now,
        )


# Fields every new activity row has, given or not: the required ones fail as blank, the others default.
_REQUIRED_OR_DEFAULTED = {"stage", "process", "amount", "unit", "gas"}
_ACTIVITY_DEFAULTS: dict[str, Any] = {
    "amount": None,
    "primary": False,
    "dq_technology": None,
    "dq_geography": None,
    "dq_time": None,
}


def _unknown_factor(key: str) -> Issue:
    return Issue(
        "/factor",
        "unknown_factor",
        f"No emission factor with id {key} among the shared factors and your organization's own.",
        f"공용 배출계수와 조직의 배출계수 가운데 ID가 {key}인 배출계수가 없습니다.",
        None,
    )


def _shown(record: Built) -> str:
    data = record.data
    return "/".join(str(data.get(name, "")) for name in ("gtin", "stage", "process"))


# --------------------------------------------------------------------------------------------------
# Bills of materials


BOM_NODES: tuple[Node, ...] = (
    Node("gtin", "Product GTIN", "제품 GTIN", required=True),
    Node("component_gtin", "Component GTIN", "구성품 GTIN", required=True),
    Node("quantity", "Quantity per declared unit", "선언 단위당 수량", type="decimal", required=True),
    Node("unit", "Unit", "단위", required=True),
    Node("stage", "Lifecycle stage", "수명주기 단계", description="empty: keep the component's own split"),
    Node("notes", "Notes", "비고"),
)

BOM_EXAMPLE: dict[str, Any] = {
    "gtin": "08801234567893",
    "component_gtin": "08801234567909",
    "quantity": Decimal(96),
    "unit": "piece",
    "stage": "raw_material",
    "notes": "셀 96개",
}

_BOM_FIELDS = ("quantity", "unit", "stage", "notes")
_BOM_POINTERS = {"product": "/gtin", "component": "/component_gtin"}


class BomRows:
    """Bill-of-materials lines by product, component and stage."""

    def plan(self, ctx: RunContext, records: list[Built]) -> tuple[list[Outcome], Any]:
        cleaners = _cleaners(ctx, BomLine, _BOM_FIELDS, exact={"quantity"})
        products = _products(ctx, records, "gtin", "component_gtin")
        stored = {
            (row[0], row[1], row[2]): row[3]
            for row in BomLine.objects.filter(organization=ctx.org, product__in=list(products.values())).values_list(
                "product_id", "component_id", "stage", "pk"
            )
        }
        outcomes: list[Outcome] = []
        creates: dict[tuple[Any, ...], BomLine] = {}
        updates: dict[int, BomLine] = {}
        for record in records:
            line, issues = self._line(ctx, record, cleaners, products)
            if line is None or issues:
                outcomes.append(Outcome(record, REJECT, _shown_bom(record), issues))
                continue
            key = (line.product_id, line.component_id, line.stage)
            known = key in stored or key in creates or key in ctx.virtual
            if key in stored:
                line.pk = stored[key]
                updates[line.pk] = line
            elif not ctx.write:
                ctx.virtual[key] = True
            else:
                creates[key] = line
            outcomes.append(Outcome(record, UPDATE if known else CREATE, _shown_bom(record)))
        return outcomes, (list(creates.values()), list(updates.values()))

    def apply(self, ctx: RunContext, payload: Any) -> None:
        creates, updates = payload
        BomLine.objects.bulk_create(creates, batch_size=1000)
        if updates:
            now = timezone.now()
            for line in updates:
                line.updated_at = now
            fields = [name for name in ("quantity", "unit", "notes") if name in ctx.header_keys]
            BomLine.objects.bulk_update(updates, [*fields, "updated_at"], batch_size=1000)

    def _line(
        self, ctx: RunContext, record: Built, cleaners: dict[str, FieldCleaner], products: dict[str, Product]
    ) -> tuple[BomLine | None, list[Issue]]:
        data = record.data
        issues = list(record.issues)
        failed = {issue.pointer for issue in issues}
        values: dict[str, Any] = {}
        for name in _BOM_FIELDS:
            if f"/{name}" in failed or (name not in ctx.header_keys and name in ("stage", "notes")):
                continue
            value, error = cleaners[name](data.get(name, "" if name != "quantity" else None))
            if error is not None:
                issues.append(Issue(f"/{name}", "invalid", error[0], error[1], None))
            values[name] = value
        product = products.get(gtin_key(str(data.get("gtin") or "")))
        component = products.get(gtin_key(str(data.get("component_gtin") or "")))
        if product is None:
            issues.append(_no_product("/gtin", str(data.get("gtin") or "")))
        if component is None:
            issues.append(_no_product("/component_gtin", str(data.get("component_gtin") or "")))
        if issues or product is None or component is None:
            return None, issues
        line = BomLine(organization=ctx.org, product=product, component=component, **values)
        try:
            _check_bom_line(line)
        except ValidationError as exc:
            return None, _rule_issues(exc, _BOM_POINTERS)
        return line, []


def _shown_bom(record: Built) -> str:
    return "/".join(str(record.data.get(name, "")) for name in ("gtin", "component_gtin", "stage"))


def lca_kinds(kind_type: Callable[..., Any]) -> dict[str, Any]:
    """The LCA kinds, built with the ``Kind`` class handed in (``kinds`` imports this module, not back)."""
    return {
        "activity-data": kind_type(
            name="activity-data",
            title_en="Activity data",
            title_ko="활동 데이터",
            tree=ColumnTree.flat(ACTIVITY_NODES),
            handler=ActivityRows(),
            key_columns=("gtin",),
            examples=(ACTIVITY_EXAMPLE,),
        ),
        "bom-lines": kind_type(
            name="bom-lines",
            title_en="Bill of materials lines",
            title_ko="자재 명세서(BOM) 항목",
            tree=ColumnTree.flat(BOM_NODES),
            handler=BomRows(),
            key_columns=("gtin",),
            examples=(BOM_EXAMPLE,),
        ),
    }

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

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone, translation

from lca.models import ActivityData, BomLine, EmissionFactor
from lca.services import _check_activity, _check_bom_line
from passports.imports.columns import Built, CellError, ColumnTree, HeaderMap, Node, flat_readers
from passports.imports.formats import NumberFormat
from passports.imports.readers import SourceRow
from passports.imports.rows import CREATE, REJECT, UPDATE, Outcome, RowRef, RunContext, gtin_key, gtin_spellings
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
        self.validators = tuple(field.validators)
        self.memo: dict[Any, tuple[Any, tuple[str, str] | None]] = {}

    def __call__(self, value: Any) -> tuple[Any, tuple[str, str] | None]:
        if self.remember:
            found = self.memo.get(value)
            if found is not None:
                return found
        if not self.remember and value.__class__ is Decimal:
            try:
                for validator in self.validators:  # what run_validators runs, without its bookkeeping
                    validator(value)
            except ValidationError:
                try:
                    self.field.run_validators(value)  # again, for every message at once
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


def _cell_verdict(
    value: str, default: Any, read: Callable[[Any], Any] | None, cleaner: FieldCleaner
) -> tuple[bool, Any]:
    """(passes, cleaned value) of one distinct cell, read and cleaned as the row-by-row path does."""
    if value == "":
        converted = default
    elif read is None:
        return False, None
    else:
        try:
            converted = read(value)
        except CellError:
            return False, None
    cleaned, error = cleaner(converted)
    return error is None, cleaned


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


def _gtins(records: list[Built], *names: str) -> set[str]:
    return {str(record.data[name]) for record in records for name in names if record.data.get(name)}


def _products(ctx: RunContext, gtins: Iterable[str]) -> dict[str, Product | None]:
    """The organization's products with these GTINs, by GTIN; each looked up once per run, in batches
    (a million activity rows name the same few thousand products over and over)."""
    known: dict[str, Product | None] = ctx.cache.setdefault("products", {})
    wanted = {gtin_key(gtin) for gtin in gtins} - known.keys()
    spellings = sorted(gtin_spellings(wanted))
    for start in range(0, len(spellings), 5000):
        found = Product.objects.filter(organization=ctx.org, gtin__in=spellings[start : start + 5000])
        for product in found.only("id", "gtin", "organization_id"):
            known[gtin_key(product.gtin)] = product
    for key in wanted:
        known.setdefault(key, None)
    return known


def _cleaners(ctx: RunContext, model: type[models.Model], names: Iterable[str], exact: set[str]) -> dict[str, Any]:
    key = f"cleaners:{model._meta.label}"
    if key not in ctx.cache:
        ctx.cache[key] = {
            name: FieldCleaner(model._meta.get_field(name), remember=name not in exact)  # type: ignore[arg-type]
            for name in names
        }
    return ctx.cache[key]


def _copy_or_bulk_create(
    model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]], *, text: Iterable[str] = ()
) -> None:
    """Insert rows: PostgreSQL ``COPY`` in CSV form (the csv module writes a chunk in C; four times
    ``bulk_create``'s speed), ``bulk_create`` elsewhere. In CSV form an empty unquoted value is NULL, so
    the ``text`` columns, which are never NULL, are named in ``FORCE_NOT_NULL`` to read it as ``""``."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(_column(model, name)) for name in columns)
        not_null = ", ".join(quote(_column(model, name)) for name in text)
        options = f"FORMAT csv, FORCE_NOT_NULL ({not_null})" if not_null else "FORMAT csv"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN ({options})") as copy:
            copy.write(buffer.getvalue().encode())
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
    Node(
        "stage",
        "Lifecycle stage",
        "수명주기 단계",
        required=True,
        description="raw_material, production, ...",
        description_ko="raw_material, production 등 수명주기 단계 코드",
    ),
    Node(
        "process",
        "Process",
        "공정",
        required=True,
        description="e.g. cell formation",
        description_ko="예: 셀 화성 공정",
    ),
    Node("amount", "Amount per declared unit", "선언 단위당 양", type="decimal", required=True),
    Node(
        "unit",
        "Unit",
        "단위",
        required=True,
        description="kg, kWh, t.km, m**2, piece ...",
        description_ko="kg, kWh, t.km, m**2, piece 등 단위",
    ),
    Node(
        "factor",
        "Emission factor id",
        "배출계수 ID",
        description="one of factor, upstream product or gas",
        description_ko="배출계수, 상위 제품, 가스 중 하나만 기재",
    ),
    Node("upstream_gtin", "Upstream product GTIN", "상위 제품 GTIN"),
    Node(
        "gas",
        "Direct emission of",
        "직접 배출 가스",
        description="CO2_fossil, CH4_fossil, N2O, ...",
        description_ko="CO2_fossil, CH4_fossil, N2O 등 가스 코드",
    ),
    Node("primary", "Primary data", "1차 데이터", type="boolean"),
    Node(
        "dq_technology",
        "Technology rating",
        "기술 대표성 등급",
        type="integer",
        description="1 best to 3",
        description_ko="1(가장 좋음)~3",
    ),
    Node(
        "dq_geography",
        "Geography rating",
        "지리 대표성 등급",
        type="integer",
        description="1 best to 3",
        description_ko="1(가장 좋음)~3",
    ),
    Node(
        "dq_time",
        "Time rating",
        "시간 대표성 등급",
        type="integer",
        description="1 best to 3",
        description_ko="1(가장 좋음)~3",
    ),
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


@dataclass
class _ActivityKeys:
    """What one run knows about the natural keys of activity rows.

    The table has no index on the natural key (product, stage, process, source), so a per-chunk lookup of
    a product's rows would rescan every row this very import already added: quadratic over a large file.
    Instead each product's stored rows are read once, the first time the file names it, and the keys the
    run creates are remembered by hash (8 bytes, not the key) until a key is met again: then the database
    is asked for that key alone, so a hash collision can cost a query but never a wrong update.
    """

    loaded: set[int] = field(default_factory=set)
    stored: dict[tuple[Any, ...], int] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)

    def load(self, org: Any, products: Iterable[Product]) -> None:
        wanted = [product.pk for product in products if product.pk not in self.loaded]
        for start in range(0, len(wanted), 5000):
            batch = wanted[start : start + 5000]
            rows = ActivityData.objects.filter(organization=org, product_id__in=batch).values_list(*_KEY_FIELDS, "pk")
            self.stored.update((tuple(row[:-1]), row[-1]) for row in rows)
            self.loaded.update(batch)

    def created_earlier(self, org: Any, keys: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
        """The stored rows of keys this run created in an earlier chunk (asked for one by one: rare)."""
        found: dict[tuple[Any, ...], int] = {}
        for key in keys:
            pk = (
                ActivityData.objects.filter(organization=org, **dict(zip(_KEY_FIELDS, key, strict=True)))
                .values_list("pk", flat=True)
                .first()
            )
            if pk is not None:
                found[key] = pk
        return found


_KEY_FIELDS = ("product_id", "stage", "process", "factor_id", "upstream_product_id", "gas")


class ActivityRows:
    """Activity data by product, stage, process and source; new rows copied in, known ones updated."""

    def plan(self, ctx: RunContext, records: list[Built]) -> tuple[list[Outcome], Any]:
        cleaners = _cleaners(ctx, ActivityData, _ACTIVITY_FIELDS, exact={"amount"})
        factors = self._factors(ctx)
        products = _products(ctx, _gtins(records, "gtin", "upstream_gtin"))
        judged = [(record, *self._values(ctx, record, cleaners, factors, products)) for record in records]
        return self._decide(ctx, judged, products)

    def plan_rows(
        self,
        ctx: RunContext,
        header_map: HeaderMap,
        numbers: NumberFormat,
        rows: list[SourceRow],
        build: Callable[[list[SourceRow]], list[Built]],
    ) -> tuple[list[Outcome], Any]:
        """``plan`` for the rows of a CSV file, checked column by column: each distinct value of a column is
        read and cleaned once (by the same readers and field cleaners ``plan`` uses), so a million rows
        with a few hundred distinct units, stages and processes cost little more than their amounts. A row
        with any cell that fails goes through ``plan``'s row-by-row path, which says what is wrong."""
        names, columns, bad = self._columns(ctx, header_map, numbers, rows)
        bad.update(index for index, row in enumerate(rows) if row.problem)  # undecodable bytes: reported
        slow = [index for index in range(len(rows)) if index in bad]
        rebuilt = dict(zip(slow, build([rows[index] for index in slow]), strict=True))
        cleaners = _cleaners(ctx, ActivityData, _ACTIVITY_FIELDS, exact={"amount"})
        factors = self._factors(ctx)
        products = ctx.cache["products"]
        judged: list[tuple[Built | RowRef, dict[str, Any], list[Issue]]] = []
        for index, (row, cells) in enumerate(zip(rows, zip(*columns, strict=True), strict=True)):
            record = rebuilt.get(index)
            if record is not None:
                judged.append((record, *self._values(ctx, record, cleaners, factors, products)))
                continue
            values = dict(zip(names, cells, strict=True))
            product, upstream, factor = values["product"], values["upstream"], values["factor"]
            values["factor_id"] = factor.id if factor else None
            values["upstream_id"] = upstream.id if upstream else None
            values["key"] = (product.id, values["stage"], values["process"], values["factor_id"],
                             values["upstream_id"], values["gas"])  # fmt: skip
            if self._rules(ctx, values):  # a cross-field rule fails: the row-by-row path reports it
                record = build([row])[0]
                judged.append((record, *self._values(ctx, record, cleaners, factors, products)))
                continue
            judged.append((RowRef(row.number), values, []))
        return self._decide(ctx, judged, products)

    def _columns(
        self, ctx: RunContext, header_map: HeaderMap, numbers: NumberFormat, rows: list[SourceRow]
    ) -> tuple[list[str], list[list[Any]], set[int]]:
        """Each field's column read and cleaned, and the rows where any cell failed."""
        cleaners = _cleaners(ctx, ActivityData, _ACTIVITY_FIELDS, exact={"amount"})
        readers = {name: read for _, name, read in flat_readers(header_map, numbers)}
        index_of = {resolved.leaf.name: index for index, _, resolved in header_map.columns}
        cells = [row.cells for row in rows]
        bad: set[int] = set()

        def column(name: str) -> list[str]:
            index = index_of.get(name)
            if index is None:
                return [""] * len(cells)
            return [row[index].strip() if index < len(row) else "" for row in cells]

        def judged(raw: list[str], verdicts: dict[str, tuple[bool, Any]]) -> list[Any]:
            if not all(ok for ok, _ in verdicts.values()):
                bad.update(index for index, value in enumerate(raw) if not verdicts[value][0])
            return [verdicts[value][1] for value in raw]

        names: list[str] = []
        columns: list[list[Any]] = []
        for name, cleaner, default, _pointer in self._fields(ctx, cleaners):
            raw = column(name)
            verdicts = {value: _cell_verdict(value, default, readers.get(name), cleaner) for value in set(raw)}
            names.append(name)
            columns.append(judged(raw, verdicts))
        gtins, upstreams, factor_keys = column("gtin"), column("upstream_gtin"), column("factor")
        products = _products(ctx, {*gtins, *upstreams} - {""})
        factors = self._factors(ctx)
        for name, raw, lookup, optional in (
            ("product", gtins, lambda value: products.get(gtin_key(value)), False),
            ("upstream", upstreams, lambda value: products.get(gtin_key(value)), True),
            ("factor", factor_keys, factors.get, True),
        ):
            verdicts = {}
            for value in set(raw):
                found = lookup(value) if value else None
                verdicts[value] = (found is not None or (optional and not value), found)
            names.append(name)
            columns.append(judged(raw, verdicts))
        return names, columns, bad

    def _decide(
        self,
        ctx: RunContext,
        judged: Sequence[tuple[Built | RowRef, dict[str, Any], list[Issue]]],
        products: dict[str, Product | None],
    ) -> tuple[list[Outcome], Any]:
        """Create or update each judged record by its natural key (rejected ones carry their issues)."""
        keys: _ActivityKeys = ctx.cache.setdefault("activity_keys", _ActivityKeys())
        keys.load(ctx.org, [product for product in products.values() if product is not None])
        created, stored_keys = keys.created, keys.stored
        hashes = [hash(values["key"]) if not issues else 0 for _, values, issues in judged]
        seen_before = [
            values["key"]
            for (_, values, issues), hashed in zip(judged, hashes, strict=True)
            if not issues and hashed in created and values["key"] not in stored_keys
        ]
        earlier = keys.created_earlier(ctx.org, seen_before) if ctx.write and seen_before else {}
        outcomes: list[Outcome] = []
        creates: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        updates: dict[int, dict[str, Any]] = {}
        now = timezone.now()
        org_id, write = ctx.org.pk, ctx.write
        for (record, values, issues), hashed in zip(judged, hashes, strict=True):
            if issues:
                outcomes.append(Outcome(record, REJECT, "", issues))
                continue
            key = values["key"]
            stored = stored_keys.get(key) or earlier.get(key)
            known = stored is not None or key in creates or (not write and hashed in created)
            if stored is not None:
                updates[stored] = {name: values[name] for name in _ACTIVITY_UPDATABLE if name in values}
            elif write:
                creates[key] = _row(org_id, values, now)
            created.add(hashed)
            outcomes.append(Outcome(record, UPDATE if known else CREATE))
        return outcomes, (list(creates.values()), updates)

    def apply(self, ctx: RunContext, payload: Any) -> None:
        creates, updates = payload
        _copy_or_bulk_create(
            ActivityData, _ACTIVITY_COLUMNS, creates, text=("stage", "process", "unit", "gas", "notes")
        )
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

    def _values(
        self,
        ctx: RunContext,
        record: Built,
        cleaners: dict[str, FieldCleaner],
        factors: dict[str, EmissionFactor],
        products: dict[str, Product | None],
    ) -> tuple[dict[str, Any], list[Issue]]:
        data = record.data
        issues = list(record.issues)
        failed = {issue.pointer for issue in issues}
        values: dict[str, Any] = {}
        for name, cleaner, default, pointer in self._fields(ctx, cleaners):
            if failed and pointer in failed:
                continue
            raw = data.get(name, default)
            verdict = cleaner.memo.get(raw) if cleaner.remember else None
            value, error = verdict if verdict is not None else cleaner(raw)
            if error is not None:
                issues.append(Issue(pointer, "invalid", error[0], error[1], None))
            values[name] = value
        product = products.get(gtin_key(str(data.get("gtin") or "")))
        if product is None:
            issues.append(_no_product("/gtin", str(data.get("gtin") or "")))
        upstream = None
        if "upstream_gtin" in data:
            upstream = products.get(gtin_key(str(data["upstream_gtin"])))
            if upstream is None:
                issues.append(_no_product("/upstream_gtin", str(data["upstream_gtin"])))
        factor = None
        if "factor" in data:
            factor = factors.get(str(data["factor"]))
            if factor is None:
                issues.append(_unknown_factor(str(data["factor"])))
        if issues or product is None:
            return values, issues
        values["product"], values["upstream"], values["factor"] = product, upstream, factor
        values["factor_id"] = factor.id if factor else None
        values["upstream_id"] = upstream.id if upstream else None
        values["key"] = (product.id, values["stage"], values["process"], values["factor_id"],
                         values["upstream_id"], values["gas"])  # fmt: skip
        return values, self._rules(ctx, values)

    def _fields(self, ctx: RunContext, cleaners: dict[str, FieldCleaner]) -> list[tuple[str, FieldCleaner, Any, str]]:
        """The fields a row of this file sets (the columns it has, and those every new row needs)."""
        found = ctx.cache.get("activity_fields")
        if found is None:
            found = [
                (name, cleaners[name], _ACTIVITY_DEFAULTS.get(name, ""), f"/{name}")
                for name in _ACTIVITY_FIELDS
                if name in ctx.header_keys or name in _REQUIRED_OR_DEFAULTED
            ]
            ctx.cache["activity_fields"] = found
        return found

    def _rules(self, ctx: RunContext, values: dict[str, Any]) -> list[Issue]:
        """``lca.services._check_activity`` on the row, its verdict remembered per combination it reads."""
        factor, upstream = values["factor"], values["upstream"]
        signature = (
            values["product"].organization_id,
            upstream.organization_id if upstream else None,
            factor.id if factor else None,
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


# Fields every new activity row has, given or not: the required ones fail as blank, the others default.
_REQUIRED_OR_DEFAULTED = {"stage", "process", "amount", "unit", "gas"}
_ACTIVITY_DEFAULTS: dict[str, Any] = {
    "amount": None,
    "primary": False,
    "dq_technology": None,
    "dq_geography": None,
    "dq_time": None,
}


def _row(org_id: int, values: dict[str, Any], now: dt.datetime) -> tuple[Any, ...]:
    """An activity as the COPY row of ``_ACTIVITY_COLUMNS``."""
    get = values.get
    return (
        org_id,
        values["product"].id,
        values["stage"],
        values["process"],
        values["amount"],
        values["unit"],
        values["factor_id"],
        values["upstream_id"],
        values["gas"],
        get("primary", False),
        get("dq_technology"),
        get("dq_geography"),
        get("dq_time"),
        get("notes", ""),
        now,
        now,
    )


def _unknown_factor(key: str) -> Issue:
    return Issue(
        "/factor",
        "unknown_factor",
        f"No emission factor with id {key} among the shared factors and your organization's own.",
        f"공용 배출계수와 조직의 배출계수 가운데 ID가 {key}인 배출계수가 없습니다.",
        None,
    )


# --------------------------------------------------------------------------------------------------
# Bills of materials


BOM_NODES: tuple[Node, ...] = (
    Node("gtin", "Product GTIN", "제품 GTIN", required=True),
    Node("component_gtin", "Component GTIN", "구성품 GTIN", required=True),
    Node("quantity", "Quantity per declared unit", "선언 단위당 수량", type="decimal", required=True),
    Node("unit", "Unit", "단위", required=True),
    Node(
        "stage",
        "Lifecycle stage",
        "수명주기 단계",
        description="empty: keep the component's own split",
        description_ko="비우면 구성품 자체의 단계 배분을 유지",
    ),
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
        products = _products(ctx, _gtins(records, "gtin", "component_gtin"))
        stored = {
            (row[0], row[1], row[2]): row[3]
            for row in BomLine.objects.filter(
                organization=ctx.org, product__in=[p for p in products.values() if p]
            ).values_list("product_id", "component_id", "stage", "pk")
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
        self,
        ctx: RunContext,
        record: Built,
        cleaners: dict[str, FieldCleaner],
        products: dict[str, Product | None],
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

"""Activity data and bill-of-materials lines, imported with the LCA app's own rules.

The LCA app registers these kinds with the import framework when it starts (``LcaConfig.ready`` calls
``passports.imports.kinds.register_kind``), so the framework in ``passports`` never imports ``lca``.

The checks are the ones ``lca.services.activity_create`` and ``bom_line_create`` make, through the same
code: every field through its model field's ``clean`` (choices, units pint can read, non-negative amounts
with at most 12 decimals, ratings 1 to 3), then ``lca.services.activity_check`` and ``bom_line_check`` (one source of
emissions, a unit the factor can convert, all three ratings or none, a component of the same
organization). What differs is speed, for files of a million rows: a field's verdict on a value is
remembered (validators are functions of the value alone), no model instance is made per row, and new rows
go to PostgreSQL with ``COPY`` (``bulk_create`` elsewhere).

Natural keys: an activity is its product, stage, process and source (factor, upstream product or gas);
a bill-of-materials line is its product, component and stage (the model's unique constraint).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from lca.models import ActivityData, BomLine, EmissionFactor
from lca.services import activity_check, bom_line_check
from passports.imports.chunks import CREATE, REJECT, UPDATE, Chunk, Plan, Reading, encoding_issue
from passports.imports.columnar import Column, FieldJudge, read_columns
from passports.imports.columns import Built, ColumnTree, Node
from passports.imports.kinds import Kind
from passports.imports.rows import Outcome, RunContext, gtin_key, gtin_spellings
from passports.imports.writing import write_table
from passports.models import Product
from passports.validation import Issue

MEMO_LIMIT = 100_000


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


class _ActivityKeys:
    """What one run knows about the natural keys of activity rows (product, stage, process, source).

    The table has no index on the natural key, so a per-chunk lookup of a product's rows would rescan every row
    this very import already added: quadratic over a large file. Instead each product's stored rows are read
    once, the first time the file names it, and the keys the run creates are remembered in a Bloom filter of
    fixed size (32 MB, whatever the file's length): a key it has seen is asked of the database (one query per
    chunk for all of them), so a false positive costs part of a query, never a wrong update. A dry run, which
    writes nothing to ask, counts a false positive as an update: with 10 million distinct keys about one in
    7,000, with a million one in a hundred million.

    Keys are texts: the six key fields joined by a unit separator, NULL as empty.
    """

    BITS = 1 << 28
    HASHES = 5

    def __init__(self) -> None:
        self.loaded: set[int] = set()
        self.stored: dict[str, int] = {}
        self.filter: np.ndarray | None = None

    def load(self, org: Any, product_ids: set[int]) -> None:
        wanted = sorted(product_ids - self.loaded)
        for start in range(0, len(wanted), 5000):
            batch = wanted[start : start + 5000]
            rows = ActivityData.objects.filter(organization=org, product_id__in=batch).values_list(*_KEY_FIELDS, "pk")
            self.stored.update((_key_text(row[:-1]), row[-1]) for row in rows)
            self.loaded.update(batch)

    def stored_of(self, keys: pa.Array) -> dict[int, int]:
        """{index in ``keys``: stored row} for the keys already stored."""
        if not self.stored:
            return {}
        stored = self.stored
        return {index: stored[key] for index, key in enumerate(keys.to_pylist()) if key in stored}

    def _positions(self, keys: pa.Array) -> np.ndarray:
        hashes = np.fromiter((hash(key) for key in keys.to_pylist()), dtype=np.int64, count=len(keys))
        first = hashes.view(np.uint64)
        second = (first >> np.uint64(17)) | np.uint64(1)
        steps = np.arange(self.HASHES, dtype=np.uint64)
        return ((first[:, None] + steps[None, :] * second[:, None]) % np.uint64(self.BITS)).astype(np.int64)

    def seen(self, keys: pa.Array) -> np.ndarray:
        """For each key: whether this run may have created it in an earlier chunk."""
        if self.filter is None or not len(keys):
            return np.zeros(len(keys), dtype=bool)
        positions = self._positions(keys)
        bits = (self.filter[positions >> 3] >> (positions & 7).astype(np.uint8)) & 1
        return bits.all(axis=1)

    def remember(self, keys: pa.Array) -> None:
        if not len(keys):
            return
        if self.filter is None:
            self.filter = np.zeros(self.BITS // 8, dtype=np.uint8)
        positions = self._positions(keys).ravel()
        np.bitwise_or.at(self.filter, positions >> 3, (1 << (positions & 7)).astype(np.uint8))

    def created_earlier(self, org: Any, keys: pa.Array, candidates: list[int]) -> dict[int, int]:
        """{index: stored row} of the candidate keys that an earlier chunk of this run did store."""
        wanted = {keys[index].as_py(): index for index in candidates}
        products = {int(key.split("\x1f", 1)[0]) for key in wanted}
        found: dict[int, int] = {}
        rows = ActivityData.objects.filter(organization=org, product_id__in=products).values_list(*_KEY_FIELDS, "pk")
        for row in rows:
            index = wanted.get(_key_text(row[:-1]))
            if index is not None:
                found[index] = row[-1]
        return found


def _key_text(values: Sequence[Any]) -> str:
    return "\x1f".join("" if value is None else str(value) for value in values)


_KEY_FIELDS = ("product_id", "stage", "process", "factor_id", "upstream_product_id", "gas")
_KEY_VALUES = ("product_id", "stage", "process", "factor_id", "upstream_id", "gas")


class ActivityRows:
    """Activity data by product, stage, process and source; new rows copied in, known ones updated."""

    def plan_chunk(self, ctx: RunContext, reading: Reading, chunk: Chunk) -> Plan:
        """The plan of a chunk, column by column: each field's column converted and judged by the model
        field (``FieldJudge``), products and factors looked up once per distinct key, the cross-field rules of
        ``lca.services`` once per distinct combination of what they read, natural keys matched in bulk. Rows
        that fail get their issues, in the words the row-by-row checks used."""
        count = chunk.rows
        columns = read_columns(chunk.batch.columns, reading.header_map, reading.numbers)
        issues: dict[int, list[Issue]] = {}
        for name, column in columns.items():
            for row, (en, ko) in column.failed.items():
                issues.setdefault(row, []).append(Issue(f"/{name}", "cell_format", en, ko, None))
        for row, problem in chunk.batch.problems.items():
            issues.setdefault(row, []).append(encoding_issue(problem))
        judges = _judges(ctx, ActivityData, _ACTIVITY_FIELDS)
        values: dict[str, Any] = {}
        for name, default, pointer in self._columns_set(ctx):
            column = columns.get(name) or _absent(name, count)
            _passes, cleaned, failed = judges[name].judge(column.values, column.present, default)
            for row, (en, ko) in failed.items():
                if row not in column.failed:
                    issues.setdefault(row, []).append(Issue(pointer, "invalid", en, ko, None))
            values[name] = cleaned
        factors = self._factors(ctx)
        gtins: _Lookup = ctx.cache.setdefault("gtin_ids", _Lookup(lambda texts: _product_ids(ctx, texts)))
        factor_keys: _Lookup = ctx.cache.setdefault(
            "factor_ids", _Lookup(lambda keys: {key: f.pk if (f := factors.get(key)) else None for key in keys})
        )
        product_ids = gtins.ids(columns.get("gtin"), issues, lambda value: _no_product("/gtin", value),
                                count=count, required=True)  # fmt: skip
        upstream_ids = gtins.ids(columns.get("upstream_gtin"), issues,
                                 lambda value: _no_product("/upstream_gtin", value), count=count)  # fmt: skip
        factor_ids = factor_keys.ids(columns.get("factor"), issues, _unknown_factor, count=count)
        products = ctx.cache.setdefault("products", {})
        values["product_id"], values["upstream_id"], values["factor_id"] = product_ids, upstream_ids, factor_ids
        judged = np.ones(count, dtype=bool)
        if issues:
            judged[np.fromiter(issues, dtype=np.int64)] = False
        self._check_rules(ctx, values=values, judged=judged, issues=issues, products=products, factors=factors)
        return self._decide_columns(ctx, chunk, values, issues)

    def _columns_set(self, ctx: RunContext) -> list[tuple[str, Any, str]]:
        """The fields a row of this file sets (the columns it has, and those every new row needs)."""
        return [
            (name, _ACTIVITY_DEFAULTS.get(name, ""), f"/{name}")
            for name in _ACTIVITY_FIELDS
            if name in ctx.header_keys or name in _REQUIRED_OR_DEFAULTED
        ]

    def _check_rules(
        self,
        ctx: RunContext,
        *,
        values: dict[str, Any],
        judged: np.ndarray,
        issues: dict[int, list[Issue]],
        products: dict[str, Product | None],
        factors: dict[str, EmissionFactor],
    ) -> None:
        """``lca.services``' cross-field rules, asked once per distinct combination of the values they read."""
        rows = np.flatnonzero(judged)
        if not len(rows):
            return
        by_id = ctx.cache.get("products_by_id")
        if by_id is None or len(by_id) != sum(1 for p in products.values() if p is not None):
            by_id = ctx.cache["products_by_id"] = {p.pk: p for p in products.values() if p is not None}
        factor_by_id = {factor.pk: factor for factor in factors.values()}
        names = ("upstream_id", "factor_id", "gas", "unit", "dq_technology", "dq_geography", "dq_time")
        parts = [_as_text(values.get(name), len(judged)) for name in names]
        signature = pc.binary_join_element_wise(*parts, "\x1f").take(pa.array(rows, pa.int64()))
        encoded = pc.dictionary_encode(signature)
        indices = np.asarray(encoded.indices, dtype=np.int64)
        _distinct_codes, first = np.unique(indices, return_index=True)
        verdicts: list[list[Issue]] = []
        for position in first.tolist():
            row = int(rows[position])
            found = {name: _value_at(values.get(name), row) for name in names}
            found["product"] = by_id[_value_at(values["product_id"], row)]
            found["upstream"] = by_id.get(found["upstream_id"]) if found["upstream_id"] is not None else None
            found["factor"] = factor_by_id.get(found["factor_id"]) if found["factor_id"] is not None else None
            verdicts.append(self._rules(ctx, found))
        failing = [code for code, verdict in enumerate(verdicts) if verdict]
        if not failing:
            return
        for position in np.flatnonzero(np.isin(indices, failing)).tolist():
            issues.setdefault(int(rows[position]), []).extend(verdicts[int(indices[position])])

    def _decide_columns(
        self, ctx: RunContext, chunk: Chunk, values: dict[str, Any], issues: dict[int, list[Issue]]
    ) -> Plan:
        """Create or update each accepted row by its natural key (product, stage, process, source).

        A key met twice in the chunk is written once, with its last row's values (the earlier row counts as an
        update); a key stored before, or created by an earlier chunk of this run, is updated.
        """
        count = chunk.rows
        actions = np.full(count, CREATE, dtype=np.int8)
        if issues:
            actions[np.fromiter(issues, dtype=np.int64)] = REJECT
        accepted = np.flatnonzero(actions != REJECT)
        if not len(accepted):
            return Plan(actions, issues, (None, {}))
        keys: _ActivityKeys = ctx.cache.setdefault("activity_keys", _ActivityKeys())
        product_ids = np.asarray(values["product_id"].fill_null(0), dtype=np.int64)
        keys.load(ctx.org, {int(pk) for pk in np.unique(product_ids[accepted])})
        where = pa.array(accepted, pa.int64())
        parts = [_as_text(values.get(name), count).take(where) for name in _KEY_VALUES]
        encoded = pc.dictionary_encode(pc.binary_join_element_wise(*parts, "\x1f"))
        distinct = encoded.dictionary
        codes = np.asarray(encoded.indices, dtype=np.int64)
        last = np.full(len(distinct), -1, dtype=np.int64)
        last[codes] = np.arange(len(codes))
        repeated = np.ones(len(codes), dtype=bool)
        repeated[np.unique(codes, return_index=True)[1]] = False
        seen = keys.seen(distinct)
        stored = keys.stored_of(distinct)
        candidates = [int(code) for code in np.flatnonzero(seen) if int(code) not in stored]
        earlier = keys.created_earlier(ctx.org, distinct, candidates) if ctx.write and candidates else {}
        target = {**stored, **earlier}
        known = repeated | np.isin(codes, list(target))
        if not ctx.write:
            known |= seen[codes]
        actions[accepted[known]] = UPDATE
        keys.remember(distinct)
        written = last[last >= 0]
        to_update = np.isin(codes[written], list(target)) if target else np.zeros(len(written), dtype=bool)
        updates = {
            target[int(codes[position])]: {
                name: _value_at(values[name], int(accepted[position])) for name in _ACTIVITY_UPDATABLE if name in values
            }
            for position in written[to_update].tolist()
        }
        new = np.sort(accepted[written[~to_update]])
        creates = _activity_table(ctx, values, new) if ctx.write and len(new) else None
        return Plan(actions, issues, (creates, updates))

    def apply(self, ctx: RunContext, payload: Any) -> None:
        creates, updates = payload
        if creates is not None:
            write_table(ActivityData, creates)
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

    def _rules(self, ctx: RunContext, values: dict[str, Any]) -> list[Issue]:
        """``lca.services.activity_check`` on the row, its verdict remembered per combination it reads."""
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
                activity_check(candidate)  # type: ignore[arg-type]
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


def _judges(ctx: RunContext, model: type[models.Model], names: Iterable[str]) -> dict[str, FieldJudge]:
    key = f"judges:{model._meta.label}"
    if key not in ctx.cache:
        ctx.cache[key] = {name: FieldJudge(model._meta.get_field(name)) for name in names}  # type: ignore[arg-type]
    return ctx.cache[key]


def _absent(name: str, count: int) -> Column:
    return Column(name, pa.array([""] * count, pa.string()), np.zeros(count, dtype=bool))


class _Lookup:
    """Texts of a run (GTINs, factor ids) and the row id each names, matched a chunk at a time by Arrow's hash
    kernel; only texts the run has not met yet are resolved (``resolve``: texts -> {text: id or None})."""

    def __init__(self, resolve: Callable[[list[str]], dict[str, int | None]]) -> None:
        self.resolve = resolve
        self.texts: list[str] = []
        self.found: list[int | None] = []
        self.text_array = pa.array([], pa.string())
        self.id_array = pa.array([], pa.int64())

    def ids(
        self,
        column: Column | None,
        issues: dict[int, list[Issue]],
        issue_of: Callable[[str], Issue],
        *,
        count: int,
        required: bool = False,
    ) -> pa.Array:
        """The id each row's text names, null where none; an issue for a text that names nothing, and for a
        missing one when ``required``."""
        if column is None:
            if required:
                for row in range(count):
                    issues.setdefault(row, []).append(issue_of(""))
            return pa.nulls(count, pa.int64())
        values = pc.if_else(pa.array(column.present), column.values, pa.scalar(None, pa.string()))
        index = pc.index_in(values, value_set=self.text_array)
        new = pc.unique(values.filter(pc.and_(pc.is_null(index), pc.is_valid(values)))).to_pylist()
        if new:
            resolved = self.resolve(new)
            self.texts += new
            self.found += [resolved.get(text) for text in new]
            self.text_array = pa.array(self.texts, pa.string())
            self.id_array = pa.array(self.found, pa.int64())
            index = pc.index_in(values, value_set=self.text_array)
        ids = self.id_array.take(index)
        missing = np.flatnonzero(np.asarray(pc.and_(pc.is_valid(values), pc.is_null(ids)).fill_null(False)))
        for row in missing.tolist():
            issues.setdefault(row, []).append(issue_of(values[row].as_py()))
        if required:
            for row in np.flatnonzero(~column.present).tolist():
                if row not in column.failed:
                    issues.setdefault(row, []).append(issue_of(""))
        return ids


def _product_ids(ctx: RunContext, texts: list[str]) -> dict[str, int | None]:
    products = _products(ctx, texts)
    return {text: product.pk if (product := products.get(gtin_key(text))) else None for text in texts}


def _as_text(values: Any, count: int) -> pa.Array:
    """A column as text for joining keys: numbers in digits, null as empty."""
    if values is None:
        return pa.array([""] * count, pa.string())
    array = values if isinstance(values, pa.Array) else pa.array(values)
    if not pa.types.is_string(array.type):
        array = array.cast(pa.string())
    return array.fill_null("")


def _value_at(values: Any, row: int) -> Any:
    if values is None:
        return None
    return values[row].as_py() if isinstance(values, pa.Array) else values[row]


def _activity_table(ctx: RunContext, values: dict[str, Any], rows: np.ndarray) -> pa.Table:
    """The new rows as the Arrow table ``write_table`` copies in."""
    where = pa.array(rows, pa.int64())
    count = len(rows)

    def column(name: str, default: Any, kind: pa.DataType) -> pa.Array:
        found = values.get(name)
        if found is None:
            return pa.array([default] * count, kind)
        array = found if isinstance(found, pa.Array) else pa.array(found, kind)
        return array.take(where).cast(kind)

    now = pa.array([timezone.now().isoformat()] * count, pa.string())  # Arrow writes text 50 times faster
    return pa.table(
        {
            "organization": pa.array([ctx.org.pk] * count, pa.int64()),
            "product": column("product_id", None, pa.int64()),
            "stage": column("stage", "", pa.string()),
            "process": column("process", "", pa.string()),
            "amount": column("amount", None, pa.string()),
            "unit": column("unit", "", pa.string()),
            "factor": column("factor_id", None, pa.int64()),
            "upstream_product": column("upstream_id", None, pa.int64()),
            "gas": column("gas", "", pa.string()),
            "primary": column("primary", False, pa.bool_()),
            "dq_technology": column("dq_technology", None, pa.int16()),
            "dq_geography": column("dq_geography", None, pa.int16()),
            "dq_time": column("dq_time", None, pa.int16()),
            "notes": column("notes", "", pa.string()),
            "created_at": now,
            "updated_at": now,
        }
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
        judges = _judges(ctx, BomLine, _BOM_FIELDS)
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
            line, issues = self._line(ctx, record, judges, products)
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
        judges: dict[str, FieldJudge],
        products: dict[str, Product | None],
    ) -> tuple[BomLine | None, list[Issue]]:
        data = record.data
        issues = list(record.issues)
        failed = {issue.pointer for issue in issues}
        values: dict[str, Any] = {}
        for name in _BOM_FIELDS:
            if f"/{name}" in failed or (name not in ctx.header_keys and name in ("stage", "notes")):
                continue
            value, error = judges[name].clean(data.get(name, "" if name != "quantity" else None))
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
            bom_line_check(line)
        except ValidationError as exc:
            return None, _rule_issues(exc, _BOM_POINTERS)
        return line, []


def _shown_bom(record: Built) -> str:
    return "/".join(str(record.data.get(name, "")) for name in ("gtin", "component_gtin", "stage"))


def lca_kinds() -> tuple[Kind, ...]:
    """The LCA kinds, for ``LcaConfig.ready`` to register with the import framework."""
    return (
        Kind(
            name="activity-data",
            title_en="Activity data",
            title_ko="활동 데이터",
            tree=ColumnTree.flat(ACTIVITY_NODES),
            # columnar: the run asks for plan_chunk before plan (passports.imports.services), Kind types only plan
            handler=ActivityRows(),  # type: ignore[arg-type]
            key_columns=("gtin",),
            examples=(ACTIVITY_EXAMPLE,),
        ),
        Kind(
            name="bom-lines",
            title_en="Bill of materials lines",
            title_ko="자재 명세서(BOM) 항목",
            tree=ColumnTree.flat(BOM_NODES),
            handler=BomRows(),
            key_columns=("gtin",),
            examples=(BOM_EXAMPLE,),
        ),
    )

"""Judging imported records and writing the good ones in bulk, by natural key.

Each record goes through the checks the web form and the API apply, through the same code: a product
through ``Product.full_clean`` (field validators: GTIN check digit, CN code...), a passport through
``passports.validation.validate`` on its effective data (its own data merged over its model passport's,
``passports.documents.effective_data``), the granularity rules of ``passport_create`` and its identifier
check. What differs is only how the rows are written: a chunk's records are looked up with one query per
table and written with ``bulk_create`` / ``bulk_update`` instead of one ``save()`` each.

Natural keys make a second upload an update: a product is its GTIN (per organization), a passport its
GTIN + lot + serial (its GS1 Digital Link identifier). A key met twice in one file is one record written
twice, the later row winning, so an overlapping file never makes a duplicate.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation

from passports import identifiers, prefixes, readiness
from passports.documents import content_hash, effective_data
from passports.imports.columns import Built
from passports.models import Facility, ImportJob, Organization, Passport, PassportSchema, PassportVersion, Product
from passports.services.identity import identity_fill, unit_identifier_of, unit_identifiers_held, unit_taken_problem
from passports.services.passports import _check_granularity, passport_identifier
from passports.validation import Issue, validate

CREATE, UPDATE, REJECT = "create", "update", "reject"


class Outcome:
    """What became of one record: created, updated or rejected (with its issues). ``key`` shows the record
    in a preview; left empty, the preview shows its first values. (A plain class with slots: a million
    rows make a million of these.)"""

    __slots__ = ("action", "issues", "key", "record")

    def __init__(
        self, record: Built | RowRef, action: str | int, key: str = "", issues: list[Issue] | None = None
    ) -> None:
        self.record = record
        self.action = action
        self.key = key
        self.issues = issues if issues is not None else []


class RowRef:
    """An accepted row that never needed a full record: its row number, for the preview."""

    __slots__ = ("first_row",)
    data: dict[str, Any] = {}  # shared and never written: a preview reads it

    def __init__(self, first_row: int) -> None:
        self.first_row = first_row


@dataclass
class RunContext:
    """What a handler needs besides the records: who imports, which columns the file has, and whether
    to write. ``virtual`` remembers what earlier chunks would have created when nothing is written (a
    dry run), so that later rows are judged as if it had been. ``job_id`` is the committing job that records
    what it wrote (None when nothing is written)."""

    org: Organization
    user: Any
    header_keys: set[str]
    write: bool
    virtual: dict[Any, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    job_id: int | None = None


class RowHandler(Protocol):
    """Plans a chunk (judges every record, looks up what exists) and writes the plan."""

    def plan(self, ctx: RunContext, records: list[Built]) -> tuple[list[Outcome], Any]: ...

    def apply(self, ctx: RunContext, payload: Any) -> None: ...


def model_issues(instance: models.Model, *, exclude: Iterable[str], pointer_of: dict[str, str]) -> list[Issue]:
    """``full_clean`` of ``instance`` as issues, with the messages in English and in Korean.

    Uniqueness is left to the natural-key lookups (one query per chunk, not one per row), and foreign keys
    the import resolved itself within the organization are excluded for the same reason.
    """
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError:
        pass
    else:
        return []
    messages: dict[str, dict[str, list[str]]] = {}
    for language in ("en", "ko"):
        with translation.override(language):
            try:
                instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                messages[language] = {name: [str(m) for m in found] for name, found in exc.message_dict.items()}
    english = messages.get("en", {})
    korean = messages.get("ko", {})
    return [
        Issue(pointer_of.get(name, f"/{name}"), "invalid", " ".join(found), " ".join(korean.get(name, found)), None)
        for name, found in english.items()
    ]


def without_cell_issues(issues: list[Issue], cell_issues: list[Issue]) -> list[Issue]:
    """Validation issues, less those about a field whose cell was already reported as unreadable.

    A cell that did not convert is left out of the record, so the schema would also call it missing.
    """
    reported = {issue.pointer for issue in cell_issues}
    return [issue for issue in issues if issue.pointer not in reported]


@lru_cache(maxsize=1 << 16)
def gtin_key(value: str) -> str:
    """One spelling per GTIN for matching: the 14-digit form when valid (Excel drops leading zeros)."""
    return identifiers.normalize_gtin(value) if identifiers.is_valid_gtin(value) else value


@lru_cache(maxsize=1 << 16)
def _spellings(value: str) -> tuple[str, ...]:
    if not identifiers.is_valid_gtin(value):
        return (value,)
    full = value.zfill(14)
    return (value, *(full[-n:] for n in (8, 12, 13, 14) if not full[:-n].strip("0")))


def gtin_spellings(values: Iterable[str]) -> set[str]:
    """Every way the GTINs ``values`` may be stored: as given, and their 8/12/13/14-digit forms."""
    found: set[str] = set()
    for value in set(values):
        found.update(_spellings(value))
    return found


def _blank_value(model_field: Any) -> Any:
    return None if getattr(model_field, "null", False) else ""


# --------------------------------------------------------------------------------------------------
# Products


PRODUCT_FIELDS: tuple[str, ...] = (
    "gtin",
    "name",
    "name_ko",
    "description",
    "description_ko",
    "category",
    "cn_code",
    "brand",
    "model_name",
    "expected_lifetime_years",
)


class ProductRows:
    """Products by GTIN: new GTINs are created, known ones updated with the columns the file has.

    A column that is present but empty clears the field; a column the file does not have leaves the field
    as it was, so a file with only ``gtin`` and ``brand`` updates brands and nothing else.
    """

    def plan(self, ctx: RunContext, records: list[Built]) -> tuple[list[Outcome], Any]:
        gtins = gtin_spellings(str(r.data["gtin"]) for r in records if r.data.get("gtin"))
        query = Product.objects.filter(organization=ctx.org, gtin__in=gtins)
        existing = {gtin_key(p.gtin): p for p in (query.select_for_update() if ctx.write else query)}
        facilities = self._facilities(ctx)
        # A new product's GTIN must lie under a GS1 Company Prefix the organization holds (passports.prefixes).
        owned = prefixes.standings(str(r.data["gtin"]) for r in records if r.data.get("gtin"))
        pending: dict[str, Product] = {}
        creating: set[str] = set()
        outcomes: list[Outcome] = []
        for record in records:
            issues = list(record.issues)
            fields = self._fields(ctx, record, facilities, issues)
            gtin = gtin_key(str(fields.get("gtin") or ""))
            base = pending.get(gtin) or existing.get(gtin)
            standing = owned.get(str(fields.get("gtin") or ""))
            refusal = prefixes.gtin_refusal_texts(standing, ctx.org.pk, gtin) if base is None and standing else None
            if refusal is not None:
                issues.append(Issue("/gtin", "gtin_prefix_not_held", refusal[0], refusal[1], None))
            candidate = copy.copy(base) if base is not None else Product(organization=ctx.org)
            for name, value in fields.items():
                if base is None or name != "gtin":  # a known product keeps its GTIN as first written
                    setattr(candidate, name, value)
            failed = {issue.pointer.strip("/") for issue in issues}
            issues += model_issues(
                candidate,
                exclude={"organization", "facility", *failed},
                pointer_of={"facility": "/facility_gln"},
            )
            if issues:
                outcomes.append(Outcome(record, REJECT, gtin, issues))
                continue
            known = base is not None or gtin in ctx.virtual
            outcomes.append(Outcome(record, UPDATE if known else CREATE, gtin))
            pending[gtin] = candidate
            if gtin not in existing:
                creating.add(gtin)
        if not ctx.write:
            ctx.virtual.update(dict.fromkeys(creating, True))
        changed = [
            pending[g] for g in pending if g not in creating and _differs(existing[g], pending[g], ctx.header_keys)
        ]
        return outcomes, ([pending[g] for g in creating], changed)

    def apply(self, ctx: RunContext, payload: Any) -> None:
        creates, updates = payload
        Product.objects.bulk_create(creates, batch_size=1000)
        if updates:
            now = timezone.now()
            for product in updates:
                product.updated_at = now
            names = [_model_name(k) for k in sorted(ctx.header_keys) if _model_name(k) in _EDITABLE - {"gtin"}]
            Product.objects.bulk_update(updates, [*dict.fromkeys(names), "updated_at"], batch_size=1000)

    def _facilities(self, ctx: RunContext) -> dict[str, Facility]:
        if "facilities" not in ctx.cache:
            ctx.cache["facilities"] = {f.gln: f for f in Facility.objects.filter(organization=ctx.org).exclude(gln="")}
        return ctx.cache["facilities"]

    def _fields(
        self, ctx: RunContext, record: Built, facilities: dict[str, Facility], issues: list[Issue]
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for name in PRODUCT_FIELDS:
            if name in ctx.header_keys:
                value = record.data.get(name)
                fields[name] = value if value is not None else _blank_value(Product._meta.get_field(name))
        if "facility_gln" in ctx.header_keys:
            gln = record.data.get("facility_gln")
            fields["facility"] = facilities.get(str(gln)) if gln else None
            if gln and fields["facility"] is None:
                issues.append(
                    Issue(
                        "/facility_gln",
                        "unknown_facility",
                        f"No facility with GLN {gln} in your organization; add it under Facilities first.",
                        f"조직에 GLN {gln} 사업장이 없습니다. 먼저 사업장을 등록하십시오.",
                        None,
                    )
                )
        return fields


_EDITABLE = {*PRODUCT_FIELDS, "facility"}


def _model_name(key: str) -> str:
    return "facility" if key == "facility_gln" else key


def _differs(stored: Product, candidate: Product, keys: set[str]) -> bool:
    names = {_model_name(key) for key in keys} & _EDITABLE
    return any(getattr(stored, name) != getattr(candidate, name) for name in names)


# --------------------------------------------------------------------------------------------------
# Passports


KEY_FIELDS = ("gtin", "lot", "serial")


@dataclass
class _PassportRow:
    outcome: Outcome
    product: Product
    granularity: str
    lot: str
    serial: str
    identifier: str
    data: dict[str, Any]
    effective: dict[str, Any]
    existing: Passport | None


class PassportRows:
    """Passports of one schema by GTIN + lot + serial, each a draft version of the row's data.

    A new key makes a passport with a first draft; a known one replaces its draft's data, or starts a new
    draft when the latest version is published (published versions never change). Batch and item rows
    carry only what differs from the product's model passport, as in the web form: they are validated on
    the merged data, and a model row earlier in the same file counts as that model passport.
    """

    def __init__(self, category: str, version: str) -> None:
        self.category = category
        self.version = version

    def schema(self, ctx: RunContext) -> PassportSchema:
        if "schema" not in ctx.cache:
            ctx.cache["schema"] = PassportSchema.objects.get(category=self.category, version=self.version)
        return ctx.cache["schema"]

    def plan(self, ctx: RunContext, records: list[Built]) -> tuple[list[Outcome], Any]:
        schema = self.schema(ctx)
        base_url = settings.PLATFORM_BASE_URL
        keyed = [(record, *self._key(record)) for record in records]
        spellings = gtin_spellings(k[1] for k in keyed if k[1])
        products = {gtin_key(p.gtin): p for p in Product.objects.filter(organization=ctx.org, gtin__in=spellings)}
        identifiers = {
            passport_identifier(product=products[gtin], lot=lot, serial=serial, base_url=base_url)
            for _, gtin, lot, serial, _ in keyed
            if gtin in products
        }
        query = Passport.objects.filter(identifier__in=identifiers).select_related("schema")
        existing = {p.identifier: p for p in (query.select_for_update() if ctx.write else query)}
        model_data = self._model_data(ctx, schema, products.values())
        # Unit identifiers the rows give, with the passports already holding them (one query per chunk).
        given = (unit_identifier_of(schema.category, data) for *_, data in keyed)
        units = unit_identifiers_held(
            org_id=ctx.org.pk, category=schema.category, values=[value for value in given if value is not None]
        )
        outcomes: list[Outcome] = []
        writes: dict[str, _PassportRow] = {}
        for record, gtin, lot, serial, data in keyed:
            row = self._judge(
                ctx=ctx,
                schema=schema,
                record=record,
                key=(gtin, lot, serial),
                data=data,
                products=products,
                existing=existing,
                model_data=model_data,
                units=units,
            )
            outcomes.append(row.outcome if isinstance(row, _PassportRow) else row)
            if isinstance(row, _PassportRow):
                if row.identifier in writes or row.existing is not None or row.identifier in ctx.virtual:
                    row.outcome.action = UPDATE
                writes[row.identifier] = row
                if row.granularity == Passport.Granularity.MODEL:
                    model_data[row.product.pk] = row.effective
        if not ctx.write:
            ctx.virtual.update(dict.fromkeys(writes, True))
            ctx.virtual.setdefault("models", {}).update(
                {r.product.pk: r.effective for r in writes.values() if r.granularity == Passport.Granularity.MODEL}
            )
        return outcomes, list(writes.values())

    def _key(self, record: Built) -> tuple[str, str, str, dict[str, Any]]:
        data = dict(record.data)
        gtin, lot, serial = (str(data.pop(name, "") or "") for name in KEY_FIELDS)
        return gtin_key(gtin), lot, serial, data

    def _model_data(self, ctx: RunContext, schema: PassportSchema, products: Iterable[Product]) -> dict[int, Any]:
        """The effective data of each product's model passport (published version, else the draft)."""
        found: dict[int, Any] = dict(ctx.virtual.get("models", {}))
        models_ = Passport.objects.filter(
            organization=ctx.org, product__in=list(products), granularity=Passport.Granularity.MODEL, schema=schema
        )
        versions = PassportVersion.objects.filter(
            passport__in=models_, status__in=[PassportVersion.Status.PUBLISHED, PassportVersion.Status.DRAFT]
        ).select_related("passport")
        chosen: dict[int, PassportVersion] = {}
        for version in versions:
            held = chosen.get(version.passport.product_id)
            if held is None or version.status == PassportVersion.Status.PUBLISHED:
                chosen[version.passport.product_id] = version
        for product_id, version in chosen.items():
            found.setdefault(product_id, version.data)
        return found

    def _judge(
        self,
        *,
        ctx: RunContext,
        schema: PassportSchema,
        record: Built,
        key: tuple[str, str, str],
        data: dict[str, Any],
        products: dict[str, Product],
        existing: dict[str, Passport],
        model_data: dict[int, Any],
        units: dict[str, set[str]],
    ) -> _PassportRow | Outcome:
        gtin, lot, serial = key
        shown = "/".join(part for part in key if part)
        issues = list(record.issues)
        product = products.get(gtin)
        if product is None:
            issues.append(_no_product(gtin))
            return Outcome(record, REJECT, shown, issues)
        granularity = (
            Passport.Granularity.ITEM if serial else (Passport.Granularity.BATCH if lot else Passport.Granularity.MODEL)
        )
        try:
            _check_granularity(granularity, lot, serial, None, product)
        except ValidationError as exc:
            issues += [
                Issue(f"/{name}", "granularity", " ".join(m), " ".join(m), None) for name, m in exc.message_dict.items()
            ]
        identifier = passport_identifier(product=product, lot=lot, serial=serial, base_url=settings.PLATFORM_BASE_URL)
        found = existing.get(identifier)
        issues += _ownership_issues(found, ctx.org, schema, identifier)
        parent = model_data.get(product.pk) if granularity != Passport.Granularity.MODEL else None
        data, problems = identity_fill(
            schema.category, identifier=identifier, data=data, effective=effective_data(data, parent)
        )
        unit = unit_identifier_of(schema.category, data)
        others = (units.get(unit, set()) - {identifier}) if unit is not None else set()
        if others and not problems:
            problems.append(unit_taken_problem(schema.category, unit or "", min(others)))
        issues += [Issue(p.pointer, "passport_identity", p.message, p.message_ko, None) for p in problems]
        effective = effective_data(data, parent)
        issues += without_cell_issues(validate(schema.document, effective), record.issues)
        if issues:
            return Outcome(record, REJECT, shown, issues)
        if unit is not None:
            units.setdefault(unit, set()).add(identifier)
        return _PassportRow(
            Outcome(record, CREATE, shown), product, granularity, lot, serial, identifier, data, effective, found
        )

    def apply(self, ctx: RunContext, payload: Any) -> None:
        rows: list[_PassportRow] = payload
        schema = self.schema(ctx)
        new_models = [r for r in rows if r.existing is None and r.granularity == Passport.Granularity.MODEL]
        new_units = [r for r in rows if r.existing is None and r.granularity != Passport.Granularity.MODEL]
        created = self._create(ctx, schema, new_models) + self._create(ctx, schema, new_units)
        self._update(ctx, [r for r in rows if r.existing is not None])
        if ctx.write and ctx.job_id is not None:
            kept = [p.pk for p in created] + [r.existing.pk for r in rows if r.existing is not None]
            record_imported_passports(job_id=ctx.job_id, passport_ids=kept)

    def _create(self, ctx: RunContext, schema: PassportSchema, rows: list[_PassportRow]) -> list[Passport]:
        if not rows:
            return []
        user = _user(ctx.user)
        parents = _model_passports(ctx.org, schema, {r.product.pk for r in rows})
        passports = Passport.objects.bulk_create(
            [
                Passport(
                    organization=ctx.org,
                    product=r.product,
                    granularity=r.granularity,
                    lot=r.lot,
                    serial=r.serial,
                    parent=parents.get(r.product.pk) if r.granularity != Passport.Granularity.MODEL else None,
                    schema=schema,
                    identifier=r.identifier,
                    created_by=user,
                    status=PassportVersion.Status.DRAFT,
                )
                for r in rows
            ],
            batch_size=1000,
        )
        bases = _base_versions([p.parent_id for p in passports if p.parent_id is not None])
        PassportVersion.objects.bulk_create(
            [
                PassportVersion(
                    organization=ctx.org,
                    passport=passport,
                    number=1,
                    schema=schema,
                    data=r.data,
                    base_version=bases.get(passport.parent_id) if passport.parent_id else None,
                    content_hash=content_hash(r.effective),
                    error_count=0,
                    completeness=readiness.summary(schema.document, r.effective, ())[0],
                    created_by=user,
                )
                for passport, r in zip(passports, rows, strict=True)
            ],
            batch_size=1000,
        )
        return passports

    def _update(self, ctx: RunContext, rows: list[_PassportRow]) -> None:
        if not rows:
            return
        now = timezone.now()
        ids = [r.existing.pk for r in rows if r.existing is not None]
        versions = PassportVersion.objects.filter(passport_id__in=ids).order_by("passport_id", "-number")
        latest: dict[int, PassportVersion] = {}
        for version in versions:
            latest.setdefault(version.passport_id, version)
        bases = _base_versions([r.existing.parent_id for r in rows if r.existing and r.existing.parent_id])
        drafts: list[PassportVersion] = []
        fresh: list[PassportVersion] = []
        touched: list[int] = []
        for r in rows:
            assert r.existing is not None  # noqa: S101  # _update only receives rows of existing passports
            current = latest.get(r.existing.pk)
            if current is not None and current.data == r.data:
                continue
            touched.append(r.existing.pk)
            if current is not None and current.status == PassportVersion.Status.DRAFT:
                current.data, current.revision = r.data, current.revision + 1
                current.content_hash, current.error_count, current.updated_at = content_hash(r.effective), 0, now
                document = r.existing.schema.document
                current.completeness, current.clause_gaps = readiness.summary(document, r.effective, ())
                drafts.append(current)
                continue
            fresh.append(
                PassportVersion(
                    organization=ctx.org,
                    passport=r.existing,
                    number=(current.number if current else 0) + 1,
                    schema=r.existing.schema,
                    data=r.data,
                    base_version=bases.get(r.existing.parent_id) if r.existing.parent_id else None,
                    content_hash=content_hash(r.effective),
                    completeness=readiness.summary(r.existing.schema.document, r.effective, ())[0],
                    created_by=_user(ctx.user),
                )
            )
        PassportVersion.objects.bulk_update(
            drafts,
            ["data", "revision", "content_hash", "error_count", "completeness", "clause_gaps", "updated_at"],
            batch_size=1000,
        )
        PassportVersion.objects.bulk_create(fresh, batch_size=1000)
        Passport.objects.filter(pk__in=touched).update(updated_at=now)


def record_imported_passports(*, job_id: int, passport_ids: Iterable[int]) -> None:
    """Link ``job_id`` to the passports it wrote, one insert for the chunk, inside the chunk's transaction.

    Every accepted row counts, a row that changed nothing as well (the job reports it as updated, and a pack
    of the import should hold every passport of the file). Links already there are skipped: a key met again
    in a later chunk, or a chunk written again after a worker died, adds nothing twice.
    """
    link = ImportJob.passports.through
    rows = [link(importjob_id=job_id, passport_id=pk) for pk in dict.fromkeys(passport_ids)]
    link.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _user(by: Any) -> Any:
    return by if isinstance(by, User) else None


def _no_product(gtin: str) -> Issue:
    if not gtin:
        return Issue("/gtin", "required", "GTIN is required.", "GTIN은 필수 항목입니다.", None)
    return Issue(
        "/gtin",
        "unknown_product",
        f"No product with GTIN {gtin} in your organization; import or create the product first.",
        f"조직에 GTIN {gtin} 제품이 없습니다. 먼저 제품을 가져오거나 등록하십시오.",
        None,
    )


def _ownership_issues(
    found: Passport | None, org: Organization, schema: PassportSchema, identifier: str
) -> list[Issue]:
    if found is None:
        return []
    if found.organization_id != org.pk:
        return [
            Issue(
                "/serial",
                "identifier_taken",
                f"A passport with identifier {identifier} exists already.",
                f"식별자가 {identifier}인 제품 여권이 이미 있습니다.",
                None,
            )
        ]
    if found.schema_id != schema.pk:
        return [
            Issue(
                "/gtin",
                "other_schema",
                f"This passport follows the schema {found.schema.key}; import it as that kind.",
                f"이 제품 여권은 {found.schema.key} 스키마를 따릅니다. 해당 종류로 가져오십시오.",
                None,
            )
        ]
    return []


def _model_passports(org: Organization, schema: PassportSchema, product_ids: set[int]) -> dict[int, Passport]:
    found = Passport.objects.filter(
        organization=org, product_id__in=product_ids, granularity=Passport.Granularity.MODEL, schema=schema
    )
    return {p.product_id: p for p in found}


def _base_versions(parent_ids: list[int]) -> dict[int, PassportVersion]:
    """The version each model passport lends its batches and items: published, else the draft."""
    chosen: dict[int, PassportVersion] = {}
    versions = PassportVersion.objects.filter(
        passport_id__in=set(parent_ids),
        status__in=[PassportVersion.Status.PUBLISHED, PassportVersion.Status.DRAFT],
    )
    for version in versions:
        if version.passport_id not in chosen or version.status == PassportVersion.Status.PUBLISHED:
            chosen[version.passport_id] = version
    return chosen

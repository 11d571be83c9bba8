"""The readiness cockpit: every product against the regulation its schema answers to, and what it still lacks.

A row is a product; its cell is the regulation of its category's schema, with the deadline that applies
(``passports.deadlines``), the lead passport (the model passport, else the latest one) and that passport's
current version: the draft being worked on, else the published one. Completeness and gaps by clause come
from the figures each write keeps beside the version (``passports.readiness``), so a page costs a fixed number
of queries whatever the size of the catalogue: filters are ``EXISTS`` conditions on indexed columns, and
only the page's rows get their lead passport and version looked up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from passports.deadlines import DEADLINES, Deadline
from passports.models import Organization, Passport, PassportSchema, PassportVersion, Product
from passports.regulations import Regulation, regulation_of

PUBLISHED = PassportVersion.Status.PUBLISHED
DRAFT = PassportVersion.Status.DRAFT
STATUS_FILTERS = ("none", "draft", "invalid", "valid", "published", "unpublished")
MAX_GAPS_SHOWN = 3


class FilterError(ValueError):
    """A filter value the cockpit does not know; ``field`` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Filters:
    regulation: str = ""
    category: str = ""
    facility: int | None = None
    status: str = ""
    deadline: dt.date | None = None  # "in scope for this deadline and not published"

    @classmethod
    def parse(cls, params: Mapping[str, str], families: Mapping[str, Regulation]) -> Filters:
        """Read the query parameters; an unknown value is an error naming the parameter, not an empty page."""
        regulation = params.get("regulation", "").strip()
        if regulation and regulation not in {r.key for r in families.values()}:
            raise FilterError("regulation", f"Unknown regulation {regulation!r}.")
        status = params.get("status", "").strip()
        if status and status not in STATUS_FILTERS:
            raise FilterError("status", f"Give one of {', '.join(STATUS_FILTERS)}.")
        facility_text = params.get("facility", "").strip()
        facility = None
        if facility_text:
            if not facility_text.isascii() or not facility_text.isdigit() or len(facility_text) > 18:
                raise FilterError("facility", "Give a facility id (a whole number).")
            facility = int(facility_text)
        deadline_text = params.get("deadline", "").strip()
        deadline = None
        if deadline_text:
            try:
                deadline = dt.date.fromisoformat(deadline_text)
            except ValueError as exc:
                raise FilterError("deadline", "Give the deadline as YYYY-MM-DD.") from exc
            if deadline not in {d.date for d in DEADLINES}:
                raise FilterError("deadline", f"No regulatory deadline falls on {deadline_text}.")
        return cls(regulation, params.get("category", "").strip()[:40], facility, status, deadline)


@dataclass(frozen=True)
class NextAction:
    code: str  # create, fix, publish, new_version, none
    passport_id: int | None = None
    count: int = 0


@dataclass
class Cell:
    """One product against its regulation."""

    product: Product
    regulation: Regulation | None
    deadline: Deadline | None
    passport_id: int | None = None
    version_number: int | None = None
    version_status: str = ""
    completeness: int = 0
    error_count: int = 0
    gaps: list[tuple[str, int, int]] = field(default_factory=list)  # (clause, missing, invalid), worst first
    passports_by_status: dict[str, int] = field(default_factory=dict)
    action: NextAction = NextAction("create")

    @property
    def passport_total(self) -> int:
        return sum(self.passports_by_status.values())


def schema_families() -> dict[str, Regulation]:
    """Schema category → regulation, from the newest version of each schema (five rows, one query)."""
    families: dict[str, Regulation] = {}
    for schema in PassportSchema.objects.order_by("category", "version").only("category", "document"):
        families[schema.category] = regulation_of(schema.document)
    return families


def deadline_for(category: str, today: dt.date) -> Deadline | None:
    """The next deadline that concerns the category, else the latest one already in force."""
    concerned = [d for d in DEADLINES if category in d.categories]
    upcoming = [d for d in concerned if d.date >= today]
    if upcoming:
        return min(upcoming, key=lambda d: d.date)
    return max(concerned, key=lambda d: d.date) if concerned else None


def _published_exists() -> Exists:
    return Exists(Passport.objects.filter(product=OuterRef("pk"), status=PUBLISHED))


def _passport_exists() -> Exists:
    return Exists(Passport.objects.filter(product=OuterRef("pk")))


def _draft_exists(**extra: Any) -> Exists:
    return Exists(PassportVersion.objects.filter(passport__product=OuterRef("pk"), status=DRAFT, **extra))


def cockpit_products(*, org: Organization, filters: Filters, families: Mapping[str, Regulation]) -> QuerySet[Product]:
    """The organization's products that pass the filters, in name order (the page is cut by the caller)."""
    queryset = Product.objects.for_org(org).select_related("facility")
    if filters.regulation:
        queryset = queryset.filter(
            category__in=[category for category, r in families.items() if r.key == filters.regulation]
        )
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.facility is not None:
        queryset = queryset.filter(facility_id=filters.facility)
    if filters.deadline is not None:
        concerned = {c for d in DEADLINES if d.date == filters.deadline for c in d.categories}
        queryset = queryset.filter(category__in=concerned).exclude(_published_exists())
    status_conditions = {
        "none": ~_passport_exists(),
        "draft": _draft_exists(),
        "invalid": _draft_exists(error_count__gt=0),
        "valid": _draft_exists(error_count=0),
        "published": _published_exists(),
        "unpublished": ~_published_exists(),
    }
    if filters.status:
        queryset = queryset.filter(status_conditions[filters.status])
    return queryset.order_by("name", "pk")


def cockpit_totals(products: QuerySet[Product]) -> dict[str, int]:
    """How many of the filtered products stand where: one aggregate query over the whole selection."""
    annotated = products.order_by().annotate(
        _published=_published_exists(), _any=_passport_exists(), _invalid=_draft_exists(error_count__gt=0)
    )
    return annotated.aggregate(
        products=Count("pk"),
        without_passport=Count("pk", filter=Q(_any=False)),
        published=Count("pk", filter=Q(_published=True)),
        with_errors=Count("pk", filter=Q(_invalid=True)),
    )


def cockpit_cells(products: Sequence[Product], *, families: Mapping[str, Regulation], today: dt.date) -> list[Cell]:
    """The cells of one page of products: three queries whatever the page size or the number of items."""
    ids = [product.pk for product in products]
    lead = (
        Passport.objects.filter(product=OuterRef("pk"))
        .order_by(
            Case(
                When(granularity=Passport.Granularity.MODEL, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "-updated_at",
            "-pk",
        )
        .values("pk")[:1]
    )
    lead_ids = dict(Product.objects.filter(pk__in=ids).annotate(lead=Subquery(lead)).values_list("pk", "lead"))
    counts: dict[int, dict[str, int]] = {}
    for product_id, status, n in (
        Passport.objects.filter(product_id__in=ids)
        .values_list("product_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(product_id, {})[status] = n
    versions: dict[int, dict[str, Any]] = {}
    for row in (
        PassportVersion.objects.filter(
            passport_id__in=[v for v in lead_ids.values() if v], status__in=[DRAFT, PUBLISHED]
        )
        .values("passport_id", "number", "status", "completeness", "error_count", "clause_gaps")
        .order_by()
    ):
        known = versions.get(row["passport_id"])
        if known is None or row["status"] == DRAFT:  # the draft is what the owner works on
            versions[row["passport_id"]] = row
    cells: list[Cell] = []
    for product in products:
        cell = Cell(
            product=product,
            regulation=families.get(product.category),
            deadline=deadline_for(product.category, today),
            passports_by_status=counts.get(product.pk, {}),
        )
        lead_id = lead_ids.get(product.pk)
        version = versions.get(lead_id) if lead_id else None
        if lead_id and version is not None:
            cell.passport_id = lead_id
            cell.version_number = version["number"]
            cell.version_status = version["status"]
            cell.completeness = version["completeness"]
            cell.error_count = version["error_count"]
            cell.gaps = worst_gaps(version["clause_gaps"])
        elif lead_id:
            cell.passport_id = lead_id
            cell.version_status = "revoked"
        cell.action = next_action(cell)
        cells.append(cell)
    return cells


def worst_gaps(gaps: Any, limit: int = MAX_GAPS_SHOWN) -> list[tuple[str, int, int]]:
    """The clauses with the most missing and invalid fields first (stored as clause → [missing, invalid])."""
    if not isinstance(gaps, Mapping):
        return []
    rows = [
        (str(clause), int(pair[0]), int(pair[1]))
        for clause, pair in gaps.items()
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    rows.sort(key=lambda row: (-(row[1] + row[2]), row[0]))
    return rows[:limit]


def next_action(cell: Cell) -> NextAction:
    """The one step that moves the product forward: create, fix the errors, publish, or start a new version."""
    if cell.passport_id is None or cell.version_status == "revoked":
        return NextAction("create")
    if cell.version_status == DRAFT:
        if cell.error_count:
            return NextAction("fix", cell.passport_id, cell.error_count)
        return NextAction("publish", cell.passport_id)
    return NextAction("new_version", cell.passport_id)

"""The PACT list query, written as SQL: the scope of what a caller may see, the v3 filters, the keyset page.

``ListFootprints`` is the path partners poll, and its answer is stored JSON text, so the work per request is
almost all query building. Through the ORM the three statements of a list request cost about 3.5 ms of CPU
(compiling querysets, building model rows), several times what the database took to run them; written out
here they cost a fraction of that (bench/bench_pact.py). The statements are small and fixed in shape; table
and column names come from the models' metadata, and the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from django.db import connection
from django.db.models import Field, Q

from lca.pact.models import PactFootprint

TABLE: Final = PactFootprint._meta.db_table
PK: Final = PactFootprint._meta.pk.column


def column(name: str) -> str:
    found = PactFootprint._meta.get_field(name)
    if not isinstance(found, Field):  # a relation's reverse side has no column
        raise TypeError(f"{name} is not a column of {TABLE}")
    return str(found.column)


@dataclass
class Conditions:
    """``WHERE`` conditions joined by AND, with their parameters in order."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def any_of(self, clauses: list[str], params: list[Any]) -> None:
        """One condition that holds when any of ``clauses`` does (a repeated filter parameter ORs)."""
        self.add("(" + " OR ".join(clauses) + ")", *params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1 = 1"


def placeholders(values: Any) -> str:
    return ", ".join(["%s"] * len(values))


def moment_param(moment: datetime) -> Any:
    """A date-time as the backend stores it (SQLite: UTC text), as the ORM would have passed it."""
    return connection.ops.adapt_datetimefield_value(moment)


def moment_from_db(text: str) -> datetime:
    """A time stamp cast to text: PostgreSQL's ``2025-01-01 00:00:00.5+00`` (the connection is in UTC), or
    SQLite's stored UTC text, which has no offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Shares:
    """What a partner client may read: every footprint of some organizations, or those of some products.

    The one rule, in the two forms its readers need: a queryset filter (one footprint, a request's answer)
    and a condition of the list's SQL.
    """

    organizations: set[int]
    products: set[int]
    grants: dict[tuple[int, int | None], int] = field(default_factory=dict)  # (grantor, product or None) -> grant

    def grant_for(self, owner: int, product: int) -> int | None:
        """The grant that lets the caller read this product's footprints (for the owner's access log)."""
        return self.grants.get((owner, product)) or self.grants.get((owner, None))

    def q(self) -> Q:
        return Q(organization_id__in=self.organizations) | Q(product_id__in=self.products)

    def limit(self, conditions: Conditions) -> None:
        parts, params = [], []
        if self.organizations:
            parts.append(f"{column('organization')} IN ({placeholders(self.organizations)})")
            params += sorted(self.organizations)
        if self.products:
            parts.append(f"{column('product')} IN ({placeholders(self.products)})")
            params += sorted(self.products)
        conditions.any_of(parts or ["1 = 0"], params)


def containing_any(conditions: Conditions, name: str, values: list[str]) -> None:
    """The delimited ``*_key`` column holds one of ``values`` (lower-cased, matched whole between bars)."""
    escaped = [v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for v in values]
    clause = f"{column(name)} LIKE %s ESCAPE '\\'"
    conditions.any_of([clause] * len(values), [f"%|{v}|%" for v in escaped])


def after(conditions: Conditions, created_at: datetime, pk: int) -> None:
    """Rows after the keyset position ``(created_at, id)`` of the previous page's last row.

    A row-value comparison, which PostgreSQL answers with a range scan of the ``(created_at, id)`` index;
    the equivalent ``created_at > x OR (created_at = x AND id > y)`` made it read the index from the start
    and filter, so a deep page cost 7.5 ms instead of 0.1 ms.
    """
    conditions.add(f"({column('created_at')}, {PK}) > (%s, %s)", moment_param(created_at), pk)


def page(conditions: Conditions, *, document: str, limit: int) -> list[tuple[str, int, str]]:
    """Up to ``limit`` rows in keyset order: ``(created_at as text, id, document as JSON text)``.

    The page's ids come first (an index-ordered scan), and only their documents are cast to text: casting
    in the same select made PostgreSQL cast every visible row before sorting. The time stamps come as text
    because only the last row's is ever read (for the next-page cursor; ``moment_from_db`` parses it):
    converting all of them was a fifth of the request's CPU.
    """
    created = column("created_at")
    # Only names from the model's metadata and the conditions' own placeholders go into the text.
    sql = (
        f"SELECT CAST({created} AS TEXT), {PK}, CAST({column(document)} AS TEXT) FROM {TABLE} WHERE {PK} IN "  # noqa: S608
        f"(SELECT {PK} FROM {TABLE} WHERE {conditions.sql()} ORDER BY {created}, {PK} LIMIT %s) "
        f"ORDER BY {TABLE}.{created}, {TABLE}.{PK}"  # the column, not the text of the same name selected
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*conditions.params, limit])
        return cursor.fetchall()

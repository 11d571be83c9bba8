"""How many rows a list holds, at a cost that does not grow with the table.

``COUNT(*)`` reads every row it counts: over a million passports of one organization it cost more than the
page it labelled. On PostgreSQL ``row_count`` therefore counts exactly only up to ``EXACT_UP_TO`` rows (a
``COUNT(*)`` over a ``LIMIT``-ed subquery, which stops early) and above that takes the planner's estimate,
marked as such so the page can say "about". The bound is low because a filtered count reads as many rows
as it must skip to find its matches: a search matching one passport in ten read 100,000 rows to count to
10,000. Other databases (SQLite in development and the test suite) hold
small catalogues and count exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Value

EXACT_UP_TO = 1_000


@dataclass(frozen=True)
class RowCount:
    """A count and whether it is exact; an inexact one is never below the bound it passed."""

    value: int
    exact: bool


def row_count(queryset: models.QuerySet[Any], *, exact_up_to: int | None = None) -> RowCount:
    return row_counts({"": queryset}, exact_up_to=exact_up_to)[""]


def row_counts(
    querysets: Mapping[str, models.QuerySet[Any]], *, exact_up_to: int | None = None, estimate: bool = True
) -> dict[str, RowCount]:
    """The count of each queryset, all in one query (a dashboard's figures cost one round trip).

    Without ``estimate``, a count past the bound is just ``exact_up_to``, inexact (read "more than"): for a
    table of many counts, where one estimate each would cost a query each.
    """
    exact_up_to = EXACT_UP_TO if exact_up_to is None else exact_up_to
    limit = exact_up_to + 1 if connection.vendor == "postgresql" else None
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets.values():
        rows = queryset.order_by().annotate(one=Value(1)).values("one")  # no column: an index-only scan will do
        try:
            sql, sql_params = (rows[:limit] if limit else rows).query.sql_with_params()
        except EmptyResultSet:  # a condition nothing can meet (``pk__in=[]``): the ORM writes no SQL for it
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608  # the ORM's SQL, values as params
        params.extend(sql_params)
    with connection.cursor() as cursor:
        if limit:
            # With a LIMIT, PostgreSQL likes a sequential scan that stops at the limit: cheap if the matches
            # are spread over the table, a read of the whole table if they sit at its end (one product's items
            # imported last). Off for this one statement, the count reads an index, which bounds its cost.
            # One round trip: the three statements run as one (implicit or enclosing) transaction.
            cursor.execute(f"SET LOCAL enable_seqscan = off; SELECT {', '.join(parts)}; RESET enable_seqscan", params)
            cursor.nextset()
        else:
            cursor.execute("SELECT " + ", ".join(parts), params)
        values = cursor.fetchone()
    counts = {}
    for (key, queryset), value in zip(querysets.items(), values, strict=True):
        if limit is None or value < limit:
            counts[key] = RowCount(value, exact=True)
        else:
            guess = max(planner_estimate(queryset.order_by()), limit) if estimate else exact_up_to
            counts[key] = RowCount(guess, exact=False)
    return counts


def planner_estimate(queryset: models.QuerySet[Any]) -> int:
    """The number of rows PostgreSQL's planner expects ``queryset`` to return (no row is read)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])

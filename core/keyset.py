"""Keyset (cursor) pages over a newest-first order, so the millionth row costs what the first does.

An OFFSET page makes the database read and throw away every row before it: at a million passports the last
page of a list took over a second. A keyset page starts where the previous one stopped instead: its cursor
carries the last row's ``(timestamp, id)`` and the next query asks for rows below that pair, which an index
on ``(tenant, timestamp, id)`` answers by starting its range scan there. The comparison is written as one
row comparison, ``(t, id) < (x, y)``, because PostgreSQL turns that into an index condition; the equivalent
``t < x OR (t = x AND id < y)`` makes it read the index from its start and filter.

A cursor names a direction too: ``o`` pages towards older rows, ``n`` back towards newer ones. It is opaque
to callers (URL-safe base64) and a malformed one is refused with ``ValueError``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.db import connection, models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

M = TypeVar("M", bound=models.Model)

OLDER = "o"
NEWER = "n"


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: strictly past the row ``(at, pk)`` in ``direction`` (``OLDER`` or ``NEWER``)."""

    direction: str
    at: datetime
    pk: int

    def encode(self) -> str:
        text = f"{self.direction}|{self.at.isoformat()}|{self.pk}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            direction, at, pk = raw.split("|")
            position = cls(direction, datetime.fromisoformat(at), int(pk))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("not a cursor this list gave out") from exc
        if direction not in (OLDER, NEWER) or position.at.tzinfo is None or position.pk < 1:
            raise ValueError("not a cursor this list gave out")
        return position


@dataclass
class KeysetPage(Generic[M]):
    """One page of rows, newest first, with the cursors of the pages beside it (``None`` at either end)."""

    rows: list[M]
    older: Cursor | None
    newer: Cursor | None

    def __iter__(self) -> Iterator[M]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _row_compare(queryset: models.QuerySet[M], field: str, operator: str, cursor: Cursor) -> models.QuerySet[M]:
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    column = connection.ops.quote_name(queryset.model._meta.get_field(field).column or field)  # type: ignore[union-attr]  # a concrete field
    pk_column = connection.ops.quote_name(queryset.model._meta.pk.column)
    # The ORM's own adaptation of the timestamp, so SQLite compares it in the text form it stores.
    at = connection.ops.adapt_datetimefield_value(cursor.at)
    # Only quoted model metadata is formatted into the SQL; the cursor's values go as parameters.
    condition = RawSQL(  # noqa: S611
        f"({table}.{column}, {table}.{pk_column}) {operator} (%s, %s)", (at, cursor.pk), output_field=BooleanField()
    )
    return queryset.filter(condition)


def keyset_page(
    queryset: models.QuerySet[M], *, size: int, cursor: Cursor | None, field: str = "updated_at"
) -> KeysetPage[M]:
    """Up to ``size`` rows of ``queryset`` ordered by ``(-field, -pk)``, starting past ``cursor``.

    One query of ``size + 1`` rows: the extra row only says whether a further page exists.
    """
    newest_first = queryset.order_by(f"-{field}", "-pk")
    if cursor is None:
        rows = list(newest_first[: size + 1])
        more, rows = len(rows) > size, rows[:size]
        return KeysetPage(rows, _cursor(OLDER, rows[-1], field) if more else None, None)
    if cursor.direction == OLDER:
        rows = list(_row_compare(newest_first, field, "<", cursor)[: size + 1])
        more, rows = len(rows) > size, rows[:size]
        older = _cursor(OLDER, rows[-1], field) if more else None
        return KeysetPage(rows, older, _cursor(NEWER, rows[0], field) if rows else None)
    oldest_first = _row_compare(queryset.order_by(field, "pk"), field, ">", cursor)
    rows = list(oldest_first[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    rows.reverse()
    older = _cursor(OLDER, rows[-1], field) if rows else None
    return KeysetPage(rows, older, _cursor(NEWER, rows[0], field) if more else None)


def _cursor(direction: str, row: models.Model, field: str) -> Cursor:
    return Cursor(direction, getattr(row, field), row.pk)

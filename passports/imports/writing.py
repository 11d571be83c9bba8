"""Writing accepted rows in bulk: PostgreSQL ``COPY``, ``executemany`` elsewhere.

A chunk's new rows arrive as an Arrow table whose columns are named like the model's fields. On PostgreSQL
the table is written as CSV by Arrow's writer (C++) and sent with ``COPY ... FROM STDIN (FORMAT csv)``: an
empty unquoted field is NULL there and ``""`` the empty string, which is how Arrow writes a null and an empty
text. Elsewhere (SQLite) the rows go through one ``executemany``, each value prepared by its model field as
Django would prepare it.

Foreign keys, checked once per chunk. PostgreSQL checks a foreign key with a trigger per inserted row (a
``SELECT ... FOR KEY SHARE`` of the referenced row); for activity data that is three lookups a row, and on
this machine they cost more than the copy, the indexes and the parsing together (200,000 rows into a copy of
``lca_activitydata``: 59,000 rows/s without the foreign keys, 17,000 with them). Where the database lets
this session switch triggers off (``session_replication_role``, granted to a superuser or by ``GRANT SET
ON PARAMETER``) and the table has no trigger of its own, the copy runs with them off and the same check is
made once for the whole chunk: the distinct referenced keys are locked ``FOR KEY SHARE`` in one query per
key column, which is exactly the lock and the existence test the triggers take, so a referenced row cannot
vanish before the chunk commits, and a missing one raises ``IntegrityError`` as the trigger would (the
import judges the chunk again). The switch is ``SET LOCAL`` and set back right after the copy, so nothing
else in the transaction runs without its triggers. Elsewhere the triggers check as always.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import IntegrityError, connection, models
from django.db.backends.utils import CursorWrapper

_TRIGGERS_SWITCHABLE = "can_switch_triggers"


def db_column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name} has no column")
    return column


def write_table(model: type[models.Model], table: pa.Table) -> None:
    """Insert the rows of ``table`` (columns named by model field) into ``model``'s table."""
    if not table.num_rows:
        return
    quote = connection.ops.quote_name
    names = [quote(db_column(model, name)) for name in table.column_names]
    target = f"{quote(model._meta.db_table)} ({', '.join(names)})"
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        with connection.cursor() as cursor:
            checked_here = _triggers_switchable(cursor, model)
            if checked_here:
                references_lock(cursor, model, table)
                cursor.execute("SET LOCAL session_replication_role = replica")
            try:
                with cursor.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy:
                    copy.write(buffer.getbuffer())
            finally:
                if checked_here:
                    cursor.execute("SET LOCAL session_replication_role = origin")
        return
    fields = [model._meta.get_field(name) for name in table.column_names]
    columns = [_prepared(field, table.column(index).to_pylist()) for index, field in enumerate(fields)]
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        # Names come from the model's meta, quoted; values are bound parameters.
        sql = f"INSERT INTO {target} VALUES ({placeholders})"  # noqa: S608
        cursor.executemany(sql, list(zip(*columns, strict=True)))


def references_lock(cursor: CursorWrapper, model: type[models.Model], table: pa.Table) -> None:
    """Lock every row the table's foreign keys name ``FOR KEY SHARE``, one query per key column; raise
    ``IntegrityError`` naming a key that names no row (the check PostgreSQL's foreign key triggers make)."""
    quote = connection.ops.quote_name
    for name in table.column_names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.ForeignKey) or not getattr(field, "db_constraint", True):
            continue
        wanted = pc.unique(table.column(name).combine_chunks()).drop_null().to_pylist()
        if not wanted:
            continue
        target = field.target_field
        key = quote(target.column)
        # Names come from the models' meta, quoted; the keys are a bound parameter.
        cursor.execute(
            f"SELECT {key} FROM {quote(target.model._meta.db_table)} WHERE {key} = ANY(%s) FOR KEY SHARE",  # noqa: S608
            [wanted],
        )
        missing = set(wanted) - {row[0] for row in cursor.fetchall()}
        if missing:
            raise IntegrityError(
                f"{model._meta.db_table}.{field.column} names no row of {target.model._meta.db_table}: "
                f"{sorted(missing)[:5]}"
            )


def _triggers_switchable(cursor: CursorWrapper, model: type[models.Model]) -> bool:
    """Whether this connection may copy into the table with its triggers off: the role may set
    ``session_replication_role`` and the table has no trigger besides those of its foreign keys."""
    allowed = getattr(connection, _TRIGGERS_SWITCHABLE, None)
    if allowed is None:
        if connection.pg_version >= 150000:  # type: ignore[attr-defined]
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:  # before PostgreSQL 15 only a superuser may
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        allowed = bool(cursor.fetchone()[0])
        setattr(connection, _TRIGGERS_SWITCHABLE, allowed)
    if not allowed:
        return False
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
        [model._meta.db_table],
    )
    return cursor.fetchone()[0] == 0


def _prepared(field: Any, values: list[Any]) -> list[Any]:
    if isinstance(field, models.DecimalField):
        return [None if value is None else str(value) for value in values]
    if isinstance(field, models.DateTimeField):
        return [
            connection.ops.adapt_datetimefield_value(dt.datetime.fromisoformat(v) if isinstance(v, str) else v)
            for v in values
        ]
    return values

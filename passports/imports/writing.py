"""Writing accepted rows in bulk: PostgreSQL ``COPY``, ``executemany`` elsewhere.

A chunk's new rows arrive as an Arrow table whose columns are named like the model's fields. On PostgreSQL
the table is written as CSV by Arrow's writer (C++) and sent with ``COPY ... FROM STDIN (FORMAT csv)``: an
empty unquoted field is NULL there and ``""`` the empty string, which is how Arrow writes a null and an empty
text. Elsewhere (SQLite) the rows go through one ``executemany``, each value prepared by its model field as
Django would prepare it.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, models


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
        with connection.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        return
    fields = [model._meta.get_field(name) for name in table.column_names]
    columns = [_prepared(field, table.column(index).to_pylist()) for index, field in enumerate(fields)]
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        # Names come from the model's meta, quoted; values are bound parameters.
        sql = f"INSERT INTO {target} VALUES ({placeholders})"  # noqa: S608
        cursor.executemany(sql, list(zip(*columns, strict=True)))


def _prepared(field: Any, values: list[Any]) -> list[Any]:
    if isinstance(field, models.DecimalField):
        return [None if value is None else str(value) for value in values]
    if isinstance(field, models.DateTimeField):
        return [
            connection.ops.adapt_datetimefield_value(dt.datetime.fromisoformat(v) if isinstance(v, str) else v)
            for v in values
        ]
    return values

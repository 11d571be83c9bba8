"""Model fields of our own."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class OrderedJSONField(models.JSONField):
    """A JSON document kept exactly as written, key order included, on every database.

    Django's JSONField is ``jsonb`` on PostgreSQL, which stores object keys sorted by length: a JSON Schema
    read back would list its properties in that order, and the passport editor, the public page, the
    reports and the list of validation errors (which all follow the schema's order) would come out
    scrambled on PostgreSQL only. PostgreSQL's plain ``json`` type keeps the text as given. Nothing
    queries inside these documents, so jsonb's operators and indexes are not missed.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if connection.vendor != "postgresql" or value is None:
            return super().get_db_prep_value(value, connection, prepared)
        from psycopg.types.json import Json  # noqa: PLC0415  # psycopg comes with the optional postgres extra

        if not prepared:
            value = self.get_prep_value(value)
        return Json(value, dumps=lambda obj: json.dumps(obj, cls=self.encoder, ensure_ascii=False))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        # psycopg parses ``json`` columns itself (Django only asks it not to for ``jsonb``); json.loads keeps
        # the key order, so the parsed value is already what we want.
        if value is not None and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)

"""Row ids and version numbers in requests: whole numbers from 1 up to what a 64-bit column holds.

A larger number cannot name a row, and SQLite cannot even bind it (``OverflowError``, a 500), so every
id a request carries, in a body or a query, is read through these and refused with a 400 naming it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

# The largest value a 64-bit signed column holds: larger ids cannot exist, and SQLite refuses to compare them.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A row id (or a version number) in a request body or query."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

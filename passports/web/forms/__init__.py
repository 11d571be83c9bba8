"""Django forms of the web pages (the passport editor's form is generated from the schema instead)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms


def set_choices(field: forms.Field, choices: Sequence[tuple[Any, Any]]) -> None:
    """Fill a choice field's options at request time (they come from the database)."""
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{field!r} has no choices")
    field.choices = list(choices)

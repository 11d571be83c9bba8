"""Filters that refuse what they cannot read, instead of quietly ignoring it.

django-filter reads a boolean filter through a widget that turns anything it does not know (``null``,
``yes please``) into "no filter", and a filter that takes one value silently uses the last of several. A
client that misspelt a filter then gets the unfiltered list and believes it filtered. An empty value
(``?facility=``) is read as "no filter" too, though the schema documents an id, a choice or a boolean. This
backend answers 400 naming the parameter, as the documented schema (a boolean, one value) says it should;
only free-text filters take an empty value, which is a string like any other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from core.ids import MAX_ID

BOOLEAN_WORDS = frozenset({"true", "false", "1", "0"})
# Filters whose widget reads several values of one parameter (or a range split over two).
_MULTIPLE = (filters.MultipleChoiceFilter, filters.ModelMultipleChoiceFilter, filters.BaseCSVFilter)


class StrictFilterBackend(filters.DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            errors: dict[str, list[str]] = {}
            for name, field in filterset.filters.items():
                values = request.query_params.getlist(name)
                if len(values) > 1 and not isinstance(field, _MULTIPLE):
                    errors[name] = ["Give this filter once."]
                elif values and not values[0].strip() and not _takes_free_text(field):
                    errors[name] = ["Give a value, or leave this filter out."]
                elif values and isinstance(field, filters.BooleanFilter) and values[0].lower() not in BOOLEAN_WORDS:
                    errors[name] = ["Give true or false."]
            if errors:
                raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


def _takes_free_text(field: filters.Filter) -> bool:
    """A text filter is documented as a plain string, for which an empty value is well formed."""
    return isinstance(field, filters.CharFilter) and not isinstance(field, _MULTIPLE)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A filter on a row id: a whole number from 1 up to the largest the database stores.

    ``NumberFilter`` reads a decimal, so ``1.5`` or ``-1e308`` reach the database, which then fails
    (SQLite cannot bind an integer that large). This one answers 400 naming the parameter instead.
    """

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

"""Page-number pagination with a caller-chosen page size, capped so no request reads a whole table; keyset
(cursor) pagination for the lists that grow to millions of rows."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.counts import row_count
from core.keyset import Cursor, KeysetPage, keyset_page

# ASCII digits only: str.isdigit() also accepts '³' or '٣', which int() then refuses (a 500, found by fuzzing).
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def _one_whole_number(self, request: Request, name: str, message: str) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1 or not _WHOLE_NUMBER.fullmatch(values[0]) or int(values[0]) < 1:
            raise ValidationError({name: [message]})
        return int(values[0])

    def get_page_size(self, request: Request) -> int:
        """A malformed ``page_size`` is the caller's mistake and says so, rather than being ignored."""
        size = self._one_whole_number(
            request, self.page_size_query_param, f"Give one whole number from 1 to {self.max_page_size}."
        )
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        """``page`` is one whole number from 1 (or ``last``); an empty or repeated one is refused, not read as 1."""
        values = request.query_params.getlist(self.page_query_param)
        if len(values) == 1 and values[0] in self.last_page_strings:
            return paginator.num_pages
        number = self._one_whole_number(request, self.page_query_param, "Give one whole number from 1.")
        return 1 if number is None else number


class KeysetPagination(StandardPagination):
    """Cursor pages, newest first, for lists that grow to millions of rows (the passport list).

    Without ``page`` the list answers with keyset pages (``core.keyset``): ``next`` and ``previous`` carry a
    ``cursor``, and every page costs the same however deep it is. ``count`` is exact up to 1,000 rows and
    an estimate above (``count_exact`` says which, ``core.counts``), so no request counts a whole tenant.
    Clients that ask for ``page=N`` keep getting page-number pages with an exact count, as before; they pay
    for the offset and the count, so the cursor is the way to walk a large list.
    """

    cursor_query_param = "cursor"
    keyset_field = "updated_at"

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any] | None:
        self.keyset: KeysetPage[Any] | None = None
        if self.page_query_param in request.query_params or not self._keyset_view(view):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        tokens = request.query_params.getlist(self.cursor_query_param)
        cursor = None
        if tokens:
            try:
                if len(tokens) > 1:
                    raise ValueError("one cursor only")
                cursor = Cursor.decode(tokens[0])
            except ValueError as exc:
                raise ValidationError(
                    {self.cursor_query_param: ["Give the cursor of a next or previous link."]}
                ) from exc
        self.keyset = keyset_page(queryset, size=self.get_page_size(request), cursor=cursor, field=self.keyset_field)
        self.total = row_count(queryset)
        return self.keyset.rows

    @staticmethod
    def _keyset_view(view: Any) -> bool:
        """Only a viewset's own list pages by cursor; its other actions (a passport's versions) keep numbers."""
        return getattr(view, "action", "list") == "list"

    def _link(self, cursor: Cursor | None) -> str | None:
        if cursor is None or self.request is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor.encode())

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset is None:
            response = super().get_paginated_response(data)
            response.data = {"count": response.data["count"], "count_exact": True, **response.data}
            return response
        return Response(
            {
                "count": self.total.value,
                "count_exact": self.total.exact,
                "next": self._link(self.keyset.older),
                "previous": self._link(self.keyset.newer),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"]["description"] = "Exact up to 1,000 rows; above, see count_exact."
        paginated["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "False when count is the database's estimate (lists of more than 1,000 rows).",
        }
        paginated["required"] = [*paginated.get("required", []), "count_exact"]
        return paginated

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if not self._keyset_view(view):
            return super().get_schema_operation_parameters(view)
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "Opaque position from a next or previous link: keyset pages, newest first, each as "
            "fast as the first. Without page, the list pages by cursor; page=N keeps page numbers.",
            "schema": {"type": "string"},
        }
        return [*super().get_schema_operation_parameters(view), cursor]

"""Page-number pagination with a caller-chosen page size, capped so no request reads a whole table."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

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

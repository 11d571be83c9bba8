"""Page-number pagination with a caller-chosen page size, capped so no request reads a whole table."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        """A malformed ``page_size`` is the caller's mistake and says so, rather than being ignored."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if len(values) > 1 or not values[0].isdigit() or int(values[0]) < 1:
            raise ValidationError({"page_size": [f"Give one whole number from 1 to {self.max_page_size}."]})
        return min(int(values[0]), self.max_page_size)

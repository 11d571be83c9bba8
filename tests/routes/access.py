"""Isolation rows of grants and the access log over the API (passports/api/access_views.py)."""

from __future__ import annotations

from tests.routes.rows import Row
from tests.routes.web import grant, listed_access, listed_grant

ROWS: dict[str, Row] = {
    "grant-list": Row("api_list", listed_grant),
    "grant-detail": Row("api_object", grant),
    "grant-revoke": Row("api_owner", grant, methods=("post",)),
    "access-log-list": Row("api_list", listed_access),
}

"""Isolation rows of the readiness cockpit and the conformance matrix (web and API)."""

from __future__ import annotations

from tests.routes.rows import Row
from tests.routes.web import listed_product, passport

ROWS: dict[str, Row] = {
    "readiness-page": Row("web_page", listed_product),
    "passport-conformance-page": Row("web_object", passport),
    "passport-conformance-csv-page": Row("web_object", passport),
    "readiness": Row("api_list", listed_product),
    "passport-conformance": Row("api_object", passport),
}

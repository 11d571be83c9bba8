"""Isolation rows of the lca app's routes."""

from __future__ import annotations

from tests.routes.rows import Row

ROWS: dict[str, Row] = {}

"""Rows of the tenant-isolation matrix (tests/test_route_matrix.py), one module per area."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    """What each caller gets from one route.

    kind: ``public`` (everyone 200/302), ``api_list`` (members 200 with only their own rows, anonymous
    401/403), ``api_self`` (about the caller's own organization), ``api_object`` (owner 2xx/4xx-but-not-404,
    other organization 404, anonymous 401/403), ``web_page`` (anonymous redirected to login),
    ``web_object`` (like api_object for pages), ``web_post``, ``token``, ``admin``.
    ``make(tenant)`` creates the owner's object (named so that a leak is visible: it contains
    ``OWNER-SECRET``) and returns the URL kwargs; list kinds create it but call the route without kwargs.
    """

    kind: str
    make: Callable[[Any], dict[str, Any]] | None = None
    methods: tuple[str, ...] = ("get",)
    anonymous: frozenset[int] = frozenset({401, 403})


def collect_rows() -> dict[str, Row]:
    """Every ``ROWS`` table of the modules in ``tests/routes/``; a route declared twice is an error."""
    import tests.routes

    rows: dict[str, Row] = {}
    for module_info in pkgutil.iter_modules(tests.routes.__path__):
        module = importlib.import_module(f"tests.routes.{module_info.name}")
        for name, row in getattr(module, "ROWS", {}).items():
            if name in rows:
                raise AssertionError(f"route {name!r} has rows in two modules of tests/routes/")
            rows[name] = row
    return rows

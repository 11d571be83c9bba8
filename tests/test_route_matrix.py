"""Tenant isolation, route by route.

Every route of the URLconf must have a row in ``ROUTES``: a new route without one fails this suite, so no
endpoint ships without its isolation answer declared. For each row, the route is called as the owner of the
object, as a member of another organization, as another organization's API client, and anonymously; the
expected answers are declared by the row's kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.routes.rows import Row, collect_rows

pytestmark = pytest.mark.django_db


def iter_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(route pattern, name) for every URL pattern, admin collapsed into one row."""
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                yield pattern, "admin:*"
                continue
            yield from iter_routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern, entry.name or pattern


ROUTES: dict[str, Row] = collect_rows()


def test_every_route_has_a_row() -> None:
    names = {name for _pattern, name in iter_routes()}
    missing = sorted(names - set(ROUTES))
    assert not missing, f"routes without an isolation row in tests/test_route_matrix.py: {missing}"
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"rows for routes that no longer exist: {stale}"


def _url(name: str, kwargs: dict[str, Any]) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


def _callers(tenant: Any, other: Any, login_api: Any, bearer_api: Any) -> dict[str, APIClient]:
    return {
        "owner": login_api(tenant.owner),
        "other_member": login_api(other.owner),
        "other_client": bearer_api(other.org, ("read", "write")),
        "anonymous": APIClient(),
    }


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_isolation(name: str, tenant: Any, other_tenant: Any, login_api: Any, bearer_api: Any) -> None:
    row = ROUTES[name]
    callers = _callers(tenant, other_tenant, login_api, bearer_api)
    kwargs = row.make(tenant) if row.make else {}
    if row.kind == "admin":
        assert callers["anonymous"].get("/admin/").status_code == 302
        assert callers["other_member"].get("/admin/").status_code == 302  # not staff
        return
    url = _url(name, {} if row.kind in {"api_list", "web_page"} else kwargs)
    for method in row.methods:
        for who, client in callers.items():
            response = getattr(client, method)(url, {} if method != "get" else None)
            status = response.status_code
            body = response.content.decode(errors="replace")
            context = f"{method.upper()} {url} as {who}: {status}"
            assert status < 500, context
            assert "OWNER-SECRET-PLANT" not in body or who == "owner", f"leak: {context}"
            if row.kind == "public" and who == "anonymous" and row.anonymous != Row.anonymous:
                assert status in row.anonymous, context
            elif row.kind == "public":
                assert status in (200, 302, 307), context  # 307: the GS1 resolver's redirect to its default link
            elif row.kind == "api_object":
                expected = {"anonymous": {401, 403}, "other_member": {404}, "other_client": {404}}
                if who in expected:
                    assert status in expected[who], context
                else:
                    assert status in {200, 202, 204, 400}, context  # 202: a job confirmed, queued
            elif row.kind in {"api_list", "api_self"}:
                if who == "anonymous":
                    assert status in {401, 403}, context
                else:
                    assert status in {200, 201, 400}, context
            elif row.kind == "web_page":
                if who == "anonymous":
                    assert status == 302, context
            elif row.kind == "web_object":
                expected = {"anonymous": {302}, "other_member": {404}}
                if who in expected:
                    assert status in expected[who], context
            elif row.kind == "token":
                assert status in {400, 401}, context  # no client credentials offered
            elif row.kind == "web_post":
                assert status in {302, 200, 403, 405}, context


PROBED_METHODS = ("get", "post", "put", "patch", "delete")


def route_callbacks(resolver: URLResolver | None = None) -> dict[str, Any]:
    """The view callable of every named route (admin left out: it has its own row kind)."""
    found: dict[str, Any] = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                found.update({k: v for k, v in route_callbacks(entry).items() if k not in found})
        elif isinstance(entry, URLPattern) and entry.name and entry.name not in found:
            found[entry.name] = entry.callback
    return found


def allowed_methods(callback: Any) -> set[str]:
    """The methods a view answers, read from the view: a DRF viewset's ``actions``, a class-based view's
    handlers; a function view does not say, so every method is taken as possible."""
    actions = getattr(callback, "actions", None)
    if actions:
        return {method.lower() for method in actions} & set(PROBED_METHODS)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        return {m for m in cls.http_method_names if m in PROBED_METHODS and hasattr(cls, m)}
    return set(PROBED_METHODS)


CALLBACKS = route_callbacks()


def test_the_declared_methods_are_methods_the_routes_answer() -> None:
    wrong = {
        name: sorted(set(row.methods) - allowed_methods(CALLBACKS[name]))
        for name, row in ROUTES.items()
        if name in CALLBACKS and set(row.methods) - allowed_methods(CALLBACKS[name])
    }
    assert not wrong, f"rows declare methods their views do not have: {wrong}"


@pytest.mark.parametrize("name", sorted(n for n, row in ROUTES.items() if row.kind not in {"admin", "token"}))
def test_undeclared_methods_do_not_leak(
    name: str, tenant: Any, other_tenant: Any, login_api: Any, bearer_api: Any
) -> None:
    """Every method a row does not declare, whether the view has it or not, is tried by every outsider.

    Nothing may leak (no owner data in any answer, no server error); on object routes an outsider gets no
    success (2xx, or a redirect after a form post) and the owner's object is still there afterwards.
    """
    row = ROUTES[name]
    callers = _callers(tenant, other_tenant, login_api, bearer_api)
    kwargs = row.make(tenant) if row.make else {}
    url = _url(name, {} if row.kind in {"api_list", "web_page"} else kwargs)
    owner_before = callers["owner"].get(url).status_code if "get" in row.methods else None
    probed = [m for m in PROBED_METHODS if m not in row.methods]
    for method in probed:
        for who in ("other_member", "other_client", "anonymous"):
            response = getattr(callers[who], method)(url, {} if method != "get" else None)
            status = response.status_code
            context = f"{method.upper()} {url} as {who}: {status} (allowed: {sorted(allowed_methods(CALLBACKS[name]))})"
            assert status < 500, context
            assert "OWNER-SECRET" not in response.content.decode(errors="replace"), f"leak: {context}"
            if row.kind in {"api_object", "web_object"} and who != "anonymous":
                assert not 200 <= status < 300, context
                if row.kind == "web_object" and status in {301, 302, 303}:
                    assert "/login/" in response["Location"], context
    if owner_before is not None:
        assert callers["owner"].get(url).status_code == owner_before, f"{url}: the owner's answer changed"

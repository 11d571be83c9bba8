"""Probes, request ids, error pages, docs."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from django.test import Client

from core.requestid import RequestIdLogFilter


def test_healthz_needs_no_database(client: Client) -> None:
    # No django_db mark: pytest-django makes any database access in this test an error.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(client: Client, settings: Any) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["status"] == "ok"
    expected_redis = "ok" if settings.REDIS_URL else "not_configured"
    assert body["checks"]["redis"]["status"] == expected_redis


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_redis(client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "error"


def test_request_id_is_echoed_or_made(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="trace-abc-12345").headers["X-Request-ID"] == "trace-abc-12345"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces").headers["X-Request-ID"]
    assert len(made) == 32
    assert made != "bad id with spaces"


def test_json_log_lines_carry_the_request_id() -> None:
    from pythonjsonlogger.json import JsonFormatter

    from core.requestid import request_id_var

    formatter = JsonFormatter("%(levelname)s %(name)s %(request_id)s %(message)s")
    record = logging.LogRecord("dpp", logging.INFO, __file__, 1, "hello", None, None)
    token = request_id_var.set("req-1234567890")
    try:
        RequestIdLogFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-1234567890"
    assert line["message"] == "hello"


@pytest.mark.django_db
def test_unknown_api_path_answers_json_404(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_openapi_schema_and_docs_pages(client: Client) -> None:
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/facilities/" in document["paths"]
    assert "oauth2" in document["components"]["securitySchemes"]
    swagger = client.get("/api/schema/swagger-ui/")
    assert swagger.status_code == 200
    html = swagger.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "https://" not in html  # nothing from a CDN
    redoc = client.get("/api/schema/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc
    assert "googleapis" not in redoc


def test_every_path_parameter_matches_its_path(client: Client) -> None:
    """A path parameter the path does not hold (or a placeholder with no parameter) makes clients and the
    fuzzer build wrong requests; drf-spectacular lets a class-level decorator cause the first."""
    document = client.get("/api/schema/?format=json").json()
    wrong = []
    for path, operations in document["paths"].items():
        placeholders = set(re.findall(r"\{(\w+)\}", path))
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            if declared != placeholders:
                wrong.append(f"{method.upper()} {path}: declares {sorted(declared)}")
    assert not wrong, wrong


@pytest.mark.django_db
def test_sidecar_assets_are_served_from_our_static_files(client: Client) -> None:
    html = client.get("/api/schema/swagger-ui/").content.decode()
    src = html.split('<script src="', 1)[1].split('"', 1)[0]
    asset = client.get(src)
    assert asset.status_code == 200


def test_security_headers_on_pages(client: Client) -> None:
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp

"""Deployment promises: production settings pass ``check --deploy``; docker-compose agrees with the settings."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_on_production_settings() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "x7#Kq!v9pL2$mN8@wR4^tY6&uI0*oP3(aS5)dF1-gH7_jZ9+cB2=eV4nM6bX8",
        "DJANGO_ALLOWED_HOSTS": "dpp.example.com",
        "PLATFORM_BASE_URL": "https://dpp.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        # Production refuses to start without a key-encryption key for signing keys (see prod.py).
        "SIGNING_KEK": base64.b64encode(os.urandom(32)).decode(),
        "BACKUP_STORE_URL": "s3://dpp-backup/passports",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.prod"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_with_health_checks(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_compose_commands_match_the_project(compose: dict) -> None:
    services = compose["services"]
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert "--worker-class sync" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_compose_variables_are_the_ones_settings_read(compose: dict) -> None:
    settings_text = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    for service in ("web", "worker"):
        env = compose["services"][service]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        for variable in env:
            if variable != "DJANGO_SETTINGS_MODULE":
                assert f'"{variable}"' in settings_text, f"{variable} is not read by config/settings"
    db = compose["services"]["postgres"]["environment"]
    assert (
        f"{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@postgres:5432/{db['POSTGRES_DB']}"
        in (compose["services"]["web"]["environment"]["DATABASE_URL"])
    )


def test_production_settings_refuse_a_backup_store_on_the_same_machine() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "x7#Kq!v9pL2$mN8@wR4^tY6&uI0*oP3(aS5)dF1-gH7_jZ9+cB2=eV4nM6bX8",
        "DJANGO_ALLOWED_HOSTS": "dpp.example.com",
        "PLATFORM_BASE_URL": "https://dpp.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        "SIGNING_KEK": base64.b64encode(os.urandom(32)).decode(),
        "BACKUP_STORE_URL": "file:///srv/dpp-backup",
    }
    env.pop("BACKUP_ALLOW_LOCAL_STORE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "BACKUP_STORE_URL must name a second store" in result.stderr

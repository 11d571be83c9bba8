"""Management commands and settings of signing: rotate_signing_key, verify_passport, seed_demo, production KEK."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exporters.credentials.verification import verify_token
from exporters.models import IssuedCredential, SigningKey
from passports.models import Organization, PassportVersion
from passports.services.passports import passport_publish, passport_revoke
from tests.factories import make_passport

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_rotate_signing_key_makes_a_new_current_key_and_keeps_the_old_one(tenant: Any) -> None:
    version = passport_publish(passport=make_passport(tenant.org), by=tenant.owner)
    old = version.issued_credential.signing_key
    output = run("rotate_signing_key", "--org", tenant.org.slug)
    new = SigningKey.objects.get(organization=tenant.org, status="current")
    assert new.kid in output
    assert new.fingerprint in output
    assert "dppkey" not in output and "PRIVATE" not in output
    old.refresh_from_db()
    assert old.status == "retired"
    assert verify_token(version.issued_credential.jws).valid
    es256 = run("rotate_signing_key", "--org", tenant.org.slug, "--alg", "ES256")
    assert "ES256" in es256
    with pytest.raises(CommandError):
        run("rotate_signing_key", "--org", "no-such-org")


@pytest.mark.django_db
def test_rotate_signing_key_compromise_withdraws_a_key(tenant: Any) -> None:
    version = passport_publish(passport=make_passport(tenant.org), by=tenant.owner)
    jws_before = version.issued_credential.jws
    kid = version.issued_credential.kid
    output = run("rotate_signing_key", "--org", tenant.org.slug, "--compromise", kid)
    assert f"Marked compromised: {kid}" in output
    assert verify_token(jws_before).errors[0]["code"] == "key_compromised"
    version.issued_credential.refresh_from_db()
    assert verify_token(version.issued_credential.jws).valid
    with pytest.raises(CommandError):
        run("rotate_signing_key", "--org", tenant.org.slug, "--compromise", "did:web:nowhere#x")


@pytest.mark.django_db
def test_verify_passport_checks_files_and_our_own_urls_offline(tenant: Any, tmp_path: Path) -> None:
    version = passport_publish(passport=make_passport(tenant.org), by=tenant.owner)
    issued = version.issued_credential
    token_file = tmp_path / "passport.jwt"
    token_file.write_text(issued.jws + "\n", encoding="ascii")
    assert "VALID" in run("verify_passport", str(token_file))
    json_file = tmp_path / "passport.json"
    json_file.write_text(json.dumps({"credential": issued.jws}), encoding="ascii")
    assert '"valid": true' in run("verify_passport", str(json_file), "--json")
    assert "VALID" in run("verify_passport", version.passport.identifier)
    assert "VALID" in run("verify_passport", f"{version.passport.identifier}?version=1")
    passport_revoke(version=version, reason="test", by=tenant.owner)
    with pytest.raises(CommandError) as caught:
        run("verify_passport", str(token_file))
    assert caught.value.returncode == 1
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(issued.jws[:-4] + "AAAA", encoding="ascii")
    with pytest.raises(CommandError):
        run("verify_passport", str(tampered))
    with pytest.raises(CommandError, match="only URLs of this platform"):
        run("verify_passport", "https://elsewhere.example/01/08800000000008")


@pytest.mark.django_db
def test_seed_demo_signs_every_published_demo_passport() -> None:
    run("seed_demo")
    published = PassportVersion.objects.filter(status="published")
    assert published.count() >= 10
    issued = IssuedCredential.objects.filter(version__in=published)
    assert issued.count() == published.count()
    assert all(verify_token(credential.jws).valid for credential in issued)
    for org in Organization.objects.filter(passports__isnull=False).distinct():
        assert SigningKey.objects.filter(organization=org, status="current").count() == 1
    run("seed_demo")  # idempotent: nothing new
    assert IssuedCredential.objects.count() == issued.count()


def _settings_check(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "SIGNING_KEK"},
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "x7#Kq!v9pL2$mN8@wR4^tY6&uI0*oP3(aS5)dF1-gH7_jZ9+cB2=eV4nM6bX8",
        "DJANGO_ALLOWED_HOSTS": "dpp.example.com",
        "PLATFORM_BASE_URL": "https://dpp.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        "BACKUP_STORE_URL": "s3://dpp-backup/passports",  # production wants a second store
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_usable_signing_kek() -> None:
    missing = _settings_check()
    assert missing.returncode != 0
    assert "SIGNING_KEK must be set in production" in missing.stderr
    weak = _settings_check(SIGNING_KEK=base64.b64encode(b"a" * 32).decode())
    assert weak.returncode != 0
    assert "SIGNING_KEK is not usable" in weak.stderr
    assert base64.b64encode(b"a" * 32).decode() not in weak.stderr  # the value itself is never echoed
    good = _settings_check(SIGNING_KEK=base64.b64encode(bytes(range(160, 192))).decode())
    assert good.returncode == 0, good.stderr
    assert "started" in good.stdout

"""Verifying a passport credential for anyone: signature, issuer key, validity, status and linked data.

Keys of our own DIDs are resolved from the database (``exporters.selectors.platform_key``) and status lists
are read from the database too, so verification needs no network; a credential from another host fails with
``unknown_kid`` because this service fetches nothing. The checks, in order:

1. the compact JWS and the credential (``exporters.credentials.vc.verify_credential``): no ``alg: none``, no
   algorithm swap, a known and not compromised key of the issuer, the validity period;
2. each ``credentialStatus`` entry against its Bitstring Status List credential, itself verified first;
3. each ``relatedResource`` the platform serves: the bytes served today must hash to the signed digest;
4. each JSON-LD context the credential lists with a digest: the file the platform expands it with must be the
   one the issuer used (a changed context changes what the credential means).

``valid`` is true only when every check passed and the credential is neither revoked nor suspended.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from exporters.credentials import document_loader
from exporters.credentials.signing import VerificationError
from exporters.credentials.statuslist import StatusListError, check_status
from exporters.credentials.vc import decode_credential, verify_credential
from exporters.selectors import issued_credential_facts, platform_key, status_list_tokens
from exporters.services.credentials import URN_UUID_PREFIX, tier_data_bytes, tier_data_url_for
from passports.models import PassportVersion
from passports.tiers import TIERS

STATUS_ACTIVE = "active"
STATUS_REVOKED = "revoked"
STATUS_SUSPENDED = "suspended"
STATUS_UNKNOWN = "unknown"


@dataclass
class VerificationReport:
    """What ``POST /api/v1/verify`` and ``manage.py verify_passport`` answer."""

    valid: bool = False
    issuer: str | None = None
    kid: str | None = None
    status: str = STATUS_UNKNOWN
    checks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    credential: dict[str, Any] | None = None

    def passed(self, check: str, message: str) -> None:
        self.checks.append({"check": check, "passed": True, "message": message})

    def failed(self, check: str, code: str, message: str) -> None:
        self.checks.append({"check": check, "passed": False, "message": message})
        self.errors.append({"code": code, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "issuer": self.issuer,
            "kid": self.kid,
            "status": self.status,
            "checks": self.checks,
            "errors": self.errors,
        }


def _unverified_names(token: str, report: VerificationReport) -> None:
    """Issuer and kid as the token states them, for the report only; nothing here is trusted."""
    try:
        credential = decode_credential(token)
    except VerificationError:
        return
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    report.issuer = issuer_id if isinstance(issuer_id, str) else None
    try:
        header_segment = token.split(".", maxsplit=1)[0]
        header = base64.urlsafe_b64decode(header_segment + "=" * (-len(header_segment) % 4))
        kid = json.loads(header).get("kid")
        report.kid = kid if isinstance(kid, str) else None
    except (ValueError, AttributeError, UnicodeDecodeError):
        report.kid = None


def _key_resolver() -> Callable[[str], dict[str, Any] | None]:
    """`platform_key` remembered for one verification: the token and both status lists share a key."""
    seen: dict[str, dict[str, Any] | None] = {}

    def resolve(kid: str) -> dict[str, Any] | None:
        if kid not in seen:
            seen[kid] = platform_key(kid)
        return seen[kid]

    return resolve


def _status_entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    entries = credential.get("credentialStatus") or []
    if isinstance(entries, dict):
        entries = [entries]
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def _check_status(
    credential: dict[str, Any],
    report: VerificationReport,
    now: datetime | None,
    resolve: Callable[[str], dict[str, Any] | None],
) -> None:
    entries = _status_entries(credential)
    lists = status_list_tokens([str(entry.get("statusListCredential")) for entry in entries])
    report.status = STATUS_ACTIVE
    for entry in entries:
        purpose = entry.get("statusPurpose")
        check = f"status:{purpose}"
        url = entry.get("statusListCredential")
        listed_jws = lists.get(url) if isinstance(url, str) else None
        if listed_jws is None:
            report.failed(check, "status_unavailable", f"status list {url!r} is not one this platform serves")
            report.status = STATUS_UNKNOWN
            continue
        try:
            listed = verify_credential(listed_jws, resolve, now=now).credential
            is_set = check_status(entry, listed)
        except VerificationError as exc:
            report.failed(check, f"status_list_{exc.code}", f"the status list does not verify: {exc.message}")
            report.status = STATUS_UNKNOWN
            continue
        except StatusListError as exc:
            report.failed(check, "status_invalid", str(exc))
            report.status = STATUS_UNKNOWN
            continue
        if not is_set:
            report.passed(check, f"not {'revoked' if purpose == 'revocation' else 'suspended'}")
        elif purpose == "revocation":
            report.failed(check, "revoked", "the issuer has revoked this credential")
            report.status = STATUS_REVOKED
        else:
            report.failed(check, "suspended", "the issuer has suspended this credential")
            if report.status != STATUS_REVOKED:
                report.status = STATUS_SUSPENDED


@functools.lru_cache(maxsize=4096)
def _served_digest(version_id: int, content_hash: str, schema_id: int, tier: str) -> str:
    # A published version and its schema never change, so the digest of what is served for a tier does not
    # either; content hash and schema in the key keep an entry from outliving a rewritten row.
    version = PassportVersion.objects.select_related("schema", "base_version").get(pk=version_id)
    served = tier_data_bytes(version, tier)
    return "sha256-" + base64.b64encode(hashlib.sha256(served).digest()).decode("ascii")


def _check_linked_data(credential: dict[str, Any], report: VerificationReport) -> None:
    issued = issued_credential_facts(str(credential.get("id", "")))
    if issued is None:
        return
    resources = {r.get("id"): r for r in credential.get("relatedResource") or [] if isinstance(r, dict)}
    key = issued.credential_id.removeprefix(URN_UUID_PREFIX)
    for tier in TIERS:
        resource = resources.get(tier_data_url_for(issued.organization_slug, key, tier))
        if resource is None:
            continue
        served = _served_digest(issued.version_id, issued.content_hash, issued.schema_id, tier)
        if served == resource.get("digestSRI"):
            report.passed(f"data:{tier}", "the data served for this tier matches the signed digest")
        else:
            report.failed(f"data:{tier}", "data_mismatch", f"the {tier} data served no longer matches the digest")


def _check_contexts(credential: dict[str, Any], report: VerificationReport) -> None:
    base = settings.PLATFORM_BASE_URL
    known = document_loader.known_urls(base)
    for resource in credential.get("relatedResource") or []:
        if not isinstance(resource, dict) or resource.get("id") not in known:
            continue
        url = str(resource["id"])
        if resource.get("digestSRI") == document_loader.digest_sri(url, base_url=base):
            report.passed(f"context:{url}", "the JSON-LD context is the one the issuer used")
        else:
            report.failed(
                f"context:{url}", "context_mismatch", f"the context {url} differs from the one the issuer used"
            )


def verify_token(token: str, now: datetime | None = None) -> VerificationReport:
    """Verify a compact JWS credential as the platform's public verifier does (see the module docstring)."""
    report = VerificationReport()
    token = token.strip() if isinstance(token, str) else token
    _unverified_names(token, report)
    resolve = _key_resolver()
    try:
        verified = verify_credential(token, resolve, now=now)
    except VerificationError as exc:
        report.failed("signature", str(exc.code), exc.message)
        return report
    credential = verified.credential
    report.credential = credential
    report.kid = verified.jws.kid
    report.passed("signature", f"signed with {verified.jws.alg} by key {verified.jws.kid}")
    report.passed("issuer_key", "the signing key belongs to the issuer's DID")
    report.passed("validity_period", "within validFrom/validUntil")
    _check_status(credential, report, now, resolve)
    _check_linked_data(credential, report)
    _check_contexts(credential, report)
    report.valid = not report.errors and report.status == STATUS_ACTIVE
    return report

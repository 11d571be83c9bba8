"""Is this PDF one of our reports, unchanged, and does it show a published passport version?

Three checks, each answering a different doubt: the SHA-256 in the metadata must be printed on every page
(a page swapped in from another report shows), it must name a version we hold (a report of unknown or
invented data shows), and the file must carry our seal over its bytes (an edited figure shows: the version
hash alone cannot catch that, since an editor can leave it in place). A revoked version is reported as such:
the data was withdrawn, whatever the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from pypdf.errors import PyPdfError

from core.bounded import LimitExceededError, run_bounded
from exporters.reports.pdf import read_embedded_hash, read_footer_hashes
from exporters.reports.rendering import seal_key
from exporters.reports.seal import seal_is_valid
from passports.models import Organization, PassportVersion

Outcome = Literal[
    "match", "modified", "unknown", "unpublished", "revoked", "no_hash", "inconsistent", "not_pdf", "too_costly"
]

_MESSAGES: dict[str, str] = {
    "match": "The file is a report we issued, unchanged, and shows a published passport version.",
    "modified": "The version hash is ours, but the file was changed after we issued it.",
    "unknown": "No passport version has the hash this file carries.",
    "unpublished": "The file shows a draft that was never published.",
    "revoked": "The file shows a passport version that its issuer revoked.",
    "no_hash": "The file carries no passport-version hash: it is not one of our reports.",
    "inconsistent": "The pages of the file carry a different hash than its metadata: pages were swapped or edited.",
    "not_pdf": "The file is not a readable PDF.",
    "too_costly": "The file could not be read within the time and memory a check may take: none of our reports "
    "needs that much.",
}


@dataclass(frozen=True)
class Verification:
    """What the checks found. ``match`` is the one yes/no answer a caller needs."""

    outcome: Outcome
    embedded_hash: str | None = None
    sealed: bool = False
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def match(self) -> bool:
        return self.outcome == "match"

    @property
    def message(self) -> str:
        return _MESSAGES[self.outcome]

    def as_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "outcome": self.outcome,
            "message": self.message,
            "content_hash": self.embedded_hash,
            "sealed": self.sealed,
            "versions": self.versions,
        }


def _describe(version: PassportVersion) -> dict[str, Any]:
    return {
        "passport": version.passport_id,
        "identifier": version.passport.identifier,
        "version": version.number,
        "status": version.status,
        "published_at": version.published_at.isoformat() if version.published_at else None,
    }


def read_report_pdf(pdf: bytes, key: bytes) -> tuple[str | None, list[str | None], bool]:
    """What a report PDF carries: its metadata hash, each page's footer hash, whether its seal holds.

    Plain parsing of an untrusted file, without the database: ``verify_report`` runs it in a child process
    under time and memory limits (``core.bounded``).
    """
    embedded = read_embedded_hash(pdf)
    if embedded is None:
        return None, [], False
    return embedded, read_footer_hashes(pdf), seal_is_valid(pdf, key)


def _read_within_limits(pdf: bytes) -> tuple[str | None, list[str | None], bool] | Verification:
    """``read_report_pdf`` in a child process limited to ``REPORT_VERIFY_SECONDS`` and
    ``REPORT_VERIFY_MEMORY_BYTES``, or the answer when the file cannot be read within them."""
    try:
        return run_bounded(
            read_report_pdf,
            pdf,
            seal_key(),
            wall_seconds=float(getattr(settings, "REPORT_VERIFY_SECONDS", 10)),
            memory_bytes=int(getattr(settings, "REPORT_VERIFY_MEMORY_BYTES", 512 * 1024 * 1024)),
        )
    except LimitExceededError:
        return Verification("too_costly")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        # PyPdfError covers pypdf's LimitReachedError (a decompression bomb, too many objects): a file we cannot
        # read within the limits is not one of our reports; it answered 500 before (issue 21, item 8).
        return Verification("not_pdf")


def verify_report(pdf: bytes, *, org: Organization | None, every_organization: bool = False) -> Verification:
    """Check ``pdf`` against the versions of ``org`` (or of every organization, for operators' tools).

    The file is parsed in a bounded child process, never in the caller's: a small crafted PDF kept a web
    worker busy for 24.5 s (issue 21, item 7).
    """
    read = _read_within_limits(pdf)
    if isinstance(read, Verification):
        return read
    embedded, footers, sealed = read
    if embedded is None:
        return Verification("no_hash")
    if not footers or any(found != embedded for found in footers):
        return Verification("inconsistent", embedded_hash=embedded)
    candidates = PassportVersion.objects.select_related("passport").filter(content_hash=embedded)
    if not every_organization:
        candidates = candidates.filter(organization=org) if org is not None else candidates.none()
    versions = list(candidates.order_by("passport_id", "number"))
    described = [_describe(version) for version in versions]
    if not versions:
        return Verification("unknown", embedded_hash=embedded, sealed=sealed)
    if not sealed:
        return Verification("modified", embedded_hash=embedded, versions=described)
    statuses = {version.status for version in versions}
    if statuses & {PassportVersion.Status.PUBLISHED, PassportVersion.Status.SUPERSEDED}:
        outcome: Outcome = "match"
    elif PassportVersion.Status.REVOKED in statuses:
        outcome = "revoked"
    else:
        outcome = "unpublished"
    return Verification(outcome, embedded_hash=embedded, sealed=True, versions=described)

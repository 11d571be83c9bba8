"""Demo data of reports: QR codes of every published demo passport, made once as publication would."""

from __future__ import annotations

from exporters.reports.receivers import qr_code_for
from passports.models import Passport, PassportVersion


def seed_reports() -> int:
    """Make the QR codes that publication makes, for published passports seeded before reports existed."""
    passports = Passport.objects.filter(status=PassportVersion.Status.PUBLISHED, qr_code__isnull=True)
    count = 0
    for passport in passports:
        qr_code_for(passport)
        count += 1
    return count

"""Demo data of signing: every demo organization has a key, every published demo passport its credential.

Publishing in the seed already signs (the receiver of ``passport_published``); this also covers a database
seeded before signing existed, and gives organizations without published passports a key for their DID page.
"""

from __future__ import annotations

from exporters.models import IssuedCredential
from exporters.selectors import RESOLVABLE
from exporters.services.credentials import credential_issue
from exporters.services.keys import current_key
from passports.models import Organization, PassportVersion


def seed_signing() -> int:
    """Create missing keys and credentials; returns how many credentials were issued now."""
    for org in Organization.objects.filter(passports__isnull=False).distinct():
        current_key(org)
    missing = PassportVersion.objects.filter(status__in=RESOLVABLE).exclude(
        pk__in=IssuedCredential.objects.values("version_id")
    )
    count = 0
    for version in missing.select_related("passport__product", "passport__organization", "schema"):
        credential_issue(version=version)
        count += 1
    return count

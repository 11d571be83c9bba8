"""Receivers of passport events for reports: make the passport's QR code once, when it is published.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(b): the data carrier leads to the passport. A passport's
identifier (its GS1 Digital Link URI) never changes, so its QR code is made once, at the first publication,
inside the publishing transaction (``passport_published`` is sent there): a publication that rolls back
leaves no orphan symbol, and a republication reuses the stored one.
"""

from __future__ import annotations

import io
from typing import Any

from django.dispatch import receiver

from exporters.models import PassportQrCode
from exporters.resolver.carriers import QUIET_ZONE_MODULES, make_qr
from passports.models import Passport, PassportVersion
from passports.signals import passport_published

SVG_SCALE = 4  # SVG user units per module; vector, so any print size scales from it
PNG_SCALE = 8  # pixels per module: a version-5 symbol is 296 px, sharp on screens and labels


def qr_code_for(passport: Passport) -> PassportQrCode:
    """Return the passport's stored QR code, making and storing it first if it has none for its URI."""
    stored = PassportQrCode.objects.filter(passport=passport).first()
    if stored is not None and stored.uri == passport.identifier:
        return stored
    # One symbol, saved twice: choosing the mask is the costly step, so it is done once for both files.
    symbol = make_qr(passport.identifier)
    svg, png = io.BytesIO(), io.BytesIO()
    symbol.save(svg, kind="svg", scale=SVG_SCALE, border=QUIET_ZONE_MODULES, xmldecl=True)
    symbol.save(png, kind="png", scale=PNG_SCALE, border=QUIET_ZONE_MODULES)
    code, _ = PassportQrCode.objects.update_or_create(
        passport=passport,
        defaults={
            "organization_id": passport.organization_id,
            "uri": passport.identifier,
            "svg": svg.getvalue().decode("utf-8"),
            "png": png.getvalue(),
        },
    )
    return code


@receiver(passport_published, sender=PassportVersion, dispatch_uid="exporters.reports.qr_code_at_publication")
def make_qr_code_at_publication(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    qr_code_for(version.passport)

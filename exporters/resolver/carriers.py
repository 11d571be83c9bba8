"""QR codes that carry a passport's GS1 Digital Link URI, as SVG or PNG files.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(b) and Annex III: the passport is reached through a
data carrier on the product, its packaging or documentation; the GS1 Digital Link URI in a QR code
is the carrier used here. Making a code costs milliseconds (segno, pure Python), so a passport's code
is made once, at its first publication (``exporters.services.publication``), and stored: ``qr_code_for``
keeps it in ``PassportQrCode``; ``qr_svg`` and ``qr_png`` draw one on request and keep nothing.

A passport's identifier (its GS1 Digital Link URI) never changes, so its stored code is made inside the publishing
transaction: a publication that rolls back leaves no orphan symbol, and a republication reuses the stored one.

Error correction level M (about 15 % of the symbol recoverable) is the usual balance between
symbol size and damage tolerance on packaging; it is fixed rather than boosted so a label designer
gets a symbol whose size depends only on the URI. The quiet zone is the 4 modules ISO/IEC 18004
requires.
"""

from __future__ import annotations

import io

import segno

from exporters.models import PassportQrCode
from passports.models import Passport

ERROR_CORRECTION = "m"
QUIET_ZONE_MODULES = 4
MAX_SCALE = 40  # 40 px per module already prints a version-10 code 2.4 m wide at 96 dpi; more is abuse.
SVG_SCALE = 4  # stored SVG: user units per module; vector, so any print size scales from it
PNG_SCALE = 8  # stored PNG: pixels per module; a version-5 symbol is 296 px, sharp on screens and labels


def make_qr(data: str) -> segno.QRCode:
    """Return the QR code for ``data`` at error correction level M (never a Micro QR)."""
    if not data:
        raise ValueError("a QR code needs data to carry")
    return segno.make_qr(data, error=ERROR_CORRECTION, boost_error=False)


def _check_scale(scale: float) -> None:
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"QR scale must be above 0 and at most {MAX_SCALE}, got {scale}")


def qr_svg(data: str, scale: float = 4) -> bytes:
    """Return an SVG document of the QR code; ``scale`` is the size of one module in SVG user units."""
    _check_scale(scale)
    buffer = io.BytesIO()
    make_qr(data).save(buffer, kind="svg", scale=scale, border=QUIET_ZONE_MODULES, xmldecl=True)
    return buffer.getvalue()


def qr_png(data: str, scale: int = 4) -> bytes:
    """Return a PNG of the QR code, ``scale`` pixels per module (whole pixels keep modules sharp)."""
    if not isinstance(scale, int) or isinstance(scale, bool):
        raise ValueError(f"PNG scale must be a whole number of pixels per module, got {scale!r}")
    _check_scale(scale)
    buffer = io.BytesIO()
    make_qr(data).save(buffer, kind="png", scale=scale, border=QUIET_ZONE_MODULES)
    return buffer.getvalue()


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

"""Tests for exporters/resolver/carriers.py: QR codes decode back to the Digital Link, at level M, sized as asked."""

from __future__ import annotations

import io
import re

import pytest
import segno

from exporters.resolver.carriers import MAX_SCALE, make_qr, qr_png, qr_svg

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR codes")
Image = pytest.importorskip("PIL.Image", reason="Pillow (a reportlab dependency) opens the PNGs")

LINK = "https://id.example.com/01/09506000134352/10/LOT-2026-03/21/SN%2F0001"


def _decode(png: bytes) -> list[object]:
    return list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


def test_png_decodes_to_the_link_at_level_m() -> None:
    [result] = _decode(qr_png(LINK, scale=4))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    assert result.text == LINK
    assert result.ec_level == "M"


def test_png_size_is_modules_plus_quiet_zone_times_scale() -> None:
    # A version-v QR code has 17 + 4v modules a side; the quiet zone adds 4 on each side.
    version = make_qr(LINK).version
    side_modules = 17 + 4 * version + 8
    for scale in (2, 5):
        image = Image.open(io.BytesIO(qr_png(LINK, scale=scale)))
        assert image.size == (side_modules * scale, side_modules * scale)


def test_svg_has_the_size_and_the_dark_modules() -> None:
    version = make_qr(LINK).version
    side = (17 + 4 * version + 8) * 3
    svg = qr_svg(LINK, scale=3).decode("utf-8")
    assert svg.startswith("<?xml")
    assert f'width="{side}"' in svg
    assert f'height="{side}"' in svg
    assert re.search(r"<path[^>]+d=\"M", svg)


def test_error_level_is_not_boosted() -> None:
    # segno raises the level when the data still fits the same version; a fixed M keeps label layouts stable.
    # This URI leaves room in version 4, so segno's default would print it at level Q.
    short = "https://id.example.com/01/09506000134352/21/"
    assert segno.make_qr(short, error="m").error == "Q"
    assert make_qr(short).error == "M"
    assert not make_qr(short).is_micro


@pytest.mark.parametrize("scale", [0, -1, MAX_SCALE + 1])
def test_scale_out_of_range_is_refused(scale: int) -> None:
    with pytest.raises(ValueError, match="scale"):
        qr_png(LINK, scale=scale)
    with pytest.raises(ValueError, match="scale"):
        qr_svg(LINK, scale=scale)


@pytest.mark.parametrize("scale", [2.5, True])
def test_png_scale_must_be_whole_pixels(scale: float) -> None:
    with pytest.raises(ValueError, match="whole number"):
        qr_png(LINK, scale=scale)  # type: ignore[arg-type]


def test_empty_data_is_refused() -> None:
    with pytest.raises(ValueError, match="data"):
        qr_png("")

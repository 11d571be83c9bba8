"""The passport's QR code as vector graphics inside a PDF, sized for print.

A vector symbol stays sharp at any printer resolution, where a PNG would be resampled. The module
size (X-dimension) defaults to 0.5 mm and is never below 0.396 mm, the minimum of the 0.396-0.990 mm
range that GS1 General Specifications section 5.12.3.1 sets for QR codes with GS1 Digital Link URIs.
The quiet zone is painted white so the symbol scans on a tinted page too.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Path, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm

from exporters.carriers import QUIET_ZONE_MODULES, make_qr

DEFAULT_MODULE_MM = 0.5
MIN_MODULE_MM = 0.396
MAX_MODULE_MM = 0.990


def module_size_for(data: str, side_mm: float) -> float:
    """Return the module size (mm) that makes the symbol, quiet zone included, about ``side_mm`` wide.

    Clamped to GS1's 0.396-0.990 mm range: a long URI gets a larger symbol rather than modules
    too small to scan, and a short one is not blown up past what scanners are specified for.
    """
    modules = len(make_qr(data).matrix) + 2 * QUIET_ZONE_MODULES
    return min(MAX_MODULE_MM, max(MIN_MODULE_MM, side_mm / modules))


def qr_drawing(data: str, module_mm: float = DEFAULT_MODULE_MM, font_name: str | None = None) -> Drawing:
    """Return a reportlab Drawing of the QR code for ``data`` (error correction M, 4-module quiet zone).

    ``font_name`` only sets the drawing's initial font, so the PDF does not list an unused,
    unembedded default font.

    Dark modules of a row are merged into one rectangle per run and all runs go into one path,
    so a typical Digital Link symbol is one fill operation, not hundreds of shapes.
    """
    if module_mm < MIN_MODULE_MM:
        raise ValueError(f"QR module size {module_mm} mm is below the GS1 minimum of {MIN_MODULE_MM} mm")
    matrix = make_qr(data).matrix
    module = module_mm * mm
    count = len(matrix)
    side = (count + 2 * QUIET_ZONE_MODULES) * module
    drawing = Drawing(side, side, initialFontName=font_name)
    drawing.add(Rect(0, 0, side, side, fillColor=colors.white, strokeColor=None))
    path = Path(fillColor=colors.black, strokeColor=None, strokeWidth=0)
    for row_index, row in enumerate(matrix):
        # PDF y grows upwards; row 0 is the top of the symbol.
        bottom = side - (QUIET_ZONE_MODULES + row_index + 1) * module
        top = bottom + module
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            left = (QUIET_ZONE_MODULES + start) * module
            right = (QUIET_ZONE_MODULES + column) * module
            path.moveTo(left, bottom)
            path.lineTo(right, bottom)
            path.lineTo(right, top)
            path.lineTo(left, top)
            path.closePath()
    drawing.add(path)
    return drawing

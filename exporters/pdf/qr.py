"""The passport's QR code as vector graphics inside a PDF, sized for print.

A vector symbol stays sharp at any printer resolution, where a PNG would be resampled. The module
size (X-dimension) defaults to 0.5 mm and is never below 0.396 mm, the minimum of the 0.396-0.990 mm
range that GS1 General Specifications section 5.12.3.1 sets for QR codes with GS1 Digital Link URIs.
The quiet zone is painted white so the symbol scans on a tinted page too.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from reportlab.graphics.shapes import Drawing, Path, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable
from typing_extensions import override  # typing.override arrives in Python 3.12

from exporters.carriers import QUIET_ZONE_MODULES, make_qr

DEFAULT_MODULE_MM = 0.5
MIN_MODULE_MM = 0.396
MAX_MODULE_MM = 0.990


@lru_cache(maxsize=256)
def qr_modules(data: str) -> tuple[bytes, ...]:
    """Return the symbol's rows, top first, one byte per module (1 = dark).

    Cached per process: choosing the best mask costs ~15 ms of pure Python per symbol, and the
    reports of one passport (languages, tiers, re-renders) all carry the same URI.
    """
    return tuple(bytes(row) for row in make_qr(data).matrix)


def _dark_runs(rows: tuple[bytes, ...]) -> Iterator[tuple[int, int, int]]:
    """Yield (row, first column, length) of each horizontal run of dark modules."""
    for row_index, row in enumerate(rows):
        column, count = 0, len(row)
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            yield row_index, start, column - start


def _check_module(module_mm: float) -> None:
    if not MIN_MODULE_MM <= module_mm <= MAX_MODULE_MM:
        raise ValueError(
            f"QR module size {module_mm} mm is outside GS1's {MIN_MODULE_MM}-{MAX_MODULE_MM} mm range"
        )


def module_size_for(data: str, side_mm: float) -> float:
    """Return the module size (mm) that makes the symbol, quiet zone included, about ``side_mm`` wide.

    Clamped to GS1's 0.396-0.990 mm range: a long URI gets a larger symbol rather than modules
    too small to scan, and a short one is not blown up past what scanners are specified for.
    """
    modules = len(qr_modules(data)) + 2 * QUIET_ZONE_MODULES
    return min(MAX_MODULE_MM, max(MIN_MODULE_MM, side_mm / modules))


class QrCode(Flowable):
    """The QR code as a flowable that writes its rectangles straight into the page.

    Coordinates are whole module numbers under one scaling transform, so the symbol is a few
    hundred short ``re`` operators: several times cheaper to produce than the same shapes as a
    reportlab Drawing, which matters when a batch renders thousands of covers.
    """

    def __init__(self, data: str, module_mm: float = DEFAULT_MODULE_MM) -> None:
        super().__init__()
        _check_module(module_mm)
        self.rows = qr_modules(data)
        self.module = module_mm * mm
        self.modules_per_side = len(self.rows) + 2 * QUIET_ZONE_MODULES
        self.side = self.modules_per_side * self.module

    @override
    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.side, self.side

    @override
    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.side, self.side, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.transform(self.module, 0, 0, self.module, 0, 0)
        top = self.modules_per_side - QUIET_ZONE_MODULES - 1  # PDF y grows upwards; row 0 is the top
        rectangles = [
            f"{QUIET_ZONE_MODULES + start} {top - row} {length} 1 re"
            for row, start, length in _dark_runs(self.rows)
        ]
        canvas.addLiteral("\n".join(rectangles) + "\nf")
        canvas.restoreState()


def qr_drawing(data: str, module_mm: float = DEFAULT_MODULE_MM, font_name: str | None = None) -> Drawing:
    """Return the QR code as a reportlab Drawing, for graphics that compose shapes (labels, charts).

    Error correction M and a 4-module quiet zone, as every carrier here. ``font_name`` only sets
    the drawing's initial font, so the PDF does not list an unused, unembedded default font.
    """
    _check_module(module_mm)
    rows = qr_modules(data)
    module = module_mm * mm
    side = (len(rows) + 2 * QUIET_ZONE_MODULES) * module
    drawing = Drawing(side, side)
    if font_name is not None:
        drawing.initialFontName = font_name
    drawing.add(Rect(0, 0, side, side, fillColor=colors.white, strokeColor=None))
    path = Path(fillColor=colors.black, strokeColor=None, strokeWidth=0)
    for row, start, length in _dark_runs(rows):
        bottom = side - (QUIET_ZONE_MODULES + row + 1) * module
        left = (QUIET_ZONE_MODULES + start) * module
        right = left + length * module
        path.moveTo(left, bottom)
        path.lineTo(right, bottom)
        path.lineTo(right, bottom + module)
        path.lineTo(left, bottom + module)
        path.closePath()
    drawing.add(path)
    return drawing

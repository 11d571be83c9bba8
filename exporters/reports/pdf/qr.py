"""The passport's QR code as vector graphics inside a PDF, sized for print.

A vector symbol stays sharp at any printer resolution, where a PNG would be resampled. The module
size (X-dimension) defaults to 0.5 mm and is never below 0.396 mm, the minimum of the 0.396-0.990 mm
range that GS1 General Specifications section 5.12.3.1 sets for QR codes with GS1 Digital Link URIs.
The quiet zone is painted white so the symbol scans on a tinted page too.

A published passport's symbol was made once, at publication (``exporters.resolver.carriers.qr_code_for``), and
kept as a PNG; ``symbol_rows`` reads its modules back from those pixels, so a report draws the stored symbol as
vectors instead of choosing a mask again. Only a passport without a stored symbol (a draft) gets a new one.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from functools import lru_cache

from PIL import Image
from reportlab.graphics.shapes import Drawing, Path, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable
from typing_extensions import override  # typing.override arrives in Python 3.12

from exporters.resolver.carriers import QUIET_ZONE_MODULES, make_qr

DEFAULT_MODULE_MM = 0.5
MIN_MODULE_MM = 0.396
MAX_MODULE_MM = 0.990
FINDER_MODULES = 7  # the top edge of a finder pattern: seven dark modules in a row
MIN_SIDE_MODULES, MAX_SIDE_MODULES = 21, 177  # QR versions 1 to 40, four modules apart

logger = logging.getLogger(__name__)

Rows = tuple[bytes, ...]


@lru_cache(maxsize=256)
def qr_modules(data: str) -> Rows:
    """Return the symbol's rows, top first, one byte per module (1 = dark).

    Cached per process: choosing the best mask costs ~15 ms of pure Python per symbol, and the
    reports of one passport (languages, tiers, re-renders) all carry the same URI.
    """
    return tuple(bytes(row) for row in make_qr(data).matrix)


class UnreadableSymbolError(ValueError):
    """A PNG whose pixels are not a QR symbol of whole-pixel modules with a light quiet zone."""


@lru_cache(maxsize=256)
def modules_from_png(png: bytes) -> Rows:
    """Return the rows of the QR symbol drawn in ``png``, top first, one byte per module (1 = dark).

    The PNG has square modules of whole pixels and a light quiet zone, as segno writes them. The scale
    and the quiet zone are read from the top-left finder pattern (its corner is the first dark pixel of
    the diagonal, its top edge seven modules wide), so any scale and border read back. Each module is
    sampled at its centre pixel. Far cheaper than making the symbol: no mask is chosen.
    """
    try:
        with Image.open(io.BytesIO(png)) as image:
            grey = image.convert("L")
    except OSError as exc:  # Pillow's UnidentifiedImageError and truncated files
        raise UnreadableSymbolError(f"not a readable PNG: {exc}") from exc
    width, height = grey.size
    pixels = grey.tobytes()

    def dark(x: int, y: int) -> bool:
        return pixels[y * width + x] < 128

    if width != height:
        raise UnreadableSymbolError(f"a QR symbol is square, this PNG is {width}x{height}")
    corner = next((i for i in range(width) if dark(i, i)), None)
    if corner is None:
        raise UnreadableSymbolError("no dark pixel on the diagonal: no finder pattern")
    run = 0
    while corner + run < width and dark(corner + run, corner):
        run += 1
    scale, partial = divmod(run, FINDER_MODULES)
    border = corner // scale if scale else 0
    side = width // scale - 2 * border if scale else 0
    if (
        not scale
        or partial
        or corner % scale
        or width % scale
        or not MIN_SIDE_MODULES <= side <= MAX_SIDE_MODULES
        or (side - MIN_SIDE_MODULES) % 4
    ):
        raise UnreadableSymbolError(f"finder pattern of {run} px at {corner} px does not fit a {width} px QR symbol")
    middle = border * scale + scale // 2
    return tuple(
        bytes(dark(middle + column * scale, middle + row * scale) for column in range(side)) for row in range(side)
    )


def symbol_rows(data: str, png: bytes | None = None) -> Rows:
    """The rows to draw for ``data``: read from ``png``, its stored symbol, when there is one, else made anew.

    The caller vouches that ``png`` encodes ``data`` (the stored row names the URI it was made from). An
    unreadable PNG is not fatal: the symbol is made again, so the report still carries a working code.
    """
    if png:
        try:
            return modules_from_png(bytes(png))
        except UnreadableSymbolError as exc:
            logger.warning("stored QR code of %s unreadable (%s); making it again", data, exc)
    return qr_modules(data)


def _dark_runs(rows: Rows) -> Iterator[tuple[int, int, int]]:
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
        raise ValueError(f"QR module size {module_mm} mm is outside GS1's {MIN_MODULE_MM}-{MAX_MODULE_MM} mm range")


def module_size_for(data: str, side_mm: float, *, rows: Rows | None = None) -> float:
    """Return the module size (mm) that makes the symbol, quiet zone included, about ``side_mm`` wide.

    Clamped to GS1's 0.396-0.990 mm range: a long URI gets a larger symbol rather than modules
    too small to scan, and a short one is not blown up past what scanners are specified for.
    ``rows`` is the symbol of ``data`` when the caller has it already (see ``symbol_rows``).
    """
    modules = len(qr_modules(data) if rows is None else rows) + 2 * QUIET_ZONE_MODULES
    return min(MAX_MODULE_MM, max(MIN_MODULE_MM, side_mm / modules))


class QrCode(Flowable):
    """The QR code as a flowable that writes its rectangles straight into the page.

    Coordinates are whole module numbers under one scaling transform, so the symbol is a few
    hundred short ``re`` operators: several times cheaper to produce than the same shapes as a
    reportlab Drawing, which matters when a batch renders thousands of covers. ``rows`` is the
    symbol of ``data`` when the caller has it already (the stored one, see ``symbol_rows``).
    """

    def __init__(self, data: str, module_mm: float = DEFAULT_MODULE_MM, *, rows: Rows | None = None) -> None:
        super().__init__()
        _check_module(module_mm)
        self.rows = qr_modules(data) if rows is None else rows
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
            f"{QUIET_ZONE_MODULES + start} {top - row} {length} 1 re" for row, start, length in _dark_runs(self.rows)
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

"""The fonts every report is set in, embedded so the PDF reads the same on any machine.

Korean users are first among ours, and a report may mix Korean and Latin text in any language
(a Korean issuer's name in an English report). NanumGothic (SIL Open Font License 1.1) covers
Hangul, Latin and the symbols we print, so one family serves every report. It is a TrueType
(glyf) font, which reportlab embeds as subsets; reportlab's built-in CID font HYGothic is never
embedded (viewers without a Korean font show boxes) and CFF/OTC Noto CJK does not load, so
neither is used. The font is never fetched at run time: it comes from a copy shipped next to this
module (``fonts/`` with its OFL.txt) or from Debian's ``fonts-nanum`` package, whose copyright
file carries the licence.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "NanumGothic"
REGULAR_FILE = "NanumGothic.ttf"
BOLD_FILE = "NanumGothicBold.ttf"

# Searched in order: a copy vendored into the package, then Debian's fonts-nanum.
DEBIAN_FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
DEFAULT_FONT_DIRS: tuple[Path, ...] = (Path(__file__).resolve().parent / "fonts", DEBIAN_FONT_DIR)
# Debian keeps a package's licence in its doc folder rather than beside the font files.
_DEBIAN_LICENCE = Path("/usr/share/doc/fonts-nanum/copyright")


class FontNotFoundError(RuntimeError):
    """The report font is not installed; the message says what to install."""


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names, and the files and licence they came from."""

    regular: str
    bold: str
    regular_path: Path
    bold_path: Path
    licence_path: Path | None


_lock = threading.Lock()
_registered: dict[tuple[Path, ...], FontSet] = {}


def _find_font_dir(search_dirs: Sequence[Path]) -> Path:
    for directory in search_dirs:
        if (directory / REGULAR_FILE).is_file() and (directory / BOLD_FILE).is_file():
            return directory
    searched = ", ".join(str(directory) for directory in search_dirs)
    raise FontNotFoundError(
        f"The PDF font {REGULAR_FILE} and {BOLD_FILE} were not found (searched: {searched}). "
        "Install the Debian package fonts-nanum (apt-get install fonts-nanum) or place both files "
        "with their OFL.txt in exporters/reports/pdf/fonts/."
    )


def register_fonts(search_dirs: Sequence[Path] | None = None) -> FontSet:
    """Register NanumGothic regular and bold with reportlab (once per process) and return their names.

    Parsing a 4.6 MB TrueType file takes tens of milliseconds, so it is done once and shared by
    every report the process renders; the registration is guarded for threaded servers.
    Raises FontNotFoundError naming the package to install when neither source is present.
    """
    dirs = tuple(search_dirs) if search_dirs is not None else DEFAULT_FONT_DIRS
    with _lock:
        cached = _registered.get(dirs)
        if cached is not None:
            return cached
        directory = _find_font_dir(dirs)
        regular_path, bold_path = directory / REGULAR_FILE, directory / BOLD_FILE
        bold_name = f"{FAMILY}-Bold"
        pdfmetrics.registerFont(TTFont(FAMILY, str(regular_path)))
        pdfmetrics.registerFont(TTFont(bold_name, str(bold_path)))
        # Maps <b> inside paragraphs to the bold face; Hangul has no italic, so italic stays upright.
        for bold, italic, name in ((0, 0, FAMILY), (1, 0, bold_name), (0, 1, FAMILY), (1, 1, bold_name)):
            addMapping(FAMILY, bold, italic, name)
        licence = directory / "OFL.txt" if directory != DEBIAN_FONT_DIR else _DEBIAN_LICENCE
        font_set = FontSet(
            regular=FAMILY,
            bold=bold_name,
            regular_path=regular_path,
            bold_path=bold_path,
            licence_path=licence if licence.is_file() else None,
        )
        _registered[dirs] = font_set
        return font_set

"""What an uploaded file is: its type, its text encoding, its delimiter and its way of writing numbers.

Every decision is made from the bytes, never from the file name alone, and every refusal says in English
and in Korean what was found and what to do. Encodings are decided by the byte order mark first, then by
strict decoding (UTF-8, then CP949, the Windows superset of EUC-KR that Korean Excel writes); the statistical
guess of ``charset-normalizer`` is only the last resort, for files that neither decodes. A Korean file is
never taken for Latin-1, nor a German one for Korean: where both UTF-8 and CP949 decode a sample, the one
whose reading looks like words of the language wins (see ``detect_encoding``).

Numbers follow one convention per file: ``1234.5`` / ``1,234.5`` or the European ``1234,5`` /
``1.234,5`` / ``1 234,5``. It is decided once from the numeric cells of the first rows (``detect_numbers``)
and applied to every row, so ``1.500`` never means 1.5 in one row and 1500 in the next.

Plain Python, no Django.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from charset_normalizer import from_bytes

SAMPLE_BYTES = 256 * 1024
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")


class FormatError(ValueError):
    """The file cannot be read as what it claims to be. ``code`` is stable; the messages are for people."""

    def __init__(self, code: str, message_en: str, message_ko: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_ko = message_ko


# --------------------------------------------------------------------------------------------------
# File type


# Signatures of files people upload by mistake, with a name a person recognises.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "a PDF document", "PDF 문서"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "PNG 이미지"),
    (b"\xff\xd8\xff", "a JPEG image", "JPEG 이미지"),
    (b"GIF87a", "a GIF image", "GIF 이미지"),
    (b"GIF89a", "a GIF image", "GIF 이미지"),
    (b"\x1f\x8b", "a gzip archive", "gzip 압축 파일"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "7-Zip 압축 파일"),
    (b"Rar!\x1a\x07", "a RAR archive", "RAR 압축 파일"),
    (b"\x7fELF", "a program (ELF executable)", "실행 프로그램(ELF)"),
    (b"MZ", "a Windows program", "Windows 실행 프로그램"),
    (b"BZh", "a bzip2 archive", "bzip2 압축 파일"),
    (b"\xfd7zXZ\x00", "an xz archive", "xz 압축 파일"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def file_type(head: bytes, name: str) -> str:
    """Return ``"csv"`` or ``"xlsx"`` from the first bytes, or raise ``FormatError`` naming what it is.

    ``name`` only has to agree: a workbook named ``.csv`` or a text file named ``.xlsx`` is refused, since a
    file that is not what it claims usually means the wrong file was picked.
    """
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not head:
        raise FormatError("empty", "The file is empty.", "파일이 비어 있습니다.")
    if head.startswith(_ZIP):
        if suffix not in ("xlsx", "xlsm", ""):
            raise FormatError(
                "type_mismatch",
                f"{name} is a ZIP container (an Excel workbook or another archive), not a .{suffix} file. "
                "Upload a workbook as .xlsx, or save the sheet as CSV.",
                f"{name} 파일은 ZIP 형식(엑셀 통합 문서 또는 압축 파일)이며 .{suffix} 파일이 아닙니다. "
                "통합 문서는 .xlsx로 올리거나 시트를 CSV로 저장하십시오.",
            )
        return "xlsx"
    if head.startswith(_OLE2):
        raise FormatError(
            "legacy_xls",
            f"{name} is an old Excel 97-2003 workbook (.xls). Save it as .xlsx or as CSV (UTF-8) and upload again.",
            f"{name} 파일은 구버전 엑셀 97-2003 통합 문서(.xls)입니다. "
            ".xlsx 또는 CSV(UTF-8)로 저장한 뒤 다시 올리십시오.",
        )
    for signature, what, what_ko in _SIGNATURES:
        if head.startswith(signature):
            raise FormatError(
                "not_a_spreadsheet",
                f"{name} is {what}, not a CSV file or an Excel workbook.",
                f"{name} 파일은 {what_ko}이며 CSV 파일이나 엑셀 통합 문서가 아닙니다.",
            )
    if suffix in ("xlsx", "xlsm"):
        raise FormatError(
            "type_mismatch",
            f"{name} is named like an Excel workbook but is not one (no .xlsx ZIP container inside).",
            f"{name} 파일은 이름은 엑셀 통합 문서이지만 실제로는 통합 문서가 아닙니다.",
        )
    if suffix == "xls":
        raise FormatError(
            "type_mismatch",
            f"{name} is named like an Excel 97-2003 workbook but holds text; rename it to .csv.",
            f"{name} 파일은 이름은 엑셀 97-2003 통합 문서이지만 내용은 텍스트입니다. 확장자를 .csv로 바꾸십시오.",
        )
    return "csv"


# --------------------------------------------------------------------------------------------------
# Encoding


@dataclass(frozen=True)
class Encoding:
    """A text encoding as Python names it, and the length of the byte order mark to skip."""

    name: str
    bom: int = 0

    @property
    def ascii_safe(self) -> bool:
        """True when a newline, quote or delimiter byte can only ever mean that character.

        Then the file can be split into lines as bytes, which keeps exact byte offsets for resuming. UTF-16
        and UTF-32 are not: they are rewritten as UTF-8 before reading.
        """
        normal = codecs.lookup(self.name).name
        return not normal.startswith(("utf-16", "utf-32", "utf-7"))


_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 LE before UTF-16 LE: its mark starts with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_encoding(sample: bytes, *, complete: bool) -> Encoding:
    """Return the encoding of ``sample`` (the first bytes of a text file; ``complete`` if it is all of it).

    1. A byte order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE).
    2. Without one, NUL bytes in every other position mean UTF-16 without a mark; NUL bytes otherwise mean
       the file is not text.
    3. Strict UTF-8 (ASCII is UTF-8). If CP949 also decodes the sample and the UTF-8 reading holds no
       Hangul, the CP949 reading wins only when it looks like Korean words (see ``_reads_as_korean``).
    4. Strict CP949 when it reads as Korean.
    5. Only then ``charset-normalizer``'s best guess (Windows-1252, ISO-8859-x, Shift_JIS...).
    """
    for mark, name in _BOMS:
        if sample.startswith(mark):
            _check_decodes(sample[len(mark) :], name, complete=complete)
            return Encoding(name, len(mark))
    if b"\x00" in sample:
        return _utf16_without_bom(sample, complete=complete)
    utf8 = _decoded(sample, "utf-8", complete=complete)
    cp949 = _decoded(sample, "cp949", complete=complete) if utf8 is None or not utf8.isascii() else None
    if utf8 is not None:
        if cp949 is not None and not _has_hangul(utf8) and _reads_as_korean(cp949, strict=True):
            return Encoding("cp949")
        return Encoding("utf-8")
    if cp949 is not None and _reads_as_korean(cp949, strict=False):
        return Encoding("cp949")
    return _guessed(sample)


def _decoded(sample: bytes, encoding: str, *, complete: bool) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return None


def _check_decodes(sample: bytes, encoding: str, *, complete: bool) -> None:
    if _decoded(sample, encoding, complete=complete) is None:
        raise FormatError(
            "bad_encoding",
            f"The file starts with a {encoding.upper()} byte order mark but is not valid {encoding.upper()} text.",
            f"파일이 {encoding.upper()} 바이트 순서 표시로 시작하지만 올바른 {encoding.upper()} 텍스트가 아닙니다.",
        )


def _utf16_without_bom(sample: bytes, *, complete: bool) -> Encoding:
    """UTF-16 without a mark: the NUL high bytes of ASCII characters sit in one parity of positions."""
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    for own, other, name in ((zeros_odd, zeros_even, "utf-16-le"), (zeros_even, zeros_odd, "utf-16-be")):
        if own >= 0.3 * half and own >= 4 * other and _decoded(sample, name, complete=complete) is not None:
            return Encoding(name)
    raise not_text_error()


def not_text_error() -> FormatError:
    return FormatError(
        "binary",
        "The file holds binary data, not text: it is not a CSV file. Save the sheet as CSV (UTF-8) or .xlsx.",
        "파일에 텍스트가 아닌 바이너리 데이터가 들어 있어 CSV 파일이 아닙니다. "
        "시트를 CSV(UTF-8) 또는 .xlsx로 저장하십시오.",
    )


_HANGUL = re.compile(r"[\uac00-\ud7a3]+")


def _has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def _reads_as_korean(text: str, *, strict: bool) -> bool:
    """Whether a CP949 reading of the bytes looks like Korean rather than mis-read Latin text.

    Korean as Korean Excel writes it uses the 2,350 common syllables of KS X 1001 (the EUC-KR set), so
    nearly all of its non-ASCII characters encode in EUC-KR. Windows-1252 text mis-read as CP949 mostly
    lands in the rare extension syllables instead. When UTF-8 decodes the bytes as well (``strict``), an
    accented letter inside a Latin word (``Müller``: C3 BC) also reads as one KS X 1001 syllable, so Korean
    must further show words: runs of two or more syllables on average, where the mis-read Latin text has
    single syllables wedged between letters.
    """
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if not non_ascii:
        return False
    in_ksx1001 = sum(1 for ch in non_ascii if _in_euc_kr(ch))
    if in_ksx1001 < 0.95 * len(non_ascii) or not _has_hangul(text):
        return False
    if not strict:
        return True
    runs = [len(run) for run in _HANGUL.findall(text)]
    return sum(runs) / len(runs) >= 2.0


def _in_euc_kr(ch: str) -> bool:
    try:
        ch.encode("euc_kr")
    except UnicodeEncodeError:
        return False
    return True


def _guessed(sample: bytes) -> Encoding:
    best = from_bytes(sample).best()
    if best is None or best.encoding is None:
        raise FormatError(
            "unknown_encoding",
            "The text encoding of the file could not be recognised. Save it as CSV UTF-8 and upload again.",
            "파일의 문자 인코딩을 알 수 없습니다. CSV UTF-8 형식으로 저장한 뒤 다시 올리십시오.",
        )
    return Encoding(codecs.lookup(best.encoding).name)


def check_text(text: str) -> None:
    """Refuse decoded text that is mostly control characters: binary data that happened to decode."""
    if not text:
        return
    controls = sum(1 for ch in text if ch not in "\t\r\n" and unicodedata.category(ch) == "Cc")
    if controls > max(2, len(text) // 100):
        raise not_text_error()


# --------------------------------------------------------------------------------------------------
# Delimiter


def sniff_delimiter(text: str, *, complete: bool) -> str:
    """Return the delimiter (comma, semicolon, tab or bar) that splits the first records most consistently.

    Each candidate parses up to 50 records with the real CSV rules (quotes, quoted newlines); the winner
    gives the same number of fields, at least two, in most records, header included. A semicolon file
    with decimal commas splits consistently only on ``;`` because its header has no commas.
    """
    best: tuple[float, int, int] = (0.0, 1, 0)
    chosen = ","
    for preference, delimiter in enumerate(DELIMITERS):
        counts = _field_counts(text, delimiter, complete=complete)
        if not counts:
            continue
        width, seen = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (seen / len(counts), width, -preference)
        if score > best:
            best, chosen = score, delimiter
    return chosen


def _field_counts(text: str, delimiter: str, *, complete: bool) -> list[int]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    counts: list[int] = []
    try:
        for record in reader:
            if is_blank(record) or is_comment(record):
                continue
            counts.append(len(record))
            if len(counts) > 50:
                break
    except csv.Error:
        return counts
    if not complete and len(counts) > 1 and len(counts) <= 50:
        counts.pop()  # the sample may have cut the last record short
    return counts


def is_blank(cells: Sequence[object]) -> bool:
    """A row with nothing in it: no cells, or only empty ones (Excel's trailing ``;;;;`` rows)."""
    if cells and isinstance(cells[0], str) and cells[0].strip():
        return False  # the usual row, decided by its first cell
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def is_comment(cells: Sequence[object]) -> bool:
    """A row whose first cell starts with ``#``: the example row of our templates, or a note."""
    return bool(cells) and isinstance(cells[0], str) and cells[0].lstrip().startswith("#")


# --------------------------------------------------------------------------------------------------
# Numbers


# Space, no-break spaces and apostrophes (Swiss: 1'234.5) group thousands in either convention.
_GROUP = "[ \u00a0\u202f'\u2019]"
_STRONG_POINT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+\.\d+|\d*\.(\d{1,2}|\d{4,}))")
_STRONG_COMMA = re.compile(
    rf"[+-]?(\d{{1,3}}([.]\d{{3}})+,\d+|\d{{1,3}}({_GROUP}\d{{3}})+,\d+|\d*,(\d{{1,2}}|\d{{4,}}))"
)


@dataclass(frozen=True)
class NumberFormat:
    """How one file writes numbers: its decimal mark, and the thousands separators it allows."""

    decimal: str = "."

    @property
    def pattern(self) -> re.Pattern[str]:
        return _POINT_NUMBER if self.decimal == "." else _COMMA_NUMBER

    def describe(self) -> tuple[str, str]:
        if self.decimal == ".":
            return "decimal point, e.g. 1234.5 or 1,234.5", "소수점은 마침표(예: 1234.5 또는 1,234.5)"
        return "decimal comma, e.g. 1234,5 or 1.234,5", "소수점은 쉼표(예: 1234,5 또는 1.234,5)"


_EXPONENT = r"([eE][+-]?\d+)?"
_POINT_NUMBER = re.compile(rf"([+-]?)(\d{{1,3}}(?:(?:,|{_GROUP})\d{{3}})+|\d+)?(?:\.(\d+))?{_EXPONENT}")
_COMMA_NUMBER = re.compile(rf"([+-]?)(\d{{1,3}}(?:(?:\.|{_GROUP})\d{{3}})+|\d+)?(?:,(\d+))?{_EXPONENT}")


def detect_numbers(cells: Iterable[str], delimiter: str) -> NumberFormat:
    """Decide the file's number convention from the text of its numeric cells.

    A cell only one convention can read decides (``1,5``, ``1.234,5``, ``1.25``, ``1,234.5``). When the
    cells leave it open (``1.500``, ``2,000`` or whole numbers), a semicolon-delimited file is taken to be
    European, as that is why Excel writes semicolons; any other file uses the decimal point.
    """
    point = comma = 0
    for cell in cells:
        text = cell.strip()
        if _STRONG_COMMA.fullmatch(text):
            comma += 1
        elif _STRONG_POINT.fullmatch(text):
            point += 1
    if comma != point:
        return NumberFormat("," if comma > point else ".")
    return NumberFormat("," if delimiter == ";" else ".")


def parse_number(text: str, numbers: NumberFormat) -> int | float:
    """Read ``text`` as a number in the file's convention: an ``int`` when it has no fraction.

    Raises ``ValueError`` for anything else, including ``NaN`` and infinities, which JSON cannot carry.
    """
    canonical = _canonical(text, numbers)
    if "." not in canonical and "e" not in canonical:
        return int(canonical)
    value = float(canonical)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_decimal(text: str, numbers: NumberFormat) -> Decimal:
    """Read ``text`` as an exact decimal in the file's convention (amounts stored as entered: ``0.1`` stays
    one tenth, never the binary float nearest to it)."""
    return Decimal(_canonical(text, numbers))


_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?")


def _canonical(text: str, numbers: NumberFormat) -> str:
    """The number as Python writes it (``-1234.5``, ``1e3``), or ``ValueError``."""
    stripped = text.strip()
    if numbers.decimal == "." and _PLAIN.fullmatch(stripped):
        return stripped  # the common case, without the grouping rules
    match = numbers.pattern.fullmatch(stripped)
    if match is None or (match.group(2) is None and match.group(3) is None):
        raise ValueError(text)
    sign, whole, fraction, exponent = match.groups()
    digits = re.sub(r"\D", "", whole or "0")
    if fraction is None and exponent is None:
        return sign + digits
    return f"{sign}{digits}.{fraction or '0'}{(exponent or '').lower()}"


def bom_length(head: bytes, encoding: str) -> int:
    """The length of ``encoding``'s byte order mark at the start of ``head`` (0 if there is none)."""
    for mark, name in _BOMS:
        if name == codecs.lookup(encoding).name.replace("_", "-") and head.startswith(mark):
            return len(mark)
    return 0


def cr_only(head: bytes) -> bool:
    """Old Mac files end lines with a bare CR; they are rewritten with LF before reading by lines."""
    return b"\r" in head and b"\n" not in head

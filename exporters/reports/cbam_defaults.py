"""The Commission's CBAM default values, and what an installation's actual data saves against them.

In the definitive period an importer who has no (verified) actual data from the installation must use the
default values of Commission Implementing Regulation (EU) 2025/2621, Annex I: per CN code and country of
production, specific direct, indirect and total embedded emissions in t CO2e per tonne of good, plus the
value to use in each import year, which includes a mark-up that grows from 2026 to 2028 (for iron, steel
and aluminium 10 %, 20 % and 30 % from 2028 onwards) so that defaults are never the cheaper choice
(Regulation (EU) 2023/956, Art. 7(2) and Annex IV, point 4.1). A country without its own line falls back
to the table's "Other countries and territories" line.

Each CBAM certificate covers one tonne of CO2e of embedded emissions, so the difference between the
default (with its mark-up) and the actual figure that counts for CBAM (direct only for iron, steel,
aluminium and hydrogen; Regulation (EU) 2023/956, Annex II) is the number of certificates actual data saves
per tonne of good. That saving is before the free allocation adjustment of Art. 31 (Implementing Regulation
(EU) 2025/2620), whose benchmark also depends on whether default or actual values are declared.

Tables are CSV text: ``#`` lines carry notes and the citation (``# source: ...``), then a header
``cn_code,country,direct,indirect,total,value_2026,value_2027,value_2028,route``. Plain Python, no Django.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from exporters.reports.cbam import DIRECT_ONLY_CATEGORIES, as_number, decimal, normalise_cn

LEGAL_BASIS: Final = "Commission Implementing Regulation (EU) 2025/2621, Annex I"
SHIPPED_TABLE: Final = Path(__file__).resolve().parent / "data" / "cbam-default-values.csv"
YEAR_COLUMNS: Final = ("value_2026", "value_2027", "value_2028")
COLUMNS: Final = ("cn_code", "country", "direct", "indirect", "total", *YEAR_COLUMNS, "route")
YEARS: Final = (2026, 2027, 2028)
FIRST_YEAR, LAST_MARKED_YEAR = YEARS[0], YEARS[-1]
OTHER_COUNTRIES: Final = "OTHER"
# Mark-ups of the iron, steel (CN chapters 72 and 73) and aluminium (chapter 76) defaults by import year, as
# the published year columns apply them; a loaded table whose year values depart from them is refused as a
# likely column mix-up. Other sectors' year values (fertilisers carry a different mark-up) are taken as
# published and only checked not to fall below the value without mark-up.
METAL_MARK_UPS: Final = {2026: Decimal("0.10"), 2027: Decimal("0.20"), 2028: Decimal("0.30")}
METAL_CHAPTERS: Final = ("72", "73", "76")
# The table prints values to two decimals, so a published year value may differ from total x (1 + mark-up)
# by half a unit of the total's last place times the factor plus half a unit of its own last place.
_HALF_UNIT = Decimal("0.005")


class DefaultTableError(ValueError):
    """The file is not a usable default-value table; ``problems`` name each (line, column, rule)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else ""))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class DefaultValue:
    """One line of the table: a CN code (2 to 8 digits, a heading covers its subheadings) and a country."""

    cn_code: str
    country: str
    direct: Decimal
    indirect: Decimal | None
    total: Decimal
    by_year: Mapping[int, Decimal]
    route: str = ""

    def value_for(self, year: int) -> Decimal:
        """The default value including the mark-up of ``year``; 2028's applies to every later year."""
        if year < FIRST_YEAR:
            raise ValueError(f"default values apply from {FIRST_YEAR} (the definitive period); got {year}")
        return self.by_year[min(year, LAST_MARKED_YEAR)]

    def mark_up(self, year: int) -> Decimal:
        """The mark-up of the year's published value over the total, as a fraction (0.1 = 10 %).

        For iron, steel and aluminium the regulation's rate (the table's two-decimal rounding would show
        2.33 / 2.12 - 1 = 9.9 %); for other goods the rate the published values imply, to 0.1 %.
        """
        if self.cn_code[:2] in METAL_CHAPTERS:
            return METAL_MARK_UPS[min(max(year, FIRST_YEAR), LAST_MARKED_YEAR)]
        if self.total == 0:
            return Decimal(0)
        return (self.value_for(year) / self.total - 1).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class DefaultValueTable:
    """A loaded table: its lines by (CN code, country), where it comes from, and its content hash."""

    source: str
    sha256: str
    values: Mapping[tuple[str, str], DefaultValue] = field(default_factory=dict)
    # A partial table (a ``# partial`` note) holds only some countries' lines, so a country missing from it
    # may well have its own line in the full table: there the OTHER fallback would give a wrong figure.
    partial: bool = False

    def lookup(self, cn_code: str, country: str) -> DefaultValue | None:
        """The line for a good: the most specific CN code listed for the country, else for other countries.

        Annex I lists some goods by heading (``7208``) and others by subheading; the longest listed prefix
        of the good's CN code is the line that covers it. A partial table never falls back to OTHER.
        """
        cn = normalise_cn(cn_code)
        countries = [country.upper()] if self.partial else [country.upper(), OTHER_COUNTRIES]
        for who in dict.fromkeys(countries):
            for length in range(len(cn), 1, -1):
                found = self.values.get((cn[:length], who))
                if found is not None:
                    return found
        return None

    def __len__(self) -> int:
        return len(self.values)


def _amount(raw: str, where: str, problems: list[str], *, required: bool = True) -> Decimal | None:
    text = raw.strip().replace(",", ".")
    if not text or text in {"-", "\u2013", "N/A"}:  # the table prints an en dash for "no value"
        if required:
            problems.append(f"{where}: a number is needed")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems.append(f"{where}: {raw!r} is not a number")
        return None
    if not value.is_finite() or value < 0:
        problems.append(f"{where}: must be a number of zero or more")
        return None
    return value


def _check_mark_ups(line: DefaultValue, where: str, problems: list[str]) -> None:
    previous = line.total
    for year in YEARS:
        value = line.by_year[year]
        if value < previous:
            before = "total" if year == FIRST_YEAR else "year before"
            problems.append(f"{where}, value_{year}: {value} is below the {before} (mark-ups do not fall)")
        previous = value
        if line.cn_code[:2] in METAL_CHAPTERS:
            factor = 1 + METAL_MARK_UPS[year]
            expected = line.total * factor
            if abs(value - expected) > _HALF_UNIT * factor + _HALF_UNIT:
                percent = f"{METAL_MARK_UPS[year] * 100:.0f} %"
                problems.append(
                    f"{where}, value_{year}: {value} is not total {line.total} with the {percent} mark-up of {year}"
                    f" ({expected.quantize(Decimal('0.01'))}); are the columns in order?"
                )


def parse_table(text: str, *, source: str = "") -> DefaultValueTable:
    """Read a default-value table from CSV text; raise DefaultTableError naming every bad line and column.

    ``#`` lines are notes; one starting ``# source:`` is the table's citation, used when ``source`` is empty
    (else the first note is).
    """
    lines = text.splitlines()
    comments = [line[1:].strip() for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#") and line.strip()]
    problems: list[str] = []
    if not body:
        raise DefaultTableError(["the file has no header line"])
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise DefaultTableError([f"header: columns {', '.join(missing)} are missing (expected {','.join(COLUMNS)})"])
    first_data_line = len(lines) - len(body) + 2  # file line numbers, counting comments and the header
    values: dict[tuple[str, str], DefaultValue] = {}
    for offset, raw in enumerate(reader):
        where = f"line {first_data_line + offset}"
        row = {key.strip(): (value or "") for key, value in raw.items() if key is not None}
        cn = normalise_cn(row["cn_code"])
        if not 2 <= len(cn) <= 8 or len(cn) % 2:
            problems.append(f"{where}, cn_code: {row['cn_code']!r} is not a CN chapter, heading or subheading")
            continue
        country = row["country"].strip().upper()
        if not (len(country) == 2 and country.isalpha()) and country != OTHER_COUNTRIES:
            problems.append(f"{where}, country: {row['country']!r} is not an ISO 3166-1 alpha-2 code or OTHER")
            continue
        count = len(problems)
        direct = _amount(row["direct"], f"{where}, direct", problems)
        indirect = _amount(row["indirect"], f"{where}, indirect", problems, required=False)
        total = _amount(row["total"], f"{where}, total", problems)
        by_year = {year: _amount(row[f"value_{year}"], f"{where}, value_{year}", problems) for year in YEARS}
        if len(problems) > count or direct is None or total is None:
            continue
        if total + _HALF_UNIT * 2 < direct + (indirect or 0):
            problems.append(f"{where}, total: {total} is less than direct + indirect")
            continue
        line = DefaultValue(
            cn_code=cn,
            country=country,
            direct=direct,
            indirect=indirect,
            total=total,
            by_year={year: value for year, value in by_year.items() if value is not None},
            route=row["route"].strip(),
        )
        _check_mark_ups(line, where, problems)
        if (cn, country) in values:
            problems.append(f"{where}: CN {cn} for {country} is listed twice")
        values[(cn, country)] = line
    if not values and not problems:
        problems.append("the file has no data lines")
    if problems:
        raise DefaultTableError(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    cited = [line.removeprefix("source:").strip() for line in comments if line.startswith("source:")]
    named = source.strip() or next(iter(cited + comments), "") or "unnamed table"
    partial = any(line.startswith("partial") for line in comments)
    return DefaultValueTable(source=named, sha256=digest, values=values, partial=partial)


def shipped_table() -> DefaultValueTable:
    """The rows we ship, each checked against the published table (see the file's header for the source)."""
    return parse_table(SHIPPED_TABLE.read_text(encoding="utf-8"))


def default_import_year(reporting_period: Mapping[str, Any]) -> int:
    """The year after the period the installation's data covers (when its goods reach importers), >= 2026."""
    end = str(reporting_period.get("end_date", ""))[:4]
    return max(int(end) + 1 if end.isdigit() else FIRST_YEAR, FIRST_YEAR)


def comparison(good: Mapping[str, Any], line: DefaultValue, *, year: int, country: str) -> dict[str, Any]:
    """The default that would apply to ``good`` beside its actual figures, and the certificates saved.

    ``good`` is a communication good (reported specific embedded emissions and production level). The
    counted figure is direct only for the goods of Regulation (EU) 2023/956, Annex II, else the total;
    saved certificates = (default with mark-up - actual) per tonne, and times the period's production.
    """
    see = good["specific_embedded_emissions"]
    direct_only = good["aggregated_goods_category"] in DIRECT_ONLY_CATEGORIES
    with_mark_up = line.value_for(year)
    # The year value marks up the total; where only the direct part counts, it is marked up alike.
    default_counted = line.direct * with_mark_up / line.total if direct_only and line.indirect else with_mark_up
    actual_counted = decimal(see["direct"]) if direct_only else decimal(see["total"])
    saving = default_counted - actual_counted
    entry: dict[str, Any] = {
        "country_of_production": country,
        "import_year": year,
        "table_cn_code": line.cn_code,
        "table_country": line.country,
        "default_direct": as_number(line.direct),
        "default_total": as_number(line.total),
        "mark_up": as_number(line.mark_up(year)),
        "default_with_mark_up": as_number(with_mark_up),
        "counted_emissions": "direct" if direct_only else "direct_and_indirect",
        "default_counted": as_number(default_counted),
        "actual_counted": as_number(actual_counted),
        "certificates_saved_per_unit": as_number(saving),
        "certificates_saved_on_period": as_number(saving * decimal(good["production_level"]["value"])),
    }
    if line.indirect is not None:
        entry["default_indirect"] = as_number(line.indirect)
    if line.route:
        entry["table_production_route"] = line.route
    return entry


def add_default_comparison(
    document: dict[str, Any], table: DefaultValueTable, *, import_year: int | None = None
) -> dict[str, Any]:
    """Put the default-value comparison into a communication (from ``cbam.communication``), in place.

    Each good with a line in ``table`` gets ``default_value_comparison``; ``default_values`` says which
    table, year and country were used, which goods the table has no line for, and the certificates the
    actual data saves on the period's production in all.
    """
    country = str(document["installation"]["address"]["address_country"]).upper()
    year = import_year if import_year is not None else default_import_year(document["reporting_period"])
    if year < FIRST_YEAR:
        raise ValueError(f"import_year: default values apply from {FIRST_YEAR} (the definitive period)")
    missing: list[str] = []
    saved = Decimal(0)
    for good in document["goods"]:
        line = table.lookup(good["cn_code"], country)
        if line is None:
            missing.append(good["cn_code"])
            continue
        entry = comparison(good, line, year=year, country=country)
        good["default_value_comparison"] = entry
        saved += decimal(entry["certificates_saved_on_period"])
    document["default_values"] = {
        "legal_basis": LEGAL_BASIS,
        "source": table.source,
        "table_sha256": table.sha256,
        "import_year": year,
        "country_of_production": country,
        "goods_without_default": missing,
        "certificates_saved_on_period": as_number(saved),
    }
    return document

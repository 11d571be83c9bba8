"""``manage.py load_cbam_default_values [FILE.csv]``: make a copy of the Commission's default values current.

The platform ships only the rows it could check against the published table (the demo's goods). When you
have the full table, export it to CSV with one line per CN code and country and load it here; every CBAM
report then compares against it. Without FILE the shipped rows are loaded (what ``seed_demo`` does).
"""

from __future__ import annotations

from argparse import RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporters.reports.cbam_defaults import COLUMNS, LEGAL_BASIS, SHIPPED_TABLE, DefaultTableError
from exporters.reports.default_values import default_table_load

DESCRIPTION = f"""Load the CBAM default values ({LEGAL_BASIS}) from a CSV file and make them the table
every CBAM report compares actual emissions against.

File format: UTF-8 CSV. Lines starting with # before the header are the citation (where the figures come
from); give --source to override it. Header and columns:
  {",".join(COLUMNS)}
  cn_code      CN chapter, heading or subheading (2 to 8 digits; spaces allowed: "7208 38 00").
               A heading line (7208) covers every code under it unless a longer code has its own line.
  country      ISO 3166-1 alpha-2 code of the country of production, or OTHER for the table's
               "Other countries and territories" (used when a country has no line for a code).
  direct, indirect, total
               default specific embedded emissions, t CO2e per tonne of good; indirect may be empty
               where the table gives none.
  value_2026, value_2027, value_2028
               the published default value including that import year's mark-up; 2028 applies to
               later years. For CN chapters 72, 73 and 76 they must equal total plus 10 %, 20 % and
               30 % (to the table's two decimals), which catches columns out of order.
  route        the table's production route letter, may be empty.

A "# partial" note line marks a table holding only some lines (like the shipped one): then a country
without its own line gets no default rather than the OTHER line, which the full table might not apply.

Every bad line is reported with its line number, column and rule, and nothing is stored unless the
whole file is good. Loading the same file twice stores it once. The shipped rows: {SHIPPED_TABLE.name}.
"""


class Command(BaseCommand):
    help = DESCRIPTION

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the column list's line breaks in --help.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="the CSV file (default: the shipped rows)")
        parser.add_argument("--source", default="", help="where the figures come from (act, table date, URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"] or SHIPPED_TABLE
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        try:
            stored, created = default_table_load(text=text, source=options["source"])
        except DefaultTableError as exc:
            raise CommandError("the table was not loaded:\n  " + "\n  ".join(exc.problems)) from exc
        state = "loaded" if created else "already current"
        self.stdout.write(f"{state}: {stored.row_count} lines, sha256 {stored.sha256}")
        self.stdout.write(f"  source: {stored.source}")

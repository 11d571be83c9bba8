"""``manage.py load_emission_factors FILE.csv [--org SLUG] [--dataset NAME] [--valid-rows]``."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lca.engine.factors import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, FactorCsvError
from lca.services import factor_load_csv
from passports.models import Organization


class Command(BaseCommand):
    help = (
        "Load emission factors from a CSV file as one dataset: the shared open dataset every organization can "
        "use, or with --org an organization's own (licensed) dataset that only it can see. Factors are matched "
        "by id: new ids are added, known ids updated (a change of unit or values recalculates, in the "
        "background, every stored footprint that uses the factor).\n\n"
        f"Columns: {', '.join(REQUIRED_COLUMNS)} (required); {', '.join(OPTIONAL_COLUMNS)} (optional). Gas "
        "columns are kg of that gas per one 'unit' of the activity (an empty cell means 0); co2e_other is kg "
        "CO2e a source gives only as CO2e; every row names its source and licence.\n\n"
        "Every row is checked first. If any row is wrong, nothing is stored and each problem is listed with "
        "its row number (the header is row 1) and column; --valid-rows stores the good rows instead and "
        "lists the rows left out."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the paragraphs of the help text as written.
        return super().create_parser(
            prog_name, subcommand, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file (UTF-8, comma-separated, with a header row)")
        parser.add_argument(
            "--org", metavar="SLUG", help="slug of the organization whose private dataset this is (default: shared)"
        )
        parser.add_argument(
            "--dataset", metavar="NAME", help="dataset name for every row, instead of the file's 'dataset' column"
        )
        parser.add_argument(
            "--valid-rows", action="store_true", help="store the rows without errors and report the others"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = None
        if options["org"]:
            org = Organization.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"No organization with slug {options['org']!r}.")
        try:
            report = factor_load_csv(
                source=options["file"], org=org, dataset=options["dataset"], valid_rows=options["valid_rows"]
            )
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {options['file']}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{options['file']} is not UTF-8 text: {exc}") from exc
        except FactorCsvError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} error(s); nothing was stored.") from exc
        except ValidationError as exc:
            raise CommandError(f"Nothing was stored: {'; '.join(exc.messages)}") from exc
        for error in report.rejected:
            self.stderr.write(f"left out: {error}")
        owner = f"organization {org.slug}" if org else "shared dataset"
        self.stdout.write(
            self.style.SUCCESS(
                f"{owner}: {report.created} added, {report.updated} updated, {report.unchanged} unchanged"
                + (f", {len({e.row for e in report.rejected})} row(s) left out" if report.rejected else "")
                + (f"; {len(report.jobs)} recalculation job(s) queued" if report.jobs else "")
            )
        )

"""``manage.py build_passport_context``: write our JSON-LD passport context from the shipped passport schemas.

Signed credentials name a context version and must keep meaning what they meant, so a shipped version is never
edited: when the schemas gain a term, this writes the next version (``dpp-passport-v<N+1>.jsonld``) and its
``index.json`` entry, and new credentials name it from then on. ``--check`` only tells whether the newest shipped
version still matches the schemas (exit status 1 if not), as the test suite does; ``--replace`` rewrites the newest
version in place, which is right only while no credential names it yet (a version on a branch that has not landed).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporters.credentials import document_loader
from exporters.credentials.passport_context import (
    context_bytes,
    context_file,
    context_path,
    newest_version,
    passport_context,
)
from passports.schema_files import iter_schema_files, load_schema


class Command(BaseCommand):
    help = (
        "Generate the passport JSON-LD context from passports/schemas/ and ship it as the next version in "
        "exporters/credentials/contexts/ when the schemas changed "
        "(--check: only report whether the newest version is current)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="exit 1 if the newest shipped version differs from the schemas"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="rewrite the newest version in place (only while no issued credential names it yet)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        generated = context_bytes(passport_context(load_schema(c, v) for c, v, _path in iter_schema_files()))
        newest = newest_version(document_loader.own_context_paths())
        if document_loader.own_context_bytes(context_path(newest)) == generated:
            self.stdout.write(f"{context_path(newest)} is current ({context_file(newest)}).")
            return
        if options["check"]:
            raise CommandError(
                f"{context_path(newest)} no longer matches the schemas: run manage.py build_passport_context"
            )
        version = newest if options["replace"] else newest + 1
        (document_loader.CONTEXTS_DIR / context_file(version)).write_bytes(generated)
        index: dict[str, Any] = json.loads(document_loader.INDEX_FILE.read_text(encoding="utf-8"))
        previous = index[context_path(newest)]
        index[context_path(version)] = {
            **previous,
            "file": context_file(version),
            "sha256": hashlib.sha256(generated).hexdigest(),
            "origin": previous["origin"].replace(f"version {newest}", f"version {version}"),
        }
        document_loader.INDEX_FILE.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        document_loader.clear_caches()
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {context_file(version)}: new credentials now name {context_path(version)}.")
        )

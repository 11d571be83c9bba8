"""``manage.py refresh_schema_translations``: bring the description translations in line with the schemas."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from passports.schema_files import iter_schema_files
from passports.schema_translations import LANGUAGES, refresh_translation_file


class Command(BaseCommand):
    help = (
        "Rewrite schemas/i18n/<language>/<schema>.json for every shipped schema: every description with its "
        "English, translations kept, new or changed ones left empty to fill in. Exits with status 1 while any "
        "translation is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = 0
        for category, version, _path in iter_schema_files():
            for lang in LANGUAGES:
                path, total, empty = refresh_translation_file(category, version, lang)
                missing += empty
                self.stdout.write(f"{lang}/{path.name}: {total} descriptions, {empty} to translate")
        if missing:
            raise CommandError(f"{missing} description(s) still need a translation", returncode=1)

"""Which CBAM default-value table reports compare against: load one from a file, read the current one.

The parsing and checking live in ``cbam_defaults`` (plain Python); this module stores a checked table and
hands reports the newest one, or the rows shipped with the code when no table was ever loaded.
"""

from __future__ import annotations

from functools import cache

from django.db import transaction

from exporters.models import CbamDefaultValueTable
from exporters.reports.cbam_defaults import DefaultValueTable, parse_table, shipped_table

# Parsed tables by content hash: the full published table is thousands of lines, read once per process.
_PARSED: dict[str, DefaultValueTable] = {}
_PARSED_LIMIT = 4


@cache
def _shipped() -> DefaultValueTable:
    return shipped_table()


def default_table_load(*, text: str, source: str = "") -> tuple[CbamDefaultValueTable, bool]:
    """Check ``text`` (raises DefaultTableError naming each bad line) and make it the current table.

    Loading the same file again changes nothing; returns the stored table and whether it is new.
    """
    table = parse_table(text, source=source)
    with transaction.atomic():
        newest = CbamDefaultValueTable.objects.select_for_update().first()
        if newest is not None and newest.sha256 == table.sha256:
            return newest, False
        stored = CbamDefaultValueTable.objects.create(
            source=table.source, sha256=table.sha256, content=text, row_count=len(table)
        )
    return stored, True


def current_default_table() -> DefaultValueTable:
    """The newest loaded table, else the shipped rows."""
    newest = CbamDefaultValueTable.objects.only("sha256").first()
    if newest is None:
        return _shipped()
    parsed = _PARSED.get(newest.sha256)
    if parsed is None:
        stored = CbamDefaultValueTable.objects.get(pk=newest.pk)
        parsed = parse_table(stored.content, source=stored.source)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[newest.sha256] = parsed
    return parsed

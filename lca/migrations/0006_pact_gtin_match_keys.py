"""Rewrite the product-id match keys of stored PACT footprints with GTINs in their 14-digit form.

Matching now compares ``urn:gtin:`` ids as 14 digits (``lca.pact.mapping.urn_match_key``), so a request naming
``urn:gtin:0880…`` finds a footprint declared for ``urn:gtin:880…``; keys written before hold the spelling the
product was entered with. The rule is restated here rather than imported: a migration keeps the meaning it had
when it was written.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _match_key(urn: str) -> str:
    digits = urn.removeprefix("urn:gtin:")
    if digits != urn and digits.isdigit() and len(digits) in (8, 12, 13, 14):
        return "urn:gtin:" + digits.zfill(14)
    return urn


def rewrite_keys(apps: Any, schema_editor: Any) -> None:
    footprint = apps.get_model("lca", "PactFootprint")
    changed = []
    for row in footprint.objects.only("pk", "product_ids_key").iterator(chunk_size=2000):
        key = "|" + "|".join(_match_key(urn) for urn in row.product_ids_key.strip("|").split("|")) + "|"
        if key != row.product_ids_key:
            row.product_ids_key = key
            changed.append(row)
    footprint.objects.bulk_update(changed, ["product_ids_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("lca", "0005_pact_sharing_is_a_grant")]

    operations = [migrations.RunPython(rewrite_keys, migrations.RunPython.noop)]

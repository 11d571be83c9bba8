"""PACT sharings become grants with the ``pact_footprints`` right, then the sharing table goes.

Each sharing (organization -> partner API client, all products or one) becomes one grant to that client:
scope ``all`` for a sharing of every product, ``products`` with the one product otherwise. The grant starts
when the sharing was made, so the grants list shows the same history. A sharing whose partner client belongs
to the sharing organization itself was a client handed to an outside party: it is marked so
(``ApiClient.outside_party``), since it now reads only what is granted to it.
"""

from typing import Any

from django.db import migrations

PURPOSE = "Product carbon footprint exchange (PACT), carried over from the sharing made before grants existed"


def sharings_to_grants(apps: Any, schema_editor: Any) -> None:
    sharing_model = apps.get_model("lca", "Sharing")
    grant_model = apps.get_model("passports", "Grant")
    for sharing in sharing_model.objects.select_related("partner").order_by("pk"):
        if sharing.partner.organization_id == sharing.organization_id and not sharing.partner.outside_party:
            sharing.partner.outside_party = True
            sharing.partner.save(update_fields=["outside_party"])
        grant = grant_model.objects.create(
            organization_id=sharing.organization_id,
            grantee_client_id=sharing.partner_id,
            scope="all" if sharing.product_id is None else "products",
            pact_footprints=True,
            purpose=PURPOSE,
            starts_at=sharing.created_at,
        )
        if sharing.product_id is not None:
            grant.products.add(sharing.product_id)


def grants_to_sharings(apps: Any, schema_editor: Any) -> None:
    sharing_model = apps.get_model("lca", "Sharing")
    grant_model = apps.get_model("passports", "Grant")
    for grant in grant_model.objects.filter(
        pact_footprints=True, revoked_at__isnull=True, grantee_client__isnull=False
    ):
        if grant.scope == "all":
            sharing_model.objects.get_or_create(
                organization_id=grant.organization_id, partner_id=grant.grantee_client_id, product=None
            )
        for product_id in grant.products.values_list("pk", flat=True):
            sharing_model.objects.get_or_create(
                organization_id=grant.organization_id, partner_id=grant.grantee_client_id, product_id=product_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("lca", "0004_pact_exchange_state"),
        ("passports", "0009_grants"),
    ]

    operations = [
        migrations.RunPython(sharings_to_grants, grants_to_sharings),
        migrations.DeleteModel(name="Sharing"),
    ]

"""API clients lose the ``legitimate_interest`` and ``authority`` scopes their own organization gave them.

Those scopes let a client's owner give itself a tier of other organizations' restricted data (issue 14).
Tiers now come only from the data owner's grants, so the scopes are removed from every client, and so are the
tokens that carry them (a partner simply asks for a new token).
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models

import passports.models.clients

TIER_SCOPES = {"legitimate_interest", "authority"}


def strip_tier_scopes(apps: Any, schema_editor: Any) -> None:
    api_client = apps.get_model("passports", "ApiClient")
    access_token = apps.get_model("oauth2_provider", "AccessToken")
    for client in api_client.objects.all():
        scopes = client.scopes.split()
        kept = [scope for scope in scopes if scope not in TIER_SCOPES]
        if kept != scopes:
            client.scopes = " ".join(kept) or "read"
            client.save(update_fields=["scopes"])
            for token in access_token.objects.filter(application_id=client.application_id):
                if TIER_SCOPES & set(token.scope.split()):
                    token.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("passports", "0007_schema_document_keeps_key_order"),
        migrations.swappable_dependency(settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="apiclient",
            name="scopes",
            field=models.CharField(
                default="read",
                help_text="Space-separated",
                max_length=200,
                validators=[passports.models.clients.validate_scopes],
                verbose_name="scopes",
            ),
        ),
        migrations.RunPython(strip_tier_scopes, migrations.RunPython.noop),
    ]

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LcaConfig(AppConfig):
    """Emission factors, lifecycle activity data, bills of materials and the footprint engine."""

    name = "lca"
    verbose_name = _("Carbon footprints")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(load_shared_factors, sender=self, dispatch_uid="lca.load_shared_factors")


def load_shared_factors(sender: AppConfig, apps: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Keep the shared open dataset in step with ``lca/data/emission_factors.csv`` after every migrate.

    Idempotent: rows are matched by key, unchanged ones are left alone and changed ones are updated (which
    schedules the recalculation of the footprints that use them). Skipped while the table does not exist
    (``migrate lca zero``) and on databases other than the default.
    """
    if using != "default" or apps is None:
        return
    try:
        apps.get_model("lca", "EmissionFactor")
    except LookupError:
        return
    from lca.services import shared_factors_sync

    shared_factors_sync()

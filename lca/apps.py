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
        from lca import tasks  # noqa: F401  # local: needs the ready app registry; registers the tasks queued by name

        post_migrate.connect(load_shared_factors, sender=self, dispatch_uid="lca.load_shared_factors")
        track_audited_models()
        register_import_kinds()


def register_import_kinds() -> None:
    """Offer activity data and bill-of-materials lines to the import framework (a hook in ``passports``, which
    must not import ``lca``)."""
    from lca.imports import lca_kinds  # local: needs the ready app registry
    from passports.imports.kinds import register_kind  # local: needs the ready app registry

    for kind in lca_kinds():
        register_kind(kind)


def track_audited_models() -> None:
    """Every save and delete of the rows a person reads one by one leaves an event in the organization's audit
    chain (issue 21, item 4): what we publish to partners, the hosts and figures they give us, and the bills
    of materials and profiles that change a footprint. Rows that arrive by the thousand (activity data,
    computed footprints) are written in bulk and audited per import chunk or per computation instead.
    """
    from lca.models import (  # local: needs the ready app registry
        BomLine,
        EmissionFactor,
        FootprintProfile,
        SupplierFootprint,
    )
    from lca.pact.models import PactFootprint, SupplierEndpoint  # local: needs the ready app registry
    from passports.audit import track_model  # local: needs the ready app registry

    track_model(PactFootprint, "pact_footprint", lambda row: f"{row.pf_id} ({row.status})")
    track_model(SupplierEndpoint, "pact_host", lambda host: f"{host.name} ({host.base_url})")
    track_model(
        SupplierFootprint, "supplier_footprint", lambda row: f"component {row.component_id} ({row.declared_unit})"
    )
    track_model(BomLine, "bom_line", lambda line: f"product {line.product_id} ← component {line.component_id}")
    track_model(FootprintProfile, "footprint_profile", str)
    track_model(EmissionFactor, "emission_factor", str)


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
    from lca.services import shared_factors_sync  # local: needs the ready app registry

    shared_factors_sync()

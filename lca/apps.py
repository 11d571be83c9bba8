from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LcaConfig(AppConfig):
    """Emission factors, lifecycle activity data, bills of materials and the footprint engine."""

    name = "lca"
    verbose_name = _("Carbon footprints")
    default_auto_field = "django.db.models.BigAutoField"

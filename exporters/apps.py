from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportersConfig(AppConfig):
    """Signing keys, verifiable credentials, carriers, reports and exports."""

    name = "exporters"
    verbose_name = _("Exports and signatures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exporters import receivers as signing_receivers  # noqa: F401  # signs at publication
        from exporters.backup import receivers as backup_receivers  # noqa: F401  # backup copy after publication
        from exporters.reports import receivers  # noqa: F401  # connects the report receivers to passport signals

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportersConfig(AppConfig):
    """Signing keys, verifiable credentials, carriers, reports and exports."""

    name = "exporters"
    verbose_name = _("Exports and signatures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which are not loaded when apps are read.
        from exporters import receivers  # noqa: F401  # connects the public-cache receivers of model saves
        from exporters.services.publication import publication_steps_install

        publication_steps_install()

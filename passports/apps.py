from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassportsConfig(AppConfig):
    """Tenants, products, passports, the schema registry, validation and CSV import."""

    name = "passports"
    verbose_name = _("Passports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from passports import (
            audit,
            auth,  # noqa: F401  # registers the OpenAPI description of its bearer tokens
            outbox,
            retention,
            tasks,  # noqa: F401  # registers its Celery tasks, which services queue by name through the outbox
        )
        from passports.imports import tasks as import_tasks  # noqa: F401  # the same, for the import's tasks
        from passports.registry import sync_after_migrate
        from passports.services import operators

        post_migrate.connect(sync_after_migrate, sender=self)
        audit.connect_receivers()
        outbox.install()
        retention.connect_receivers()
        operators.connect_receivers()

"""The Celery application.

Settings come from Django's settings under the ``CELERY_`` prefix (see ``config/settings/base.py``): with
no ``REDIS_URL`` tasks run eagerly in-process, with it they go through Redis to real workers
(``celery -A config worker``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("dpp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["config"])
app.autodiscover_tasks(["exporters.reports"])
app.autodiscover_tasks(["passports.imports"])
app.autodiscover_tasks(["lca.pact"])
app.autodiscover_tasks(["exporters.backup"])

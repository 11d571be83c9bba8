"""Local development: the embedded runtime of ``make run`` (SQLite, Celery eager unless REDIS_URL is set)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import STATIC_ROOT, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Serve static files from the apps' folders directly, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# A development machine's partners are often on it too (the PACT conformance tool's events endpoint, a second
# local instance): loopback is an allowed outbound destination here, never by default in production.
OUTBOUND_ALLOWLIST = env.list("OUTBOUND_ALLOWLIST", default=["127.0.0.1", "::1", "localhost"])

# One process: the in-memory cache holds the public answers' generations too (exporters/resolver/public_cache.py).
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)

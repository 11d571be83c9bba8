"""The test suite: same services as the environment names (SQLite by default, PostgreSQL and Redis in CI).

Tasks run eagerly unless a test asks for the real worker (``@pytest.mark.celery_worker``); password hashing
is fast; throttles are generous so that only the tests about throttling meet them.
"""

import os
from urllib.parse import urlsplit

from config.settings.base import *  # noqa: F403
from config.settings.base import REST_FRAMEWORK, STATIC_ROOT

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"principal": "100000/min", "anon": "100000/min", "access_request": "100000/min"},
}
OAUTH2_TOKEN_THROTTLE_RATE = "100000/min"  # noqa: S105  # a rate, not a secret
PACT_THROTTLE_RATE = PACT_THROTTLE_ANON_RATE = "100000/min"
AXES_ENABLED = True
# The suite's stand-in partner servers (PACT, did:web) listen on the loopback address.
OUTBOUND_ALLOWLIST = ["127.0.0.1", "::1"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the apps' folders directly, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# One backup store per xdist worker: two workers publishing the demo at once would otherwise write and read
# back the same files. Real worker processes started by a test inherit PYTEST_XDIST_WORKER, so they agree.
BACKUP_STORE_URL = env(  # noqa: F405
    "BACKUP_STORE_URL",
    default=(BASE_DIR / "var" / f"backup-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}").as_uri(),  # noqa: F405
)

# One process: the in-memory cache holds the public answers' generations too (exporters/resolver/public_cache.py).
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)  # noqa: F405


def worker_cache_url(redis_url: str) -> str:
    """The Redis cache of this xdist worker: database 8 + its number (the broker stays on ``redis_url``).

    The throttle tests start from an empty cache, and Redis's cache clear is FLUSHDB, which emptied the other
    worker's throttle histories in the middle of its tests. Real worker processes started by a test inherit
    PYTEST_XDIST_WORKER, so they use the same database.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "").removeprefix("gw")
    if not worker.isdigit():
        return redis_url
    return urlsplit(redis_url)._replace(path=f"/{8 + int(worker)}").geturl()


if REDIS_URL:  # noqa: F405
    CACHES = {"default": {**CACHES["default"], "LOCATION": worker_cache_url(REDIS_URL)}}  # noqa: F405

"""Production: secrets and hosts must come from the environment; HTTPS everywhere; JSON logs.

``manage.py check --deploy --settings=config.settings.prod`` prints no warnings once the required
variables (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, SIGNING_KEK, PLATFORM_BASE_URL) are set.
"""

from copy import deepcopy

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import LOGGING, env
from core.public_address import PublicAddressError, check_production_base_url
from exporters.credentials.keys import WeakKEKError, kek_from_env_value

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# Written into every QR code, did:web identifier and signed credential: https on a domain name, or no start.
try:
    PLATFORM_BASE_URL = check_production_base_url(env("PLATFORM_BASE_URL", default=""))
except PublicAddressError as exc:
    raise ImproperlyConfigured(str(exc)) from None

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Probes come from the orchestrator over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = deepcopy(LOGGING)
LOGGING["handlers"]["console"]["formatter"] = "json"

# Organizations' private signing keys are stored encrypted under this key-encryption key (32 random bytes,
# base64). Without it the development fallback would derive the KEK from SECRET_KEY, so production refuses to
# start instead; a malformed or obviously non-random value is refused too
# (exporters.credentials.keys.kek_from_env_value).
SIGNING_KEK = env("SIGNING_KEK", default="")
if not SIGNING_KEK.strip():
    raise ImproperlyConfigured("SIGNING_KEK must be set in production (32 random bytes, base64).")
try:
    kek_from_env_value(SIGNING_KEK)
except WeakKEKError as exc:
    raise ImproperlyConfigured(f"SIGNING_KEK is not usable: {exc}") from None

# The backup copy must live somewhere else than this machine (ESPR Art. 10-11): object storage or SFTP. A folder
# is accepted only when the operator says it is another machine's mount (BACKUP_ALLOW_LOCAL_STORE=true).
BACKUP_STORE_URL = env("BACKUP_STORE_URL", default="")
if not BACKUP_STORE_URL.startswith(("s3://", "sftp://")) and not env.bool("BACKUP_ALLOW_LOCAL_STORE", default=False):
    raise ImproperlyConfigured(
        "BACKUP_STORE_URL must name a second store in production (s3://bucket/prefix or sftp://user@host/folder); "
        "set BACKUP_ALLOW_LOCAL_STORE=true only if the folder given is another machine's mount."
    )

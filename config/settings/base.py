"""Settings shared by every runtime.

Every deployment knob is read from the environment here, in one place, with defaults that make
``make run`` work on a bare machine: an SQLite file and Celery in eager mode. Setting ``DATABASE_URL``
(PostgreSQL) and ``REDIS_URL`` switches to the production-like runtime: Redis as Celery broker and cache,
real workers.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.public_address import PublicAddressError, check_base_url_shape, development_base_url

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-key-change-me-in-production-0123456789abcdef")
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The one public address (core/public_address.py): GS1 Digital Link identifiers, QR codes, did:web, credentials.
# Unless set, it is where the development server is reached: `make run` passes its HOST and PORT as
# PLATFORM_DEV_HOST / PLATFORM_DEV_PORT, written with the name localhost (did:web forbids IP addresses).
try:
    PLATFORM_BASE_URL: str = check_base_url_shape(
        env("PLATFORM_BASE_URL", default="")
        or development_base_url(env("PLATFORM_DEV_HOST", default=None), env("PLATFORM_DEV_PORT", default=None))
    )
except PublicAddressError as exc:
    raise ImproperlyConfigured(str(exc)) from None
# Earlier public addresses that still reach this platform (after a move, README "Moving to a new public
# address"): their DID documents and status lists keep being answered, so credentials issued there verify.
try:
    PLATFORM_PREVIOUS_BASE_URLS: list[str] = [
        check_base_url_shape(url) for url in env.list("PLATFORM_PREVIOUS_BASE_URLS", default=[])
    ]
except PublicAddressError as exc:
    raise ImproperlyConfigured(f"PLATFORM_PREVIOUS_BASE_URLS: {exc}") from None
# The public address's own host is always allowed in development (make run HOST=dpp.local).
ALLOWED_HOSTS: list[str] = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=sorted(
        {"127.0.0.1", "localhost", "testserver"}
        | {urlsplit(url).hostname or "localhost" for url in [PLATFORM_BASE_URL, *PLATFORM_PREVIOUS_BASE_URLS]}
    ),
)

# Key-encryption key for organizations' private signing keys (32 bytes, base64). Empty in development:
# exporters derive a development-only key then, and production settings refuse to start without one.
SIGNING_KEK: str = env("SIGNING_KEK", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "django_htmx",
    "axes",
    "csp",
    "passports",
    "lca",
    "exporters",
]

MIDDLEWARE = [
    # First: forwarding headers are believed only from TRUSTED_PROXIES, before anything reads the address.
    "core.proxies.TrustedProxyMiddleware",
    "core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses oversized API bodies from Content-Length, before anything reads them.
    "config.bodylimits.RequestBodyLimitMiddleware",
    # A view that met Redis away answers 503 with Retry-After in the error envelope, not a bare 500.
    "core.degraded.BrokerDownMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language: Korean pages default to KST; the browser's own zone wins when it told us.
    "core.timezones.ViewerTimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Needs the session's user to scope keys per caller; replays answer before any view runs.
    "passports.idempotency.IdempotencyKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "passports.tenancy.organization_context",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in the embedded runtime: wait for the writer instead of failing under parallel requests.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str = env("REDIS_URL", default="")
if REDIS_URL:
    # Falls back to a per-process cache while Redis is away (core/cache.py): throttles and pages keep working.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dpp"}}

# The backup copy of published passports (exporters/backup/storage.py): s3://bucket/prefix (boto3; AWS_* credentials
# from the environment, BACKUP_S3_ENDPOINT_URL for a provider other than AWS, BACKUP_S3_RETENTION_DAYS for object
# lock in compliance mode), sftp://user@host:port/folder (paramiko; BACKUP_SFTP_KEY_FILE or BACKUP_SFTP_PASSWORD,
# and BACKUP_SFTP_KNOWN_HOSTS), or file:///folder. Empty: var/backup under the project (development only).
BACKUP_STORE_URL: str = env("BACKUP_STORE_URL", default="")
BACKUP_S3_ENDPOINT_URL: str = env("BACKUP_S3_ENDPOINT_URL", default="")
BACKUP_S3_RETENTION_DAYS: int = env.int("BACKUP_S3_RETENTION_DAYS", default=0)
BACKUP_SFTP_KEY_FILE: str = env("BACKUP_SFTP_KEY_FILE", default="")
BACKUP_SFTP_PASSWORD: str = env("BACKUP_SFTP_PASSWORD", default="")
BACKUP_SFTP_KNOWN_HOSTS: str = env("BACKUP_SFTP_KNOWN_HOSTS", default="")
# Who keeps the copy, named in each passport's registry record (ESPR Art. 10); default: the store's host.
BACKUP_PROVIDER: str = env("BACKUP_PROVIDER", default="")

# Anonymous public answers of the resolver and passport pages, rendered once (exporters/resolver/public_cache.py). The
# generations that drop them live in the cache above, so several worker processes need Redis to agree.
PUBLIC_PAGE_CACHE: bool = env.bool("PUBLIC_PAGE_CACHE", default=bool(REDIS_URL))
# Cache-Control max-age of public answers; 0 makes browsers and CDNs revalidate (cheaply, by ETag) every time.
PUBLIC_CACHE_MAX_AGE: int = env.int("PUBLIC_CACHE_MAX_AGE", default=0)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# One date format per language, each time printed with its zone (core/timezones.py picks the viewer's zone).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"

# Request bodies: large enough for bulk CSV uploads, which are streamed to disk past the memory limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Every route's body is held to DATA_UPLOAD_MAX_MEMORY_SIZE; only multipart bodies sent to a view marked with
# core.uploads.accepts_uploads may be larger, up to the setting it names (API_MAX_UPLOAD_BYTES for API imports,
# IMPORT_MAX_UPLOAD_BYTES for the import page, REPORT_VERIFY_MAX_BODY_BYTES for report verification). Past it
# the answer is 413 from the Content-Length, unread (config/bodylimits.py).
API_MAX_UPLOAD_BYTES = env.int("API_MAX_UPLOAD_BYTES", default=256 * 1024 * 1024)

# The import page and API read an uploaded workbook's first rows in a child process under these limits
# (passports/imports/inspection.py); the import itself reads it in a Celery worker.
IMPORT_XLSX_INSPECT_SECONDS = env.float("IMPORT_XLSX_INSPECT_SECONDS", default=20.0)
IMPORT_XLSX_INSPECT_MEMORY_BYTES = env.int("IMPORT_XLSX_INSPECT_MEMORY_BYTES", default=1024 * 1024 * 1024)
# Report verification reads the uploaded PDF in a child process under these limits (core/bounded.py).
REPORT_VERIFY_SECONDS = env.float("REPORT_VERIFY_SECONDS", default=10.0)
REPORT_VERIFY_MEMORY_BYTES = env.int("REPORT_VERIFY_MEMORY_BYTES", default=512 * 1024 * 1024)

# Idempotency-Key on API writes (passports/idempotency.py): answers kept a day; a key whose request died
# with its process is taken over by a retry after IDEMPOTENCY_IN_FLIGHT_SECONDS.
IDEMPOTENCY_KEY_TTL_SECONDS = env.int("IDEMPOTENCY_KEY_TTL_SECONDS", default=24 * 3600)
IDEMPOTENCY_IN_FLIGHT_SECONDS = env.int("IDEMPOTENCY_IN_FLIGHT_SECONDS", default=120)
IDEMPOTENCY_MAX_BODY_BYTES = API_MAX_UPLOAD_BYTES

# Outbound requests (supplier PACT endpoints, did:web documents) reach public addresses only; these hosts
# and networks are the named exceptions (core/netguard.py), e.g. "10.20.0.0/16,pact.partner.internal".
OUTBOUND_ALLOWLIST: list[str] = env.list("OUTBOUND_ALLOWLIST", default=[])

# --- API ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "passports.auth.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["passports.permissions.IsOrganizationMember"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    # DRF's default parsers, with JSON read by orjson (core/parsers.py): a third of the cost of a
    # passport's validation was json.loads.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.OrjsonParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filtering.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.PrincipalRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "principal": env("API_THROTTLE_PRINCIPAL", default="1200/min"),
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        # Access requests one organization may send over the API (passports.api.access_views), issue 14.
        "access_request": env("API_THROTTLE_ACCESS_REQUEST", default="30/hour"),
    },
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Digital Product Passport platform API",
    "DESCRIPTION": (
        "Passports, schemas, carbon footprints and signed credentials for EU Digital Product Passports "
        "(ESPR, Battery Regulation) and CBAM. Partner systems authenticate with OAuth2 client credentials "
        "at /auth/token; browsers use their session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" with different choices; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "PassportVersionStatusEnum": "passports.models.passports.PassportVersion.Status",
        # Import jobs and report packs share one set of job states, so they share one enum.
        "JobStatusEnum": "passports.models.imports.ImportJob.Status",
        # An import and a bulk job each have a "policy" with choices of their own.
        "ImportPolicyEnum": "passports.models.imports.ImportJob.Policy",
        "BulkPolicyEnum": "passports.models.bulk.BulkJob.Policy",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
        "core.openapi.add_idempotency_key_header",
    ],
}

# OAuth2 client credentials for partner systems (django-oauth-toolkit): secrets hashed, tokens short-lived.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH2_ACCESS_TOKEN_SECONDS", default=3600),
    "SCOPES": {
        "read": "Read the organization's data",
        "write": "Create and change the organization's data",
    },
    "DEFAULT_SCOPES": ["read"],
    "OAUTH2_VALIDATOR_CLASS": "passports.auth.ClientScopeValidator",
    "PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Adopt every RFC 9700 (OAuth 2.0 Security BCP) behaviour now: hashed token storage, no tokens in
    # query strings, no implicit or password grants.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

# Token requests per client address (config/oauth.py): each one with a known client costs a hash check.
OAUTH2_TOKEN_THROTTLE_RATE = env("OAUTH2_TOKEN_THROTTLE_RATE", default="30/min")
# PACT host endpoints (/2, /3): a budget per partner client, and per address for requests without a usable
# token (lca/pact/server.py).
PACT_THROTTLE_RATE = env("PACT_THROTTLE_RATE", default="1200/min")
PACT_THROTTLE_ANON_RATE = env("PACT_THROTTLE_ANON_RATE", default="120/min")
# Addresses or networks of the reverse proxies in front of the application (e.g. "10.0.0.5,fd00::/8"): only
# their X-Forwarded-For / X-Forwarded-Proto are believed (core/proxies.py). Empty: no proxy is trusted.
TRUSTED_PROXIES: list[str] = env.list("TRUSTED_PROXIES", default=[])

# django-oauth-toolkit's models are swappable; naming the defaults lets our migrations refer to them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105  # a model name, not a secret
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105  # a model name, not a secret
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105  # a model name, not a secret
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

# --- Celery: long jobs, survive a killed worker ----------------------------------------------------
# Eager mode sends nothing, but Celery still opens its broker; naming a host keeps kombu from warning
# "No hostname was supplied" on every start of the embedded runtime.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # job state lives in our own models, not in a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process that grew past this (KiB) after a task (a large workbook read by an import) is replaced.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1024 * 1024)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=2 * 3600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Redis redelivers an unacknowledged task after the visibility timeout: it must exceed the longest task,
# or a long import would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 3600}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="dpp")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The stuck-job sweeper (core/sweeper.py): jobs in a live status whose heartbeat has not moved for their
# stall period (worker killed, message lost with a Redis restart) are enqueued again; their tasks resume.
# Periods are in minutes. Beat runs the sweep every SWEEPER_PERIOD_MINUTES; a job counts as stuck after its
# kind's stall period without a committed chunk (or a rendered report). A worker that starts resumes at once
# the imports of workers that are gone (passports/imports/tasks.py), so the sweeper is the net for the rest.
SWEEPER_PERIOD_MINUTES = env.float("SWEEPER_PERIOD_MINUTES", default=1.0)
STUCK_JOBS: list[dict[str, Any]] = [
    {
        "model": "passports.ImportJob",
        "task": "passports.imports.tasks.import_job_task",
        "heartbeat": "updated_at",  # moves with every committed chunk
        "stale_seconds": int(60 * env.float("SWEEPER_IMPORT_STALL_MINUTES", default=10.0)),
    },
    {
        "model": "exporters.ReportPack",
        "task": "exporters.reports.tasks.build_report_pack",
        "heartbeat": "heartbeat_at",  # moves with every rendered report
        "stale_seconds": int(60 * env.float("SWEEPER_PACK_STALL_MINUTES", default=5.0)),
    },
    {
        "model": "passports.BulkJob",
        "task": "passports.tasks.bulk_job_task",
        "heartbeat": "updated_at",  # moves with every committed chunk (a pending job is not watched)
        "stale_seconds": env.int("SWEEPER_BULK_STALL_SECONDS", default=600),
    },
]
# A long job's step whose database connection was lost is run again on a new connection (core/reconnect.py):
# up to JOB_DB_RETRY_ATTEMPTS losses in a row with no progress between them, waiting JOB_DB_RETRY_FIRST_SECONDS
# before the first retry and twice as long before each next one (0.5, 1, 2, 4 s: about 8 s in all).
JOB_DB_RETRY_ATTEMPTS = env.int("JOB_DB_RETRY_ATTEMPTS", default=5)
JOB_DB_RETRY_FIRST_SECONDS = env.float("JOB_DB_RETRY_FIRST_SECONDS", default=0.5)
CELERY_IMPORTS = ["core.sweeper", "exporters.resolver.public_cache"]
# Run by `celery -A config beat` (one beat process per deployment).
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-jobs": {"task": "passports.sweep_stuck_jobs", "schedule": 60.0 * SWEEPER_PERIOD_MINUTES},
    "purge-idempotency-keys": {"task": "passports.purge_idempotency_keys", "schedule": 3600.0},
    # PACT events whose back-off has passed (lca/pact/tasks.py), and expiry of unanswered requests.
    "pact-deliveries": {"task": "lca.pact.resume", "schedule": 30.0},
    # The transactional outbox (passports/outbox.py): tasks written while the broker was away are sent once
    # it is back (also at every worker start and by `manage.py outbox_dispatch`).
    "outbox-dispatch": {"task": "passports.outbox_dispatch", "schedule": env.float("OUTBOX_DISPATCH_SECONDS", 15.0)},
}

# --- Security headers that hold everywhere ---------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# django-axes: lock an account/IP pair out after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=8)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.requestid.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

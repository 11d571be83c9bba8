"""WSGI entry point for gunicorn (``gunicorn config.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

from config.bodylimits import chunked_body_limit
from core.chunked import ChunkedBodyMiddleware
from exporters.resolver.public_cache import PublicResponseCache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

# Chunked bodies reach Django whole, within their route's body limit (core/chunked.py, config/bodylimits.py);
# anonymous scans of published passports are answered from what was rendered for the first of them
# (exporters/resolver/public_cache.py).
django_application = get_wsgi_application()
application = ChunkedBodyMiddleware(PublicResponseCache(django_application), limit=chunked_body_limit)

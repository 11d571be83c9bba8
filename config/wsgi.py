"""WSGI entry point for gunicorn (``gunicorn config.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

from core.chunked import ChunkedBodyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

# Chunked bodies reach Django whole (core/chunked.py).
application = ChunkedBodyMiddleware(get_wsgi_application())
